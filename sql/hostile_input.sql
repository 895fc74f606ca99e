-- Hostile input stays inert: names, lists, start values and connection options that try SQL injection,
-- COPY ... TO PROGRAM, or to change the remote session under the clone fail cleanly or are neutralised.
\set VERBOSITY terse
-- Lists are parsed, not pasted into SQL: these are refused at call time, nothing queued.
SELECT bucardo.clone(tables => 'foo; DROP TABLE bar', dbs => 'alpha, beta');
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, beta; DROP TABLE x');
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, beta', start => '1 hour''; DROP TABLE x; --');
SELECT bucardo.add_db('x''; DROP TABLE bucardo.db; --', 'dbname=clone_beta');
SELECT count(*) AS queued FROM bucardo.clone WHERE status = 'queued';

-- A quoted name is a name: COPY never reads it as SQL (no file is written by TO PROGRAM).
SELECT bucardo.clone(tables => '"foo"" TO PROGRAM ''touch /tmp/pg_clone_pwned''; --"', dbs => 'alpha, beta') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
SELECT pg_stat_file('/tmp/pg_clone_pwned', true) IS NULL AS no_file_written;

-- Connection options that would change the session under the clone are overridden: the clone still
-- empties the search path, and copies the values as they are.
SELECT bucardo.add_db('beta_opts', 'dbname=clone_beta options=''-c search_path=pg_temp,public -c DateStyle=SQL,DMY -c extra_float_digits=-15 -c row_security=on''');
\c clone_alpha
CREATE TABLE public.opts (id integer PRIMARY KEY, at timestamptz, x double precision);
INSERT INTO public.opts VALUES (1, '2026-01-02 03:04:05+00', 0.1), (2, '1999-12-31 23:59:59.999+00', 1e-300);
\c clone_beta
CREATE TABLE public.opts (id integer PRIMARY KEY, at text, x text);
\c contrib_regression
SELECT bucardo.clone(tables => 'public.opts', dbs => 'alpha, beta_opts') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
\c clone_beta
SELECT id, at, x FROM public.opts ORDER BY id;
DROP TABLE public.opts;
\c clone_alpha
DROP TABLE public.opts;
\c contrib_regression
