"""Papers two sources describe without a shared title: the same ordered authors at one venue
and year, title words in an untitled record's text, near-identical abstracts; never two
different papers, order-independent, and every link explained for `kg review --kind paper`."""

from __future__ import annotations

import random

from kg.records import AuthorRef, Provenance, Record
from kg.resolve.builder import resolve
from kg.resolve.papers import resolve_papers

ABSTRACT = (
    "A wide variety of deep learning techniques from style transfer to multitask learning rely on training affine "
    "transformations of features. We study the role and expressive power of these learned affine parameters by "
    "freezing all other weights at their random initializations and training only BatchNorm."
)


def _authors(*names: str) -> tuple[AuthorRef, ...]:
    return tuple(AuthorRef(n, n, i) for i, n in enumerate(names, start=1))


def _record(file: str, line: int, title: str | None = None, **fields: object) -> Record:
    fields.setdefault("authors", _authors("Jonathan Frankle", "David J. Schwab", "Ari S. Morcos"))
    return Record(key=f"{file}:{line}", provenance=Provenance(file, line, line, "test"), title=title, **fields)


def _papers(records: list[Record]) -> list[list[int]]:
    of_record = resolve_papers(records).of_record
    groups: dict[str, list[int]] = {}
    for index, paper in enumerate(of_record):
        groups.setdefault(paper, []).append(index)
    return sorted(groups.values())


def test_untitled_record_joins_the_listing_with_its_authors_venue_and_year() -> None:
    records = [
        _record("abstracts.txt", 1, abstract=ABSTRACT, venue="ICLR", year=2021),
        _record("listing.json", 5, "Training BatchNorm and Only BatchNorm", venue="ICLR", year=2021),
        _record("listing.json", 9, "Another Paper", authors=_authors("Ann Lee", "Bo Chen"), venue="ICLR", year=2021),
    ]
    identity = resolve_papers(records)
    assert identity.of_record[0] == identity.of_record[1] != identity.of_record[2]
    (decision,) = [d for d in identity.decisions if d.merged]
    assert decision.reason == "same authors, venue and year"
    assert decision.evidence == ("3 authors in the same order", "ICLR 2021")
    assert identity.titles[identity.of_record[0]] == "Training BatchNorm and Only BatchNorm"


def test_venue_spellings_agree_and_other_years_do_not() -> None:
    long_name = "International Conference on Learning Representations"
    joined = [
        _record("a.txt", 1, abstract=ABSTRACT, venue="ICLR", year=2021),
        _record("b.txt", 1, "T", venue=long_name, year=2021),
    ]
    assert _papers(joined) == [[0, 1]]
    other_year = [
        _record("a.txt", 1, abstract="Short text.", venue="ICLR", year=2021),
        _record("b.txt", 1, "T", venue="ICLR", year=2022),
    ]
    assert _papers(other_year) == [[0], [1]]


def test_several_papers_by_one_author_list_are_told_apart_by_their_text() -> None:
    records = [
        _record(
            "abstracts.txt",
            1,
            abstract="We propose robust overfitting mitigation by properly learned smoothening.",
            venue="ICLR",
            year=2021,
        ),
        _record(
            "abstracts.txt",
            2,
            tldr="The lottery ticket hypothesis holds for winning tickets found in sparse networks.",
            venue="ICLR",
            year=2021,
        ),
        _record(
            "listing.json",
            1,
            "Robust Overfitting may be Mitigated by Properly Learned Smoothening",
            venue="ICLR",
            year=2021,
        ),
        _record(
            "listing.json", 2, "Long Live the Lottery: Winning Tickets in Sparse Networks", venue="ICLR", year=2021
        ),
    ]
    assert _papers(records) == [[0, 2], [1, 3]]


