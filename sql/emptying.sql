-- How targets are emptied: TRUNCATE makes new files for a table and each index, so small tables (up
-- to pg_clone.delete_max_size, 256 kB by default) are emptied with DELETE instead, where both mean
-- the same. Either way the result is the source's rows, under the same ACCESS EXCLUSIVE lock.
\set SHOW_CONTEXT never
\c clone_alpha
CREATE TABLE public.tiny (id integer PRIMARY KEY, v text);
INSERT INTO public.tiny SELECT g, 'new ' || g FROM generate_series(1, 3) g;
CREATE TABLE public.roomy (id integer PRIMARY KEY, v text);
INSERT INTO public.roomy SELECT g, 'new ' || g FROM generate_series(1, 10) g;
CREATE TABLE public.ruled (id integer, v text);
INSERT INTO public.ruled VALUES (1, 'new');
CREATE TABLE public.referenced (id integer PRIMARY KEY);
INSERT INTO public.referenced VALUES (1), (2);
\c clone_beta
CREATE TABLE tiny (id integer PRIMARY KEY, v text);
INSERT INTO tiny SELECT g, 'old ' || g FROM generate_series(1, 5) g;
CREATE TABLE roomy (id integer PRIMARY KEY, v text);   -- over 256 kB: TRUNCATE
INSERT INTO roomy SELECT g, repeat('old', 100) FROM generate_series(1, 2000) g;
CREATE TABLE ruled (id integer, v text);               -- a DELETE rule: TRUNCATE ignores rules
INSERT INTO ruled VALUES (-1, 'old');
CREATE RULE keep_rows AS ON DELETE TO ruled DO INSTEAD NOTHING;
CREATE TABLE referenced (id integer PRIMARY KEY);      -- a foreign key points at it: TRUNCATE would refuse
INSERT INTO referenced VALUES (1);
CREATE TABLE referencing (rid integer REFERENCES referenced);
INSERT INTO referencing VALUES (1);
\c contrib_regression

SELECT bucardo.clone(tables => 'public.tiny, public.roomy, public.ruled', dbs => 'alpha, beta') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, error FROM bucardo.clone WHERE id = :id;
-- Its per-table results say how each table was emptied.
SELECT db, table_name, rows, bytes > 0 AS sent, seconds >= 0 AS timed, format, emptied, skipped
  FROM bucardo.clone_table WHERE clone_id = :id ORDER BY table_name;
-- The clone's sessions have ended (their statistics are counted when they do).
DO $$
BEGIN
    FOR i IN 1..300 LOOP
        EXIT WHEN NOT EXISTS (SELECT FROM pg_stat_activity WHERE application_name LIKE 'pg_clone clone %'
                                AND backend_type = 'client backend');
        PERFORM pg_sleep(0.1);
    END LOOP;
END $$;
\c clone_beta
SELECT * FROM tiny ORDER BY id;
SELECT count(*), min(v) FROM roomy;
SELECT * FROM ruled;
-- Which statement emptied which table: rows deleted from tiny only.
SELECT relname, n_tup_del FROM pg_stat_user_tables WHERE relname IN ('tiny', 'roomy', 'ruled') ORDER BY relname;

-- A table that a table outside the clone references cannot be truncated alone: it is emptied by DELETE,
-- and the foreign key is checked before the commit (see referenced.sql).
\c contrib_regression
SELECT bucardo.clone(tables => 'public.referenced', dbs => 'alpha, beta') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
\c clone_beta
SELECT * FROM referenced ORDER BY id;
SELECT * FROM referencing;
\c contrib_regression
