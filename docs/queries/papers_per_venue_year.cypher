// Papers per venue and year (year is null where the source does not say).
MATCH (p:Paper)-[:PUBLISHED_IN]->(v:Venue)
RETURN v.name AS venue, p.year AS year, count(DISTINCT p) AS papers
ORDER BY venue, year
