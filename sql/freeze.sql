-- A table truncated by the clone takes its rows frozen (COPY ... FREEZE): after the commit every page is
-- all-visible and all-frozen, so the copy needs no VACUUM before index-only scans or against
-- wraparound. Not where the table was emptied by DELETE, not into a partitioned table's parent, and
-- never with empty_only (nothing truncated).
\set VERBOSITY terse
\c clone_alpha
CREATE TABLE public.frozen_big (id integer PRIMARY KEY, v text);
INSERT INTO public.frozen_big SELECT g, repeat('v', 50) FROM generate_series(1, 20000) g;
CREATE TABLE public.frozen_small (id integer, v text);
INSERT INTO public.frozen_small SELECT g, 'small' FROM generate_series(1, 10) g;
CREATE TABLE public.frozen_parted (id integer, v text);
INSERT INTO public.frozen_parted SELECT g, repeat('p', 50) FROM generate_series(1, 20000) g;
\c clone_beta
CREATE EXTENSION pg_visibility;
-- Larger than pg_clone.delete_max_size (256 kB): emptied by TRUNCATE.
CREATE TABLE public.frozen_big (id integer PRIMARY KEY, v text);
INSERT INTO public.frozen_big SELECT g, repeat('o', 50) FROM generate_series(1, 20000) g;
-- Small and not empty: emptied by DELETE.
CREATE TABLE public.frozen_small (id integer, v text);
INSERT INTO public.frozen_small VALUES (-1, 'old');
CREATE TABLE public.frozen_parted (id integer, v text) PARTITION BY RANGE (id);
CREATE TABLE public.frozen_parted_1 PARTITION OF public.frozen_parted FOR VALUES FROM (MINVALUE) TO (10001);
CREATE TABLE public.frozen_parted_2 PARTITION OF public.frozen_parted FOR VALUES FROM (10001) TO (MAXVALUE);
INSERT INTO public.frozen_parted SELECT g, 'old' FROM generate_series(1, 20000) g;
\c contrib_regression

SELECT bucardo.clone(tables => 'public.frozen_big, public.frozen_small, public.frozen_parted', dbs => 'alpha, beta') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
SELECT table_name, rows, emptied FROM bucardo.clone_table WHERE clone_id = :id ORDER BY table_name;
\c clone_beta
-- Every page holding rows is all-visible and all-frozen (newer servers extend a table by several pages
-- at once: the empty ones left at its end are neither).
SELECT count(*) AS rows,
       (SELECT all_visible FROM pg_visibility_map_summary('frozen_big'))
           = count(DISTINCT (ctid::text::point)[0]) AS every_page_with_rows_all_visible,
       (SELECT all_frozen FROM pg_visibility_map_summary('frozen_big'))
           = count(DISTINCT (ctid::text::point)[0]) AS every_page_with_rows_all_frozen
  FROM frozen_big;
-- The frozen rows read by index alone, with no VACUUM first: no heap fetch.
CREATE FUNCTION pg_temp.heap_fetches() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    plan jsonb;
BEGIN
    SET LOCAL enable_seqscan = off;
    SET LOCAL enable_bitmapscan = off;
    EXECUTE 'EXPLAIN (ANALYZE, FORMAT JSON, COSTS OFF, TIMING OFF) SELECT count(id) FROM public.frozen_big WHERE id > 0'
        INTO plan;
    RETURN (plan -> 0 -> 'Plan' -> 'Plans' -> 0 ->> 'Node Type') || ', heap fetches: '
        || (plan -> 0 -> 'Plan' -> 'Plans' -> 0 ->> 'Heap Fetches');
END $$;
SELECT pg_temp.heap_fetches();
-- Emptied by DELETE, and a partitioned table's rows: not frozen.
SELECT (SELECT all_frozen FROM pg_visibility_map_summary('frozen_small')) AS small_frozen,
       (SELECT all_frozen FROM pg_visibility_map_summary('frozen_parted_1')) AS partition_frozen;
SELECT count(*) FROM frozen_small;
SELECT count(*), min(v) FROM frozen_parted;
\c contrib_regression

-- empty_only truncates nothing: nothing frozen.
\c clone_beta
TRUNCATE frozen_big;
\c contrib_regression
SELECT bucardo.clone(tables => 'public.frozen_big', dbs => 'alpha, beta', empty_only => true) AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
\c clone_beta
SELECT count(*) AS rows, (SELECT all_frozen FROM pg_visibility_map_summary('frozen_big')) AS all_frozen
  FROM frozen_big;
\c contrib_regression
