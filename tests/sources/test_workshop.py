"""The workshop poster list: titles with commas, nested parentheses, several affiliations."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import InputError
from kg.sources import detect, read_file
from kg.sources.affiliations import affiliation_parts
from kg.sources.workshop import parse_entry
from tests.conftest import CORPUS_FILES


@pytest.fixture(scope="module")
def records(corpus: Path) -> dict:
    path = corpus / CORPUS_FILES["workshop"]
    assert detect(path).name == "workshop-list"
    return {r.title: r for r in read_file(path)}


def test_27_records_with_abstracts(records: dict) -> None:
    assert len(records) == 27
    assert all(r.abstract for r in records.values())


def test_title_with_commas(records: dict) -> None:
    title = "Mix & Match: training convnets with mixed image sizes for improved accuracy, speed and scale resiliency"
    assert [a.name for a in records[title].authors][:2] == ["Elad Hoffer", "Berry Weinstein"]


def test_affiliations(records: dict) -> None:
    def affs(title: str) -> dict:
        return {a.name: a.affiliations for a in records[title].authors}

    assert affs("A Reparameterization-Invariant Flatness Measure for Deep Neural Networks")[
        "Cristian Sminchisescu"
    ] == ("Lund University", "Google Research")
    assert affs("Mode Connectivity and Sparse Neural Networks")["Gintare Karolina Dziugaite"] == (
        "University of Cambridge",
        "Element AI",
    )
    assert affs("Training Batchnorm and Only Batchnorm")["Ari S Morcos"] == ("Facebook AI Research (FAIR)",)
    assert affs("Training Batchnorm and Only Batchnorm")["David J Schwab"] == ("ITS, CUNY Graduate Center",)
    assert affs("The Generalization-Stability Tradeoff in Neural Network Pruning")["Adrian Barbu"] == (
        "Florida State University, USA",
    )
    assert affs("HighRes-net: Multi-Frame Super-Resolution by Recursive Fusion")["Samira Ebrahimi Kahou"] == (
        "McGill",
        "Mila",
    )


def test_affiliation_parts() -> None:
    assert affiliation_parts("Institut de Physique théorique, Paris") == ("Institut de Physique théorique, Paris",)
    assert affiliation_parts("Mila, Université de Montréal") == ("Mila", "Université de Montréal")
    assert affiliation_parts("IBM Research - India") == ("IBM Research - India",)
    assert affiliation_parts("University of California, Berkeley") == ("University of California, Berkeley",)
    assert affiliation_parts("ITS, CUNY Graduate Center") == ("ITS, CUNY Graduate Center",)


def test_parse_entry_and_bad_line(tmp_path: Path) -> None:
    title, authors = parse_entry("A, B: c, d, Ann Lee (X (Y)); Bo Chen (Z & W)")
    assert title == "A, B: c, d"
    assert authors == [("Ann Lee", ("X (Y)",)), ("Bo Chen", ("Z", "W"))]
    path = tmp_path / "posters.txt"
    path.write_text("Posters\nT, Ann Lee (X); Bo Chen (Y)\nAbstract.\nThis line is not an entry at all, it is prose.\n")
    with pytest.raises(InputError) as error:
        list(read_file(path, "workshop-list"))
    assert error.value.line == 4
