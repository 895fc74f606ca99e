-- Sequences and statistics: a target ready to use. The sequences owned by cloned tables (serial and
-- identity columns) follow them; sequences may be named in the table list; every table filled is
-- analyzed before the commit.
\set VERBOSITY terse
\c clone_alpha
-- (clone_alpha's search_path starts with schema app: every name here is qualified.)
CREATE TABLE public.sq (id serial PRIMARY KEY, v text) WITH (autovacuum_enabled = off);
INSERT INTO public.sq (v) SELECT 'alpha ' || g FROM generate_series(1, 100) g;
CREATE TABLE public.sq_ident (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text) WITH (autovacuum_enabled = off);
INSERT INTO public.sq_ident (v) SELECT 'alpha ' || g FROM generate_series(1, 40) g;
CREATE SEQUENCE public.standalone START 5;
SELECT setval('public.standalone', 700);
\c clone_beta
CREATE TABLE public.sq (id serial PRIMARY KEY, v text) WITH (autovacuum_enabled = off);
INSERT INTO sq (v) VALUES ('old beta');
CREATE TABLE public.sq_ident (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text) WITH (autovacuum_enabled = off);
CREATE SEQUENCE public.standalone START 5;
\c clone_gamma
-- The same table, but its sequence is an integer one with other bounds.
CREATE TABLE public.sq (id integer PRIMARY KEY, v text) WITH (autovacuum_enabled = off);
CREATE SEQUENCE public.sq_id_seq AS integer MAXVALUE 100000 OWNED BY public.sq.id;
ALTER TABLE public.sq ALTER id SET DEFAULT nextval('public.sq_id_seq');
INSERT INTO sq (v) VALUES ('old gamma');
\c contrib_regression

-- Owned sequences follow their tables; the new rows' keys do not collide; statistics are there.
SELECT bucardo.clone(tables => 'public.sq, public.sq_ident', dbs => 'alpha, beta') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, error FROM bucardo.clone WHERE id = :id;
\c clone_beta
SELECT last_value, is_called FROM sq_id_seq;
SELECT last_value, is_called FROM sq_ident_id_seq;
INSERT INTO sq (v) VALUES ('new on beta') RETURNING id;
INSERT INTO sq_ident (v) VALUES ('new on beta') RETURNING id;
SELECT tablename, count(*) > 0 AS has_statistics FROM pg_stats WHERE tablename IN ('sq', 'sq_ident')
 GROUP BY tablename ORDER BY tablename;
SELECT last_value, is_called FROM standalone;
\c contrib_regression

-- A sequence named in the table list is set too (and the table list may hold only sequences).
SELECT bucardo.clone(tables => 'public.standalone', dbs => 'alpha, beta') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, error FROM bucardo.clone WHERE id = :id;
\c clone_beta
SELECT last_value, is_called FROM standalone;
\c contrib_regression

-- sequences => false leaves the target's sequences alone; "analyze" => false leaves statistics alone.
\c clone_alpha
INSERT INTO public.sq (v) SELECT 'alpha more ' || g FROM generate_series(1, 10) g;
\c clone_beta
SELECT pg_stat_clear_snapshot();
ANALYZE sq_ident;
SELECT setval('sq_id_seq', 3);
DROP TABLE sq_ident;
CREATE TABLE public.sq_ident (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text) WITH (autovacuum_enabled = off);
\c contrib_regression
SELECT bucardo.clone(tables => 'public.sq, public.sq_ident', dbs => 'alpha, beta', sequences => false, "analyze" => false) AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, sequences, "analyze" FROM bucardo.clone WHERE id = :id;
\c clone_beta
SELECT last_value, is_called FROM sq_id_seq;
SELECT count(*) AS rows, count(*) FILTER (WHERE id = 101) AS alpha_101 FROM sq;
SELECT count(*) AS statistics_rows FROM pg_stats WHERE tablename = 'sq_ident';
\c contrib_regression

-- A target sequence defined differently fails the clone before anything is emptied.
SELECT bucardo.clone(tables => 'public.sq', dbs => 'alpha, gamma') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
\c clone_gamma
SELECT id, v FROM sq;
SELECT last_value, is_called FROM sq_id_seq;
\c contrib_regression

-- A clone that fails after the sequences were set (here its PREPARE: the global id is taken) leaves
-- them as they were: ALTER SEQUENCE ... RESTART makes the setval transactional.
\c clone_beta
SELECT setval('sq_id_seq', 42);
\c contrib_regression
SELECT 'pg_clone_' || (SELECT last_value + 1 FROM bucardo.clone_id_seq) || '_1_' || s.system_identifier || '_' || d.oid
       AS taken_gid
  FROM pg_control_system() s, pg_database d WHERE d.datname = current_database() \gset
\c clone_beta
BEGIN;
CREATE TABLE taken (id integer);
PREPARE TRANSACTION :'taken_gid';
\c contrib_regression
SELECT bucardo.clone(tables => 'public.sq, public.sq_ident', dbs => 'alpha, beta', streams => 2) AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, two_phase FROM bucardo.clone WHERE id = :id;
\c clone_beta
ROLLBACK PREPARED :'taken_gid';
SELECT last_value, is_called FROM sq_id_seq;
SELECT count(*) AS rows FROM sq;
\c contrib_regression

-- Several sources: a sequence ends at the highest value of all.
\c clone_gamma
DROP TABLE sq;
CREATE TABLE public.sq (id serial PRIMARY KEY, v text);
SELECT setval('sq_id_seq', 5000);
INSERT INTO sq (v) VALUES ('gamma row');
\c contrib_regression
SELECT bucardo.clone(tables => 'public.sq', dbs => 'alpha:source, gamma:source, beta:target') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, error FROM bucardo.clone WHERE id = :id;
\c clone_alpha
SELECT last_value, is_called FROM public.sq_id_seq;
\c clone_beta
SELECT last_value, is_called FROM sq_id_seq;
SELECT count(*) AS rows FROM sq;
\c contrib_regression
