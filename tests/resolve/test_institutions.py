"""Institution identity: lexicon names and aliases, one node per affiliation part, part-of."""

from __future__ import annotations

import pytest

import kg
from kg.resolve.institutions import InstitutionResolver, folded


def resolve(*affiliations: str, same: tuple[str, ...] = (), apart: tuple[str, ...] = ()):
    resolver = InstitutionResolver()
    for text in affiliations:
        resolver.add(text)
    if same:
        resolver.force_same(same)
    if apart:
        resolver.force_apart(apart)
    return resolver.resolve()


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("MIT", "Massachusetts Institute of Technology"),
        ("UC Berkeley", "University of California at Berkeley"),
        ("University of California, Berkeley", "UC Berkeley"),
        ("FAIR", "Facebook AI Research"),
        ("Facebook AI Research (FAIR)", "FAIR"),
        ("Universite de Montreal", "Université de Montréal"),
        ("Florida State University, USA", "Florida State University"),
        ("Department of Computer Science, University of Toronto", "University of Toronto"),
        ("The Univ. of Nowhere, USA", "University of Nowhere"),  # not in the lexicon: folded alike
    ],
)
def test_spellings_of_one_institution_are_one_node(a: str, b: str) -> None:
    identity = resolve(a, b)
    assert [i.id for i in identity.of(a)] == [i.id for i in identity.of(b)]
    assert len(identity.institutions) == 1


def test_one_node_per_affiliation_part() -> None:
    identity = resolve("Lund University, Google Research", "University of Cambridge & Element AI")
    assert [i.name for i in identity.of("Lund University, Google Research")] == ["Lund University", "Google Research"]
    assert [i.name for i in identity.of("University of Cambridge & Element AI")] == [
        "University of Cambridge",
        "Element AI",
    ]


def test_unknown_institutions_keep_their_most_frequent_spelling() -> None:
    identity = resolve("Acme Labs Inc", "ACME LABS INC", "Acme Labs Inc")
    (only,) = identity.institutions.values()
    assert only.name == "Acme Labs Inc" and set(only.aliases) == {"Acme Labs Inc", "ACME LABS INC"}
    assert folded("The Univ. of Foo, Canada") == "university of foo"


def test_overrides_join_and_split_institutions() -> None:
    joined = resolve("Acme Labs", "Acme Research", same=("Acme Research", "Acme Labs"))
    assert len(joined.institutions) == 1 and next(iter(joined.institutions.values())).name == "Acme Research"
    split = resolve("Brain Team", "Google Brain", apart=("Brain Team", "Google Brain"))
    assert {i.name for i in split.institutions.values()} == {"Brain Team", "Google Brain"}


def test_part_of_hierarchy_in_the_default_graph(graph: kg.Graph) -> None:
    parents = {e.source: e.target for e in graph.edges("part_of")}
    assert parents["institution/google-brain"] == "institution/google-research"
    assert parents["institution/google-research"] == "institution/google"
    names = {n.props["name"] for n in graph.nodes("Institution")}
    assert "Google Research, Brain Team" not in names and "Google Brain" in names
    assert "Facebook AI Research (FAIR)" in graph.node("institution/fair").props["aliases"]
