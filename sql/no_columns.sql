-- Tables with no columns to copy hold rows all the same (pg_dump copies them): CREATE TABLE t (), a
-- table whose columns were all dropped, an inheritance child that has none of its own, a table whose
-- only columns are generated. The target ends with as many rows; COPY goes without a column list.
\set VERBOSITY terse
\c clone_alpha
CREATE TABLE public.nocols ();
INSERT INTO public.nocols DEFAULT VALUES;
INSERT INTO public.nocols DEFAULT VALUES;
INSERT INTO public.nocols DEFAULT VALUES;
INSERT INTO public.nocols DEFAULT VALUES;
INSERT INTO public.nocols DEFAULT VALUES;
CREATE TABLE public.dropped (a integer, b text);
INSERT INTO public.dropped SELECT g, 'd' || g FROM generate_series(1, 3) g;
ALTER TABLE public.dropped DROP COLUMN a, DROP COLUMN b;
CREATE TABLE public.parent0 ();
CREATE TABLE public.child0 () INHERITS (public.parent0);
INSERT INTO public.parent0 DEFAULT VALUES;
INSERT INTO public.parent0 DEFAULT VALUES;
INSERT INTO public.child0 SELECT FROM generate_series(1, 4);
CREATE TABLE public.genonly (g integer GENERATED ALWAYS AS (7) STORED);
INSERT INTO public.genonly DEFAULT VALUES;
INSERT INTO public.genonly DEFAULT VALUES;
\c clone_beta
CREATE TABLE public.nocols ();
INSERT INTO public.nocols DEFAULT VALUES;  -- stale
CREATE TABLE public.dropped (x integer);
INSERT INTO public.dropped VALUES (1), (2), (3), (4), (5), (6), (7);  -- stale
ALTER TABLE public.dropped DROP COLUMN x;
CREATE TABLE public.parent0 ();
CREATE TABLE public.child0 () INHERITS (public.parent0);
INSERT INTO public.child0 DEFAULT VALUES;  -- stale
CREATE TABLE public.genonly (g integer GENERATED ALWAYS AS (8) STORED);  -- computed by the target
INSERT INTO public.genonly DEFAULT VALUES;  -- stale
\c clone_gamma
CREATE TABLE public.nocols (c integer);  -- a column the source does not have
INSERT INTO public.nocols VALUES (9);
\c contrib_regression

-- The parent's own rows only: its child is left alone.
SELECT bucardo.clone(tables => 'public.nocols, public.dropped, public.parent0, public.genonly',
                     dbs => 'alpha, beta', verify => true) AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, error FROM bucardo.clone WHERE id = :id;
SELECT table_name, rows, format, verified FROM bucardo.clone_table WHERE clone_id = :id ORDER BY table_name;
\c clone_beta
SELECT count(*) AS nocols FROM public.nocols;
SELECT count(*) AS dropped FROM public.dropped;
SELECT count(*) AS parent0_only FROM ONLY public.parent0;
SELECT count(*) AS child0 FROM public.child0;
SELECT g, count(*) FROM public.genonly GROUP BY g;
\c contrib_regression

-- The child, with no columns of its own; and a row filter on a table without columns (the source
-- reads SELECT FROM ... WHERE).
SELECT bucardo.clone(tables => 'public.nocols, public.child0', dbs => 'alpha, beta',
                     filters => '{"public.nocols": "ctid < ''(0,3)''"}') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, error FROM bucardo.clone WHERE id = :id;
SELECT table_name, rows, format FROM bucardo.clone_table WHERE clone_id = :id ORDER BY table_name;
\c clone_beta
SELECT count(*) AS nocols FROM public.nocols;
SELECT count(*) AS parent0_only FROM ONLY public.parent0;
SELECT count(*) AS child0 FROM public.child0;
\c contrib_regression

-- Both sides must have no columns to copy: a target with a column is refused before it is emptied.
SELECT bucardo.clone(tables => 'public.nocols', dbs => 'alpha, gamma') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
\c clone_gamma
SELECT * FROM public.nocols;
\c contrib_regression
