-- pg_clone 1.1 -> 1.2: two-phase commit across every target, with recovery. A clone whose targets
-- allow it prepares every target session (PREPARE TRANSACTION), records its decision here, and only
-- then commits them (COMMIT PREPARED). The global ids it prepares are recorded before the first
-- PREPARE, so that after any crash the launcher can finish the clone from the recorded decision.
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

REVOKE ALL ON bucardo.clone_transaction FROM PUBLIC;
REVOKE ALL ON bucardo.clone_in_doubt FROM PUBLIC;
REVOKE ALL ON FUNCTION bucardo.clone_cancel(bigint) FROM PUBLIC;
