// Variants of method M: methods sentences of the corpus call a kind or variant of M ("M such as
// V", "V, a variant of M"), with the papers and sentences that say so. M is a label or an alias.
// params: method=Contrastive Learning
MATCH (v:Method)-[r:VARIANT_OF]->(m:Method)
WHERE m.label = $method OR $method IN m.aliases
RETURN DISTINCT $method AS method, v.label AS variant, r.paper_count AS papers, r.sentence_count AS sentences
ORDER BY papers DESC, sentences DESC, variant
