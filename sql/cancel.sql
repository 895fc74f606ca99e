-- clone_cancel: a queued clone is cancelled at once; a running one is rolled back on every target
-- and ends 'cancelled'.
\c clone_beta
TRUNCATE foo;
INSERT INTO foo VALUES (-10, 'locked away');
-- A prepared transaction holds a lock on foo, so the clone waits there, running.
BEGIN;
LOCK TABLE foo IN ACCESS EXCLUSIVE MODE;
PREPARE TRANSACTION 'pg_clone_hold_foo';
\c contrib_regression
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, beta') AS id \gset
SELECT bucardo.clone_wait(:id, '2 s');  -- times out: running, waiting for the lock
SELECT status, worker_pid IS NOT NULL AS has_worker FROM bucardo.clone WHERE id = :id;
-- The worker says what it is doing; its sessions name the clone, on the source and on the target.
SELECT regexp_replace(query, '^clone [0-9]+', 'clone N') AS doing FROM pg_stat_activity
 WHERE backend_type = 'pg_clone worker';
SELECT datname, application_name = 'pg_clone clone ' || :id AS names_the_clone, wait_event_type
  FROM pg_stat_activity WHERE application_name LIKE 'pg_clone clone %' ORDER BY datname;
SELECT bucardo.clone_cancel(:id);
SELECT bucardo.clone_wait(:id, '30 s');
SELECT status, summary, error FROM bucardo.clone WHERE id = :id;
\c clone_beta
ROLLBACK PREPARED 'pg_clone_hold_foo';
SELECT id, v FROM foo;
\c contrib_regression
SELECT count(*) AS workers_left FROM pg_stat_activity WHERE backend_type = 'pg_clone worker';

-- A cancel that lands after the launcher claimed the clone but before its worker recorded its pid
-- cannot signal anyone; the worker finds the request when it starts. Simulated: the flag is set on
-- a queued clone, which is then made due.
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, beta', start => '1 hour') AS id \gset
UPDATE bucardo.clone SET cancel_requested = true, startwhen = now() WHERE id = :id;
NOTIFY bucardo_clone_ready;
SELECT bucardo.clone_wait(:id, '30 s');
SELECT status, error, started IS NOT NULL AS was_started FROM bucardo.clone WHERE id = :id;
\c clone_beta
SELECT id, v FROM foo;
\c contrib_regression

-- clone_wait in the transaction that queued or changed a clone refuses at once (the worker sees the
-- clone only once that transaction commits: the wait could only end at its timeout, or never).
\set VERBOSITY default
SELECT count(*) AS queued_before FROM bucardo.clone WHERE status = 'queued' \gset
SELECT bucardo.clone_wait(bucardo.clone(tables => 'foo', dbs => 'alpha, beta'));
SELECT count(*) - :queued_before AS queued_by_the_failed_statement FROM bucardo.clone WHERE status = 'queued';
\set VERBOSITY terse
-- In a subtransaction too; once committed, the clone runs and the wait works.
BEGIN;
DO $$
DECLARE
    queued bigint;
BEGIN
    BEGIN
        queued := bucardo.clone(tables => 'foo', dbs => 'alpha, beta');
        PERFORM bucardo.clone_wait(queued, '30 s');
    EXCEPTION WHEN active_sql_transaction THEN
        RAISE NOTICE 'refused: %', regexp_replace(SQLERRM, 'clone [0-9]+', 'clone N');
    END;
END $$;
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, beta') AS id \gset
COMMIT;
SELECT bucardo.clone_wait(:id, '30 s');
-- A clone this transaction changed (its rate): refused; one it cancelled has ended: its status.
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, beta', start => '1 hour') AS id \gset
BEGIN;
SELECT bucardo.clone_set_rate(:id, '10MB');
SELECT bucardo.clone_wait(:id, '30 s') IS NULL;
ROLLBACK;
BEGIN;
SELECT bucardo.clone_cancel(:id);
SELECT bucardo.clone_wait(:id);
COMMIT;
