-- pg_clone 1.3 -> 1.4: seeding and long clones.
--   clone(..., schema => 'create')          tables missing on a target are created there (pg_dump's
--                                           definition), in the clone's own transaction
--   clone(..., target_names => jsonb)       a table written under another name on the targets
--   clone(..., commit => 'table')           each table commits on every target as soon as its copy ends
--   bucardo.clone_resume(id)                a new clone of a failed or cancelled clone's unfinished tables
-- See the head of pg_clone--1.2--1.3.sql for where a clone request is handled.
\echo Use "ALTER EXTENSION pg_clone UPDATE TO '1.4'" to load this file. \quit

-- 'existing': every table must exist on every target (as before); 'create': a table missing on a target
-- is created there with the source's definition before its rows arrive.
ALTER TABLE bucardo.clone ADD COLUMN schema text NOT NULL DEFAULT 'existing'
    CHECK (schema IN ('existing', 'create'));
-- {"public.orders": "archive.orders_2025"}: the source table (as written in the table list, or its
-- schema-qualified name) and the name it has on the targets.
ALTER TABLE bucardo.clone ADD COLUMN target_names jsonb CHECK (jsonb_typeof(target_names) = 'object');
-- 'clone': every target commits once, all tables together (as before); 'table': each table commits on
-- every target as soon as its copy ends, recorded in bucardo.clone_table.
ALTER TABLE bucardo.clone ADD COLUMN commit text NOT NULL DEFAULT 'clone' CHECK (commit IN ('clone', 'table'));
-- A clone queued by bucardo.clone_resume(): the clone it resumes. The tables that clone (or the clones it
-- resumed in turn) committed on every target are not copied again.
ALTER TABLE bucardo.clone ADD COLUMN resumes bigint REFERENCES bucardo.clone (id) ON DELETE SET NULL;
COMMENT ON COLUMN bucardo.clone.schema IS
    'existing: the tables must exist on the targets; create: missing ones are created from the source';
COMMENT ON COLUMN bucardo.clone.target_names IS
    'Source table name -> the name it is written under on the targets';
COMMENT ON COLUMN bucardo.clone.commit IS
    'clone: one commit per target for all tables; table: each table commits as soon as it is copied';
COMMENT ON COLUMN bucardo.clone.resumes IS 'The clone this one resumes (bucardo.clone_resume)';

-- Every key of target_names names one table (as written in the table list, or, where the list holds
-- patterns such as public.*, any table, checked once the worker knows the tables), every value a table
-- name; no two keys give the same name.
CREATE FUNCTION bucardo._check_target_names(relgroup text, target_names jsonb) RETURNS void
LANGUAGE plpgsql STABLE AS $$
DECLARE
    source_name text;
    target_value jsonb;
    has_patterns boolean;
    parsed integer;
