"""A plain (non-editable) wheel carries ontology/, data/, viz/ and docs/queries/ and works from any
directory; the sdist carries everything the tests read."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    (path,) = out.glob("kg-*.whl")
    return path


def test_wheel_contains_the_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "kg/_data/ontology/kg.ttl" in names
    assert "kg/_data/ontology/shapes.ttl" in names
    assert "kg/_data/data/corpus/iclr2021_authors_tldr_abstracts.txt" in names
    assert "kg/_data/data/lexicons/venues.toml" in names
    assert "kg/cli.py" in names and "kg/py.typed" in names
    assert "kg/_data/viz/view.html" in names and "kg/_data/viz/vendor/vis-network-9.1.2.min.js" in names
    assert "kg/_data/docs/queries/README.md" in names
    model = {n for n in names if n.startswith("kg/extract/model/")}
    assert {"kg/extract/model/meta.json", "kg/extract/model/ner/model", "kg/extract/model/MODEL.md"} <= model
    assert sum(zipfile.ZipFile(wheel).getinfo(n).file_size for n in model) < 25_000_000
    assert "kg/serve/templates/base.html" in names and "kg/serve/static/kg.css" in names  # kg serve


@pytest.fixture(scope="module")
def sdist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sdist")
    code = f"import hatchling.build as backend; print(backend.build_sdist({str(out)!r}))"
    built = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert built.returncode == 0, built.stderr
    (path,) = out.glob("kg-*.tar.gz")
    return path


def test_sdist_contains_what_the_tests_read(sdist: Path) -> None:
    with tarfile.open(sdist) as archive:
        names = {name.partition("/")[2] for name in archive.getnames()}
    for wanted in (
        "pyproject.toml",
        "README.md",
        "ontology/kg.ttl",
        "data/corpus/iclr2021_authors_tldr_abstracts.txt",
        "viz/view.js",
        "viz/vendor/vis-network-9.1.2.min.js",
        "viz/vendor/README.md",
        "docs/queries/README.md",
        "tests/conftest.py",
        "tests/test_query_catalogue.py",
        "benchmarks/bench_build.py",
        "kg/pipeline.py",
    ):
        assert wanted in names, wanted
    assert len([n for n in names if n.startswith("docs/queries/") and n.endswith(".rq")]) >= 5


def test_installed_wheel_builds_the_default_corpus_from_elsewhere(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert installed.returncode == 0, installed.stderr
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    # only the installed copy may be importable: the source tree must not shadow it
    path = os.pathsep.join([str(target), *(p for p in sys.path if p and Path(p).resolve() != ROOT)])
    env = {**os.environ, "PYTHONPATH": path, "KG_STORE": str(workdir / "store")}
    code = (
        "import kg, json; kg.build(); s = kg.open_store().stats(); "
        "print(json.dumps({'file': kg.__file__, 'sources': s['sources']}))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=workdir, timeout=300
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["file"].startswith(str(target))
    assert result["sources"]["data/corpus/iclr2021_authors_tldr_abstracts.txt"] == 434
    assert sum(result["sources"].values()) == 505
