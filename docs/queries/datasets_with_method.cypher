// Datasets used with method M: datasets of the papers that use M (its label or an alias).
// params: method=GAN
MATCH (m:Method)<-[:USES_METHOD]-(p:Paper)-[:USES_DATASET]->(d:Dataset)
WHERE m.label = $method OR $method IN m.aliases
RETURN $method AS method, d.label AS dataset, count(DISTINCT p) AS papers
ORDER BY papers DESC, dataset
