// Co-authors of an author, with the number of papers they wrote together.
// params: name=Yoshua Bengio
MATCH (a:Author {name: $name})<-[:AUTHORED_BY]-(p:Paper)-[:AUTHORED_BY]->(c:Author)
WHERE c.id <> a.id
RETURN a.name AS name, c.name AS coauthor, count(DISTINCT p) AS papers
ORDER BY papers DESC, coauthor
