-- What is only known remotely fails the clone before any target is touched: a missing table, a
-- column mismatch, an unreachable database. The error names the database and the table.
\set SHOW_CONTEXT never
\c clone_beta
TRUNCATE foo, bar;
INSERT INTO foo VALUES (-7, 'untouched'); INSERT INTO bar VALUES (-7, 'untouched');
CREATE TABLE only_here (id integer);
CREATE TABLE cols (id integer, a text, b text);
INSERT INTO cols VALUES (1, 'beta', 'beta');
\c clone_alpha
CREATE TABLE cols (id integer, a text, c text);
INSERT INTO cols VALUES (2, 'alpha', 'alpha');
CREATE TABLE only_in_alpha (id integer);
\c contrib_regression

-- Missing on the source.
SELECT bucardo.clone(tables => 'foo, only_here', dbs => 'alpha, beta') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, error FROM bucardo.clone WHERE id = :id;

-- Missing on a target: foo, listed first, is not emptied either.
SELECT bucardo.clone(tables => 'foo, bar, only_in_alpha', dbs => 'alpha, beta') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;

-- Columns differ by name.
SELECT bucardo.clone(tables => 'foo, cols', dbs => 'alpha, beta') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;

-- A view is not a table.
\c clone_alpha
CREATE VIEW foo_view AS SELECT * FROM foo;
\c contrib_regression
SELECT bucardo.clone(tables => 'foo_view', dbs => 'alpha, beta') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;

-- An unreachable target: beta is not touched either.
SELECT bucardo.add_db('closed', 'host=127.0.0.1 port=1 dbname=nowhere connect_timeout=5');
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, beta, closed') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, split_part(error, E'\n', 1) AS error FROM bucardo.clone WHERE id = :id;

-- A database that does not exist on a reachable server.
SELECT bucardo.add_db('ghost', 'dbname=clone_no_such_database');
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, beta, ghost') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, regexp_replace(error, 'connection to server on socket "[^"]*"', 'connection to server on socket ...') AS error
  FROM bucardo.clone WHERE id = :id;

-- Two names for one database: refused before anything is touched.
SELECT bucardo.add_db('beta_again', format('host=%s port=%s dbname=clone_beta',
       split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port')));
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, beta, beta_again') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;

-- A target that refuses the COPY itself (a role that may empty foo but not insert into it), listed
-- before another target: the clone fails at once and neither target changes. Without superuser
-- rights, triggers and foreign keys cannot be switched off there; that alone is no error.
CREATE ROLE clone_limited LOGIN;
\c clone_gamma
INSERT INTO foo VALUES ('gamma before', -11);
GRANT SELECT, TRUNCATE ON foo TO clone_limited;
\c contrib_regression
SELECT bucardo.add_db('gamma_limited', 'dbname=clone_gamma user=clone_limited');
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, gamma_limited, beta') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error, ended - started < interval '10 s' AS failed_fast FROM bucardo.clone WHERE id = :id;
\c clone_gamma
SELECT id, v FROM foo WHERE id = -11;
SELECT count(*) FROM foo;
\c contrib_regression

\c clone_beta
SELECT id, v FROM foo;
SELECT a, b FROM bar;
SELECT id, a, b FROM cols;
\c contrib_regression

-- A target its DBA made read-only is refused before anything is touched; a connection string that turns
-- the setting off says to write there all the same.
ALTER DATABASE clone_beta SET default_transaction_read_only = on;
SELECT bucardo.clone(tables => 'public.foo', dbs => 'alpha, beta') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
SELECT bucardo.add_db('beta_rw', 'dbname=clone_beta options=''-c default_transaction_read_only=off''');
SELECT bucardo.clone(tables => 'public.foo', dbs => 'alpha, beta_rw') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, error FROM bucardo.clone WHERE id = :id;
ALTER DATABASE clone_beta RESET default_transaction_read_only;
