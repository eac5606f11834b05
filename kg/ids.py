"""Node ids: ``<idPrefix>/<local part>``, with each node type's prefix taken from the ontology.

``ontology/kg.ttl`` gives every class a ``kg:idPrefix`` (``kg:Paper`` → ``paper``, the three
concept types share ``concept``); the same prefix is the path segment of the node's IRI. Every
stage that mints or reads an id asks this module, so an id scheme lives in one place: the
ontology. Local parts are made by the caller (slugs and digests in :mod:`kg.normalize`) because
what makes an id stable differs per type.

>>> node_id("Paper", "attention-is-all-you-need-1a2b3c")
'paper/attention-is-all-you-need-1a2b3c'
>>> is_a("concept/gan-method", "Method")
True
"""

from __future__ import annotations

from functools import cache

from kg.normalize import digest
from kg.ontology import load
from kg.records import Record


@cache
def prefix(node_type: str) -> str:
    """``'Paper'`` → ``'paper/'``: the ontology's ``kg:idPrefix`` of ``node_type`` and a slash."""
    try:
        declared = load().node_types[node_type].id_prefix
    except KeyError:
        raise ValueError(f"{node_type!r} is not a node type of the ontology") from None
    if not declared:
        raise ValueError(f"ontology/kg.ttl gives {node_type} no kg:idPrefix")
    return declared + "/"


@cache
def concept_prefix() -> str:
    """The prefix the concept types (Method, Dataset, Task) share: one id space for concepts."""
    return load().concept_prefix


def node_id(node_type: str, local: str) -> str:
    """The id of the ``node_type`` node whose local part is ``local``."""
    return prefix(node_type) + local


def concept_id(local: str) -> str:
    """The id of a concept (any of the concept types) with local part ``local``."""
    return concept_prefix() + local


def is_a(identifier: str, node_type: str) -> bool:
    """Whether ``identifier`` is in ``node_type``'s id space (concept types share one)."""
    return identifier.startswith(prefix(node_type))


def local_part(identifier: str, node_type: str) -> str:
    """``identifier`` without ``node_type``'s prefix (unchanged when it has another)."""
    return identifier.removeprefix(prefix(node_type))


def source_record_id(record: Record) -> str:
    """The id of the node standing for one input record: its file and key, digested, so the
    same record gets the same node in every build."""
    return node_id("SourceRecord", digest(record.provenance.file, record.key))
