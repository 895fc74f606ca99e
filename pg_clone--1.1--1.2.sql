-- pg_clone 1.1 -> 1.2: two-phase commit across every target, with recovery. A clone whose targets
-- allow it prepares every target session (PREPARE TRANSACTION), records its decision here, and only
-- then commits them (COMMIT PREPARED). The global ids it prepares are recorded before the first
-- PREPARE, so that after any crash the launcher can finish the clone from the recorded decision.
-- Also: clone(..., sequences, "analyze", filters, verify, empty, retries), bucardo.set_filter(), and the
-- table bucardo.clone_attempt.
\echo Use "ALTER EXTENSION pg_clone UPDATE TO '1.2'" to load this file. \quit

ALTER TABLE bucardo.clone
    ADD COLUMN two_phase boolean,
    ADD COLUMN decision text CHECK (decision IN ('commit', 'rollback')),
    ADD COLUMN resolve_at timestamptz,
    ADD COLUMN resolve_attempts integer NOT NULL DEFAULT 0,
    ADD COLUMN resolve_started timestamptz,
    ADD COLUMN resolve_error text;
COMMENT ON COLUMN bucardo.clone.two_phase IS
    'true: committed with two-phase commit; false: one session after another; NULL: not yet at its commit';
COMMENT ON COLUMN bucardo.clone.decision IS
    'The commit round''s decision, recorded before any target commits: commit or rollback';
COMMENT ON COLUMN bucardo.clone.resolve_at IS
    'Set while prepared transactions of the clone wait for the launcher''s next attempt to resolve them';
COMMENT ON COLUMN bucardo.clone.resolve_error IS 'Why the last attempt to resolve them did not finish';

-- One row per prepared transaction of a clone, written before it is prepared.
CREATE TABLE bucardo.clone_transaction (
    gid      text PRIMARY KEY,
    clone_id bigint NOT NULL REFERENCES bucardo.clone (id) ON DELETE CASCADE,
    db       text NOT NULL,
    state    text NOT NULL DEFAULT 'preparing'
             CHECK (state IN ('preparing', 'prepared', 'committed', 'rolled back'))
);
CREATE INDEX clone_transaction_clone_idx ON bucardo.clone_transaction (clone_id);
COMMENT ON TABLE bucardo.clone_transaction IS
    'The prepared transactions (PREPARE TRANSACTION) of each clone that used two-phase commit';

-- What is still to be resolved, and what will be done with it.
CREATE VIEW bucardo.clone_in_doubt AS
SELECT t.clone_id, t.db, t.gid, t.state, c.decision, c.resolve_at, c.resolve_attempts, c.resolve_error
  FROM bucardo.clone_transaction t
  JOIN bucardo.clone c ON c.id = t.clone_id
 WHERE t.state IN ('preparing', 'prepared')
   AND c.status = 'running';
COMMENT ON VIEW bucardo.clone_in_doubt IS
    'Prepared transactions of running clones not yet committed or rolled back on their database';

-- A clone in its commit round is no longer cancelled: its outcome is the recorded decision.
CREATE OR REPLACE FUNCTION bucardo.clone_cancel(id bigint) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    current text;
    pid integer;
    committing boolean;
BEGIN
    SELECT c.status, c.worker_pid, c.decision IS NOT NULL OR c.resolve_at IS NOT NULL
                                   OR EXISTS (SELECT 1 FROM bucardo.clone_transaction t WHERE t.clone_id = c.id)
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
        -- The worker rolls back every target and records 'cancelled'.
        IF pid IS NOT NULL THEN
            PERFORM pg_cancel_backend(pid);
        END IF;
        RETURN true;
    END IF;
    RETURN false;
END $$;


