"""`kg build` on the default corpus produces paper→concept edges with their evidence."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from kg.cli import main


def test_concept_edges_exist(handle) -> None:
    stats = handle.stats()
    assert stats["edges"]["uses_method"] > 300
    assert stats["edges"]["uses_dataset"] > 50
    assert stats["edges"]["addresses_task"] > 100
    assert stats["nodes"]["Mention"] >= stats["edges"]["uses_method"]


def test_edge_evidence_is_queryable(handle) -> None:
    rows = handle.sparql("""
        SELECT ?field ?text ?rule ?start ?file ?line WHERE {
            ?paper kg:usesMethod ?concept .
            ?concept rdfs:label "Graph Neural Network" .
            ?paper kg:tldr ?tldr .
            FILTER(STRSTARTS(?tldr, "We study how neural networks trained by gradient descent extrapolate"))
            ?st rdf:subject ?paper ; rdf:predicate kg:usesMethod ; rdf:object ?concept ; prov:wasDerivedFrom ?m .
            ?m kg:field ?field ; kg:matchedText ?text ; kg:rule ?rule ; kg:charStart ?start ;
               prov:wasDerivedFrom ?src .
            ?src kg:sourceFile ?file ; kg:lineStart ?line .
        }""").rows
    assert rows, "the GNN edge of the first ICLR 2021 record has no evidence"
    (row,) = rows
    assert row["field"] == "abstract" and row["text"] in {"Graph Neural Networks", "GNNs"}
    assert row["file"] == "data/corpus/iclr2021_authors_tldr_abstracts.txt" and row["line"] == 1


def test_scheme_hierarchy_comes_along(handle) -> None:
    rows = handle.sparql("""
        SELECT ?parent WHERE { ?c rdfs:label "Graph Neural Network" ; skos:broader+ ?p . ?p rdfs:label ?parent }
    """).rows
    assert rows


def test_jsonl_lists_concepts_with_aliases(handle, tmp_path: Path) -> None:
    output = tmp_path / "p.jsonl"
    result = CliRunner().invoke(
        main, ["export", "--format", "jsonl", "-o", str(output), "--store", str(handle.store_dir)]
    )
    assert result.exit_code == 0
    papers = [json.loads(line) for line in output.read_text().splitlines()]
    first = next(p for p in papers if (p["tldr"] or "").startswith("We study how neural networks trained"))
    methods = {m["name"]: m for m in first["methods"]}
    assert "Graph Neural Network" in methods and "GNNs" in methods["Graph Neural Network"]["aliases"]
    assert "Multilayer Perceptron" in methods


def test_kg_extract_command() -> None:
    result = CliRunner().invoke(main, ["extract", "--json"], input="We fine-tune BERT on SQuAD.\nNothing here.\n")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert {(r["document"], r["label"]) for r in rows} >= {(1, "BERT")}
    assert all(r["document"] == 1 for r in rows)
