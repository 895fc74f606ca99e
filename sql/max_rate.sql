-- max_rate: clone(..., max_rate => '50MB'), the setting pg_clone.max_rate, bucardo.clone_set_rate() and
-- the rates in bucardo.clone_progress. The timing itself is tested by test/t/024_max_rate.pl.
SELECT name, setting, unit, context FROM pg_settings WHERE name = 'pg_clone.max_rate';
SET pg_clone.max_rate = '50MB';  -- a server setting
-- Refused at call time, before anything is queued.
SELECT count(*) AS clones_before FROM bucardo.clone \gset
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, beta', max_rate => '-5MB');
\echo :LAST_ERROR_SQLSTATE
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, beta', max_rate => 'fast');
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, beta', max_rate => '1.5MB');
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, beta', max_rate => '50mb');
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, beta', max_rate => '99999999999TB');
SELECT count(*) = :clones_before AS nothing_queued FROM bucardo.clone;
-- Stored in bytes per second; NULL (the default) leaves it to pg_clone.max_rate, '0' is no limit.
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, beta', start => '1 hour', max_rate => '50MB') AS a \gset
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, beta', start => '1 hour', max_rate => '512kB') AS b \gset
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, beta', start => '1 hour', max_rate => '0') AS c \gset
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, beta', start => '1 hour') AS d \gset
SELECT id - :a AS n, max_rate FROM bucardo.clone WHERE id IN (:a, :b, :c, :d) ORDER BY id;
-- clone_set_rate: a queued or running clone; NULL or '0' is no limit.
SELECT bucardo.clone_set_rate(:a, '20MB');
SELECT bucardo.clone_set_rate(:b, '1500000');
SELECT bucardo.clone_set_rate(:c, NULL);
SELECT bucardo.clone_set_rate(:d, '1GB');
SELECT id - :a AS n, max_rate FROM bucardo.clone WHERE id IN (:a, :b, :c, :d) ORDER BY id;
SELECT bucardo.clone_set_rate(:a, '20 parsecs');
\echo :LAST_ERROR_SQLSTATE
SELECT bucardo.clone_set_rate(-1, '20MB');
\echo :LAST_ERROR_SQLSTATE
-- Only a clone its caller may see (row-level security): another role's is unknown to a user.
CREATE ROLE max_rate_user IN ROLE pgclone_user;
SET ROLE max_rate_user;
\set VERBOSITY sqlstate
SELECT bucardo.clone_set_rate(:a, '1MB');
\set VERBOSITY default
RESET ROLE;
DROP ROLE max_rate_user;
SELECT max_rate FROM bucardo.clone WHERE id = :a;
SELECT bucardo.clone_cancel(id) FROM bucardo.clone WHERE id IN (:a, :b, :c, :d) ORDER BY id;
SELECT bucardo.clone_set_rate(:a, '20MB');
\echo :LAST_ERROR_SQLSTATE
SELECT max_rate FROM bucardo.clone WHERE id = :a;
-- A clone with a rate runs to the end, as any other.
\c clone_beta
TRUNCATE foo;
\c contrib_regression
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, beta', max_rate => '10MB') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, max_rate, error FROM bucardo.clone WHERE id = :id;
SELECT bucardo.clone_set_rate(:id, '1MB');
\c clone_beta
SELECT count(*) > 0 AS copied FROM foo;
\c contrib_regression
-- The view's columns: the rate asked beside the rate achieved, at the end.
SELECT attnum, attname, atttypid::regtype FROM pg_attribute
 WHERE attrelid = 'bucardo.clone_progress'::regclass AND attnum > 0 ORDER BY attnum;
SELECT pg_get_function_identity_arguments('bucardo.clone_set_rate'::regproc);
SELECT has_function_privilege('pgclone_user', 'bucardo.clone_set_rate(bigint, text)', 'EXECUTE') AS users_may,
       has_function_privilege('public', 'bucardo.clone_set_rate(bigint, text)', 'EXECUTE') AS public_may;
