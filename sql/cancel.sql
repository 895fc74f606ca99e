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
