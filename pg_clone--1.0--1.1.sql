-- pg_clone 1.0 -> 1.1: parallel streams, and a notice when a clone ends. A clone may copy its tables
-- over several sessions per database at once, all reading one snapshot per source:
-- clone(..., streams => N), stored with the request; NULL means pg_clone.max_streams.
\echo Use "ALTER EXTENSION pg_clone UPDATE TO '1.1'" to load this file. \quit

ALTER TABLE bucardo.clone ADD COLUMN streams integer CHECK (streams BETWEEN 1 AND 64);
COMMENT ON COLUMN bucardo.clone.streams IS 'Parallel streams asked for; NULL: pg_clone.max_streams';

DROP FUNCTION bucardo.clone(text, text, text, text, text, text, boolean);
CREATE FUNCTION bucardo.clone(sync text DEFAULT NULL, relgroup text DEFAULT NULL, dbgroup text DEFAULT NULL,
                              tables text DEFAULT NULL, dbs text DEFAULT NULL, start text DEFAULT NULL,
                              empty_only boolean DEFAULT false, streams integer DEFAULT NULL)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    use_relgroup text;
    use_dbgroup text;
    startwhen timestamptz;
    clone_id bigint;
BEGIN
    IF num_nonnulls(sync, relgroup, tables) <> 1 THEN
        RAISE EXCEPTION 'give the tables to clone with exactly one of sync, relgroup or tables'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF num_nonnulls(sync, dbgroup, dbs) <> 1 THEN
        RAISE EXCEPTION 'give the databases to clone with exactly one of sync, dbgroup or dbs'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF empty_only IS NULL THEN
        RAISE EXCEPTION 'empty_only must be true or false' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF streams IS NOT NULL AND (streams < 1 OR streams > 64) THEN
        RAISE EXCEPTION 'streams must be between 1 and 64, not %', streams
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Leave it out to use pg_clone.max_streams.';
    END IF;
    startwhen := bucardo._start_time(start);

    IF sync IS NOT NULL THEN
        SELECT s.relgroup, s.dbgroup INTO use_relgroup, use_dbgroup FROM bucardo.sync s WHERE s.name = clone.sync;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'sync "%" does not exist', sync USING ERRCODE = 'undefined_object';
        END IF;
    END IF;
    IF relgroup IS NOT NULL THEN
        IF NOT EXISTS (SELECT 1 FROM bucardo.relgroup g WHERE g.name = clone.relgroup) THEN
            RAISE EXCEPTION 'relgroup "%" does not exist', relgroup USING ERRCODE = 'undefined_object';
        END IF;
        use_relgroup := relgroup;
    END IF;
    IF dbgroup IS NOT NULL THEN
        IF NOT EXISTS (SELECT 1 FROM bucardo.dbgroup g WHERE g.name = clone.dbgroup) THEN
            RAISE EXCEPTION 'dbgroup "%" does not exist', dbgroup USING ERRCODE = 'undefined_object';
        END IF;
        use_dbgroup := dbgroup;
    END IF;
    -- Lists given inline become groups named like clone_relgroup1, as Bucardo does.
    IF tables IS NOT NULL THEN
        LOOP
            use_relgroup := 'clone_relgroup' || nextval('bucardo.clone_relgroup_seq');
            EXIT WHEN NOT EXISTS (SELECT 1 FROM bucardo.relgroup g WHERE g.name = use_relgroup);
        END LOOP;
        PERFORM bucardo._create_relgroup(use_relgroup, tables);
    END IF;
    IF dbs IS NOT NULL THEN
        LOOP
            use_dbgroup := 'clone_dbgroup' || nextval('bucardo.clone_dbgroup_seq');
            EXIT WHEN NOT EXISTS (SELECT 1 FROM bucardo.dbgroup g WHERE g.name = use_dbgroup);
        END LOOP;
        PERFORM bucardo._create_dbgroup(use_dbgroup, dbs);
    END IF;

    INSERT INTO bucardo.clone (sync, relgroup, dbgroup, empty_only, startwhen, streams)
    VALUES (clone.sync, use_relgroup, use_dbgroup, clone.empty_only, startwhen, clone.streams)
    RETURNING id INTO clone_id;
    -- Delivered at commit: the launcher wakes then, and never for a request that rolled back.
    PERFORM pg_notify('bucardo_clone_ready', clone_id::text);
    RETURN clone_id;
END $$;

REVOKE ALL ON FUNCTION bucardo.clone(text, text, text, text, text, text, boolean, integer) FROM PUBLIC;

-- Every clone that ends (done, failed or cancelled, by its worker, the launcher or clone_cancel) says
-- so on channel bucardo_clone_done, when the transaction that ended it commits: a client can LISTEN
-- instead of polling. The payload is JSON: {"id": 7, "status": "done"}.
-- The same trigger wakes bucardo.clone_wait() callers when that transaction commits (a condition
-- variable in shared memory), so that they need not poll.
CREATE FUNCTION bucardo._clone_ended() RETURNS void
LANGUAGE c AS 'MODULE_PATHNAME', 'pg_clone_ended';
CREATE FUNCTION bucardo._clone_end_generation() RETURNS bigint
LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'pg_clone_end_generation';
CREATE FUNCTION bucardo._clone_wait_for_end(generation bigint, timeout_ms integer) RETURNS bigint
LANGUAGE c VOLATILE STRICT AS 'MODULE_PATHNAME', 'pg_clone_wait_for_end';

CREATE FUNCTION bucardo._clone_done_notify() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    PERFORM pg_catalog.pg_notify('bucardo_clone_done',
                                 pg_catalog.json_build_object('id', NEW.id, 'status', NEW.status)::text);
    PERFORM bucardo._clone_ended();
    RETURN NULL;
END $$;

