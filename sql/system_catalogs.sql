-- System catalogs are never cloned: a list that names one is refused at call time, and a name that only
-- the source's search_path resolves to pg_catalog fails the clone before any table is locked anywhere
-- (an ACCESS EXCLUSIVE lock on a target's catalog would stop every new query of that database).
\set VERBOSITY default
\set SHOW_CONTEXT never
SELECT bucardo.clone(tables => 'foo, pg_catalog.pg_namespace', dbs => 'alpha, beta');
SELECT bucardo.clone(tables => 'information_schema.sql_features', dbs => 'alpha, beta');
SELECT bucardo.clone(tables => 'pg_toast.pg_toast_1255', dbs => 'alpha, beta');
SELECT bucardo.add_relgroup('catalogs', 'PG_CATALOG.pg_class');
SELECT count(*) AS queued FROM bucardo.clone WHERE status = 'queued';

-- Unqualified: pg_class is found in pg_catalog, which every search_path holds.
SELECT bucardo.clone(tables => 'pg_class', dbs => 'alpha, beta') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
\c clone_beta
-- No lock on the target's catalog was ever asked for: nothing of the clone's is left, and the catalog
-- is readable at once.
SET lock_timeout = '1s';
SELECT count(*) > 0 AS readable FROM pg_catalog.pg_class;
\c contrib_regression
\set VERBOSITY terse
\set SHOW_CONTEXT errors
