"""Clients of other systems: what kg sends a built store to, never what a build writes.

- :mod:`kg.remote.neo4j`: push the graph to Neo4j over Bolt, run Cypher there, and write the
  CSV files ``neo4j-admin database import`` reads (needs the ``kg[neo4j]`` extra for Bolt).
- :mod:`kg.remote.sparql_http`: push the RDF store to any SPARQL 1.1 Graph Store endpoint.

They read a store (or its graph) and talk to a server; the stores a build writes are in
:mod:`kg.store`.
"""
