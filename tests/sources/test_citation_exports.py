"""Readers of what reference managers and spreadsheets export: CSL-JSON, RIS, CSV and TSV."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.errors import InputError, UsageError
from kg.sources import detect, read_file
from kg.sources.table import column_names, parse_columns
from tests.conftest import shared_corpus

DATA = Path(__file__).parent / "data"


def test_csl_json_from_zotero() -> None:
    batchnorm, tsne, resnet = read_file(DATA / "zotero.csl.json")
    assert batchnorm.key == "http://zotero.org/users/4711/items/QW8ZK2PJ"
    assert (batchnorm.venue, batchnorm.year) == ("International Conference on Learning Representations", 2021)
    assert batchnorm.external_ids == ("openreview:vYeQQ29Tbvx",)
    assert [(a.name, a.as_written) for a in tsne.authors] == [
        ("Laurens van der Maaten", "van der Maaten, Laurens"),
        ("Geoffrey Hinton", "Hinton, Geoffrey"),
    ]
    assert tsne.keywords == ("dimensionality reduction", "embedding algorithms", "visualization")
    assert (resnet.venue, resnet.year) == (None, 2015)  # publisher "arXiv" is not a venue
    assert resnet.external_ids == ("doi:10.48550/arxiv.1512.03385", "arxiv:1512.03385")
    assert resnet.provenance.line_start == 70


def test_csl_literal_names_and_raw_dates(tmp_path: Path) -> None:
    path = tmp_path / "mendeley.json"
    item = {"type": "report", "title": "T", "author": [{"literal": "Google Brain Team"}], "issued": {"raw": "May 2019"}}
    path.write_text(json.dumps([item]))
    (record,) = read_file(path)
    assert ([a.name for a in record.authors], record.year) == (["Google Brain Team"], 2019)


def test_ris_records() -> None:
    lottery, tsne, resnet = read_file(DATA / "library.ris")
    assert (lottery.provenance.line_start, lottery.provenance.line_end) == (1, 14)
    assert lottery.abstract.endswith("improving computational performance of inference.")  # wrapped line joined
    assert (lottery.venue, lottery.year, lottery.keywords) == (
        "International Conference on Learning Representations",
        2019,
        ("pruning", "sparsity"),
    )
    assert lottery.paper_affiliations == ("MIT CSAIL",)
    assert lottery.external_ids == ("openreview:rJl-b3RcF7",)
    assert [a.name for a in tsne.authors] == ["Laurens van der Maaten", "Geoffrey Hinton"]
    assert resnet.external_ids == ("doi:10.48550/arxiv.1512.03385", "arxiv:1512.03385")


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("TI - A title with one space", "broken RIS tag"),
        ("AU -Lee, Ann", "broken RIS tag"),
        ("T2    - Too many spaces", "broken RIS tag"),
    ],
)
def test_ris_broken_tag(tmp_path: Path, bad_line: str, message: str) -> None:
    lines = (DATA / "library.ris").read_text().split("\n")
    lines.insert(17, bad_line)
    path = tmp_path / "library.ris"
    path.write_text("\n".join(lines))
    with pytest.raises(InputError, match=message) as error:
        list(read_file(path))
    assert (error.value.path, error.value.line) == (str(path), 18)


def test_ris_structure_errors(tmp_path: Path) -> None:
    path = tmp_path / "cut.ris"
    path.write_text("TY  - JOUR\nTI  - Unfinished\nAU  - Lee, Ann\n")
    with pytest.raises(InputError, match="no 'ER  - ' end"):
        list(read_file(path))
    path.write_text("TI  - No type first\nER  - \n")
    with pytest.raises(InputError, match="outside a record") as error:
        list(read_file(path, "ris"))
    assert error.value.line == 1


def test_csv_columns_by_name() -> None:
    batchnorm, tsne, resnet = read_file(DATA / "papers.csv")
    assert [a.name for a in batchnorm.authors] == ["Jonathan Frankle", "David J. Schwab", "Ari S. Morcos"]
    assert (batchnorm.year, batchnorm.venue) == (2021, "International Conference on Learning Representations")
    assert batchnorm.keywords == ("batchnorm", "random features")
    assert (tsne.provenance.line_start, tsne.provenance.line_end) == (3, 4)  # a quoted cell over two lines
    assert 'called "t-SNE" that' in tsne.abstract
    assert resnet.external_ids == ("doi:10.1109/cvpr.2016.90",)


def test_tsv_is_unquoted() -> None:
    lottery, batchnorm = read_file(DATA / "openreview-list.tsv")
    assert lottery.external_ids == ("openreview:rJl-b3RcF7",)  # from the link column
    assert lottery.keywords == ("pruning", "sparsity", '"winning tickets"')
    assert batchnorm.abstract.startswith('"A wide variety" of deep learning')


def test_csv_without_title_column(tmp_path: Path) -> None:
    path = tmp_path / "sheet.csv"
    path.write_text("Name,Writers,When\nA paper,Ann Lee,2020\n")
    with pytest.raises(InputError, match="no title column") as error:
        list(read_file(path))
    assert error.value.line == 1 and "'Name', 'Writers', 'When'" in str(error.value)
    with column_names(parse_columns("title=Name,authors=Writers,year=When")):
        (record,) = read_file(path)
    assert (record.title, [a.name for a in record.authors], record.year) == ("A paper", ["Ann Lee"], 2020)
    with pytest.raises(UsageError, match="unknown field 'colour'"):
        parse_columns("colour=Name")


def test_columns_option_and_bad_input_on_the_command_line(tmp_path: Path) -> None:
    runner = CliRunner()
    store = tmp_path / "store"
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("Name,Writers,When\nTraining BatchNorm and Only BatchNorm,Jonathan Frankle; Ari S. Morcos,2021\n")
    columns = "title=Name,authors=Writers,year=When"
    built = runner.invoke(main, ["build", str(sheet), "--store", str(store), "--columns", columns])
    assert built.exit_code == 0, built.output
    current = (store / "CURRENT").read_text()
    refused = runner.invoke(main, ["build", str(sheet), "--store", str(store)])
    assert refused.exit_code == 2
    assert refused.stderr.strip().startswith(f"kg: error: {sheet}:1: no title column")
    assert len(refused.stderr.strip().split("\n")) == 1
    assert (store / "CURRENT").read_text() == current


def test_iclr2021_scraped_tsv_reads() -> None:
    path = shared_corpus("iclr2021-abstracts-evanzd", "paperlist.tsv")
    assert detect(path).name == "tsv"
    records = list(read_file(path))
    assert len(records) == 2966
    assert all(r.abstract and r.external_ids[0].startswith("openreview:") for r in records)


def test_a_key_name_inside_text_does_not_change_the_format(tmp_path: Path) -> None:
    path = tmp_path / "papers.jsonl"
    paper = {"title": "T", "abstract": 'We fit the "family": a "paperId" and "issued" are words here.'}
    path.write_text(json.dumps(paper) + "\n")
    assert detect(path).name == "jsonl"
