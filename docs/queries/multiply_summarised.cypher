// Papers summarised by more than one source: summaries that come from different input files.
MATCH (s:Summary)-[:SUMMARISES]->(p:Paper), (s)-[:DERIVED_FROM]->(r:SourceRecord)
WITH p, count(DISTINCT r.file) AS sources
WHERE sources > 1
RETURN p.id AS paper, p.label AS label, sources
ORDER BY sources DESC, label
