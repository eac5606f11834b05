// Who works on X: authors of papers that use a method or dataset, or address a task, named X
// (its label or one of its aliases).
// params: concept=Transformer
MATCH (a:Author)<-[:AUTHORED_BY]-(p:Paper)-[:USES_METHOD|USES_DATASET|ADDRESSES_TASK]->(c)
WHERE c.label = $concept OR $concept IN c.aliases
RETURN $concept AS concept, a.name AS author, count(DISTINCT p) AS papers
ORDER BY papers DESC, author