def test_ambiguous_author_lists_stay_apart_as_near_misses() -> None:
    records = [
        _record("abstracts.txt", 1, abstract="Nothing here names either title.", venue="ICLR", year=2021),
        _record("listing.json", 1, "First Paper on Graphs", venue="ICLR", year=2021),
        _record("listing.json", 2, "Second Paper on Kernels", venue="ICLR", year=2021),
    ]
    identity = resolve_papers(records)
    assert len(set(identity.of_record)) == 3
    near = [d for d in identity.decisions if not d.merged]
    assert len(near) == 2 and all("kept apart: the text names no one title clearly" in d.evidence for d in near)


def test_two_titled_papers_of_one_file_are_never_linked_by_authors() -> None:
    records = [
        _record("listing.json", 1, "First Paper", venue="ICLR", year=2021),
        _record("listing.json", 2, "Second Paper", venue="ICLR", year=2021),
    ]
    identity = resolve_papers(records)
    assert len(set(identity.of_record)) == 2 and identity.decisions == []


def test_workshop_version_joins_by_authors_and_title_words() -> None:
    records = [
        _record(
            "abstracts.txt",
            1,
            tldr="We study training only BatchNorm and freezing all other weights.",
            venue="ICLR",
            year=2021,
        ),
        _record("workshop.txt", 1, "Training Batchnorm and Only Batchnorm"),
    ]
    identity = resolve_papers(records)
    assert len(set(identity.of_record)) == 1
    (decision,) = identity.decisions
    assert decision.reason == "same authors, title words in its text"


def test_near_identical_abstracts_join_across_files_with_a_shared_author() -> None:
    edited = ABSTRACT.replace("A wide variety", "A broad variety")
    records = [
        _record("a.txt", 1, "Training BatchNorm and Only BatchNorm", abstract=ABSTRACT),
        _record(
            "b.txt",
            1,
            "On the Expressive Power of Random Features in CNNs",
            abstract=edited,
            authors=_authors("Jonathan Frankle"),
        ),
        _record("c.txt", 1, "Someone Else's Copy", abstract=ABSTRACT, authors=_authors("Ann Lee")),
    ]
    identity = resolve_papers(records)
    assert identity.of_record[0] == identity.of_record[1] != identity.of_record[2]
    reasons = {(d.merged, d.reason) for d in identity.decisions}
    assert reasons == {(True, "near-identical abstracts"), (False, "near-identical abstracts")}


def test_links_do_not_depend_on_record_order() -> None:
    records = [
        _record("abstracts.txt", 1, abstract=ABSTRACT, venue="ICLR", year=2021),
        _record(
            "abstracts.txt",
            2,
            abstract="Robust overfitting mitigated by properly learned smoothening.",
            venue="ICLR",
            year=2021,
            authors=_authors("Tianlong Chen", "Zhangyang Wang"),
        ),
        _record("listing.json", 1, "Training BatchNorm and Only BatchNorm", venue="ICLR", year=2021),
        _record(
            "listing.json",
            2,
            "Robust Overfitting may be Mitigated by Properly Learned Smoothening",
            venue="ICLR",
            year=2021,
            authors=_authors("Tianlong Chen", "Zhangyang Wang"),
        ),
        _record("workshop.txt", 1, "Training Batchnorm and Only Batchnorm"),
    ]
    expected = resolve(records)[0]
    for seed in range(3):
        shuffled = records[:]
        random.Random(seed).shuffle(shuffled)
        graph = resolve(shuffled)[0]
        assert sorted(n.id for n in graph.nodes("Paper")) == sorted(n.id for n in expected.nodes("Paper"))
    assert len(list(expected.nodes("Paper"))) == 2


def test_merged_paper_shows_the_longest_abstract() -> None:
    records = [
        _record("a.txt", 1, "Training BatchNorm and Only BatchNorm", abstract="Short."),
        _record("b.txt", 1, "Training BatchNorm and Only BatchNorm", abstract=ABSTRACT),
    ]
    (paper,) = resolve(records)[0].nodes("Paper")
    assert paper.props["abstract"] == ABSTRACT
