"""The disk cache of the scheme and the lexicon's patterns: same results as building them, a
new key whenever what they are made from changes, and a cache that cannot be used is skipped."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import spacy

from kg.api import records as read_records
from kg.extract import diskcache, extract_records, pipeline
from kg.extract import scheme as scheme_module
from kg.extract.lexicon import build_lexicon_patterns, lexicon_key, lexicon_patterns
from kg.extract.scheme import BUNDLED, SchemeChoice, load_scheme, scheme_dir, scheme_fingerprint
from tests.conftest import CORPUS_FILES


def _forget_built() -> None:
    """Drop what this process built, so the next pipeline is made (or read) again."""
    pipeline.cache_clear()
    scheme_module._load.cache_clear()
    scheme_module._bundled.cache_clear()


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """An empty cache directory, and nothing built in this process before or after the test."""
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    _forget_built()
    yield tmp_path / "cache"
    _forget_built()


def test_cache_directory_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("KG_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert diskcache.cache_dir() == tmp_path / "kg"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/dir")  # the XDG spec says: ignore it
    assert diskcache.cache_dir() == Path.home() / ".cache" / "kg"
    monkeypatch.setenv("KG_CACHE_DIR", "off")
    assert diskcache.cache_dir() is None


def test_scheme_read_back_equals_parsed(fresh: Path) -> None:
    files = sorted(scheme_dir().glob("*.ttl"))
    parsed = scheme_module._parse_scheme(files)
    assert load_scheme() == parsed  # cold: parsed and saved
    assert len(list(fresh.glob("scheme-*.json"))) == 1
    _forget_built()
    warm = load_scheme()  # read back
    assert warm == parsed and list(warm) == list(parsed)


def test_lexicon_patterns_read_back_equal_tokenised(fresh: Path) -> None:
    built = lexicon_patterns(spacy.blank("en"))  # cold: tokenised and saved
    assert len(built.exact) > 1000 and len(built.folded) > 5000
    assert len(list(fresh.glob("lexicon-*.json"))) == 1
    read = lexicon_patterns(spacy.blank("en"))
    assert read == built
    assert all(list(read.folded[k]) == list(built.folded[k]) for k in built.folded)  # owners in order


def test_extraction_is_the_same_with_and_without_the_cache(
    fresh: Path, monkeypatch: pytest.MonkeyPatch, corpus: Path
) -> None:
    records = read_records([corpus / CORPUS_FILES["blog"]])
    monkeypatch.setenv("KG_CACHE_DIR", "off")
    without = extract_records(records, model=False)
    assert sum(map(len, without)) > 200
    assert not fresh.exists()
    monkeypatch.setenv("KG_CACHE_DIR", str(fresh))
    _forget_built()
    assert extract_records(records, model=False) == without  # cold cache: written
    assert {p.name.split("-")[0] for p in fresh.iterdir()} == {"scheme", "lexicon", "extracted"}
    _forget_built()
    assert extract_records(records, model=False) == without  # warm cache: results read (kg.extract.resultcache)


def test_a_changed_scheme_file_is_a_new_key(tmp_path: Path) -> None:
    user = tmp_path / "mine.csv"
    user.write_text("type,label,aliases,broader\nMethod,Bradford Method,Bradford assay,\n")
    first = SchemeChoice.of([user])
    user.write_text("type,label,aliases,broader\nMethod,Bradford Method,Bradford assay;dye binding assay,\n")
    second = SchemeChoice.of([user])
    choices = [BUNDLED, first, second, SchemeChoice.of([user], "replace")]
    assert len({scheme_fingerprint(c) for c in choices}) == 4
    nlp = spacy.blank("en")
    assert len({lexicon_key(nlp, c) for c in choices}) == 4


def test_user_scheme_patterns_read_back_equal_tokenised(fresh: Path, tmp_path: Path) -> None:
    user = tmp_path / "mine.csv"
    user.write_text("type,label,aliases,broader\nMethod,Bradford Method,Bradford assay,\n")
    choice = SchemeChoice.of([user], "replace")  # the bundled scheme's roots alone: quick to tokenise
    built = lexicon_patterns(spacy.blank("en"), choice)
    assert {t.label for owners in built.folded.values() for t in owners} == {"Bradford Method"}
    assert lexicon_patterns(spacy.blank("en"), choice) == built == build_lexicon_patterns(spacy.blank("en"), choice)
    assert len(list(fresh.glob("lexicon-*.json"))) == 1


def test_a_changed_bundled_scheme_file_is_a_new_key(tmp_path: Path) -> None:
    copy = tmp_path / "concepts"
    shutil.copytree(scheme_dir(), copy)
    same = scheme_module._bundled_key(copy)
    assert same == scheme_module._bundled_key(scheme_dir())  # the key is the content, not the place
    tasks = copy / "tasks.ttl"
    tasks.write_text(tasks.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert scheme_module._bundled_key.__wrapped__(copy) != same


def test_another_tokenizer_is_another_key() -> None:
    special = spacy.blank("en")
    special.tokenizer.add_special_case("GNNs", [{"ORTH": "GNN"}, {"ORTH": "s"}])
    assert lexicon_key(spacy.blank("en")) == lexicon_key(spacy.blank("en"))
    assert lexicon_key(spacy.blank("en")) != lexicon_key(special)


def test_damaged_or_unwritable_cache_falls_back_to_building(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    built = {"value": [1, 2, 3]}

    def make() -> dict[str, list[int]]:
        return built

    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    assert diskcache.cached("demo", "k", make, dict, dict) == built
    entry = tmp_path / "cache" / "demo-k.json"
    entry.write_text('{"value": [1, 2', encoding="utf-8")  # a half-written file from elsewhere
    assert diskcache.cached("demo", "k", make, dict, lambda data: {"value": data["value"]}) == built
    assert entry.read_text(encoding="utf-8") == '{"value":[1,2,3]}'  # replaced
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("KG_CACHE_DIR", str(blocker / "cache"))  # cannot be created: read-only in effect
    assert diskcache.cached("demo", "k", make, dict, dict) == built


def test_only_the_newest_entries_of_a_kind_are_kept(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path))
    for number in range(diskcache.KEEP + 3):
        diskcache.cached("demo", str(number), lambda n=number: n, int, int)
    assert len(list(tmp_path.glob("demo-*.json"))) == diskcache.KEEP
