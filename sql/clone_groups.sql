-- Seed form 3: bucardo.clone(relgroup => ..., dbgroup => ...).
\c clone_beta
TRUNCATE foo, bar;
INSERT INTO foo VALUES (-2, 'stale');
\c contrib_regression
SELECT bucardo.add_relgroup('justfoo', 'foo');
SELECT bucardo.add_dbgroup('ab', 'alpha, beta');
SELECT bucardo.clone(relgroup => 'justfoo', dbgroup => 'ab') AS id \gset
SELECT sync IS NULL AS no_sync, relgroup, dbgroup FROM bucardo.clone WHERE id = :id;
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, error FROM bucardo.clone WHERE id = :id;
\c clone_beta
SELECT count(*), min(id), max(id) FROM foo;
SELECT count(*) FROM bar;  -- not in the relgroup: untouched
\c contrib_regression
