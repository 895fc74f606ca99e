-- Several sources: targets are emptied, sources are not, and every source's rows go to every other
-- database. With A:source, B:source, C:target and disjoint rows, all three end with the union.
\c clone_alpha
CREATE TABLE ms (id integer PRIMARY KEY, origin text);
INSERT INTO ms SELECT g, 'alpha' FROM generate_series(1, 10) g;
\c clone_beta
CREATE TABLE ms (id integer PRIMARY KEY, origin text);
INSERT INTO ms SELECT g, 'beta' FROM generate_series(101, 120) g;
\c clone_gamma
CREATE TABLE ms (id integer PRIMARY KEY, origin text);
INSERT INTO ms VALUES (-1, 'stale');
\c contrib_regression
SELECT bucardo.clone(tables => 'ms', dbs => 'alpha:source, beta:source, gamma:target') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, error FROM bucardo.clone WHERE id = :id;
\c clone_alpha
SELECT origin, count(*), min(id), max(id) FROM ms GROUP BY origin ORDER BY origin;
\c clone_beta
SELECT origin, count(*), min(id), max(id) FROM ms GROUP BY origin ORDER BY origin;
\c clone_gamma
SELECT origin, count(*), min(id), max(id) FROM ms GROUP BY origin ORDER BY origin;
\c contrib_regression

-- Overlapping sources collide on the primary key: the clone fails and nothing changes anywhere.
SELECT bucardo.clone(tables => 'ms', dbs => 'alpha:source, beta:source, gamma:target') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
\c clone_alpha
SELECT origin, count(*) FROM ms GROUP BY origin ORDER BY origin;
\c clone_gamma
SELECT origin, count(*) FROM ms GROUP BY origin ORDER BY origin;
\c contrib_regression
