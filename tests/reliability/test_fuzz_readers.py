"""Every reader, fed garbage: it reads what is readable or refuses with one clear InputError
naming the file (and line where there is one); never another exception, never a hang."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.errors import InputError
from kg.records import Record
from kg.sources import detect, read_file, readers
from tests.conftest import CORPUS_FILES

READERS = sorted(readers())
# The same examples on every run (a red CI run can be reproduced; new cases found while
# exploring become tests of their own, as in tests/sources/test_blog.py); no per-example
# deadline, since how fast a reader is belongs in benchmarks/, not in a pass/fail on a busy machine.
FUZZ = settings(
    max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _read_all(path: Path, format: str | None) -> list[Record]:
    try:
        return list(read_file(path, format))
    except InputError as error:
        message = str(error)
        assert message.startswith(str(path)), message
        assert "\n" not in message, message
        return []


@pytest.mark.parametrize("format", [*READERS, None])
@FUZZ
@given(data=st.binary(max_size=2000))
def test_random_bytes(tmp_path: Path, format: str | None, data: bytes) -> None:
    path = tmp_path / "random.txt"
    path.write_bytes(data)
    _read_all(path, format)


@pytest.mark.parametrize("format", READERS)
@FUZZ
@given(text=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=1500))
def test_random_text(tmp_path: Path, format: str, text: str) -> None:
    path = tmp_path / "random.txt"
    path.write_text(text, encoding="utf-8")
    _read_all(path, format)


@pytest.mark.parametrize("name", sorted(CORPUS_FILES.values()))
@FUZZ
@given(cut=st.floats(min_value=0.0, max_value=1.0))
def test_truncated_corpus_files(tmp_path: Path, corpus: Path, name: str, cut: float) -> None:
    data = (corpus / name).read_bytes()
    path = tmp_path / name
    path.write_bytes(data[: int(len(data) * cut)])
    reader = detect(corpus / name).name
    records = _read_all(path, reader)
    assert len(records) <= len(list(read_file(corpus / name)))


@pytest.mark.parametrize("name", sorted(CORPUS_FILES.values()))
def test_wrong_encoding(tmp_path: Path, corpus: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes((corpus / name).read_text(encoding="utf-8").encode("utf-16"))
    with pytest.raises(InputError) as error:
        list(read_file(path))
    assert str(error.value).startswith(str(path))


def test_huge_line_is_refused_or_read_without_hanging(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_text("Ann Lee, Bo Chen\ntl;dr: x.\n" + "word " * 10_000_000 + "\n", encoding="utf-8")
    for format in READERS:
        _read_all(path, format)


@pytest.mark.parametrize("format", READERS)
def test_empty_file_and_directory(tmp_path: Path, format: str) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert _read_all(empty, format) == []
    with pytest.raises(InputError, match="is a directory"):
        read_file(tmp_path, format)
