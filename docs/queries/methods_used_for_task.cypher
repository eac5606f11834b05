// Methods used for task T, as sentences of the corpus state it ("M for T", "apply M to T"), with
// the papers and sentences that say so. T is a label or an alias.
// params: task=Image Classification
MATCH (m:Method)-[r:USED_FOR]->(t:Task)
WHERE t.label = $task OR $task IN t.aliases
RETURN DISTINCT $task AS task, m.label AS method, r.paper_count AS papers, r.sentence_count AS sentences
ORDER BY papers DESC, sentences DESC, method
