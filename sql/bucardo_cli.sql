-- Bucardo's own command line queues a clone with a plain INSERT naming the sync, then sends
-- NOTIFY bucardo_clone_ready: pg_clone runs it like one made with bucardo.clone().
\set SHOW_CONTEXT never
\c clone_beta
TRUNCATE foo, bar;
\c contrib_regression
INSERT INTO bucardo.clone (sync) VALUES ('foobar') RETURNING relgroup, dbgroup, status;
SELECT max(id) AS id FROM bucardo.clone \gset
NOTIFY bucardo_clone_ready;
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary FROM bucardo.clone WHERE id = :id;
INSERT INTO bucardo.clone (sync) VALUES ('nosuchsync');
INSERT INTO bucardo.clone (relgroup, dbgroup) VALUES ('foobar', 'nosuchdbgroup');