CREATE TRIGGER clone_done_notify AFTER UPDATE OF status ON bucardo.clone
    FOR EACH ROW WHEN (NEW.status IN ('done', 'failed', 'cancelled') AND OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION bucardo._clone_done_notify();

REVOKE ALL ON FUNCTION bucardo._clone_done_notify() FROM PUBLIC;

-- Live progress: one row per running clone, table, source and target database written, from the
-- workers' shared memory (updated as each chunk of rows is sent, never per row), plus one row per
-- clone with its totals (table_name NULL). Rows are gone once the clone ends.
CREATE FUNCTION bucardo._clone_progress(
    OUT clone_id bigint, OUT source text, OUT target text, OUT table_name text, OUT phase text,
    OUT rows_copied bigint, OUT bytes_copied bigint, OUT estimated_rows bigint, OUT estimated_bytes bigint,
    OUT clone_started timestamptz, OUT copy_started timestamptz, OUT updated timestamptz)
RETURNS SETOF record LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'pg_clone_progress';

CREATE VIEW bucardo.clone_progress AS
WITH p AS (SELECT * FROM bucardo._clone_progress()),
tables AS (
    SELECT p.clone_id, p.source, p.target, p.table_name, p.phase, p.rows_copied, p.bytes_copied,
           p.estimated_rows, p.estimated_bytes,
           CASE WHEN p.phase = 'done' THEN 100.0
                WHEN p.estimated_rows > 0 THEN least(99.9, round(100.0 * p.rows_copied / p.estimated_rows, 1))
           END AS percent,
           CASE WHEN p.copy_started IS NOT NULL AND p.updated > p.copy_started
                THEN round(p.rows_copied / extract(epoch FROM p.updated - p.copy_started))::bigint
           END AS rows_per_second,
           now() - p.clone_started AS elapsed
      FROM p
)
SELECT t.*,
       CASE WHEN t.phase = 'done' THEN interval '0'
            WHEN t.rows_per_second > 0 AND t.estimated_rows > t.rows_copied
            THEN make_interval(secs => (t.estimated_rows - t.rows_copied)::double precision / t.rows_per_second)
       END AS time_left
  FROM tables t
UNION ALL
SELECT t.clone_id, NULL, NULL, NULL, 'total', sum(t.rows_copied)::bigint, sum(t.bytes_copied)::bigint,
       sum(t.estimated_rows)::bigint, sum(t.estimated_bytes)::bigint,
       CASE WHEN sum(t.estimated_rows) > 0
            THEN least(100.0, round(100.0 * sum(t.rows_copied) / sum(t.estimated_rows), 1)) END,
       sum(t.rows_per_second)::bigint, max(t.elapsed), NULL
  FROM tables t GROUP BY t.clone_id;
COMMENT ON VIEW bucardo.clone_progress IS 'Running clones: rows and bytes copied so far per table and target, and totals';

REVOKE ALL ON FUNCTION bucardo._clone_progress() FROM PUBLIC;
REVOKE ALL ON bucardo.clone_progress FROM PUBLIC;
REVOKE ALL ON FUNCTION bucardo._clone_ended() FROM PUBLIC;
REVOKE ALL ON FUNCTION bucardo._clone_end_generation() FROM PUBLIC;
REVOKE ALL ON FUNCTION bucardo._clone_wait_for_end(bigint, integer) FROM PUBLIC;

-- clone_wait sleeps until a clone ends (or a second passes, as a backstop), instead of every 50 ms.
CREATE OR REPLACE FUNCTION bucardo.clone_wait(id bigint, timeout interval DEFAULT NULL) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    current text;
    deadline timestamptz := clock_timestamp() + timeout;
    generation bigint;
    left_ms integer;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'bucardo.clone_wait needs READ COMMITTED isolation'
            USING ERRCODE = 'active_sql_transaction',
                  HINT = 'Under a snapshot isolation level the clone''s progress can never become visible.';
    END IF;
    LOOP
        -- Read before the status: a clone that ends after the read wakes the sleep below.
        generation := bucardo._clone_end_generation();
        SELECT c.status INTO current FROM bucardo.clone c WHERE c.id = clone_wait.id;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'clone % does not exist', id USING ERRCODE = 'undefined_object';
        END IF;
        EXIT WHEN current IN ('done', 'failed', 'cancelled');
        left_ms := 1000;
        IF deadline IS NOT NULL THEN
            EXIT WHEN clock_timestamp() >= deadline;
            left_ms := least(left_ms, ceil(extract(epoch FROM deadline - clock_timestamp()) * 1000)::integer);
        END IF;
        PERFORM bucardo._clone_wait_for_end(generation, greatest(left_ms, 1));
    END LOOP;
    RETURN current;
END $$;
REVOKE ALL ON FUNCTION bucardo.clone_wait(bigint, interval) FROM PUBLIC;

-- Per-table results of every clone that is done: one row per database written and table.
CREATE TABLE bucardo.clone_table (
    clone_id   bigint NOT NULL REFERENCES bucardo.clone (id) ON DELETE CASCADE,
    db         text NOT NULL,
    table_name text NOT NULL,
    rows       bigint NOT NULL,
    bytes      bigint NOT NULL,       -- COPY data sent
    seconds    numeric NOT NULL,      -- from its first COPY to the target's answer
    format     text CHECK (format IN ('binary', 'text')),  -- NULL: nothing was copied
    emptied    text NOT NULL CHECK (emptied IN ('truncate', 'delete', 'none')),
    skipped    boolean NOT NULL,      -- empty_only: the table was not empty
    PRIMARY KEY (clone_id, db, table_name)
);
COMMENT ON TABLE bucardo.clone_table IS 'What each clone that is done wrote, per database and table';
REVOKE ALL ON bucardo.clone_table FROM PUBLIC;
