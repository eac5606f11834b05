"""Readers of what services export: arXiv, OpenAlex, Semantic Scholar, OpenReview.

The files in tests/sources/data/ are small samples shaped exactly like each service's
documented responses and dumps (field names, nesting, null placeholders, pretty-printing).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.sources import detect, read_file, strict_reading

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(
    ("name", "reader"),
    [
        ("arxiv-snapshot.jsonl", "arxiv"),
        ("arxiv-api.atom", "arxiv-atom"),
        ("openalex-page.json", "openalex"),
        ("openalex-works.jsonl", "openalex"),
        ("semanticscholar-search.json", "semanticscholar"),
        ("semanticscholar-batch.json", "semanticscholar"),
        ("semanticscholar-papers.jsonl", "semanticscholar"),
        ("openreview-notes.json", "openreview"),
        ("zotero.csl.json", "csl-json"),
        ("library.ris", "ris"),
        ("papers.csv", "csv"),
        ("openreview-list.tsv", "tsv"),
    ],
)
def test_detected_by_content(name: str, reader: str, tmp_path: Path) -> None:
    assert detect(DATA / name).name == reader
    renamed = tmp_path / "export.txt"  # the name says nothing; the content decides
    renamed.write_bytes((DATA / name).read_bytes())
    assert detect(renamed).name == reader


def test_arxiv_snapshot() -> None:
    lottery, maldacena, batchnorm = read_file(DATA / "arxiv-snapshot.jsonl")
    assert lottery.title == "The Lottery Ticket Hypothesis: Finding Sparse, Trainable Neural Networks"
    assert [(a.name, a.as_written, a.position) for a in lottery.authors] == [
        ("Jonathan Frankle", "Frankle, Jonathan", 1),
        ("Michael Carbin", "Carbin, Michael", 2),
    ]
    assert (lottery.year, lottery.venue, lottery.topics) == (2018, None, ("cs.LG", "cs.AI", "cs.NE"))
    assert lottery.abstract.startswith("Neural network pruning techniques") and "\n" not in lottery.abstract
    assert maldacena.external_ids == ("arxiv:hep-th/9901001", "doi:10.1023/a:1026654312961")
    assert batchnorm.external_ids == ("arxiv:2003.00152", "doi:10.48550/arxiv.2003.00152")
    assert str(batchnorm.provenance) == f"{DATA / 'arxiv-snapshot.jsonl'}:3"


def test_arxiv_atom_feed() -> None:
    lottery, h1 = read_file(DATA / "arxiv-api.atom")
    assert lottery.key == "arxiv:1803.03635"  # the version (v5) is dropped
    assert [(a.name, a.affiliations) for a in lottery.authors] == [
        ("Jonathan Frankle", ("MIT CSAIL",)),
        ("Michael Carbin", ()),
    ]
    assert (lottery.year, lottery.topics) == (2018, ("cs.LG", "cs.AI"))
    assert (lottery.provenance.line_start, lottery.provenance.line_end) == (10, 33)
    assert h1.external_ids == ("arxiv:hep-ex/0307015", "doi:10.1140/epjc/s2003-01326-x")
    assert h1.title == "Multi-Electron Production at High Transverse Momenta in ep Collisions at HERA"


def test_arxiv_atom_refuses_doctype_and_broken_xml(tmp_path: Path) -> None:
    text = (DATA / "arxiv-api.atom").read_text()
    hostile = tmp_path / "feed.atom"
    hostile.write_text(text.replace("<feed", '<!DOCTYPE feed [<!ENTITY x "xx">]>\n<feed', 1))
    with pytest.raises(InputError, match="DOCTYPE"):
        list(read_file(hostile, "arxiv-atom"))
    cut = tmp_path / "cut.atom"
    cut.write_text(text[: text.index("</entry>") + 8] + "\n  <entry><title>x</summary>\n")
    with pytest.raises(InputError) as error:
        list(read_file(cut, "arxiv-atom"))
    assert error.value.line == 34 and "invalid XML" in str(error.value)


@pytest.mark.parametrize("name", ["openalex-page.json", "openalex-works.jsonl"])
def test_openalex_works(name: str) -> None:
    batchnorm, lottery = read_file(DATA / name)
    assert batchnorm.abstract == (
        "A wide variety of deep learning techniques from style transfer to multitask learning rely on "
        "training affine transformations of features."
    )
    assert batchnorm.external_ids == ("openalex:W3008766545", "doi:10.48550/arxiv.2003.00152", "arxiv:2003.00152")
    assert batchnorm.venue is None  # arXiv is a repository, not a venue
    assert batchnorm.topics == ("Neural Networks and Applications", "Deep learning")  # level-0 and weak concepts left
    assert batchnorm.keywords == ("Batch Normalization",)
    frankle, schwab, morcos = batchnorm.authors
    assert frankle.affiliations == ("Massachusetts Institute of Technology",)
    assert frankle.affiliation_ids == ("ror:042nb2s44",)
    assert schwab.ids == ("openalex:A5085164920", "orcid:0000-0003-2135-9043")
    assert (morcos.affiliations, morcos.affiliation_ids) == (("Facebook AI Research",), ())  # raw string, no id
    assert lottery.venue == "International Conference on Learning Representations"
    assert (lottery.year, lottery.abstract) == (2019, None)
    assert "openreview:rJl-b3RcF7" in lottery.external_ids


def test_openalex_page_lines() -> None:
    lines = [r.provenance.line_start for r in read_file(DATA / "openalex-page.json")]
    text = (DATA / "openalex-page.json").read_text().split("\n")
    assert all(text[line - 1].strip() == "{" for line in lines) and lines[0] < lines[1]


@pytest.mark.parametrize(
    ("index", "message"),
    [
        (["not", "an", "object"], "must be an object"),
        ({"word": 3}, "list of positions"),
        ({"word": [0], "other": [0]}, "position 0 holds two words"),
        ({"word": [-1]}, "bad position -1"),
    ],
)
def test_openalex_wrong_inverted_index(tmp_path: Path, index: object, message: str) -> None:
    works = [json.loads(line) for line in (DATA / "openalex-works.jsonl").read_text().splitlines()]
    works[1]["abstract_inverted_index"] = index
    path = tmp_path / "works.jsonl"
    path.write_text("\n".join(json.dumps(w) for w in works) + "\n")
    with pytest.raises(InputError, match=message) as error:
        list(read_file(path))
    assert error.value.line == 2


def test_truncated_json_line(tmp_path: Path) -> None:
    text = (DATA / "semanticscholar-papers.jsonl").read_text()
    path = tmp_path / "papers.jsonl"
    path.write_text(text[: len(text) - 40])
    with pytest.raises(InputError, match="invalid JSON") as error:
        list(read_file(path))
    assert (error.value.path, error.value.line) == (str(path), 2)


def test_truncated_json_page(tmp_path: Path) -> None:
    text = (DATA / "openalex-page.json").read_text()
    path = tmp_path / "page.json"
    cut = text[: len(text) // 2]
    path.write_text(cut)
    with pytest.raises(InputError, match="invalid JSON") as error:
        list(read_file(path, "openalex"))
    assert error.value.line == cut.count("\n") + 1  # the line the file breaks off in, not line 1


def test_semantic_scholar_api_and_dataset_agree() -> None:
    (lottery, batchnorm) = read_file(DATA / "semanticscholar-search.json")
    (batch,) = read_file(DATA / "semanticscholar-batch.json")  # the null placeholder is skipped
    dataset = list(read_file(DATA / "semanticscholar-papers.jsonl"))
    assert lottery.tldr.startswith("This work finds that dense")
    assert lottery.venue == "International Conference on Learning Representations"
    assert lottery.topics == ("Computer Science", "Mathematics")
    assert [(a.name, a.ids, a.affiliations) for a in lottery.authors] == [
        ("Jonathan Frankle", ("s2:2068227",), ("MIT",)),
        ("Michael Carbin", ("s2:2076300",), ()),
    ]
    for record in (lottery, dataset[0]):
        assert record.external_ids == (
            "s2:649def34f8be52c8b66281af98ae884c09aef38b",
            "s2corpus:53388625",
            "arxiv:1803.03635",
        )
    assert batch.external_ids == batchnorm.external_ids == dataset[1].external_ids
    assert dataset[1].venue is None  # the dataset's empty venue and "ArXiv" journal name no venue


def test_openreview_notes() -> None:
    batchnorm, scaling, workshop = read_file(DATA / "openreview-notes.json")
    assert (batchnorm.key, batchnorm.external_ids) == ("vYeQQ29Tbvx", ("openreview:vYeQQ29Tbvx",))
    assert (batchnorm.venue, batchnorm.year) == ("ICLR", 2021)
    assert batchnorm.tldr.startswith("Training only the BatchNorm")
    assert batchnorm.keywords == ("batchnorm", "random features", "expressivity")
    assert batchnorm.authors[0].ids == ("openreview:~Jonathan_Frankle1",)
    assert (scaling.venue, scaling.year) == ("ICLR", 2024)
    assert (workshop.venue, workshop.year) == ("ICLR 2021 Workshop SNN", 2021)
    assert [a.ids for a in workshop.authors] == [("openreview:~Ann_Lee1",), ()]  # an e-mail is not an id


def test_openreview_api_v1_plain_values(tmp_path: Path) -> None:
    note = {
        "id": "rJl-b3RcF7",
        "forum": "rJl-b3RcF7",
        "invitation": "ICLR.cc/2019/Conference/-/Blind_Submission",
        "content": {"title": "The Lottery Ticket Hypothesis", "authors": ["Jonathan Frankle", "Michael Carbin"]},
    }
    path = tmp_path / "notes.jsonl"
    path.write_text(json.dumps(note) + "\n")
    (record,) = read_file(path, "openreview")
    assert (record.title, [a.name for a in record.authors]) == (
        "The Lottery Ticket Hypothesis",
        ["Jonathan Frankle", "Michael Carbin"],
    )


def test_untitled_items_are_skipped_or_refused(tmp_path: Path) -> None:
    path = tmp_path / "works.jsonl"
    work = {"id": "https://openalex.org/W1", "authorships": [], "abstract_inverted_index": None}
    path.write_text(json.dumps(work) + "\n")
    assert list(read_file(path, "openalex")) == []
    with strict_reading(), pytest.raises(InputError, match="without a title") as error:
        list(read_file(path, "openalex"))
    assert error.value.line == 1
