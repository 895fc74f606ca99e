-- A clone() in a transaction that rolls back never runs; one that commits runs.
\c clone_beta
TRUNCATE foo;
INSERT INTO foo VALUES (-9, 'still here');
\c contrib_regression
SELECT count(*) AS clones_before FROM bucardo.clone \gset
BEGIN;
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, beta') > 0 AS queued;
ROLLBACK;
-- Had it been queued, its NOTIFY would have started it well within this time.
SELECT pg_sleep(3);
SELECT count(*) - :clones_before AS new_clones FROM bucardo.clone;
\c clone_beta
SELECT id, v FROM foo;
\c contrib_regression

BEGIN;
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, beta') AS id \gset
SELECT status FROM bucardo.clone WHERE id = :id;
COMMIT;
SELECT bucardo.clone_wait(:id, '60 s');
\c clone_beta
SELECT count(*) FROM foo;
\c contrib_regression
