-- empty_only: copy only into tables that are empty, never truncate; the others are skipped and
-- reported.
\c clone_beta
TRUNCATE foo, bar;
INSERT INTO foo VALUES (-5, 'keep me');
\c clone_gamma
TRUNCATE foo, bar;
\c contrib_regression
SELECT bucardo.clone('foobar', empty_only => true) AS id \gset
SELECT empty_only FROM bucardo.clone WHERE id = :id;
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, error FROM bucardo.clone WHERE id = :id;
SELECT db, table_name, rows, format, emptied, skipped FROM bucardo.clone_table WHERE clone_id = :id
 ORDER BY db, table_name;
\c clone_beta
SELECT count(*), min(id), max(id) FROM foo;  -- skipped: kept as it was
SELECT count(*) FROM bar;                    -- was empty: filled
\c clone_gamma
SELECT count(*) FROM foo;
SELECT count(*) FROM bar;
\c contrib_regression
