// Authors of the papers a source files under a topic (a blog section, a keyword).
// params: topic=cs.LG
MATCH (t:Topic {label: $topic})<-[:HAS_TOPIC]-(p:Paper)-[:AUTHORED_BY]->(a:Author)
RETURN t.label AS topic, a.name AS author, count(DISTINCT p) AS papers
ORDER BY papers DESC, author
