"""Closed namespace of the kg ontology's terms. Generated from ontology/kg.ttl: do not edit.

Regenerate with ``python -m kg.ontology --write-vocab``; tests fail when it is stale.
"""

from rdflib.namespace import DefinedNamespace, Namespace
from rdflib.term import URIRef


class KG(DefinedNamespace):
    """Terms of https://w3id.org/kg/ontology# (unknown names raise AttributeError)."""

    _fail = True
    _NS = Namespace("https://w3id.org/kg/ontology#")

    Author: URIRef
    Concept: URIRef
    Dataset: URIRef
    Institution: URIRef
    Mention: URIRef
    Method: URIRef
    Paper: URIRef
    SourceRecord: URIRef
    Summary: URIRef
    Task: URIRef
    Topic: URIRef
    Venue: URIRef
    addressesTask: URIRef
    affiliatedWith: URIRef
    arxivId: URIRef
    asWritten: URIRef
    authorPosition: URIRef
    authoredBy: URIRef
    charEnd: URIRef
    charStart: URIRef
    coauthorWith: URIRef
    community: URIRef
    comparedWith: URIRef
    confidence: URIRef
    cypherType: URIRef
    discovered: URIRef
    discoveredBy: URIRef
    doi: URIRef
    evaluatedOn: URIRef
    evidence: URIRef
    externalId: URIRef
    field: URIRef
    hasTopic: URIRef
    idPrefix: URIRef
    key: URIRef
    lineEnd: URIRef
    lineStart: URIRef
    matchedText: URIRef
    mergedBecause: URIRef
    onPaper: URIRef
    openalexId: URIRef
    openreviewId: URIRef
    orcid: URIRef
    paperCount: URIRef
    partOf: URIRef
    publishedIn: URIRef
    reader: URIRef
    relationRule: URIRef
    ror: URIRef
    rule: URIRef
    semanticScholarId: URIRef
    sentenceCount: URIRef
    sharedPapers: URIRef
    singleValued: URIRef
    sourceFile: URIRef
    statementOf: URIRef
    summarises: URIRef
    tldr: URIRef
    usedFor: URIRef
    usesDataset: URIRef
    usesMethod: URIRef
    variantOf: URIRef
    year: URIRef
