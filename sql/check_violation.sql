-- A row rejected halfway through a COPY (a CHECK constraint on one target): the clone fails, and
-- every table of every target is left as it was, including tables already copied.
\c clone_beta
TRUNCATE foo, bar;
INSERT INTO foo VALUES (-8, 'before'); INSERT INTO bar VALUES (-8, 'before');
ALTER TABLE foo ADD CONSTRAINT foo_not_500 CHECK (id <> 500);
\c clone_gamma
TRUNCATE foo, bar;
INSERT INTO foo VALUES ('before', -8); INSERT INTO bar VALUES (-8, 'before');
\c contrib_regression

-- bar is copied first and succeeds everywhere; foo then fails on beta at row 500.
SELECT bucardo.clone(tables => 'bar, foo', dbs => 'alpha, beta, gamma') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, error FROM bucardo.clone WHERE id = :id;
\c clone_beta
SELECT id, v FROM foo;
SELECT a, b FROM bar;
ALTER TABLE foo DROP CONSTRAINT foo_not_500;
\c clone_gamma
SELECT id, v FROM foo;
SELECT a, b FROM bar;
\c contrib_regression
