"""A user's own concept scheme (`kg build --scheme FILE`): a biologist's terms type a biology
corpus, in add and replace mode, through kg add/remove; faulty scheme files stop the build.

Real builds of a tiny corpus written here (rules only, `--no-model`, to stay fast)."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest
from click.testing import CliRunner

import kg
from kg.api import records as read_records
from kg.cli import main
from kg.errors import InputError
from kg.extract import _match, extract_records, extract_text, rules_fingerprint
from kg.extract.scheme import BUNDLED, SchemeChoice, active_scheme, load_scheme, using_scheme
from kg.extract.scheme_files import read_entries
from kg.store import layout
from tests.test_shacl import _data_graph as shacl_data_graph
from tests.test_shacl import _validate as validate

SCHEME_CSV = """type,label,aliases,broader
method,Genome Editing,gene editing,
Method,CRISPR-Cas9,CRISPR;Cas9,Genome Editing
Dataset,UniProt,UniProtKB;Swiss-Prot,
DATASET,Protein Data Bank,PDB,
Task,Protein Folding,,
Task,Transformer,attention model,
"""
# "Transformer" names a bundled Method: in add mode the row above must be refused (a Task row
# for a Method); the corpus tests use the scheme without it.
BIO_CSV = SCHEME_CSV.replace("Task,Transformer,attention model,\n", "")

PAPERS = [
    {
        "title": "Knocking out yeast genes with CRISPR",
        "authors": ["Ada Byron", "Rosalind Franklin"],
        "year": 2021,
        "abstract": "We apply CRISPR to knock out genes and annotate the edited proteins with UniProtKB entries.",
    },
    {
        "title": "Protein folding from the PDB",
        "authors": ["Rosalind Franklin"],
        "year": 2022,
        "abstract": "We study protein folding with structures from the PDB and a Transformer trained on Swiss-Prot.",
    },
]
MORE = [
    {
        "title": "Gene editing in wheat",
        "authors": ["Barbara McClintock"],
        "year": 2023,
        "abstract": "Gene editing of wheat with Cas9, checked against UniProt and studied by Western blot.",
    }
]

CONCEPTS_OF_PAPERS = """
SELECT DISTINCT ?title ?label ?type ?parent WHERE {
    ?paper dcterms:title ?title ; ?relation ?concept .
    VALUES ?relation { kg:usesMethod kg:usesDataset kg:addressesTask }
    ?concept a ?type ; rdfs:label ?label .
    VALUES ?type { kg:Method kg:Dataset kg:Task }
    OPTIONAL { ?concept skos:broader ?b . ?b rdfs:label ?parent }
}"""


def write_jsonl(path: Path, papers: list[dict]) -> Path:
    path.write_text("".join(json.dumps(p) + "\n" for p in papers), encoding="utf-8")
    return path


def rows(store: Path, query: str = CONCEPTS_OF_PAPERS) -> list[dict]:
    return kg.open_store(store).sparql(query).rows


def labels(store: Path) -> dict[str, set[str]]:
    """Concept labels per paper title."""
    found: dict[str, set[str]] = {}
    for row in rows(store):
        found.setdefault(row["title"], set()).add(row["label"])
    return found


@pytest.fixture(scope="module")
def bio(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bio")
    (folder / "scheme.csv").write_text(BIO_CSV, encoding="utf-8")
    write_jsonl(folder / "papers.jsonl", PAPERS)
    write_jsonl(folder / "more.jsonl", MORE)
    return folder


@pytest.fixture(scope="module")
def bio_store(bio: Path) -> Path:
    store = bio / "store"
    kg.build([bio / "papers.jsonl"], store=store, model=False, scheme=[bio / "scheme.csv"])
    return store


# ---------------------------------------------------------------------- reading scheme files


def test_csv_rows_become_typed_concepts_with_aliases_and_broader(bio: Path) -> None:
    entries = read_entries(bio / "scheme.csv")
    assert [(e.line, e.type, e.label) for e in entries][:2] == [
        (2, "Method", "Genome Editing"),
        (3, "Method", "CRISPR-Cas9"),
    ]
    crispr = entries[1]
    assert crispr.aliases == ("CRISPR", "Cas9") and crispr.broader == ("Genome Editing",)
    assert crispr.concept_id == "concept/crispr-cas9"  # kg.ids.concept_id(slug(label)), like the bundled ids
    scheme = load_scheme(SchemeChoice.of([bio / "scheme.csv"]))
    assert scheme["concept/crispr-cas9"].broader == ["concept/genome-editing"]
    assert scheme["concept/genome-editing"].broader == ["concept/method"]  # no broader: under its type's root
    assert scheme["concept/uniprot"].type == "Dataset" and "Swiss-Prot" in scheme["concept/uniprot"].aliases
    assert "concept/transformer" in scheme  # add mode keeps the bundled concepts
    assert list(scheme)[:5] == [e.concept_id for e in entries]  # the user's first: they win shared spellings


def test_a_row_for_a_bundled_concept_extends_it(tmp_path: Path) -> None:
    path = tmp_path / "extra.csv"
    path.write_text("type,label,aliases,broader\nMethod,BERT,Bidirectional Transformer Encoder;BERTology,\n")
    bundled = load_scheme()["concept/bert"]
    extended = load_scheme(SchemeChoice.of([path]))["concept/bert"]
    assert {"Bidirectional Transformer Encoder", "BERTology"} <= set(extended.aliases)
    assert set(bundled.aliases) < set(extended.aliases) and extended.broader == bundled.broader
    assert "BERTology" not in load_scheme()["concept/bert"].aliases  # the bundled scheme is not changed
    found = extract_text("BERTology studies what BERT learns.", model=False, scheme=SchemeChoice.of([path]))
    assert {(m.text, m.concept) for m in found} >= {("BERTology", "concept/bert")}


def test_a_users_method_named_method_is_found(tmp_path: Path) -> None:
    # kg's own "… Method" concepts group others and are not tagged; a user's are what they want found
    path = tmp_path / "assays.csv"
    path.write_text("type,label,aliases,broader\nMethod,Bradford Method,Bradford assay,\n")
    found = extract_text("Protein was measured by the Bradford method.", model=False, scheme=SchemeChoice.of([path]))
    assert [(m.text, m.concept) for m in found] == [("Bradford method", "concept/bradford-method")]


def test_replace_mode_keeps_only_the_users_concepts_and_the_roots(bio: Path) -> None:
    scheme = load_scheme(SchemeChoice.of([bio / "scheme.csv"], "replace"))
    assert set(scheme) == {
        "concept/method",
        "concept/dataset",
        "concept/task",
        "concept/genome-editing",
        "concept/crispr-cas9",
        "concept/uniprot",
        "concept/protein-data-bank",
        "concept/protein-folding",
    }


def test_skos_turtle_scheme(tmp_path: Path) -> None:
    path = tmp_path / "physics.ttl"
    path.write_text(
        """@prefix kg: <https://w3id.org/kg/ontology#> .
