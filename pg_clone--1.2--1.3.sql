-- pg_clone 1.2 -> 1.3: clone() rebuilt on internal functions, so that the next version's script
-- changes only what changes; then (at the end) its first new argument, max_rate, with
-- bucardo.clone_set_rate() and the rates in bucardo.clone_progress.
--
-- Where a clone request is handled now:
--   bucardo.clone(...)              the arguments, their defaults, and a jsonb object of the options
--                                   (every argument but sync, relgroup, dbgroup, tables, dbs, start)
--   bucardo._queue_clone(...)       the steps below, in this order, then the INSERT and the NOTIFY
--   bucardo._check_request(...)     tables and databases from exactly one argument each
--   bucardo._check_clone_options()  every option's type, range and conflicts: C++, in the library
--                                   (src/core/clone_options.cpp), not in any script
--   bucardo._start_time(start)      as before; _queue_clone refuses a start that never comes
--   bucardo._request_groups(...)    the relgroup and dbgroup: a sync's, named ones, or inline lists
--                                   made into clone_relgroupN / clone_dbgroupN
--   bucardo._check_group_options()  the options checked against the groups (the filters' tables)
--   the INSERT                      one column per option, named by its key: a new column needs no
--                                   change of _queue_clone
--
-- A new clone() argument in the next version (say shiny boolean) is, in pg_clone--1.3--1.4.sql (as
-- max_rate is at the end of this one):
--
--   ALTER TABLE bucardo.clone ADD COLUMN shiny boolean;  -- the argument's name, and its default if any
--   DROP FUNCTION bucardo.clone(text, text, text, text, text, text, boolean, integer, boolean, boolean,
--                               jsonb, boolean, text, integer, text);
--   CREATE FUNCTION bucardo.clone(<the arguments of clone() below>, shiny boolean DEFAULT NULL)
--   RETURNS bigint LANGUAGE sql
--   RETURN bucardo._queue_clone(sync, relgroup, dbgroup, tables, dbs, start,
--       jsonb_build_object(<the options below>, 'shiny', shiny)
--       || CASE WHEN filters IS NOT NULL THEN jsonb_build_object('filters', filters) ELSE '{}' END);
--   REVOKE ALL ON FUNCTION bucardo.clone(<its 16 types>) FROM PUBLIC;
--   GRANT EXECUTE ON FUNCTION bucardo.clone(<its 16 types>) TO pgclone_user;
--
-- (a jsonb argument goes in only when it is not NULL, as filters does), and in C++ the option's check at
-- the end of check_clone_options() (src/core/clone_options.cpp, with unit tests) and the worker's reading
-- of the column (src/clone_queue.cpp, begin_clone). A check that needs the tables or databases is a function
-- called by _check_group_options, which that script replaces (CREATE OR REPLACE, a few lines). Nothing
-- else is copied. See also README.md, "Versions and upgrade scripts".
\echo Use "ALTER EXTENSION pg_clone UPDATE TO '1.3'" to load this file. \quit

-- Tables come from exactly one of sync, relgroup or tables, databases from exactly one of sync,
-- dbgroup or dbs.
CREATE FUNCTION bucardo._check_request(sync text, relgroup text, dbgroup text, tables text, dbs text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF num_nonnulls(sync, relgroup, tables) <> 1 THEN
        RAISE EXCEPTION 'give the tables to clone with exactly one of sync, relgroup or tables'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF num_nonnulls(sync, dbgroup, dbs) <> 1 THEN
        RAISE EXCEPTION 'give the databases to clone with exactly one of sync, dbgroup or dbs'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
END $$;

-- The options of a request ({"streams": 2, "empty": "delete", ...}); see src/core/clone_options.hpp.
CREATE FUNCTION bucardo._check_clone_options(options jsonb) RETURNS void
LANGUAGE c STRICT AS 'MODULE_PATHNAME', 'pg_clone_check_options';

-- The relgroup and dbgroup of a request: a sync's, or groups that exist, or lists given inline, which
-- become groups named like clone_relgroup1, as Bucardo does.
CREATE FUNCTION bucardo._request_groups(sync text, relgroup text, dbgroup text, tables text, dbs text,
                                        OUT relgroup_name text, OUT dbgroup_name text)
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM bucardo._check_request(sync, relgroup, dbgroup, tables, dbs);
    IF sync IS NOT NULL THEN
        SELECT s.relgroup, s.dbgroup INTO relgroup_name, dbgroup_name
          FROM bucardo.sync s WHERE s.name = _request_groups.sync;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'sync "%" does not exist', sync USING ERRCODE = 'undefined_object';
        END IF;
    END IF;
    IF relgroup IS NOT NULL THEN
        IF NOT EXISTS (SELECT 1 FROM bucardo.relgroup g WHERE g.name = _request_groups.relgroup) THEN
            RAISE EXCEPTION 'relgroup "%" does not exist', relgroup USING ERRCODE = 'undefined_object';
        END IF;
        relgroup_name := relgroup;
    END IF;
    IF dbgroup IS NOT NULL THEN
        IF NOT EXISTS (SELECT 1 FROM bucardo.dbgroup g WHERE g.name = _request_groups.dbgroup) THEN
            RAISE EXCEPTION 'dbgroup "%" does not exist', dbgroup USING ERRCODE = 'undefined_object';
        END IF;
        dbgroup_name := dbgroup;
    END IF;
    IF tables IS NOT NULL THEN
        LOOP
            relgroup_name := 'clone_relgroup' || nextval('bucardo.clone_relgroup_seq');
            EXIT WHEN NOT EXISTS (SELECT 1 FROM bucardo.relgroup g WHERE g.name = relgroup_name);
        END LOOP;
        PERFORM bucardo._create_relgroup(relgroup_name, tables);
    END IF;
    IF dbs IS NOT NULL THEN
        LOOP
            dbgroup_name := 'clone_dbgroup' || nextval('bucardo.clone_dbgroup_seq');
            EXIT WHEN NOT EXISTS (SELECT 1 FROM bucardo.dbgroup g WHERE g.name = dbgroup_name);
        END LOOP;
        PERFORM bucardo._create_dbgroup(dbgroup_name, dbs);
    END IF;
END $$;

-- Every filter names a table of the relgroup, as written there, with a condition.
CREATE FUNCTION bucardo._check_filters(relgroup text, filters jsonb) RETURNS void
LANGUAGE plpgsql STABLE AS $$
DECLARE
    filter_table text;
    filter_value jsonb;
BEGIN
    FOR filter_table, filter_value IN SELECT f.key, f.value FROM pg_catalog.jsonb_each(filters) f LOOP
        IF pg_catalog.jsonb_typeof(filter_value) <> 'string' OR btrim(filter_value #>> '{}') = '' THEN
            RAISE EXCEPTION 'filter of table "%" must be a non-empty string holding an SQL condition', filter_table
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        PERFORM bucardo._relmap_position(relgroup, filter_table);
    END LOOP;
END $$;

-- The options that can only be checked once the groups are known, after _check_clone_options.
CREATE FUNCTION bucardo._check_group_options(relgroup text, dbgroup text, options jsonb) RETURNS void
LANGUAGE plpgsql STABLE AS $$
BEGIN
    PERFORM bucardo._check_filters(relgroup, options -> 'filters');
END $$;

-- Queues a clone request: every check that can be made now, then one row of bucardo.clone whose
-- options (the keys of `options`) go to the columns of the same names; keys left out get the
-- columns' defaults. Returns the clone's id. Runs as its caller, as clone() always did: row-level
-- security and the grants (trigger clone_check_grants) apply to the INSERT.
CREATE FUNCTION bucardo._queue_clone(sync text, relgroup text, dbgroup text, tables text, dbs text,
                                     start text, options jsonb) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    startwhen timestamptz;
    groups record;
    missing text;
    column_list text;
    value_list text;
    clone_id bigint;
BEGIN
    options := coalesce(options, '{}');
    -- In the order clone() has always raised its errors: the arguments alone, then the groups.
    PERFORM bucardo._check_request(sync, relgroup, dbgroup, tables, dbs);
    PERFORM bucardo._check_clone_options(options);
    startwhen := bucardo._start_time(start);
    IF NOT isfinite(startwhen) THEN
        RAISE EXCEPTION 'invalid start "%": a clone starts at a finite time', start
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT * INTO groups FROM bucardo._request_groups(sync, relgroup, dbgroup, tables, dbs);
    PERFORM bucardo._check_group_options(groups.relgroup_name, groups.dbgroup_name, options);
    -- max_rate is given as text ('50MB') and stored in bytes per second.
    IF pg_catalog.jsonb_typeof(options -> 'max_rate') = 'string' THEN
        options := options || jsonb_build_object('max_rate', bucardo._rate_bytes(options ->> 'max_rate'));
    END IF;

    -- A library newer than this installation may know an option before the table has its column.
    SELECT string_agg(o.key, ', ') INTO missing
      FROM pg_catalog.jsonb_object_keys(options) o(key)
     WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
                        WHERE a.attrelid = 'bucardo.clone'::regclass AND a.attname = o.key
                          AND a.attnum > 0 AND NOT a.attisdropped);
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'bucardo.clone has no column for option %', missing
            USING ERRCODE = 'undefined_column', HINT = 'Update the extension: ALTER EXTENSION pg_clone UPDATE.';
    END IF;
    SELECT coalesce(string_agg(format(', %I', o.key), ''), ''),
           coalesce(string_agg(format(', o.%I', o.key), ''), '')
      INTO column_list, value_list
      FROM pg_catalog.jsonb_object_keys(options) o(key);
    EXECUTE format('INSERT INTO bucardo.clone (sync, relgroup, dbgroup, startwhen%s)'
                   ' SELECT $1, $2, $3, $4%s FROM pg_catalog.jsonb_populate_record(NULL::bucardo.clone, $5) o'
                   ' RETURNING id', column_list, value_list)
       INTO clone_id
      USING sync, groups.relgroup_name, groups.dbgroup_name, startwhen, options;
    -- Delivered at commit: the launcher wakes then, and never for a request that rolled back.
    PERFORM pg_notify('bucardo_clone_ready', clone_id::text);
    RETURN clone_id;
END $$;

-- The same function (its signature, defaults, privileges), now only its arguments.
CREATE OR REPLACE FUNCTION bucardo.clone(sync text DEFAULT NULL, relgroup text DEFAULT NULL,
                                         dbgroup text DEFAULT NULL, tables text DEFAULT NULL,
                                         dbs text DEFAULT NULL, start text DEFAULT NULL,
                                         empty_only boolean DEFAULT false, streams integer DEFAULT NULL,
                                         sequences boolean DEFAULT true, "analyze" boolean DEFAULT true,
                                         filters jsonb DEFAULT NULL, verify boolean DEFAULT false,
                                         empty text DEFAULT 'truncate', retries integer DEFAULT 0)
RETURNS bigint LANGUAGE sql
RETURN bucardo._queue_clone(sync, relgroup, dbgroup, tables, dbs, start,
    jsonb_build_object('empty_only', empty_only, 'streams', streams, 'sequences', sequences,
                       'analyze', "analyze", 'verify', verify, 'empty', empty, 'retries', retries)
    -- A jsonb argument only when given: JSON null is then its value ('null'::jsonb), refused.
    || CASE WHEN filters IS NOT NULL THEN jsonb_build_object('filters', filters) ELSE '{}' END);

REVOKE ALL ON FUNCTION bucardo._check_request(text, text, text, text, text),
                       bucardo._check_clone_options(jsonb),
                       bucardo._request_groups(text, text, text, text, text),
                       bucardo._check_filters(text, jsonb),
                       bucardo._check_group_options(text, text, jsonb),
                       bucardo._queue_clone(text, text, text, text, text, text, jsonb)
    FROM PUBLIC;
-- clone() runs as its caller: users run these too (bucardo.clone() keeps its grants).
GRANT EXECUTE ON FUNCTION bucardo._check_request(text, text, text, text, text),
                          bucardo._check_clone_options(jsonb),
                          bucardo._request_groups(text, text, text, text, text),
                          bucardo._check_filters(text, jsonb),
                          bucardo._check_group_options(text, text, jsonb),
                          bucardo._queue_clone(text, text, text, text, text, text, jsonb)
    TO pgclone_user;

-- clone(..., max_rate => '50MB'): the bytes per second a clone reads from its sources, across its
-- streams. Stored in bytes per second; NULL: the setting pg_clone.max_rate; 0: no limit.
ALTER TABLE bucardo.clone ADD COLUMN max_rate bigint CHECK (max_rate >= 0);
COMMENT ON COLUMN bucardo.clone.max_rate IS
    'Bytes per second read from the sources (0: no limit; NULL: pg_clone.max_rate); bucardo.clone_set_rate()';

-- '50MB' in bytes per second (PostgreSQL's memory units); refuses anything else with SQLSTATE 22023.
CREATE FUNCTION bucardo._rate_bytes(rate text) RETURNS bigint
LANGUAGE c IMMUTABLE STRICT AS 'MODULE_PATHNAME', 'pg_clone_rate_bytes';

DROP FUNCTION bucardo.clone(text, text, text, text, text, text, boolean, integer, boolean, boolean, jsonb,
                            boolean, text, integer);
CREATE FUNCTION bucardo.clone(sync text DEFAULT NULL, relgroup text DEFAULT NULL,
                              dbgroup text DEFAULT NULL, tables text DEFAULT NULL,
                              dbs text DEFAULT NULL, start text DEFAULT NULL,
                              empty_only boolean DEFAULT false, streams integer DEFAULT NULL,
                              sequences boolean DEFAULT true, "analyze" boolean DEFAULT true,
                              filters jsonb DEFAULT NULL, verify boolean DEFAULT false,
                              empty text DEFAULT 'truncate', retries integer DEFAULT 0,
                              max_rate text DEFAULT NULL)
RETURNS bigint LANGUAGE sql
RETURN bucardo._queue_clone(sync, relgroup, dbgroup, tables, dbs, start,
    jsonb_build_object('empty_only', empty_only, 'streams', streams, 'sequences', sequences,
                       'analyze', "analyze", 'verify', verify, 'empty', empty, 'retries', retries,
                       'max_rate', max_rate)
    -- A jsonb argument only when given: JSON null is then its value ('null'::jsonb), refused.
    || CASE WHEN filters IS NOT NULL THEN jsonb_build_object('filters', filters) ELSE '{}' END);
REVOKE ALL ON FUNCTION bucardo.clone(text, text, text, text, text, text, boolean, integer, boolean, boolean,
                                     jsonb, boolean, text, integer, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION bucardo.clone(text, text, text, text, text, text, boolean, integer, boolean,
                                        boolean, jsonb, boolean, text, integer, text) TO pgclone_user;

-- Changes the rate of a queued or running clone (a running one within about a second): NULL or '0' for
-- no limit. Returns the rate in bytes per second. Runs as its caller: row-level security shows users
-- only their own clones.
CREATE FUNCTION bucardo.clone_set_rate(id bigint, rate text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    bytes bigint := coalesce(bucardo._rate_bytes(rate), 0);
    current text;
BEGIN
    SELECT c.status INTO current FROM bucardo.clone c WHERE c.id = clone_set_rate.id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'clone % does not exist', id USING ERRCODE = 'undefined_object';
    END IF;
    IF current NOT IN ('queued', 'running') THEN
        RAISE EXCEPTION 'clone % has ended (%): its rate can no longer change', id, current
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    UPDATE bucardo.clone c SET max_rate = bytes WHERE c.id = clone_set_rate.id;
    RETURN bytes;
END $$;
REVOKE ALL ON FUNCTION bucardo._rate_bytes(text), bucardo.clone_set_rate(bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION bucardo._rate_bytes(text), bucardo.clone_set_rate(bigint, text) TO pgclone_user;

-- The rates: max_rate, the rate asked (bytes per second, the clone's or pg_clone.max_rate's; NULL: no
-- limit), and bytes_per_second, the rate achieved (per table from its first COPY; in the total row,
-- the bytes read from the sources since the clone started). Columns can only be appended.
CREATE OR REPLACE VIEW bucardo.clone_progress WITH (security_invoker = true) AS
WITH p AS (SELECT * FROM bucardo._clone_progress() WHERE clone_id IN (SELECT c.id FROM bucardo.clone c)),
tables AS (
    SELECT p.clone_id, p.source, p.target, p.table_name, p.phase, p.rows_copied, p.bytes_copied,
           p.estimated_rows, p.estimated_bytes,
           CASE WHEN p.phase = 'done' THEN 100.0
                WHEN p.estimated_rows > 0 THEN least(99.9, round(100.0 * p.rows_copied / p.estimated_rows, 1))
           END AS percent,
           CASE WHEN p.copy_started IS NOT NULL AND p.updated > p.copy_started
                THEN round(p.rows_copied / extract(epoch FROM p.updated - p.copy_started))::bigint
           END AS rows_per_second,
           now() - p.clone_started AS elapsed,
           CASE WHEN p.copy_started IS NOT NULL AND p.updated > p.copy_started
                THEN round(p.bytes_copied / extract(epoch FROM p.updated - p.copy_started))::bigint
           END AS bytes_per_second,
           (SELECT nullif(coalesce(c.max_rate, pg_catalog.pg_size_bytes(
                                                   pg_catalog.current_setting('pg_clone.max_rate', true))),
                          0)
              FROM bucardo.clone c WHERE c.id = p.clone_id) AS max_rate
      FROM p
),
-- Each table's bytes read from its source, once (they go to every target).
read AS (
    SELECT t.clone_id, t.source, t.table_name, max(t.bytes_copied) AS bytes
      FROM tables t GROUP BY t.clone_id, t.source, t.table_name
)
SELECT t.clone_id, t.source, t.target, t.table_name, t.phase, t.rows_copied, t.bytes_copied,
       t.estimated_rows, t.estimated_bytes, t.percent, t.rows_per_second, t.elapsed,
       CASE WHEN t.phase = 'done' THEN interval '0'
            WHEN t.rows_per_second > 0 AND t.estimated_rows > t.rows_copied
            THEN make_interval(secs => (t.estimated_rows - t.rows_copied)::double precision / t.rows_per_second)
       END AS time_left,
       t.max_rate, t.bytes_per_second
  FROM tables t
UNION ALL
SELECT t.clone_id, NULL, NULL, NULL, 'total', sum(t.rows_copied)::bigint, sum(t.bytes_copied)::bigint,
       sum(t.estimated_rows)::bigint, sum(t.estimated_bytes)::bigint,
       CASE WHEN sum(t.estimated_rows) > 0
            THEN least(100.0, round(100.0 * sum(t.rows_copied) / sum(t.estimated_rows), 1)) END,
       sum(t.rows_per_second)::bigint, max(t.elapsed), NULL,
       max(t.max_rate),
       CASE WHEN extract(epoch FROM max(t.elapsed)) > 0
            THEN round((SELECT sum(r.bytes) FROM read r WHERE r.clone_id = t.clone_id)
                       / extract(epoch FROM max(t.elapsed)))::bigint
       END
  FROM tables t GROUP BY t.clone_id;
