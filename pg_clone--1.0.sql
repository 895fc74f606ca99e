-- pg_clone 1.0: Bucardo's clone, executed by a background worker.
\echo Use "CREATE EXTENSION pg_clone" to load this file. \quit

-- The registry (Bucardo 5 vocabulary).
CREATE TABLE bucardo.db (
    name     text PRIMARY KEY,
    conninfo text NOT NULL,
    cdate    timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE bucardo.db IS 'Databases that clones read from and write to, by libpq connection string';

CREATE TABLE bucardo.dbgroup (
    name  text PRIMARY KEY,
    cdate timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE bucardo.dbmap (
    dbgroup  text NOT NULL REFERENCES bucardo.dbgroup (name) ON DELETE CASCADE,
    position integer NOT NULL,
    db       text NOT NULL REFERENCES bucardo.db (name),
    role     text NOT NULL CHECK (role IN ('source', 'target')),
    PRIMARY KEY (dbgroup, db),
    UNIQUE (dbgroup, position)
);

CREATE TABLE bucardo.relgroup (
    name  text PRIMARY KEY,
    cdate timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE bucardo.relmap (
    relgroup   text NOT NULL REFERENCES bucardo.relgroup (name) ON DELETE CASCADE,
    position   integer NOT NULL,
    schemaname text,              -- NULL: resolved on the source by its search_path
    tablename  text NOT NULL,
    PRIMARY KEY (relgroup, position)
);

CREATE TABLE bucardo.sync (
    name     text PRIMARY KEY,
    relgroup text NOT NULL REFERENCES bucardo.relgroup (name),
    dbgroup  text NOT NULL REFERENCES bucardo.dbgroup (name),
    cdate    timestamptz NOT NULL DEFAULT now()
);

-- The queue: one row per clone request.
CREATE TABLE bucardo.clone (
    id               bigserial PRIMARY KEY,
    sync             text,
    relgroup         text NOT NULL,
    dbgroup          text NOT NULL,
    empty_only       boolean NOT NULL DEFAULT false,
    startwhen        timestamptz NOT NULL DEFAULT now(),
    status           text NOT NULL DEFAULT 'queued'
                     CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
    started          timestamptz,
    ended            timestamptz,
    summary          text,
    error            text,
    cdate            timestamptz NOT NULL DEFAULT now(),
    requested_by     name NOT NULL DEFAULT current_user,
    worker_pid       integer,
    cancel_requested boolean NOT NULL DEFAULT false
);
CREATE INDEX clone_queued_idx ON bucardo.clone (startwhen) WHERE status = 'queued';
COMMENT ON TABLE bucardo.clone IS 'Clone requests and how they ended; pg_clone''s launcher runs the queued ones';

-- Rows inserted directly (as Bucardo's own "bucardo clone" does, naming only a sync) get the sync's
-- groups; a row must name groups that exist.
CREATE FUNCTION bucardo._clone_fill_groups() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.sync IS NOT NULL AND (NEW.relgroup IS NULL OR NEW.dbgroup IS NULL) THEN
        SELECT coalesce(NEW.relgroup, s.relgroup), coalesce(NEW.dbgroup, s.dbgroup)
          INTO NEW.relgroup, NEW.dbgroup
          FROM bucardo.sync s WHERE s.name = NEW.sync;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'sync "%" does not exist', NEW.sync USING ERRCODE = 'undefined_object';
        END IF;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM bucardo.relgroup g WHERE g.name = NEW.relgroup) THEN
        RAISE EXCEPTION 'relgroup "%" does not exist', NEW.relgroup USING ERRCODE = 'undefined_object';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM bucardo.dbgroup g WHERE g.name = NEW.dbgroup) THEN
        RAISE EXCEPTION 'dbgroup "%" does not exist', NEW.dbgroup USING ERRCODE = 'undefined_object';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER clone_fill_groups BEFORE INSERT ON bucardo.clone
    FOR EACH ROW EXECUTE FUNCTION bucardo._clone_fill_groups();

-- Numbers of the groups made on the fly: clone_relgroup1, clone_relgroup2, ...; clone_dbgroup1, ...
CREATE SEQUENCE bucardo.clone_relgroup_seq;
CREATE SEQUENCE bucardo.clone_dbgroup_seq;

-- Parsers and checks written in C++ (src/core/parse.cpp).
CREATE FUNCTION bucardo._parse_tables(tables text, OUT schemaname text, OUT tablename text)
RETURNS SETOF record LANGUAGE c STRICT AS 'MODULE_PATHNAME', 'pg_clone_parse_tables';

CREATE FUNCTION bucardo._parse_dbs(dbs text, OUT db text, OUT role text)
RETURNS SETOF record LANGUAGE c STRICT AS 'MODULE_PATHNAME', 'pg_clone_parse_dbs';

CREATE FUNCTION bucardo._start_kind(start text) RETURNS text
LANGUAGE c STRICT AS 'MODULE_PATHNAME', 'pg_clone_start_kind';

CREATE FUNCTION bucardo._check_conninfo(conninfo text) RETURNS void
LANGUAGE c STRICT AS 'MODULE_PATHNAME', 'pg_clone_check_conninfo';

-- Names of dbs, groups and syncs: they appear in 'name:role' lists, so no ':' or ','.
CREATE FUNCTION bucardo._check_name(kind text, name text) RETURNS void
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF name IS NULL OR name !~ '^[A-Za-z0-9_.-]{1,63}$' THEN
        RAISE EXCEPTION 'invalid % name "%"', kind, name
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use 1 to 63 letters, digits, "_", "-" or ".".';
    END IF;
END $$;

CREATE FUNCTION bucardo.add_db(name text, conninfo text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM bucardo._check_name('database', name);
    IF conninfo IS NULL OR btrim(conninfo) = '' THEN
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

CREATE FUNCTION bucardo.remove_db(name text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    groups text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM bucardo.db d WHERE d.name = remove_db.name) THEN
        RAISE EXCEPTION 'database "%" does not exist', name USING ERRCODE = 'undefined_object';
    END IF;
    SELECT string_agg(DISTINCT m.dbgroup, ', ') INTO groups FROM bucardo.dbmap m WHERE m.db = remove_db.name;
    IF groups IS NOT NULL THEN
        RAISE EXCEPTION 'database "%" is used by dbgroup %', name, groups
            USING ERRCODE = 'dependent_objects_still_exist',
                  HINT = 'Remove those dbgroups first.';
    END IF;
    DELETE FROM bucardo.db d WHERE d.name = remove_db.name;
    RETURN name;
END $$;

-- Writes a parsed 'name:role' list as a dbgroup; every database must be registered.
CREATE FUNCTION bucardo._create_dbgroup(name text, dbs text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    entry record;
    pos integer := 0;
BEGIN
    IF dbs IS NULL OR btrim(dbs) = '' THEN
        RAISE EXCEPTION 'invalid database list: database list is empty' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO bucardo.dbgroup (name) VALUES (_create_dbgroup.name);
    FOR entry IN SELECT * FROM bucardo._parse_dbs(dbs) LOOP
        IF NOT EXISTS (SELECT 1 FROM bucardo.db d WHERE d.name = entry.db) THEN
            RAISE EXCEPTION 'database "%" does not exist', entry.db
                USING ERRCODE = 'undefined_object', HINT = 'Register it with bucardo.add_db(name, conninfo).';
        END IF;
        pos := pos + 1;
        INSERT INTO bucardo.dbmap (dbgroup, position, db, role) VALUES (_create_dbgroup.name, pos, entry.db, entry.role);
    END LOOP;
    RETURN name;
END $$;

CREATE FUNCTION bucardo.add_dbgroup(name text, dbs text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM bucardo._check_name('dbgroup', name);
    IF EXISTS (SELECT 1 FROM bucardo.dbgroup g WHERE g.name = add_dbgroup.name) THEN
        RAISE EXCEPTION 'dbgroup "%" already exists', name USING ERRCODE = 'duplicate_object';
    END IF;
    RETURN bucardo._create_dbgroup(name, dbs);
END $$;

CREATE FUNCTION bucardo.remove_dbgroup(name text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    users text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM bucardo.dbgroup g WHERE g.name = remove_dbgroup.name) THEN
        RAISE EXCEPTION 'dbgroup "%" does not exist', name USING ERRCODE = 'undefined_object';
    END IF;
    SELECT string_agg(s.name, ', ') INTO users FROM bucardo.sync s WHERE s.dbgroup = remove_dbgroup.name;
    IF users IS NOT NULL THEN
        RAISE EXCEPTION 'dbgroup "%" is used by sync %', name, users
            USING ERRCODE = 'dependent_objects_still_exist', HINT = 'Remove those syncs first.';
    END IF;
    IF EXISTS (SELECT 1 FROM bucardo.clone c WHERE c.dbgroup = remove_dbgroup.name AND c.status IN ('queued', 'running')) THEN
        RAISE EXCEPTION 'dbgroup "%" is used by a queued or running clone', name
            USING ERRCODE = 'dependent_objects_still_exist', HINT = 'Wait for it, or cancel it with bucardo.clone_cancel(id).';
    END IF;
    DELETE FROM bucardo.dbgroup g WHERE g.name = remove_dbgroup.name;
    RETURN name;
END $$;

CREATE FUNCTION bucardo._create_relgroup(name text, tables text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    IF tables IS NULL OR btrim(tables) = '' THEN
        RAISE EXCEPTION 'invalid table list: table list is empty' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO bucardo.relgroup (name) VALUES (_create_relgroup.name);
    INSERT INTO bucardo.relmap (relgroup, position, schemaname, tablename)
    SELECT _create_relgroup.name, t.ord, t.schemaname, t.tablename
      FROM bucardo._parse_tables(tables) WITH ORDINALITY AS t(schemaname, tablename, ord);
    RETURN name;
END $$;

CREATE FUNCTION bucardo.add_relgroup(name text, tables text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM bucardo._check_name('relgroup', name);
    IF EXISTS (SELECT 1 FROM bucardo.relgroup g WHERE g.name = add_relgroup.name) THEN
        RAISE EXCEPTION 'relgroup "%" already exists', name USING ERRCODE = 'duplicate_object';
    END IF;
    RETURN bucardo._create_relgroup(name, tables);
END $$;

CREATE FUNCTION bucardo.remove_relgroup(name text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    users text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM bucardo.relgroup g WHERE g.name = remove_relgroup.name) THEN
        RAISE EXCEPTION 'relgroup "%" does not exist', name USING ERRCODE = 'undefined_object';
    END IF;
    SELECT string_agg(s.name, ', ') INTO users FROM bucardo.sync s WHERE s.relgroup = remove_relgroup.name;
    IF users IS NOT NULL THEN
        RAISE EXCEPTION 'relgroup "%" is used by sync %', name, users
            USING ERRCODE = 'dependent_objects_still_exist', HINT = 'Remove those syncs first.';
    END IF;
    IF EXISTS (SELECT 1 FROM bucardo.clone c WHERE c.relgroup = remove_relgroup.name AND c.status IN ('queued', 'running')) THEN
        RAISE EXCEPTION 'relgroup "%" is used by a queued or running clone', name
            USING ERRCODE = 'dependent_objects_still_exist', HINT = 'Wait for it, or cancel it with bucardo.clone_cancel(id).';
    END IF;
    DELETE FROM bucardo.relgroup g WHERE g.name = remove_relgroup.name;
    RETURN name;
END $$;

CREATE FUNCTION bucardo.add_sync(name text, relgroup text, dbgroup text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM bucardo._check_name('sync', name);
    IF EXISTS (SELECT 1 FROM bucardo.sync s WHERE s.name = add_sync.name) THEN
        RAISE EXCEPTION 'sync "%" already exists', name USING ERRCODE = 'duplicate_object';
    END IF;
    IF relgroup IS NULL OR NOT EXISTS (SELECT 1 FROM bucardo.relgroup g WHERE g.name = add_sync.relgroup) THEN
        RAISE EXCEPTION 'relgroup "%" does not exist', relgroup USING ERRCODE = 'undefined_object';
    END IF;
    IF dbgroup IS NULL OR NOT EXISTS (SELECT 1 FROM bucardo.dbgroup g WHERE g.name = add_sync.dbgroup) THEN
        RAISE EXCEPTION 'dbgroup "%" does not exist', dbgroup USING ERRCODE = 'undefined_object';
    END IF;
    INSERT INTO bucardo.sync (name, relgroup, dbgroup) VALUES (add_sync.name, add_sync.relgroup, add_sync.dbgroup);
    RETURN name;
END $$;

CREATE FUNCTION bucardo.remove_sync(name text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM bucardo.sync s WHERE s.name = remove_sync.name) THEN
        RAISE EXCEPTION 'sync "%" does not exist', name USING ERRCODE = 'undefined_object';
    END IF;
    DELETE FROM bucardo.sync s WHERE s.name = remove_sync.name;
    RETURN name;
END $$;

-- When a clone starts: now, after an interval ('3 hours') or at a timestamp.
CREATE FUNCTION bucardo._start_time(start text) RETURNS timestamptz
LANGUAGE plpgsql STABLE AS $$
DECLARE
    kind text;
    at timestamptz;
    problem text;
BEGIN
    IF start IS NULL THEN
        RETURN now();
    END IF;
    BEGIN
        kind := bucardo._start_kind(start);
    EXCEPTION WHEN invalid_parameter_value THEN
        -- Not a shape we know; a timestamp in this session's DateStyle ('Fri Nov 27 03:00:00 2026 PST')
        -- still is one. Otherwise the parser's own message says what was expected.
        GET STACKED DIAGNOSTICS problem = MESSAGE_TEXT;
        BEGIN
            RETURN start::timestamptz;
        EXCEPTION WHEN data_exception THEN
            RAISE EXCEPTION '%', problem USING ERRCODE = 'invalid_parameter_value';
        END;
    END;
    BEGIN
        IF kind = 'interval' THEN
            at := now() + start::interval;
        ELSIF kind = 'timestamp' THEN
            at := start::timestamptz;
        ELSE
            at := now();
        END IF;
    EXCEPTION WHEN data_exception THEN
        RAISE EXCEPTION 'invalid start value "%": %', start, SQLERRM
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use an interval such as ''3 hours'' or a timestamp such as ''2026-12-01 03:00''.';
    END;
    RETURN at;
END $$;

CREATE FUNCTION bucardo.clone(sync text DEFAULT NULL, relgroup text DEFAULT NULL, dbgroup text DEFAULT NULL,
                              tables text DEFAULT NULL, dbs text DEFAULT NULL, start text DEFAULT NULL,
                              empty_only boolean DEFAULT false)
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

    INSERT INTO bucardo.clone (sync, relgroup, dbgroup, empty_only, startwhen)
    VALUES (clone.sync, use_relgroup, use_dbgroup, clone.empty_only, startwhen)
    RETURNING id INTO clone_id;
    -- Delivered at commit: the launcher wakes then, and never for a request that rolled back.
    PERFORM pg_notify('bucardo_clone_ready', clone_id::text);
    RETURN clone_id;
END $$;

CREATE FUNCTION bucardo.clone_wait(id bigint, timeout interval DEFAULT NULL) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    current text;
    deadline timestamptz := clock_timestamp() + timeout;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'bucardo.clone_wait needs READ COMMITTED isolation'
            USING ERRCODE = 'active_sql_transaction',
                  HINT = 'Under a snapshot isolation level the clone''s progress can never become visible.';
    END IF;
    LOOP
        SELECT c.status INTO current FROM bucardo.clone c WHERE c.id = clone_wait.id;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'clone % does not exist', id USING ERRCODE = 'undefined_object';
        END IF;
        EXIT WHEN current IN ('done', 'failed', 'cancelled');
        EXIT WHEN deadline IS NOT NULL AND clock_timestamp() >= deadline;
        PERFORM pg_sleep(0.05);
    END LOOP;
    RETURN current;
END $$;

CREATE FUNCTION bucardo.clone_cancel(id bigint) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    current text;
    pid integer;
BEGIN
    SELECT c.status, c.worker_pid INTO current, pid FROM bucardo.clone c WHERE c.id = clone_cancel.id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'clone % does not exist', id USING ERRCODE = 'undefined_object';
    END IF;
    IF current = 'queued' THEN
        UPDATE bucardo.clone c SET status = 'cancelled', ended = now(), cancel_requested = true,
               error = 'cancelled by bucardo.clone_cancel() before it started'
         WHERE c.id = clone_cancel.id;
        RETURN true;
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

-- Clones make the server connect with its own identity: only superusers (and those they grant) may.
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA bucardo FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA bucardo FROM PUBLIC;
