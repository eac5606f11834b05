// Institutions that collaborate: two different authors of one paper, each affiliated with one of
// them on that very paper (AFFILIATED_WITH.papers lists the papers an affiliation was stated on).
MATCH (a1:Author)-[r1:AFFILIATED_WITH]->(i:Institution)
UNWIND r1.papers AS pid
MATCH (p:Paper {id: pid})-[:AUTHORED_BY]->(a1)
MATCH (p)-[:AUTHORED_BY]->(a2:Author)-[r2:AFFILIATED_WITH]->(j:Institution)
WHERE a1.id <> a2.id AND i.id < j.id AND pid IN r2.papers
RETURN i.name AS institution, j.name AS partner, count(DISTINCT p) AS papers
ORDER BY papers DESC, institution, partner
