// Papers that have a third-party summary (a blog write-up, a ShortScience page), most summarised first.
MATCH (s:Summary)-[:SUMMARISES]->(p:Paper)
RETURN p.id AS paper, p.label AS label, count(DISTINCT s) AS summaries
ORDER BY summaries DESC, label
