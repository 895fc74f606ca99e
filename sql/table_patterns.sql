-- Whole databases and schemas: tables => '*' (every table of the first source outside the system
-- schemas and bucardo) and 'myschema.*' (every table of one schema), in clone() and in relgroups, mixed
-- with names; resolved on the source when the clone starts and said in the summary. Partitions go
-- through their root; extensions' own tables, temporary tables, views and sequences are not matched.
\set VERBOSITY terse
CREATE DATABASE clone_wsrc;
CREATE DATABASE clone_wdst;
SELECT bucardo.add_db('wsrc', 'dbname=clone_wsrc');
SELECT bucardo.add_db('wdst', 'dbname=clone_wdst');

\c clone_wsrc
CREATE SCHEMA app;
CREATE SCHEMA audit;
CREATE SCHEMA bucardo;  -- a source's own schema of that name is never matched by *
CREATE TABLE public.a (id integer PRIMARY KEY, v text);
INSERT INTO public.a SELECT g, 'a' || g FROM generate_series(1, 20) g;
CREATE TABLE app.orders (id integer, at date) PARTITION BY RANGE (at);
CREATE TABLE app.orders_2025 PARTITION OF app.orders FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE app.orders_2026 PARTITION OF app.orders FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
INSERT INTO app.orders SELECT g, date '2025-12-01' + g FROM generate_series(1, 60) g;
CREATE TABLE app."Items" (id serial, name text);
INSERT INTO app."Items" (name) SELECT 'item ' || g FROM generate_series(1, 5) g;
CREATE TABLE audit.log (id integer, what text);
INSERT INTO audit.log SELECT g, 'event ' || g FROM generate_series(1, 7) g;
CREATE TABLE bucardo.not_mine (id integer);
CREATE VIEW app.order_view AS SELECT * FROM app.orders;
CREATE SCHEMA empty_schema;

\c clone_wdst
CREATE SCHEMA app;
CREATE SCHEMA audit;
CREATE TABLE public.a (id integer PRIMARY KEY, v text);
INSERT INTO public.a VALUES (-1, 'old');
CREATE TABLE app.orders (id integer, at date);  -- plain on this side
INSERT INTO app.orders VALUES (-1, '2000-01-01');
CREATE TABLE app."Items" (id integer, name text);
CREATE TABLE audit.log (id integer, what text);
INSERT INTO audit.log VALUES (-1, 'old');
\c contrib_regression

-- Call time: patterns parse; a bad pattern or a table named "*" is refused, nothing queued.
SELECT bucardo.clone(tables => 'app.*x', dbs => 'wsrc, wdst');
SELECT bucardo.clone(tables => '*.a', dbs => 'wsrc, wdst');
SELECT bucardo.clone(tables => '"*"', dbs => 'wsrc, wdst');
SELECT bucardo.clone(tables => 'app.*, app.*', dbs => 'wsrc, wdst');
SELECT bucardo.clone(tables => 'pg_catalog.*', dbs => 'wsrc, wdst');
SELECT count(*) AS queued FROM bucardo.clone WHERE status = 'queued';

-- One schema, mixed with a name.
SELECT bucardo.clone(tables => 'app.*, audit.log', dbs => 'wsrc, wdst') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, error FROM bucardo.clone WHERE id = :id;
SELECT table_name, rows FROM bucardo.clone_table WHERE clone_id = :id ORDER BY table_name;

-- The whole database: every table once, even when a pattern and a name both match it; a row filter
-- given for a named table applies.
\c clone_wsrc
DROP SCHEMA bucardo CASCADE;
\c contrib_regression
SELECT bucardo.clone(tables => '*, public.a', dbs => 'wsrc, wdst',
                     filters => '{"public.a": "id <= 10"}') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, error FROM bucardo.clone WHERE id = :id;
\c clone_wdst
SELECT count(*), min(id), max(id) FROM public.a;
SELECT count(*), min(at), max(at) FROM app.orders;
SELECT count(*), string_agg(name, ', ' ORDER BY id) FROM app."Items";
SELECT count(*) FROM audit.log;
\c contrib_regression

-- In a relgroup, resolved anew at each clone: a table created since is included.
SELECT bucardo.add_relgroup('everything_app', 'app.*');
\c clone_wsrc
CREATE TABLE app.later (id integer);
INSERT INTO app.later VALUES (1), (2);
\c clone_wdst
CREATE TABLE app.later (id integer);
\c contrib_regression
SELECT bucardo.clone(relgroup => 'everything_app', dbs => 'wsrc, wdst') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, error FROM bucardo.clone WHERE id = :id;

-- A pattern that matches nothing fails the clone before anything is touched.
SELECT bucardo.clone(tables => 'empty_schema.*, audit.log', dbs => 'wsrc, wdst') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
SELECT bucardo.clone(tables => 'nosuchschema.*', dbs => 'wsrc, wdst') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
\c clone_wdst
SELECT count(*) FROM audit.log;
\c contrib_regression
