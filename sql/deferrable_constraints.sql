-- Deferrable unique, primary key and exclusion constraints hold after every clone. PostgreSQL does not
-- check them under session_replication_role = replica (their checks are triggers that fire on origin
-- only), so the clone checks them before the commit and fails, naming the table and the constraint.
\set SHOW_CONTEXT never
\c clone_alpha
CREATE TABLE public.dk (id integer, note text);
INSERT INTO public.dk SELECT g, 'alpha' FROM generate_series(1, 10) g;
CREATE TABLE public.dx (id integer, during int4range);
INSERT INTO public.dx VALUES (1, '[1,10)'), (2, '[5,15)');
CREATE TABLE public.dp (id integer, note text);
INSERT INTO public.dp VALUES (1, 'a'), (1, 'b'), (50, 'c');
\c clone_beta
CREATE TABLE dk (id integer, note text);
INSERT INTO dk SELECT g, 'beta' FROM generate_series(10, 12) g;  -- 10 is in alpha too
CREATE TABLE dx (id integer, during int4range);
CREATE TABLE dp (id integer, note text);
\c clone_gamma
CREATE TABLE dk (id integer UNIQUE DEFERRABLE INITIALLY DEFERRED, note text);
INSERT INTO dk VALUES (-1, 'stale');
CREATE TABLE dx (id integer, during int4range, EXCLUDE USING gist (during WITH &&) DEFERRABLE);
INSERT INTO dx VALUES (-1, '[100,101)');
CREATE TABLE dp (id integer PRIMARY KEY DEFERRABLE, note text) PARTITION BY RANGE (id);
CREATE TABLE dp_low PARTITION OF dp FOR VALUES FROM (MINVALUE) TO (10);
CREATE TABLE dp_high PARTITION OF dp FOR VALUES FROM (10) TO (MAXVALUE);
INSERT INTO dp VALUES (-1, 'stale');
\c contrib_regression

-- Two sources whose keys overlap, into a deferrable unique key.
SELECT bucardo.clone(tables => 'public.dk', dbs => 'alpha:source, beta:source, gamma:target') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
-- Overlapping ranges into a deferrable exclusion constraint.
SELECT bucardo.clone(tables => 'public.dx', dbs => 'alpha, gamma') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
-- A duplicate key into a partition of a partitioned table with a deferrable primary key.
SELECT bucardo.clone(tables => 'public.dp', dbs => 'alpha, gamma') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
-- Nothing changed anywhere.
\c clone_alpha
SELECT count(*) FROM public.dk;
\c clone_beta
SELECT count(*) FROM dk;
\c clone_gamma
SELECT * FROM dk;
SELECT * FROM dx;
SELECT * FROM dp;

-- Without the duplicates, the same clones are done.
\c clone_beta
DELETE FROM dk WHERE id = 10;
\c clone_alpha
UPDATE public.dx SET during = '[20,30)' WHERE id = 2;
UPDATE public.dp SET id = 2 WHERE note = 'b';
\c contrib_regression
SELECT bucardo.clone(tables => 'public.dk', dbs => 'alpha:source, beta:source, gamma:target') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, error FROM bucardo.clone WHERE id = :id;
SELECT bucardo.clone(tables => 'public.dx, public.dp', dbs => 'alpha, gamma') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, error FROM bucardo.clone WHERE id = :id;
\c clone_gamma
SELECT count(*), min(id), max(id) FROM dk;
SELECT * FROM dx ORDER BY id;
SELECT tableoid::regclass AS partition, * FROM dp ORDER BY id;
\c contrib_regression
