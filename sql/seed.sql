-- Seeding an empty database: schema => 'create' creates the tables a target lacks from the source's
-- definition (PostgreSQL's own pg_dump, run by the worker) with what they need, in the clone's
-- transaction; target_names writes (and creates) a table under another name. The definitions are
-- compared by a digest of the catalogs (the same on every PostgreSQL version), not printed.
\set VERBOSITY terse
CREATE DATABASE clone_seed_src;
CREATE DATABASE clone_seed_empty;
CREATE DATABASE clone_seed_half;
SELECT bucardo.add_db('seed_src', 'dbname=clone_seed_src');
SELECT bucardo.add_db('seed_empty', 'dbname=clone_seed_empty');
SELECT bucardo.add_db('seed_half', 'dbname=clone_seed_half');

\c clone_seed_src
CREATE SCHEMA kinds;
CREATE TYPE kinds.mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN kinds.positive AS integer CHECK (VALUE > 0);
CREATE TYPE kinds.pair AS (a integer, b text);
CREATE FUNCTION kinds.twice(integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT $1 * 2';
CREATE TABLE public.customers (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL COLLATE "C",
    mood kinds.mood DEFAULT 'ok',
    score kinds.positive DEFAULT kinds.twice(2),
    pair kinds.pair,
    double_id integer GENERATED ALWAYS AS (id * 2) STORED,
    CHECK (length(name) < 50),
    UNIQUE (name)
);
COMMENT ON TABLE public.customers IS 'who buys';
COMMENT ON COLUMN public.customers.name IS 'full name';
CREATE TABLE public.orders (id serial PRIMARY KEY, customer integer REFERENCES public.customers,
                            total numeric(10, 2));
CREATE INDEX orders_customer ON public.orders (customer);
INSERT INTO public.customers (name, mood, score, pair)
    SELECT 'customer ' || g, (ARRAY['sad', 'ok', 'happy'])[1 + g % 3]::kinds.mood, g,
           format('(%s,p%s)', g, g)::kinds.pair
      FROM generate_series(1, 40) g;
INSERT INTO public.orders (customer, total) SELECT 1 + g % 40, g / 10.0 FROM generate_series(1, 100) g;
\c clone_seed_half
-- Has customers (the same definition), lacks orders and the types.
CREATE TABLE public.customers (id integer PRIMARY KEY, name text, mood text, score integer, pair text);
INSERT INTO public.customers (id, name) VALUES (-1, 'stale');
\c contrib_regression

-- One catalog digest per database: tables, columns, defaults, constraints, indexes, comments, types.
\set digest 'SELECT md5(string_agg(x, E''\n'' ORDER BY x)) FROM (SELECT format(''%s %s %s'', c.oid::regclass, c.relkind, c.relpersistence) FROM pg_class c WHERE c.relnamespace::regnamespace::text IN (''public'', ''kinds'') UNION ALL SELECT format(''%s.%s %s %s %s %s %s %s'', a.attrelid::regclass, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity, a.attgenerated, pg_get_expr(d.adbin, d.adrelid), a.attcollation::regcollation) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid AND c.relnamespace::regnamespace::text IN (''public'', ''kinds'') AND c.relkind IN (''r'', ''p'', ''c'') LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum WHERE a.attnum > 0 AND NOT a.attisdropped UNION ALL SELECT format(''%s %s %s'', conrelid::regclass, conname, pg_get_constraintdef(oid)) FROM pg_constraint WHERE connamespace::regnamespace::text IN (''public'', ''kinds'') UNION ALL SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid::regclass::text NOT LIKE ''pg\_%'' AND indrelid > 16384 UNION ALL SELECT format(''%s %s'', objoid::regclass, description) FROM pg_description WHERE classoid = ''pg_class''::regclass AND objoid > 16384 UNION ALL SELECT format(''%s %s'', enumtypid::regtype, enumlabel) FROM pg_enum UNION ALL SELECT format(''%s %s'', t.oid::regtype, t.typtype) FROM pg_type t WHERE t.typnamespace::regnamespace::text = ''kinds'') s(x)'
\c clone_seed_src
SELECT (:digest) AS source_digest \gset
\c contrib_regression

-- Into an empty database: everything created, in one clone.
SELECT bucardo.clone(tables => '*', dbs => 'seed_src:source, seed_empty:target', schema => 'create',
                     streams => 2) AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, error FROM bucardo.clone WHERE id = :id;
SELECT table_name, db, rows FROM bucardo.clone_table WHERE clone_id = :id ORDER BY table_name;
\c clone_seed_empty
SELECT (:digest) = :'source_digest' AS same_definitions;
SELECT count(*), count(DISTINCT mood), sum(score), sum(double_id), max((pair).b) FROM public.customers;
SELECT count(*), sum(total) FROM public.orders;
-- The sequences follow: new rows do not collide.
INSERT INTO public.customers (name) VALUES ('new') RETURNING id;
INSERT INTO public.orders (customer, total) VALUES (41, 1) RETURNING id;
\c contrib_regression

-- Two targets: one has customers (kept, checked, emptied and filled), one lacks orders. Without
-- schema => 'create', a missing table fails the clone before anything is touched.
SELECT bucardo.clone(tables => 'customers, orders', dbs => 'seed_src:source, seed_half:target') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
SELECT bucardo.clone(tables => 'customers, orders', dbs => 'seed_src:source, seed_half:target',
                     schema => 'create') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, error FROM bucardo.clone WHERE id = :id;
\c clone_seed_half
SELECT count(*), min(id), max(id) FROM public.customers;
SELECT count(*), sum(total) FROM public.orders;
-- The foreign key to customers, which existed there, was created too.
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'public.orders'::regclass AND contype <> 'n' ORDER BY 1;
\c contrib_regression

-- target_names into existing tables: rows go to archive.customers_old; the summary keeps the source name.
\c clone_seed_half
CREATE SCHEMA archive;
CREATE TABLE archive.customers_old (id integer, name text, mood text, score integer, pair text);
\c contrib_regression
SELECT bucardo.clone(tables => 'customers', dbs => 'seed_src:source, seed_half:target',
                     target_names => '{"customers": "archive.customers_old"}') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, error FROM bucardo.clone WHERE id = :id;
SELECT table_name, rows FROM bucardo.clone_table WHERE clone_id = :id;
\c clone_seed_half
SELECT count(*) FROM archive.customers_old;
\c contrib_regression

-- target_names with schema => 'create': created under the source's name, then moved and renamed.
SELECT bucardo.clone(tables => '*', dbs => 'seed_src:source, seed_half:target', schema => 'create',
                     target_names => '{"public.orders": "archive.orders_2025"}') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
\c clone_seed_half
DROP TABLE public.orders;
\c contrib_regression
SELECT bucardo.clone(tables => 'public.*', dbs => 'seed_src:source, seed_half:target', schema => 'create',
                     target_names => '{"public.orders": "archive.orders_2025"}') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, error FROM bucardo.clone WHERE id = :id;
\c clone_seed_half
SELECT count(*), sum(total) FROM archive.orders_2025;
SELECT to_regclass('public.orders') AS no_public_orders;
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'archive.orders_2025'::regclass AND contype <> 'n' ORDER BY 1;
\c contrib_regression

-- A key of target_names that names no cloned table fails the clone before anything is touched.
SELECT bucardo.clone(tables => '*', dbs => 'seed_src:source, seed_half:target',
                     target_names => '{"public.nosuch": "x"}') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;

-- A failure after the tables were created (a type the target has, whose check rejects the rows) leaves
-- the target as it was: nothing created.
CREATE DATABASE clone_seed_strict;
SELECT bucardo.add_db('seed_strict', 'dbname=clone_seed_strict');
\c clone_seed_strict
CREATE SCHEMA kinds;
CREATE DOMAIN kinds.positive AS integer CHECK (VALUE > 10);
\c contrib_regression
SELECT bucardo.clone(tables => '*', dbs => 'seed_src:source, seed_strict:target', schema => 'create') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
\c clone_seed_strict
SELECT count(*) AS relations FROM pg_class WHERE relnamespace::regnamespace::text IN ('public', 'kinds');
SELECT count(*) AS types FROM pg_type WHERE typnamespace::regnamespace::text = 'kinds';
\c contrib_regression

-- A foreign key to a table the clone does not copy is left out, with its comment, and said.
\c clone_seed_src
CREATE SCHEMA extra;
CREATE TABLE extra.outside (id integer PRIMARY KEY);
CREATE TABLE extra.refs (id integer PRIMARY KEY, o integer REFERENCES extra.outside);
COMMENT ON CONSTRAINT refs_o_fkey ON extra.refs IS 'to a table not cloned';
INSERT INTO extra.outside VALUES (1);
INSERT INTO extra.refs VALUES (1, 1), (2, NULL);
\c contrib_regression
CREATE DATABASE clone_seed_keys;
SELECT bucardo.add_db('seed_keys', 'dbname=clone_seed_keys');
SELECT bucardo.clone(tables => 'extra.refs', dbs => 'seed_src:source, seed_keys:target', schema => 'create') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, error FROM bucardo.clone WHERE id = :id;
\c clone_seed_keys
SELECT conname FROM pg_constraint WHERE conrelid = 'extra.refs'::regclass AND contype <> 'n' ORDER BY 1;
SELECT count(*) FROM extra.refs;
\c contrib_regression

-- Hostile ground: a function the created tables would use, which the target has and another role
-- (not a superuser) owns, fails the clone before anything is created.
CREATE ROLE regress_seed_owner;
CREATE DATABASE clone_seed_foreign;
SELECT bucardo.add_db('seed_foreign', 'dbname=clone_seed_foreign');
\c clone_seed_foreign
CREATE SCHEMA kinds;
CREATE FUNCTION kinds.twice(integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT $1 * 3';
ALTER FUNCTION kinds.twice(integer) OWNER TO regress_seed_owner;
\c contrib_regression
SELECT bucardo.clone(tables => 'customers', dbs => 'seed_src:source, seed_foreign:target', schema => 'create') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
\c clone_seed_foreign
SELECT count(*) AS relations FROM pg_class WHERE relnamespace::regnamespace::text IN ('public', 'kinds');
\c contrib_regression
DROP DATABASE clone_seed_foreign;
DROP ROLE regress_seed_owner;