-- Automatic retry, when asked: clone(..., retries => N) runs a clone again from the start after a failure
-- worth retrying (connection lost, server shutting down, serialization failure, deadlock). Each failed
-- attempt is recorded.
ALTER TABLE bucardo.clone ADD COLUMN retries integer NOT NULL DEFAULT 0 CHECK (retries BETWEEN 0 AND 100);
COMMENT ON COLUMN bucardo.clone.retries IS 'How many times a failure worth retrying runs the clone again';
CREATE TABLE bucardo.clone_attempt (
    clone_id bigint NOT NULL REFERENCES bucardo.clone (id) ON DELETE CASCADE,
    attempt  integer NOT NULL,
    started  timestamptz NOT NULL,
    ended    timestamptz NOT NULL,
    error    text NOT NULL,
    PRIMARY KEY (clone_id, attempt)
);
COMMENT ON TABLE bucardo.clone_attempt IS 'Failed attempts of clones asked to retry (clone(..., retries => N))';
REVOKE ALL ON bucardo.clone_attempt FROM PUBLIC;

-- Refreshing a copy people use: row filters (per clone, or stored per table in a relgroup), a verification
-- of every table before the commit, and emptying by DELETE so that readers keep the old rows until then.
ALTER TABLE bucardo.clone
    ADD COLUMN filters jsonb,
    ADD COLUMN verify boolean NOT NULL DEFAULT false,
    ADD COLUMN empty text NOT NULL DEFAULT 'truncate' CHECK (empty IN ('truncate', 'delete'));
COMMENT ON COLUMN bucardo.clone.filters IS
    'Row filters: {"table as written in the list": "SQL boolean expression run on the source"}';
COMMENT ON COLUMN bucardo.clone.verify IS 'Compare every table on every target with the source before the commit';
COMMENT ON COLUMN bucardo.clone.empty IS 'How targets are emptied: truncate, or delete (readers keep reading)';
ALTER TABLE bucardo.relmap ADD COLUMN filter text;
COMMENT ON COLUMN bucardo.relmap.filter IS 'Row filter of this table (SQL boolean expression run on the source)';
ALTER TABLE bucardo.clone_table ADD COLUMN verified boolean;
COMMENT ON COLUMN bucardo.clone_table.verified IS
    'true: rows and content checksum matched the source before the commit; NULL: not verified';

-- The relmap entry a table name means, as written in the list ("foo" and "public.foo" are two entries).
CREATE FUNCTION bucardo._relmap_position(relgroup text, table_name text) RETURNS integer
LANGUAGE plpgsql STABLE AS $$
DECLARE
    parsed record;
    found_position integer;
BEGIN
    SELECT count(*) AS n, min(p.schemaname) AS schemaname, min(p.tablename) AS tablename INTO parsed
      FROM bucardo._parse_tables(table_name) p;
    IF parsed.n <> 1 THEN
        RAISE EXCEPTION 'invalid table name "%": name one table', table_name USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT m.position INTO found_position FROM bucardo.relmap m
     WHERE m.relgroup = _relmap_position.relgroup AND m.schemaname IS NOT DISTINCT FROM parsed.schemaname
       AND m.tablename = parsed.tablename;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'table "%" is not in relgroup "%"', table_name, relgroup
            USING ERRCODE = 'undefined_object', HINT = 'Name the table as it is written in the table list.';
    END IF;
    RETURN found_position;
END $$;

-- Stores (or, with NULL, removes) the row filter of one table of a relgroup.
CREATE FUNCTION bucardo.set_filter(relgroup text, table_name text, filter text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM bucardo.relgroup g WHERE g.name = set_filter.relgroup) THEN
        RAISE EXCEPTION 'relgroup "%" does not exist', relgroup USING ERRCODE = 'undefined_object';
    END IF;
    IF filter IS NOT NULL AND btrim(filter) = '' THEN
        RAISE EXCEPTION 'filter of table "%" is empty', table_name USING ERRCODE = 'invalid_parameter_value';
    END IF;
    UPDATE bucardo.relmap m SET filter = set_filter.filter
     WHERE m.relgroup = set_filter.relgroup AND m.position = bucardo._relmap_position(set_filter.relgroup, table_name);
    RETURN table_name;
END $$;

