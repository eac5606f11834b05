// Datasets method M is evaluated on, as sentences of the corpus state it ("we evaluate M on D"),
// with the papers and sentences that say so. M is a label or an alias.
// params: method=Transformer
MATCH (m:Method)-[r:EVALUATED_ON]->(d:Dataset)
WHERE m.label = $method OR $method IN m.aliases
RETURN DISTINCT $method AS method, d.label AS dataset, r.paper_count AS papers, r.sentence_count AS sentences
ORDER BY papers DESC, sentences DESC, dataset
