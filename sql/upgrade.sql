-- An installation of 1.0 holding clones (done and queued) is updated to 1.1, then 1.2: the clones and the
-- registry stay, the queued clone still runs, and clone() takes streams.
DROP EXTENSION pg_clone;
CREATE EXTENSION pg_clone VERSION '1.0';
SELECT bucardo.add_db('alpha', 'dbname=clone_alpha'), bucardo.add_db('gamma', 'dbname=clone_gamma');
SELECT bucardo.add_relgroup('both', 'public.foo, public.bar');
SELECT bucardo.add_dbgroup('ag', 'alpha, gamma');
SELECT bucardo.add_sync('ag_both', relgroup => 'both', dbgroup => 'ag');
\c clone_gamma
TRUNCATE foo, bar;
\c contrib_regression
SELECT bucardo.clone('ag_both') AS done_id \gset
SELECT bucardo.clone_wait(:done_id, '60 s');
SELECT bucardo.clone('ag_both', start => '1 hour') AS queued_id \gset

ALTER EXTENSION pg_clone UPDATE TO '1.1';
SELECT extversion FROM pg_extension WHERE extname = 'pg_clone';
SELECT id = :done_id AS done_kept, status, summary, streams FROM bucardo.clone WHERE id = :done_id;
SELECT status, streams FROM bucardo.clone WHERE id = :queued_id;
SELECT name FROM bucardo.sync;
-- The progress view is there, empty while nothing runs.
SELECT count(*) AS running FROM bucardo.clone_progress;
-- Nothing of the schema is open to PUBLIC, the new clone() included.
SELECT count(*) AS public_functions FROM pg_proc p
 WHERE p.pronamespace = 'bucardo'::regnamespace AND has_function_privilege('public', p.oid, 'EXECUTE');

-- The queued clone, made due, runs under 1.1.
UPDATE bucardo.clone SET startwhen = now() WHERE id = :queued_id;
NOTIFY bucardo_clone_ready;
SELECT bucardo.clone_wait(:queued_id, '60 s');
SELECT status, summary FROM bucardo.clone WHERE id = :queued_id;

-- And clone() takes streams.
SELECT bucardo.clone('ag_both', streams => 2) AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, streams FROM bucardo.clone WHERE id = :id;

-- 1.1 -> 1.2 (two-phase commit) with a done and a queued clone: both stay, the new columns are
-- empty, and the queued clone runs under 1.2 with two-phase commit.
SELECT bucardo.clone('ag_both', start => '1 hour', streams => 2) AS queued_id \gset
ALTER EXTENSION pg_clone UPDATE TO '1.2';
SELECT extversion FROM pg_extension WHERE extname = 'pg_clone';
SELECT status, two_phase, decision, resolve_at, resolve_attempts FROM bucardo.clone WHERE id IN (:id, :queued_id) ORDER BY id;
SELECT count(*) AS in_doubt FROM bucardo.clone_in_doubt;
SELECT count(*) AS public_functions FROM pg_proc p
 WHERE p.pronamespace = 'bucardo'::regnamespace AND has_function_privilege('public', p.oid, 'EXECUTE');
SELECT count(*) AS public_tables FROM pg_class c
 WHERE c.relnamespace = 'bucardo'::regnamespace AND c.relkind IN ('r', 'v')
   AND has_table_privilege('public', c.oid, 'SELECT');
UPDATE bucardo.clone SET startwhen = now() WHERE id = :queued_id;
NOTIFY bucardo_clone_ready;
SELECT bucardo.clone_wait(:queued_id, '60 s');
SELECT status, two_phase, decision, summary FROM bucardo.clone WHERE id = :queued_id;
SELECT state, count(*) FROM bucardo.clone_transaction WHERE clone_id = :queued_id GROUP BY state;
SELECT bucardo.remove_sync('ag_both');
