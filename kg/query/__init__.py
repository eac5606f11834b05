"""Reading a built store: SPARQL (and, later, Cypher and the lookups)."""
