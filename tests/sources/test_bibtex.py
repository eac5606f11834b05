"""The BibTeX reader on crafted files: accents, author order, braces, bad entries."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import InputError
from kg.sources import detect, read_file

BIB = r"""% a comment line
@inproceedings{frankle2019lottery,
  title     = {The Lottery Ticket Hypothesis: Finding Sparse, Trainable Neural Networks},
  author    = {Frankle, Jonathan and Carbin, Michael},
  booktitle = {International Conference on Learning Representations},
  year      = {2019},
  keywords  = {pruning, sparsity},
}

@article{mueller2020,
  title   = {{BERT} for {M}{\"u}ller},
  author  = {M{\"u}ller, J{\"o}rg and {Google Brain Team} and Yoshua Bengio and others},
  journal = {Journal of Machine Learning Research},
  year    = 2020,
  doi     = {10.1/xyz}
}

@misc{notitle, author = {Nobody}}
"""


def test_entries(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(BIB, encoding="utf-8")
    assert detect(path).name == "bibtex"
    first, second = read_file(path)
    assert first.title == "The Lottery Ticket Hypothesis: Finding Sparse, Trainable Neural Networks"
    assert [(a.name, a.as_written) for a in first.authors] == [
        ("Jonathan Frankle", "Frankle, Jonathan"),
        ("Michael Carbin", "Carbin, Michael"),
    ]
    assert (first.venue, first.year, first.keywords) == (
        "International Conference on Learning Representations",
        2019,
        ("pruning", "sparsity"),
    )
    assert first.provenance.line_start == 2
    assert second.title == "BERT for Müller"
    assert [a.name for a in second.authors] == ["Jörg Müller", "Google Brain Team", "Yoshua Bengio"]
    assert second.external_ids == ("doi:10.1/xyz",)


def test_broken_entry_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.bib"
    path.write_text("@article{ok, title={A}, author={B}}\n\n@article{broken,\n  title = {never closed\n")
    with pytest.raises(InputError) as error:
        list(read_file(path, "bibtex"))
    assert error.value.line == 3
