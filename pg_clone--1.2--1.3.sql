-- pg_clone 1.2 -> 1.3: clone() rebuilt on internal functions, so that the next version's script
-- changes only what changes. Nothing a user sees changes: same signature, defaults, privileges,
-- checks, messages and SQLSTATEs, same rows in bucardo.clone.
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
-- A new clone() argument in the next version (say max_rate text) is, in pg_clone--1.3--1.4.sql:
--
--   ALTER TABLE bucardo.clone ADD COLUMN max_rate text;  -- the argument's name, and its default if any
--   DROP FUNCTION bucardo.clone(text, text, text, text, text, text, boolean, integer, boolean, boolean,
--                               jsonb, boolean, text, integer);
--   CREATE FUNCTION bucardo.clone(<the arguments of clone() below>, max_rate text DEFAULT NULL)
--   RETURNS bigint LANGUAGE sql
--   RETURN bucardo._queue_clone(sync, relgroup, dbgroup, tables, dbs, start,
--       jsonb_build_object(<the options below>, 'max_rate', max_rate)
--       || CASE WHEN filters IS NOT NULL THEN jsonb_build_object('filters', filters) ELSE '{}' END);
--   REVOKE ALL ON FUNCTION bucardo.clone(<its 15 types>) FROM PUBLIC;
--   GRANT EXECUTE ON FUNCTION bucardo.clone(<its 15 types>) TO pgclone_user;
--
-- (a jsonb argument goes in only when it is not NULL, as filters does), and in C++ the option's check at
-- the end of check_clone_options() (src/core/clone_options.cpp, with unit tests) and the worker's reading
-- of the column (src/catalog.cpp, begin_clone). A check that needs the tables or databases is a function
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
