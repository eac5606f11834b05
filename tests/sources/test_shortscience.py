"""The ShortScience readers: the venue page (11 papers, not 22) and the bare summary list."""

from __future__ import annotations

from pathlib import Path

from kg.sources import detect, read_file
from tests.conftest import CORPUS_FILES


def test_papers_page_has_11_records_not_22(corpus: Path) -> None:
    path = corpus / CORPUS_FILES["shortscience_papers"]
    assert detect(path).name == "shortscience-papers"
    records = list(read_file(path))
    assert len(records) == 11
    assert records[0].title == "Compressive Transformers for Long-Range Sequence Modelling"
    assert records[-1].title == "Ordered Neurons: Integrating Tree Structures into Recurrent Neural Networks"
    assert all(len(r.summaries) == 1 and len(r.summaries[0]) > 300 for r in records)


def test_bibtex_and_natural_author_order(corpus: Path) -> None:
    records = {r.title: r for r in read_file(corpus / CORPUS_FILES["shortscience_papers"])}
    bag = records["Approximating CNNs with Bag-of-local-Features models works surprisingly well on ImageNet"]
    assert [(a.name, a.as_written) for a in bag.authors] == [
        ("Wieland Brendel", "Brendel, Wieland"),
        ("Matthias Bethge", "Bethge, Matthias"),
    ]
    lottery = records["The Lottery Ticket Hypothesis: Finding Sparse, Trainable Neural Networks"]
    assert [a.name for a in lottery.authors] == ["Jonathan Frankle", "Michael Carbin"]
    assert lottery.keywords == ("cs.LG", "cs.AI", "cs.NE")
    assert lottery.abstract.startswith("Neural network pruning techniques can reduce")
    assert lottery.abstract.endswith("reach higher test accuracy.")
    assert "more" not in lottery.abstract.split()[-3:]
    assert "Frankle and Carbin discover" in lottery.summaries[0]


def test_venue_year_and_no_dblp_keyword(corpus: Path) -> None:
    records = list(read_file(corpus / CORPUS_FILES["shortscience_papers"]))
    assert {r.year for r in records} == {2019}
    venues = {r.venue for r in records}
    assert venues == {"arXiv e-Print archive", "International Conference on Learning Representations"}
    assert all("dblp" not in r.keywords for r in records)


def test_summary_list_has_5_unnamed_summaries(corpus: Path) -> None:
    path = corpus / CORPUS_FILES["shortscience_summaries"]
    assert detect(path).name == "shortscience-summaries"
    records = list(read_file(path))
    assert len(records) == 5
    assert all(r.title is None and not r.authors and len(r.summaries) == 1 for r in records)
    assert records[0].summaries[0].startswith("If you were to survey researchers")
    assert [r.provenance.line_start for r in records] == [3, 5, 7, 9, 11]