BEGIN
    IF target_names IS NULL THEN
        RETURN;
    END IF;
    IF pg_catalog.jsonb_typeof(target_names) <> 'object' THEN
        RAISE EXCEPTION 'target_names must be a JSON object of source table names and target table names'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'For example ''{"public.orders": "archive.orders_2025"}''.';
    END IF;
    SELECT bool_or(m.tablename = '*') INTO has_patterns FROM bucardo.relmap m
     WHERE m.relgroup = _check_target_names.relgroup;
    FOR source_name, target_value IN SELECT t.key, t.value FROM pg_catalog.jsonb_each(target_names) t LOOP
        IF pg_catalog.jsonb_typeof(target_value) <> 'string' THEN
            RAISE EXCEPTION 'target name of table "%" must be a string holding a table name', source_name
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        SELECT count(*) INTO parsed FROM bucardo._parse_tables(target_value #>> '{}') p WHERE p.tablename <> '*';
        IF parsed <> 1 THEN
            RAISE EXCEPTION 'invalid target name "%" for table "%": name one table', target_value #>> '{}',
                source_name USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF coalesce(has_patterns, false) THEN
            SELECT count(*) INTO parsed FROM bucardo._parse_tables(source_name) p WHERE p.tablename <> '*';
            IF parsed <> 1 THEN
                RAISE EXCEPTION 'invalid table name "%": name one table', source_name
                    USING ERRCODE = 'invalid_parameter_value';
            END IF;
        ELSE
            PERFORM bucardo._relmap_position(relgroup, source_name);
        END IF;
    END LOOP;
    SELECT t.value #>> '{}' INTO source_name FROM pg_catalog.jsonb_each(target_names) t
     GROUP BY t.value #>> '{}' HAVING count(*) > 1 LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'target_names gives the name "%" to more than one table', source_name
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
END $$;

CREATE OR REPLACE FUNCTION bucardo._check_group_options(relgroup text, dbgroup text, options jsonb) RETURNS void
LANGUAGE plpgsql STABLE AS $$
BEGIN
    PERFORM bucardo._check_filters(relgroup, options -> 'filters');
    PERFORM bucardo._check_target_names(relgroup, options -> 'target_names');
END $$;

DROP FUNCTION bucardo.clone(text, text, text, text, text, text, boolean, integer, boolean, boolean, jsonb,
                            boolean, text, integer, text);
CREATE FUNCTION bucardo.clone(sync text DEFAULT NULL, relgroup text DEFAULT NULL,
                              dbgroup text DEFAULT NULL, tables text DEFAULT NULL,
                              dbs text DEFAULT NULL, start text DEFAULT NULL,
                              empty_only boolean DEFAULT false, streams integer DEFAULT NULL,
                              sequences boolean DEFAULT true, "analyze" boolean DEFAULT true,
                              filters jsonb DEFAULT NULL, verify boolean DEFAULT false,
                              empty text DEFAULT 'truncate', retries integer DEFAULT 0,
                              max_rate text DEFAULT NULL, schema text DEFAULT 'existing',
                              target_names jsonb DEFAULT NULL, commit text DEFAULT 'clone')
RETURNS bigint LANGUAGE sql
RETURN bucardo._queue_clone(sync, relgroup, dbgroup, tables, dbs, start,
    jsonb_build_object('empty_only', empty_only, 'streams', streams, 'sequences', sequences,
                       'analyze', "analyze", 'verify', verify, 'empty', empty, 'retries', retries,
                       'max_rate', max_rate, 'schema', schema, 'commit', commit)
    -- A jsonb argument only when given: JSON null is then its value ('null'::jsonb), refused.
    || CASE WHEN filters IS NOT NULL THEN jsonb_build_object('filters', filters) ELSE '{}' END
    || CASE WHEN target_names IS NOT NULL THEN jsonb_build_object('target_names', target_names) ELSE '{}' END);
REVOKE ALL ON FUNCTION bucardo.clone(text, text, text, text, text, text, boolean, integer, boolean, boolean,
                                     jsonb, boolean, text, integer, text, text, jsonb, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION bucardo.clone(text, text, text, text, text, text, boolean, integer, boolean,
                                        boolean, jsonb, boolean, text, integer, text, text, jsonb, text)
    TO pgclone_user;

-- Queues a new clone of a failed or cancelled clone: the same tables, databases and options, starting
-- now; the tables it (or the clones it resumed) committed on every target are left out by the worker,
-- and what is copied comes from a new snapshot. Returns the new clone's id. Runs as its caller: users
-- resume only their own clones, with the grants they hold now.
CREATE FUNCTION bucardo.clone_resume(id bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    old bucardo.clone;
    clone_id bigint;
BEGIN
    SELECT * INTO old FROM bucardo.clone c WHERE c.id = clone_resume.id FOR SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'clone % does not exist', id USING ERRCODE = 'undefined_object';
    END IF;
    IF old.status NOT IN ('failed', 'cancelled') THEN
        RAISE EXCEPTION 'clone % is %: only a failed or cancelled clone can be resumed', id, old.status
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    INSERT INTO bucardo.clone (sync, relgroup, dbgroup, empty_only, streams, sequences, "analyze", filters,
                               verify, empty, retries, max_rate, schema, target_names, commit, resumes)
    VALUES (old.sync, old.relgroup, old.dbgroup, old.empty_only, old.streams, old.sequences, old."analyze",
            old.filters, old.verify, old.empty, old.retries, old.max_rate, old.schema, old.target_names,
            old.commit, old.id)
    RETURNING bucardo.clone.id INTO clone_id;
    PERFORM pg_notify('bucardo_clone_ready', clone_id::text);
    RETURN clone_id;
END $$;

REVOKE ALL ON FUNCTION bucardo._check_target_names(text, jsonb), bucardo.clone_resume(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION bucardo._check_target_names(text, jsonb), bucardo.clone_resume(bigint)
    TO pgclone_user;

-- commit => 'table': a running clone can be cancelled between and during its tables' commit rounds (each
-- has its own recorded decision, which the worker or the recovery carries out); only a clone-mode clone's
-- commit round, once its ids are recorded, cannot be. As in 1.2, otherwise.
CREATE OR REPLACE FUNCTION bucardo.clone_cancel(id bigint) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    current text;
    pid integer;
    committing boolean;
BEGIN
    SELECT c.status, c.worker_pid, c.decision IS NOT NULL OR c.resolve_at IS NOT NULL
                                   OR (c.commit = 'clone' AND EXISTS (SELECT 1 FROM bucardo.clone_transaction t
                                                                       WHERE t.clone_id = c.id))
      INTO current, pid, committing
      FROM bucardo.clone c WHERE c.id = clone_cancel.id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'clone % does not exist', id USING ERRCODE = 'undefined_object';
    END IF;
    IF current = 'queued' THEN
        UPDATE bucardo.clone c SET status = 'cancelled', ended = now(), cancel_requested = true,
               error = 'cancelled by bucardo.clone_cancel() before it started'
         WHERE c.id = clone_cancel.id;
        RETURN true;
    ELSIF current = 'running' AND committing THEN
        RAISE NOTICE 'clone % is in its commit round and can no longer be cancelled', id
            USING HINT = 'See bucardo.clone_in_doubt.';
        RETURN false;
    ELSIF current = 'running' THEN
        UPDATE bucardo.clone c SET cancel_requested = true WHERE c.id = clone_cancel.id;
        -- The worker rolls back every target (commit => 'table': every table not yet committed) and
        -- records 'cancelled'.
        IF pid IS NOT NULL THEN
            PERFORM pg_cancel_backend(pid);
        END IF;
        RETURN true;
    END IF;
    RETURN false;
END $$;
