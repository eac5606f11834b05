// Methods per topic: for each topic, the methods its papers use, most used first.
MATCH (t:Topic)<-[:HAS_TOPIC]-(p:Paper)-[:USES_METHOD]->(m:Method)
RETURN t.label AS topic, m.label AS method, count(DISTINCT p) AS papers
ORDER BY topic, papers DESC, method
