-- Fixtures for the suite: three databases of this instance, registered as alpha, beta and gamma.
-- A conninfo without host or port reaches the server pg_clone runs in.
\set VERBOSITY terse
SELECT extname FROM pg_extension WHERE extname = 'pg_clone';
SELECT current_setting('pg_clone.database') = current_database() AS control_database;

-- pg_regress creates this database after the server started: the launcher connects once it exists.
DO $$
BEGIN
    FOR i IN 1..300 LOOP
        PERFORM pg_stat_clear_snapshot();
        EXIT WHEN EXISTS (SELECT FROM pg_stat_activity
                           WHERE backend_type = 'pg_clone launcher' AND datname = current_database());
        PERFORM pg_sleep(0.1);
    END LOOP;
END $$;
SELECT datname, application_name FROM pg_stat_activity WHERE backend_type = 'pg_clone launcher';

CREATE DATABASE clone_alpha;
CREATE DATABASE clone_beta;
CREATE DATABASE clone_gamma;

\c clone_alpha
CREATE TABLE foo (id integer PRIMARY KEY, v text NOT NULL);
INSERT INTO foo SELECT g, 'foo ' || g FROM generate_series(1, 1000) g;
CREATE TABLE bar (a integer, b text);  -- no primary key
INSERT INTO bar SELECT g, repeat('x', g % 50) FROM generate_series(1, 500) g;

\c clone_beta
CREATE TABLE foo (id integer PRIMARY KEY, v text NOT NULL);
INSERT INTO foo VALUES (-1, 'stale beta row');
CREATE TABLE bar (a integer, b text);
INSERT INTO bar VALUES (-1, 'stale beta row');

\c clone_gamma
CREATE TABLE foo (v text NOT NULL, id integer PRIMARY KEY);  -- same columns, another order
INSERT INTO foo VALUES ('stale gamma row', -1);
CREATE TABLE bar (a integer, b text);

\c contrib_regression
SELECT bucardo.add_db('alpha', 'dbname=clone_alpha');
SELECT bucardo.add_db('beta', 'dbname=clone_beta');
SELECT bucardo.add_db('gamma', 'postgresql:///clone_gamma');

SELECT name, conninfo FROM bucardo.db ORDER BY name;
