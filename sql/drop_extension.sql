-- The extension can be dropped and created again while the launcher runs: it waits while there
-- is no extension and serves the new one.
DROP EXTENSION pg_clone;
SELECT pg_sleep(0.5);
CREATE EXTENSION pg_clone;
SELECT bucardo.add_db('alpha', 'dbname=clone_alpha'), bucardo.add_db('gamma', 'dbname=clone_gamma');
\c clone_gamma
TRUNCATE foo;
\c contrib_regression
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, gamma') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary FROM bucardo.clone WHERE id = :id;
SELECT count(*) AS launchers FROM pg_stat_activity WHERE backend_type = 'pg_clone launcher';
