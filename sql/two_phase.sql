-- Two-phase commit (pg_clone.two_phase, default auto): a clone whose targets have free prepared-
-- transaction slots prepares every writing session, records its decision, then commits them all.
\set VERBOSITY terse
SELECT current_setting('pg_clone.two_phase') AS two_phase;

-- Two targets, two streams: four writing sessions, all prepared and then committed.
SELECT bucardo.clone(tables => 'foo, bar', dbs => 'alpha:source, beta:target, gamma:target', streams => 2) AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, two_phase, decision, resolve_at, error FROM bucardo.clone WHERE id = :id;
SELECT db, state, gid ~ ('^pg_clone_' || :id || '_[0-3]_[0-9]+_[0-9]+$') AS gid_names_clone
  FROM bucardo.clone_transaction WHERE clone_id = :id ORDER BY gid;
SELECT count(*) AS in_doubt FROM bucardo.clone_in_doubt;
SELECT count(*) AS prepared_left FROM pg_prepared_xacts;
SELECT db, table_name, rows FROM bucardo.clone_table WHERE clone_id = :id ORDER BY db, table_name;

-- A PREPARE that fails (the global id of gamma's first session is taken) rolls back the sessions
-- already prepared on beta: the clone fails and no target changes.
SELECT 'pg_clone_' || (SELECT last_value + 1 FROM bucardo.clone_id_seq) || '_2_' || s.system_identifier || '_' || d.oid
       AS taken_gid
  FROM pg_control_system() s, pg_database d WHERE d.datname = current_database() \gset
\c clone_beta
INSERT INTO bar VALUES (-7, 'marker');
\c clone_gamma
INSERT INTO bar VALUES (-7, 'marker');
BEGIN;
CREATE TABLE taken (id integer);
PREPARE TRANSACTION :'taken_gid';
\c contrib_regression
SELECT bucardo.clone(tables => 'foo, bar', dbs => 'alpha:source, beta:target, gamma:target', streams => 2) AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, two_phase, decision, regexp_replace(error, 'pg_clone_[0-9_]+', 'GID') AS error
  FROM bucardo.clone WHERE id = :id;
SELECT db, state FROM bucardo.clone_transaction WHERE clone_id = :id ORDER BY gid;
SELECT gid = :'taken_gid' AS only_the_taken_one FROM pg_prepared_xacts;
\c clone_beta
SELECT count(*) AS rows, count(*) FILTER (WHERE a = -7) AS markers FROM bar;
\c clone_gamma
SELECT count(*) AS rows, count(*) FILTER (WHERE a = -7) AS markers FROM bar;
ROLLBACK PREPARED :'taken_gid';
\c contrib_regression

-- pg_clone.two_phase = off: one session after another, recorded as such.
ALTER SYSTEM SET pg_clone.two_phase = off;
SELECT pg_reload_conf();
SELECT pg_sleep(0.5);
SHOW pg_clone.two_phase;
SELECT bucardo.clone(tables => 'foo, bar', dbs => 'alpha:source, beta:target, gamma:target', streams => 2) AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, two_phase, decision, summary FROM bucardo.clone WHERE id = :id;
SELECT count(*) AS transactions FROM bucardo.clone_transaction WHERE clone_id = :id;
ALTER SYSTEM RESET pg_clone.two_phase;
SELECT pg_reload_conf();
SELECT pg_sleep(0.5);
SHOW pg_clone.two_phase;

-- A clone in its commit round can no longer be cancelled.
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, beta', start => '1 hour') AS id \gset
UPDATE bucardo.clone SET status = 'running', decision = 'commit', resolve_at = now() + interval '1 hour'
 WHERE id = :id;
SET client_min_messages = warning;
SELECT bucardo.clone_cancel(:id);
RESET client_min_messages;
UPDATE bucardo.clone SET status = 'failed', resolve_at = NULL WHERE id = :id;
