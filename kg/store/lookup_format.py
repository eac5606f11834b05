"""The lookup index's file format, shared by its writer (:mod:`kg.store.lookup_index`) and its
reader (:mod:`kg.query.index`): the file name, version, tables, array encoding and the
tokenizer both sides must agree on. The tables are documented in :mod:`kg.store.lookup_index`.

Kept apart from the writer so a lookup imports neither the concept scheme nor the graph code.
"""

from __future__ import annotations

import re

from kg.normalize import key
from kg.query.match import singular
from kg.records import CONCEPT_RELATIONS

FILENAME = "lookup.sqlite"
INDEX_VERSION = 4  # 3: concept_links (relations between concepts); 4: paper_venue
NO_YEAR = -(2**31)
CONCEPT_EDGE_RELATIONS = frozenset(CONCEPT_RELATIONS.values())
INT32 = "<i4"  # every array and postings blob: little-endian int32
_WORD = re.compile(r"[0-9a-z]+")
STOPWORDS = frozenset(
    "a an and are as at be by for from in into is it its of on or that the this to we with via our".split()  # noqa: SIM905
)

SCHEMA = """
CREATE TABLE stats(name TEXT PRIMARY KEY, value REAL);
CREATE TABLE papers(idx INTEGER PRIMARY KEY, id TEXT UNIQUE, label TEXT, year INTEGER);
CREATE TABLE fields(slot INTEGER PRIMARY KEY, paper INTEGER, field TEXT, text TEXT, length INTEGER);
CREATE TABLE terms(term TEXT PRIMARY KEY, df INTEGER, slots BLOB, tfs BLOB);
CREATE TABLE authors(idx INTEGER PRIMARY KEY, id TEXT UNIQUE, name TEXT, aliases TEXT);
CREATE TABLE authorship(paper INTEGER, author INTEGER, position INTEGER);
CREATE TABLE institutions(id TEXT PRIMARY KEY, name TEXT, aliases TEXT);
CREATE TABLE affiliations(author INTEGER, institution TEXT, paper INTEGER);
CREATE TABLE part_of(child TEXT, parent TEXT);
CREATE TABLE concepts(id TEXT PRIMARY KEY, type TEXT, label TEXT, aliases TEXT, discovered INTEGER,
                      in_graph INTEGER);
CREATE TABLE broader(child TEXT, parent TEXT);
CREATE TABLE concept_links(head TEXT, relation TEXT, tail TEXT, papers INTEGER, sentences INTEGER, evidence TEXT);
CREATE TABLE vocab_candidates(vocab TEXT, idx INTEGER, id TEXT, type TEXT, label TEXT, weight REAL);
CREATE TABLE vocab_names(vocab TEXT, idx INTEGER, surface TEXT, key TEXT, inflected TEXT, initials TEXT);
CREATE TABLE concept_edges(paper INTEGER, concept TEXT, field TEXT, start INTEGER, "end" INTEGER, matched TEXT);
CREATE TABLE concept_papers(concept TEXT PRIMARY KEY, papers BLOB, kinds BLOB);
CREATE TABLE codes(list TEXT, code INTEGER, name TEXT, PRIMARY KEY (list, code));
CREATE TABLE arrays(name TEXT PRIMARY KEY, data BLOB);
"""
INDEXES = """
CREATE INDEX fields_paper ON fields(paper);
CREATE INDEX authorship_paper ON authorship(paper);
CREATE INDEX authorship_author ON authorship(author);
CREATE INDEX affiliations_author ON affiliations(author);
CREATE INDEX affiliations_institution ON affiliations(institution);
CREATE INDEX edges_concept ON concept_edges(concept);
CREATE INDEX edges_paper ON concept_edges(paper);
CREATE INDEX links_head ON concept_links(head);
CREATE INDEX links_tail ON concept_links(tail);
"""


def tokens(text: str) -> list[str]:
    """Index terms of a text: folded words, singularised, stop words dropped."""
    return [singular(w) for w in _WORD.findall(key(text)) if w not in STOPWORDS]


def field_kind(field: str) -> str:
    """``summary[2]`` → ``summary``; other field names unchanged."""
    return field.split("[", 1)[0]