-- A target ready to use: the sequences owned by the cloned tables (serial and identity columns) follow
-- them, sequences may be named in table lists, and every table filled is analyzed before the commit.
-- ANALYZE is a reserved word: the argument is written "analyze" => false.
ALTER TABLE bucardo.clone
    ADD COLUMN sequences boolean NOT NULL DEFAULT true,
    ADD COLUMN "analyze" boolean NOT NULL DEFAULT true;
COMMENT ON COLUMN bucardo.clone.sequences IS
    'Set the target sequences owned by the cloned tables to the source''s state';
COMMENT ON COLUMN bucardo.clone."analyze" IS 'ANALYZE every target table filled, before the commit';

DROP FUNCTION bucardo.clone(text, text, text, text, text, text, boolean, integer);
CREATE FUNCTION bucardo.clone(sync text DEFAULT NULL, relgroup text DEFAULT NULL, dbgroup text DEFAULT NULL,
                              tables text DEFAULT NULL, dbs text DEFAULT NULL, start text DEFAULT NULL,
                              empty_only boolean DEFAULT false, streams integer DEFAULT NULL,
                              sequences boolean DEFAULT true, "analyze" boolean DEFAULT true,
                              filters jsonb DEFAULT NULL, verify boolean DEFAULT false,
                              empty text DEFAULT 'truncate', retries integer DEFAULT 0)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    use_relgroup text;
    use_dbgroup text;
    startwhen timestamptz;
    clone_id bigint;
    filter_table text;
    filter_value jsonb;
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
    IF sequences IS NULL THEN
        RAISE EXCEPTION 'sequences must be true or false' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF clone."analyze" IS NULL THEN
        RAISE EXCEPTION 'analyze must be true or false' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF retries IS NULL OR retries < 0 OR retries > 100 THEN
        RAISE EXCEPTION 'retries must be between 0 and 100, not %', coalesce(retries::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF verify IS NULL THEN
        RAISE EXCEPTION 'verify must be true or false' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF empty IS NULL OR empty NOT IN ('truncate', 'delete') THEN
        RAISE EXCEPTION 'empty must be ''truncate'' or ''delete'', not %', quote_nullable(clone.empty)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF empty = 'delete' AND empty_only THEN
        RAISE EXCEPTION 'empty => ''delete'' and empty_only conflict: empty_only never empties a table'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF filters IS NOT NULL AND pg_catalog.jsonb_typeof(filters) <> 'object' THEN
        RAISE EXCEPTION 'filters must be a JSON object of table names and SQL conditions'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'For example ''{"public.orders": "created_at > now() - interval 30 days"}''.';
    END IF;
    IF streams IS NOT NULL AND (streams < 1 OR streams > 64) THEN
        RAISE EXCEPTION 'streams must be between 1 and 64, not %', streams
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Leave it out to use pg_clone.max_streams.';
    END IF;
    startwhen := bucardo._start_time(start);
    IF NOT isfinite(startwhen) THEN
        RAISE EXCEPTION 'invalid start "%": a clone starts at a finite time', start
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

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

    -- Every filter names a table of the list, as written there, with a condition.
    FOR filter_table, filter_value IN SELECT f.key, f.value FROM pg_catalog.jsonb_each(filters) f LOOP
        IF pg_catalog.jsonb_typeof(filter_value) <> 'string' OR btrim(filter_value #>> '{}') = '' THEN
            RAISE EXCEPTION 'filter of table "%" must be a non-empty string holding an SQL condition', filter_table
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        PERFORM bucardo._relmap_position(use_relgroup, filter_table);
    END LOOP;

    INSERT INTO bucardo.clone (sync, relgroup, dbgroup, empty_only, startwhen, streams, sequences, "analyze",
                               filters, verify, empty, retries)
    VALUES (clone.sync, use_relgroup, use_dbgroup, clone.empty_only, startwhen, clone.streams, clone.sequences,
            clone."analyze", clone.filters, clone.verify, clone.empty, clone.retries)
    RETURNING id INTO clone_id;
    -- Delivered at commit: the launcher wakes then, and never for a request that rolled back.
    PERFORM pg_notify('bucardo_clone_ready', clone_id::text);
    RETURN clone_id;
END $$;

REVOKE ALL ON FUNCTION bucardo.clone(text, text, text, text, text, text, boolean, integer, boolean, boolean, jsonb,
                                     boolean, text, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION bucardo._relmap_position(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION bucardo.set_filter(text, text, text) FROM PUBLIC;

-- A connection string of blanks only (tabs, newlines) is as empty as an empty one.
CREATE OR REPLACE FUNCTION bucardo.add_db(name text, conninfo text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM bucardo._check_name('database', name);
    IF conninfo IS NULL OR btrim(conninfo, E' \t\n\r\f\v') = '' THEN
        RAISE EXCEPTION 'connection string for database "%" is empty', name
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM bucardo._check_conninfo(conninfo);
    IF EXISTS (SELECT 1 FROM bucardo.db d WHERE d.name = add_db.name) THEN
        RAISE EXCEPTION 'database "%" already exists', name USING ERRCODE = 'duplicate_object';
    END IF;
    INSERT INTO bucardo.db (name, conninfo) VALUES (add_db.name, add_db.conninfo);
    RETURN name;
END $$;
REVOKE ALL ON FUNCTION bucardo.add_db(text, text) FROM PUBLIC;

REVOKE ALL ON bucardo.clone_transaction FROM PUBLIC;
REVOKE ALL ON bucardo.clone_in_doubt FROM PUBLIC;
REVOKE ALL ON FUNCTION bucardo.clone_cancel(bigint) FROM PUBLIC;

-- Roles: who may register databases, and who may clone with what they were granted. Roles belong to the
-- cluster, not to the extension: they are created once and stay when the extension is dropped.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'pgclone_admin') THEN
        CREATE ROLE pgclone_admin NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'pgclone_user') THEN
        CREATE ROLE pgclone_user NOLOGIN;
    END IF;
END $$;
GRANT pgclone_user TO pgclone_admin;

-- Which role may use which registered database, as a source or a target.
CREATE TABLE bucardo.db_grant (
    db   text NOT NULL REFERENCES bucardo.db (name) ON DELETE CASCADE,
    role name NOT NULL,
    kind text NOT NULL CHECK (kind IN ('source', 'target')),
    PRIMARY KEY (db, role, kind)
);
COMMENT ON TABLE bucardo.db_grant IS 'Databases a role may clone from (source) or into (target): bucardo.grant_db()';

CREATE FUNCTION bucardo.grant_db(db text, role name, kind text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM bucardo.db d WHERE d.name = grant_db.db) THEN
        RAISE EXCEPTION 'database "%" does not exist', db USING ERRCODE = 'undefined_object';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = grant_db.role) THEN
        RAISE EXCEPTION 'role "%" does not exist', role USING ERRCODE = 'undefined_object';
    END IF;
    IF kind IS NULL OR kind NOT IN ('source', 'target') THEN
        RAISE EXCEPTION 'kind must be ''source'' or ''target'', not %', quote_nullable(kind)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO bucardo.db_grant (db, role, kind) VALUES (grant_db.db, grant_db.role, grant_db.kind)
    ON CONFLICT DO NOTHING;
    RETURN db;
END $$;

CREATE FUNCTION bucardo.revoke_db(db text, role name, kind text DEFAULT NULL) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM bucardo.db_grant g
     WHERE g.db = revoke_db.db AND g.role = revoke_db.role AND (revoke_db.kind IS NULL OR g.kind = revoke_db.kind);
    RETURN db;
END $$;

-- Whether a role may clone with the databases of a dbgroup: superusers and administrators always;
-- others through bucardo.grant_db, for the role or one it is a member of, per database and role in
-- the group. Raises the reason otherwise. The worker asks again when the clone starts.
CREATE FUNCTION bucardo._check_clone_grants(dbgroup text, requester name) RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    missing record;
BEGIN
    IF (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = requester)
       OR pg_catalog.pg_has_role(requester, 'pgclone_admin', 'MEMBER') THEN
        RETURN;
    END IF;
    SELECT m.db, m.role INTO missing FROM bucardo.dbmap m
     WHERE m.dbgroup = _check_clone_grants.dbgroup
       AND NOT EXISTS (SELECT 1 FROM bucardo.db_grant g
                        WHERE g.db = m.db AND g.kind = m.role
                          AND pg_catalog.pg_has_role(requester, g.role, 'MEMBER'))
     ORDER BY m.position LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'role "%" may not use database "%" as a %', requester, missing.db, missing.role
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'An administrator grants it with bucardo.grant_db(' || quote_literal(missing.db) || ', '
                         || quote_literal(requester) || ', ' || quote_literal(missing.role) || ').';
    END IF;
END $$;

-- clone() checks the grants before it queues anything.
CREATE FUNCTION bucardo._clone_check_grants() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM bucardo._check_clone_grants(NEW.dbgroup, NEW.requested_by);
    RETURN NEW;
END $$;
CREATE TRIGGER clone_check_grants BEFORE INSERT ON bucardo.clone
    FOR EACH ROW EXECUTE FUNCTION bucardo._clone_check_grants();

-- A clone is its requester's: users see and cancel their own (and those of roles they are members
-- of); administrators see all. Superusers, and the workers, are not bound by these policies.
ALTER TABLE bucardo.clone ENABLE ROW LEVEL SECURITY;
CREATE POLICY clone_own ON bucardo.clone
    USING (pg_catalog.pg_has_role(requested_by, 'MEMBER') OR pg_catalog.pg_has_role('pgclone_admin', 'MEMBER'))
    WITH CHECK (requested_by = current_user OR pg_catalog.pg_has_role('pgclone_admin', 'MEMBER'));
ALTER TABLE bucardo.clone_table ENABLE ROW LEVEL SECURITY;
CREATE POLICY clone_table_own ON bucardo.clone_table
    USING (EXISTS (SELECT 1 FROM bucardo.clone c WHERE c.id = clone_id));
ALTER TABLE bucardo.clone_transaction ENABLE ROW LEVEL SECURITY;
CREATE POLICY clone_transaction_own ON bucardo.clone_transaction
    USING (EXISTS (SELECT 1 FROM bucardo.clone c WHERE c.id = clone_id));
ALTER TABLE bucardo.clone_attempt ENABLE ROW LEVEL SECURITY;
CREATE POLICY clone_attempt_own ON bucardo.clone_attempt
    USING (EXISTS (SELECT 1 FROM bucardo.clone c WHERE c.id = clone_id));
-- The progress view shows the clones its reader may see.
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

REVOKE ALL ON bucardo.db_grant FROM PUBLIC;
REVOKE ALL ON FUNCTION bucardo.grant_db(text, name, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION bucardo.revoke_db(text, name, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION bucardo._check_clone_grants(text, name) FROM PUBLIC;
REVOKE ALL ON FUNCTION bucardo._clone_check_grants() FROM PUBLIC;

-- Users: request, follow, wait for and cancel clones (their own), with the databases granted to them.
GRANT USAGE ON SCHEMA bucardo TO pgclone_user;
GRANT EXECUTE ON FUNCTION
    bucardo.clone(text, text, text, text, text, text, boolean, integer, boolean, boolean, jsonb, boolean, text, integer),
    bucardo.clone_wait(bigint, interval), bucardo.clone_cancel(bigint),
    bucardo._start_time(text), bucardo._start_kind(text), bucardo._parse_tables(text), bucardo._parse_dbs(text),
    bucardo._create_relgroup(text, text), bucardo._create_dbgroup(text, text), bucardo._check_name(text, text),
    bucardo._relmap_position(text, text), bucardo._clone_end_generation(), bucardo._clone_wait_for_end(bigint, integer),
    bucardo._clone_ended(), bucardo._clone_progress(), bucardo._check_clone_grants(text, name)
    TO pgclone_user;
GRANT SELECT, INSERT, UPDATE ON bucardo.clone TO pgclone_user;
GRANT SELECT ON bucardo.clone_table, bucardo.clone_attempt, bucardo.clone_progress, bucardo.clone_transaction
    TO pgclone_user;
GRANT SELECT ON bucardo.sync, bucardo.relgroup, bucardo.relmap, bucardo.dbgroup, bucardo.dbmap TO pgclone_user;
GRANT INSERT ON bucardo.relgroup, bucardo.relmap, bucardo.dbgroup, bucardo.dbmap TO pgclone_user;
GRANT SELECT (name) ON bucardo.db TO pgclone_user;  -- never the connection strings
GRANT USAGE ON SEQUENCE bucardo.clone_id_seq, bucardo.clone_relgroup_seq, bucardo.clone_dbgroup_seq TO pgclone_user;

-- Administrators: the registry and the grants, and every clone.
GRANT EXECUTE ON FUNCTION
    bucardo.add_db(text, text), bucardo.remove_db(text), bucardo.add_dbgroup(text, text), bucardo.remove_dbgroup(text),
    bucardo.add_relgroup(text, text), bucardo.remove_relgroup(text), bucardo.add_sync(text, text, text),
    bucardo.remove_sync(text), bucardo.set_filter(text, text, text), bucardo._check_conninfo(text),
    bucardo.grant_db(text, name, text), bucardo.revoke_db(text, name, text)
    TO pgclone_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON bucardo.db, bucardo.db_grant, bucardo.sync, bucardo.relgroup, bucardo.relmap,
    bucardo.dbgroup, bucardo.dbmap TO pgclone_admin;
GRANT SELECT ON bucardo.clone_in_doubt TO pgclone_admin;

-- User mappings (as postgres_fdw's): a role's own credentials for a registered database. A clone
-- requested by that role logs in with them (user and password replace those of the connection string).
-- Users manage their own, administrators anyone's; nobody else reads them.
CREATE TABLE bucardo.db_mapping (
    db        text NOT NULL REFERENCES bucardo.db (name) ON DELETE CASCADE,
    role      name NOT NULL,
    remote_user text NOT NULL,
    password  text,
    PRIMARY KEY (db, role)
);
COMMENT ON TABLE bucardo.db_mapping IS 'Credentials a role logs in with on a registered database: bucardo.set_mapping()';
ALTER TABLE bucardo.db_mapping ENABLE ROW LEVEL SECURITY;
CREATE POLICY db_mapping_own ON bucardo.db_mapping
    USING (role = current_user OR pg_catalog.pg_has_role('pgclone_admin', 'MEMBER'))
    WITH CHECK (role = current_user OR pg_catalog.pg_has_role('pgclone_admin', 'MEMBER'));

CREATE FUNCTION bucardo.set_mapping(db text, remote_user text, password text DEFAULT NULL,
                                    role name DEFAULT current_user) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM bucardo.db d WHERE d.name = set_mapping.db) THEN
        RAISE EXCEPTION 'database "%" does not exist', db USING ERRCODE = 'undefined_object';
    END IF;
    IF remote_user IS NULL OR btrim(remote_user) = '' THEN
        RAISE EXCEPTION 'remote_user must name a role of the remote database' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO bucardo.db_mapping (db, role, remote_user, password)
    VALUES (set_mapping.db, set_mapping.role, set_mapping.remote_user, set_mapping.password)
    ON CONFLICT ON CONSTRAINT db_mapping_pkey
    DO UPDATE SET remote_user = EXCLUDED.remote_user, password = EXCLUDED.password;
    RETURN db;
END $$;

CREATE FUNCTION bucardo.remove_mapping(db text, role name DEFAULT current_user) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM bucardo.db_mapping m WHERE m.db = remove_mapping.db AND m.role = remove_mapping.role;
    RETURN db;
END $$;

REVOKE ALL ON bucardo.db_mapping FROM PUBLIC;
REVOKE ALL ON FUNCTION bucardo.set_mapping(text, text, text, name) FROM PUBLIC;
REVOKE ALL ON FUNCTION bucardo.remove_mapping(text, name) FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON bucardo.db_mapping TO pgclone_user;
GRANT EXECUTE ON FUNCTION bucardo.set_mapping(text, text, text, name), bucardo.remove_mapping(text, name)
    TO pgclone_user;
