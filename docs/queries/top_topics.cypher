// The ten topics with the most papers.
MATCH (p:Paper)-[:HAS_TOPIC]->(t:Topic)
RETURN t.label AS topic, count(DISTINCT p) AS papers
ORDER BY papers DESC, topic
LIMIT 10