@prefix kgc: <https://w3id.org/kg/concept/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix ex: <https://example.org/physics/> .

ex:lattice-qcd a skos:Concept, kg:Method ;
    skos:prefLabel "Lattice QCD"@en ;
    skos:altLabel "lattice quantum chromodynamics"@en ;
    skos:broader ex:simulation .

ex:simulation a skos:Concept, kg:Method ;
    skos:prefLabel "Numerical Simulation"@en ;
    skos:broader kgc:monte-carlo-method .

kgc:jet-tagging a skos:Concept, kg:Task ;
    skos:prefLabel "Jet Tagging"@en .
""",
        encoding="utf-8",
    )
    choice = SchemeChoice.of([path])
    scheme = load_scheme(choice)
    assert scheme["concept/lattice-qcd"].broader == ["concept/numerical-simulation"]
    assert scheme["concept/numerical-simulation"].broader == ["concept/monte-carlo-method"]
    assert scheme["concept/jet-tagging"].type == "Task"
    found = extract_text("Jet tagging with lattice quantum chromodynamics inputs.", model=False, scheme=choice)
    assert {(m.concept, m.type) for m in found} == {("concept/jet-tagging", "Task"), ("concept/lattice-qcd", "Method")}


def test_the_choice_names_content_so_an_edit_changes_the_rules(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("type,label,aliases,broader\nTask,Protein Folding,,\n")
    before = SchemeChoice.of([path])
    path.write_text("type,label,aliases,broader\nTask,Protein Folding,folding,\n")
    after = SchemeChoice.of([path])
    assert before.sha256 != after.sha256 and before.files == after.files == (str(path.absolute()),)
    assert (
        len({rules_fingerprint(False), rules_fingerprint(False, 0.0, before), rules_fingerprint(False, 0.0, after)})
        == 3
    )
    assert "concept/protein-folding" in load_scheme(after)


def test_the_scheme_reaches_worker_processes(bio: Path) -> None:
    choice = SchemeChoice.of([bio / "scheme.csv"], "replace")
    records = read_records([write_jsonl(bio / "workers.jsonl", PAPERS + MORE)])
    alone = extract_records(records, model=False, scheme=choice)
    assert {m.concept for found in alone for m in found} == {
        "concept/crispr-cas9",
        "concept/genome-editing",
        "concept/protein-data-bank",
        "concept/protein-folding",
        "concept/uniprot",
    }
    # what extract_records(workers=2) hands a worker: a clean process building its own pipeline
    texts = [text for record in records for text in record.text_fields().values()]
    with multiprocessing.get_context("forkserver").Pool(1) as pool:
        in_worker = pool.apply(_match, (texts, 64, False, choice))
    assert in_worker == _match(texts, 64, False, choice)
    assert {span[2] for found in in_worker for span in found.spans} >= {
        "concept/crispr-cas9",
        "concept/protein-folding",
    }


# ---------------------------------------------------------------------- builds


def test_a_biology_scheme_types_a_biology_corpus(bio_store: Path) -> None:
    found = {(r["label"], r["type"].rsplit("#", 1)[1], r.get("parent")) for r in rows(bio_store)}
    assert {
        ("CRISPR-Cas9", "Method", "Genome Editing"),
        ("UniProt", "Dataset", "Dataset"),
        ("Protein Data Bank", "Dataset", "Dataset"),  # "PDB" is theirs, not the bundled scheme's
        ("Protein Folding", "Task", "Task"),
    } <= found
    assert ("Transformer", "Method", "Neural Network Architecture") in found  # add mode: bundled concepts stay
    assert labels(bio_store)["Knocking out yeast genes with CRISPR"] >= {"CRISPR-Cas9", "UniProt"}
    assert {"concept/crispr-cas9", "concept/transformer"} <= set(kg.open_store(bio_store).lookup_index.concepts)
    meta = kg.open_store(bio_store).meta["extraction"]
    assert meta["scheme"]["files"] == [str((bio_store.parent / "scheme.csv").absolute())]
    assert meta["scheme"]["mode"] == "add" and len(meta["scheme"]["sha256"]) == 16


def test_the_graph_of_a_users_scheme_conforms_to_the_shapes(bio_store: Path) -> None:
    conforms, text = validate(shacl_data_graph(kg.open_store(bio_store)))
    assert conforms, text


def test_builds_in_one_process_do_not_share_schemes(bio: Path, bio_store: Path, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    kg.build([bio / "papers.jsonl"], store=plain, model=False)
    assert "CRISPR-Cas9" not in {label for found in labels(plain).values() for label in found}
    assert "scheme" not in kg.open_store(plain).meta["extraction"]
    assert active_scheme() == BUNDLED and "concept/crispr-cas9" not in load_scheme()


def test_replace_mode_drops_the_bundled_concepts(bio: Path, tmp_path: Path) -> None:
    store = tmp_path / "replaced"
    kg.build([bio / "papers.jsonl"], store=store, model=False, scheme=[bio / "scheme.csv"], scheme_mode="replace")
    assert {label for found in labels(store).values() for label in found} == {
        "CRISPR-Cas9",
        "UniProt",
        "Protein Data Bank",
        "Protein Folding",
    }
    every = rows(store, "SELECT DISTINCT ?label WHERE { ?c a skos:Concept ; rdfs:label ?label }")
    assert "Transformer" not in {r["label"] for r in every}
    methods = rows(store, "SELECT DISTINCT ?label WHERE { ?c a kg:Method ; rdfs:label ?label }")
    assert {r["label"] for r in methods} == {"CRISPR-Cas9", "Genome Editing", "Method"}
    # the lookup index (written in another thread) knows the user's concepts and no others
    assert set(kg.open_store(store).lookup_index.concepts) == set(
        load_scheme(SchemeChoice.of([bio / "scheme.csv"], "replace"))
    )


def test_add_and_remove_keep_the_scheme_and_an_edit_extracts_again(bio: Path, tmp_path: Path) -> None:
    scheme = tmp_path / "scheme.csv"
    scheme.write_text(BIO_CSV, encoding="utf-8")
    store = tmp_path / "store"
    kg.build([bio / "papers.jsonl"], store=store, model=False, scheme=[scheme])
    kg.add([bio / "more.jsonl"], store=store)
    assert labels(store)["Gene editing in wheat"] >= {"Genome Editing", "CRISPR-Cas9", "UniProt"}
    assert "Western Blot" not in labels(store)["Gene editing in wheat"]
    # an edited scheme file: the next update extracts every input again with it
    scheme.write_text(BIO_CSV + "Method,Western Blot,immunoblot,\n", encoding="utf-8")
    third = write_jsonl(
        tmp_path / "third.jsonl", [{"title": "Blots", "authors": ["A B"], "abstract": "A Western blot."}]
    )
    kg.add([third], store=store)
    assert "Western Blot" in labels(store)["Gene editing in wheat"]
    meta = kg.open_store(store).meta["extraction"]["scheme"]
    assert meta["sha256"] == SchemeChoice.of([scheme]).sha256
    kg.remove([str(third)], store=store)
    assert kg.open_store(store).meta["extraction"]["scheme"] == meta
    assert labels(store)["Gene editing in wheat"] >= {"Western Blot", "CRISPR-Cas9"}


def test_an_update_without_its_scheme_file_leaves_the_store(bio: Path, tmp_path: Path) -> None:
    scheme = tmp_path / "scheme.csv"
    scheme.write_text(BIO_CSV, encoding="utf-8")
    store = tmp_path / "store"
    kg.build([bio / "papers.jsonl"], store=store, model=False, scheme=[scheme])
    before = layout.current_name(store)
    scheme.unlink()
    result = CliRunner().invoke(main, ["add", str(bio / "more.jsonl"), "--store", str(store)])
    assert result.exit_code == 2
    assert f"{scheme.absolute()}: no such scheme file (the store was built with this scheme file" in result.output
    assert layout.current_name(store) == before


# ---------------------------------------------------------------------- the command line and bad input


def test_kg_extract_with_a_scheme(bio: Path) -> None:
    result = CliRunner().invoke(
        main, ["extract", "--json", "--no-model", "--scheme", str(bio / "scheme.csv")], input="Cas9 cuts DNA.\n"
    )
    assert result.exit_code == 0, result.output
    (mention,) = json.loads(result.stdout)
    assert (mention["label"], mention["type"], mention["text"]) == ("CRISPR-Cas9", "Method", "Cas9")


BAD = {
    "unknown-type.csv": ("type,label,aliases,broader\nMethod,CRISPR,,\nGene,BRCA1,,\n", 3, "unknown type 'Gene'"),
    "empty-label.csv": ("type,label,aliases,broader\nMethod,  ,,\n", 2, "empty label"),
    "no-broader.csv": (
        "type,label,aliases,broader\nMethod,CRISPR,,Nothing Here\n",
        2,
        "broader 'Nothing Here' names no",
    ),
    "no-column.csv": ("type,label,broader\nMethod,CRISPR,\n", 1, "missing column aliases"),
    "retyped.csv": (SCHEME_CSV, 7, "'Transformer' is already a Method in kg's scheme, not a Task"),
    "syntax.ttl": (
        "@prefix kg: <https://w3id.org/kg/ontology#> .\n@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        '<https://example.org/a> a skos:Concept, kg:Method ;\n    skos:prefLabel "A"\n'
        "<https://example.org/b> a kg:Task .\n",
        5,
        "not valid Turtle (column 1):",
    ),
    "gene.ttl": (
        "@prefix kg: <https://w3id.org/kg/ontology#> .\n@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        '@prefix ex: <https://example.org/> .\n\nex:brca1 a skos:Concept, kg:Gene ;\n    skos:prefLabel "BRCA1" .\n',
        5,
        "unknown type kg:Gene",
    ),
    "dangling.ttl": (
        "@prefix kg: <https://w3id.org/kg/ontology#> .\n@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        '@prefix ex: <https://example.org/> .\n\nex:a a skos:Concept, kg:Method ;\n    skos:prefLabel "A" ;\n'
        "    skos:broader ex:nowhere .\n",
        5,
        "skos:broader <https://example.org/nowhere> names no concept",
    ),
    "unlabelled.ttl": (
        "@prefix kg: <https://w3id.org/kg/ontology#> .\n@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n\n"
        "<https://example.org/a> a skos:Concept, kg:Dataset .\n",
        4,
        "has an empty or no skos:prefLabel",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_a_faulty_scheme_file_stops_the_build(name: str, bio: Path, bio_store: Path, tmp_path: Path) -> None:
    text, line, reason = BAD[name]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    before = layout.current_name(bio_store)
    args = ["build", str(bio / "papers.jsonl"), "--store", str(bio_store), "--no-model", "--scheme", str(path)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert f"kg: error: {path.absolute()}:{line}: " in result.output and reason in result.output, result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    assert layout.current_name(bio_store) == before


def test_a_missing_scheme_file_or_mode_without_a_file(bio: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    runner = CliRunner()
    result = runner.invoke(main, ["build", str(bio / "papers.jsonl"), "--store", str(store), "--scheme", "nope.csv"])
    assert result.exit_code == 2 and "nope.csv: no such scheme file" in result.output
    result = runner.invoke(
        main, ["build", str(bio / "papers.jsonl"), "--store", str(store), "--scheme-mode", "replace"]
    )
    assert result.exit_code == 2 and "--scheme-mode replace needs a --scheme FILE" in result.output
    assert not store.exists() or not any(store.glob("gen-*"))
    with pytest.raises(InputError, match="is a directory"):
        SchemeChoice.of([tmp_path])


def test_using_scheme_is_scoped(bio: Path) -> None:
    choice = SchemeChoice.of([bio / "scheme.csv"], "replace")
    with using_scheme(choice):
        assert "concept/transformer" not in load_scheme() and active_scheme() == choice
    assert "concept/transformer" in load_scheme()
