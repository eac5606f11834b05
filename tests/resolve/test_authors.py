"""Author identity: the merges and the non-merges the corpora call for, and why each was made."""

from __future__ import annotations

import kg
from kg.resolve.authors import AuthorOccurrence, AuthorResolver, name_level
from kg.resolve.names import parse


def resolve(*papers: tuple[str, ...], institutions: dict[str, str] | None = None, subjects: tuple[str, ...] = ()):
    """Resolve author lists, one record (and paper) each; ``institutions`` maps name → institution."""
    resolver = AuthorResolver()
    for number, authors in enumerate(papers):
        for name in authors:
            resolver.add(
                AuthorOccurrence(
                    as_written=name,
                    display=name,
                    record=f"source/{number}",
                    paper=f"paper/{number}",
                    coauthors=tuple(a for a in authors if a != name),
                    institutions=tuple(filter(None, [(institutions or {}).get(name)])),
                    subjects=subjects,
                )
            )
    return resolver.resolve()


def same(identity, a: str, b: str) -> bool:
    return identity.person(a).id == identity.person(b).id


def test_people_who_share_only_a_surname_or_an_initial_stay_apart() -> None:
    identity = resolve(("Samy Bengio", "Ian Goodfellow"), ("Yoshua Bengio", "Ian Goodfellow"))
    assert not same(identity, "Samy Bengio", "Yoshua Bengio")
    identity = resolve(("Cho-Jui Hsieh", "Huan Zhang"), ("Cheng-Yu Hsieh", "Huan Zhang"), ("C. J. Hsieh", "Huan Zhang"))
    assert not same(identity, "Cho-Jui Hsieh", "Cheng-Yu Hsieh")
    assert name_level(parse("C.-J. Hsieh"), parse("Cheng-Yu Hsieh")) is None
    assert same(identity, "C. J. Hsieh", "Cho-Jui Hsieh")  # initials agree, and a shared co-author


def test_bibtex_order_case_accents_and_dots_are_one_person() -> None:
    identity = resolve(
        ("Brendel, Wieland", "Matthias Bethge"),
        ("Wieland Brendel",),
        ("WIELAND BRENDEL",),
        ("Emmanuel Müller",),
        ("Emmanuel Muller",),
        ("Jack W Rae",),
        ("Rae, Jack W.",),
    )
    assert same(identity, "Brendel, Wieland", "WIELAND BRENDEL")
    assert identity.person("Wieland Brendel").name == "Wieland Brendel"
    assert set(identity.person("Wieland Brendel").aliases) >= {"Brendel, Wieland", "WIELAND BRENDEL", "Wieland Brendel"}
    assert same(identity, "Emmanuel Müller", "Emmanuel Muller")
    assert same(identity, "Jack W Rae", "Rae, Jack W.")


def test_a_dropped_middle_name_merges_and_is_listed_as_weak_without_other_evidence() -> None:
    identity = resolve(("Aaron C. Courville", "Yoshua Bengio"), ("Aaron Courville", "Hugo Larochelle"))
    person = identity.person("Aaron Courville")
    assert person.id == identity.person("Aaron C. Courville").id and person.name == "Aaron C. Courville"
    (decision,) = [d for d in identity.decisions if d.merged]
    assert decision.weak and decision.reason == "a middle name left out"
    (why,) = person.merged_because
    assert "“Aaron C. Courville”" in why and "“Aaron Courville”" in why and why.endswith(": a middle name left out")


def test_an_initial_needs_evidence_beyond_the_name() -> None:
    alone = resolve(("Y. Bengio", "Pascal Vincent"), ("Yoshua Bengio", "Aaron Courville"))
    assert not same(alone, "Y. Bengio", "Yoshua Bengio")
    (miss,) = [d for d in alone.decisions if not d.merged]
    assert "not enough evidence" in miss.evidence[-1]
    backed = resolve(("Y. Bengio", "Aaron Courville"), ("Yoshua Bengio", "Aaron Courville"), subjects=("concept/gan",))
    assert same(backed, "Y. Bengio", "Yoshua Bengio")
    (merge,) = [d for d in backed.decisions if d.merged]
    assert "shared co-authors Aaron Courville" in merge.evidence


def test_an_initial_that_fits_two_people_is_a_near_miss() -> None:
    identity = resolve(
        ("J. Lee", "Sung Ju Hwang"),
        ("Jason Lee", "Sung Ju Hwang"),
        ("Jongmin Lee", "Sung Ju Hwang"),
    )
    people = {identity.person(n).id for n in ("J. Lee", "Jason Lee", "Jongmin Lee")}
    assert len(people) == 3
    assert any("also fits" in e for d in identity.decisions for e in d.evidence)


def test_two_names_in_one_author_list_are_two_people() -> None:
    identity = resolve(("John Smith", "J. Smith", "Jane Doe"), ("John Smith", "Jane Doe"))
    assert not same(identity, "John Smith", "J. Smith")


def test_nicknames_merge_with_a_shared_co_author() -> None:
    identity = resolve(("Russ Salakhutdinov", "Yao-Hung Tsai"), ("Ruslan Salakhutdinov", "Yao-Hung Tsai"))
    assert same(identity, "Russ Salakhutdinov", "Ruslan Salakhutdinov")
    identity = resolve(("Bill Freeman", "Antonio Torralba"), ("William Freeman", "Antonio Torralba"))
    assert same(identity, "Bill Freeman", "William Freeman")
    assert not same(
        resolve(("Russ Salakhutdinov",), ("Ruslan Salakhutdinov",)), "Russ Salakhutdinov", "Ruslan Salakhutdinov"
    )


def test_default_corpus_merges_and_near_misses(graph: kg.Graph, handle: kg.KnowledgeGraph) -> None:
    courville = graph.node("author/aaron-c-courville")
    assert {"Aaron Courville", "Aaron C. Courville"} <= set(courville.props["aliases"])
    assert "author/aaron-courville" not in graph
    assert {"author/samy-bengio", "author/yoshua-bengio"} <= set(n.id for n in graph.nodes("Author"))
    assert {"author/cho-jui-hsieh", "author/cheng-yu-hsieh"} <= set(n.id for n in graph.nodes("Author"))
    tsai = graph.node("author/yao-hung-hubert-tsai")
    assert any("shared co-authors" in why for why in tsai.props["merged_because"])
    as_written = {
        w for e in graph.in_edges("author/yao-hung-hubert-tsai", "authored_by") for w in e.props["as_written"]
    }
    assert as_written == {"Yao-Hung Tsai", "Yao-Hung Hubert Tsai"}
    review = handle.review("author")
    assert ("Ruslan Salakhutdinov", "Russ Salakhutdinov") in {(d.left, d.right) for d in review if not d.merged}
    assert all(d.kind == "author" and (d.weak or not d.merged) for d in review)


def test_a_profile_shows_the_other_spellings(handle: kg.KnowledgeGraph) -> None:
    tsai = handle.profile("Yao-Hung Tsai")
    assert tsai.name == "Yao-Hung Hubert Tsai" and tsai.aliases == ("Yao-Hung Tsai",)
    assert tsai.as_json()["aliases"] == ["Yao-Hung Tsai"]
    assert "Facebook AI Research (FAIR)" in handle.profile("FAIR").aliases
