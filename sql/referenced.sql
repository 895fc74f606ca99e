-- Reloading a table that tables outside the clone reference. TRUNCATE refuses it, so it is emptied as
-- Bucardo does, by DELETE in the clone's replica session (where the foreign keys fire nothing), and
-- every foreign key from outside is then checked before the commit, as PostgreSQL validates a new one:
-- a referencing row whose key the new rows lack fails the clone, and nothing changes anywhere.
\set SHOW_CONTEXT never
\c clone_alpha
CREATE SCHEMA refs;
CREATE TABLE refs.parent (id integer PRIMARY KEY, v text);
INSERT INTO refs.parent SELECT g, 'new ' || g FROM generate_series(1, 5) g;
CREATE TABLE refs.pair (a integer, b integer, v text, PRIMARY KEY (a, b));
INSERT INTO refs.pair VALUES (1, 1, 'new'), (1, 2, 'new'), (2, 1, 'new');
CREATE TABLE refs.pparent (id integer PRIMARY KEY, v text) PARTITION BY RANGE (id);
CREATE TABLE refs.pparent_low PARTITION OF refs.pparent FOR VALUES FROM (0) TO (100);
CREATE TABLE refs.pparent_high PARTITION OF refs.pparent FOR VALUES FROM (100) TO (200);
INSERT INTO refs.pparent VALUES (1, 'new'), (2, 'new'), (101, 'new');
CREATE TABLE refs.selfref (id integer PRIMARY KEY, up integer REFERENCES refs.selfref);
INSERT INTO refs.selfref VALUES (1, NULL), (2, 1);
CREATE TABLE refs.gp (id integer PRIMARY KEY);
INSERT INTO refs.gp VALUES (1), (2);
CREATE TABLE refs.mid (id integer PRIMARY KEY, gp_id integer REFERENCES refs.gp);
INSERT INTO refs.mid VALUES (10, 1), (20, 2);
\c clone_beta
CREATE SCHEMA refs;
CREATE TABLE refs.parent (id integer PRIMARY KEY, v text);
INSERT INTO refs.parent SELECT g, 'old ' || g FROM generate_series(1, 7) g;
CREATE TABLE refs.child (id integer PRIMARY KEY, parent_id integer REFERENCES refs.parent);
INSERT INTO refs.child VALUES (1, 1), (2, 2), (3, NULL);     -- MATCH SIMPLE: NULL references nothing
CREATE TABLE refs.child_p (parent_id integer REFERENCES refs.parent, n integer) PARTITION BY RANGE (parent_id);
CREATE TABLE refs.child_p_low PARTITION OF refs.child_p FOR VALUES FROM (MINVALUE) TO (3);
CREATE TABLE refs.child_p_high PARTITION OF refs.child_p FOR VALUES FROM (3) TO (MAXVALUE);
INSERT INTO refs.child_p VALUES (1, 1), (4, 2);
CREATE TABLE refs.pair (a integer, b integer, v text, PRIMARY KEY (a, b));
INSERT INTO refs.pair VALUES (1, 1, 'old'), (1, 2, 'old'), (2, 1, 'old'), (9, 9, 'old');
CREATE TABLE refs.pair_child (a integer, b integer, FOREIGN KEY (a, b) REFERENCES refs.pair);
INSERT INTO refs.pair_child VALUES (1, 2), (9, NULL);
CREATE TABLE refs.pair_full (a integer, b integer, FOREIGN KEY (a, b) REFERENCES refs.pair MATCH FULL);
INSERT INTO refs.pair_full VALUES (2, 1), (NULL, NULL);
CREATE TABLE refs.pparent (id integer PRIMARY KEY, v text) PARTITION BY RANGE (id);
CREATE TABLE refs.pparent_low PARTITION OF refs.pparent FOR VALUES FROM (0) TO (100);
CREATE TABLE refs.pparent_high PARTITION OF refs.pparent FOR VALUES FROM (100) TO (200);
INSERT INTO refs.pparent VALUES (1, 'old'), (2, 'old'), (101, 'old'), (102, 'old');
CREATE TABLE refs.pchild (pid integer REFERENCES refs.pparent);
INSERT INTO refs.pchild VALUES (2), (102);
CREATE TABLE refs.selfref (id integer PRIMARY KEY, up integer REFERENCES refs.selfref);
INSERT INTO refs.selfref VALUES (5, NULL), (6, 5);
CREATE TABLE refs.gp (id integer PRIMARY KEY);
INSERT INTO refs.gp VALUES (1), (2), (3);
CREATE TABLE refs.mid (id integer PRIMARY KEY, gp_id integer REFERENCES refs.gp);
INSERT INTO refs.mid VALUES (10, 1), (20, 2), (30, 3);
CREATE TABLE refs.leaf (mid_id integer REFERENCES refs.mid);
INSERT INTO refs.leaf VALUES (10), (20);
\c contrib_regression

-- (a) The parent alone: its new rows hold every key its children use (one of them partitioned), so
-- the clone is done; the parent was emptied by DELETE and the children are untouched.
SELECT bucardo.clone(tables => 'refs.parent', dbs => 'alpha, beta') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, error FROM bucardo.clone WHERE id = :id;
SELECT table_name, rows, emptied FROM bucardo.clone_table WHERE clone_id = :id;
\c clone_beta
SELECT * FROM refs.parent ORDER BY id;
SELECT * FROM refs.child ORDER BY id;
SELECT tableoid::regclass, * FROM refs.child_p ORDER BY parent_id;
\c contrib_regression

-- A foreign key of two columns, MATCH SIMPLE (a NULL in either column references nothing) and MATCH
-- FULL (both NULL references nothing).
SELECT bucardo.clone(tables => 'refs.pair', dbs => 'alpha, beta') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
SELECT table_name, rows, emptied FROM bucardo.clone_table WHERE clone_id = :id;

-- A partition of a referenced partitioned table: the check reads the whole referenced table.
SELECT bucardo.clone(tables => 'refs.pparent_low', dbs => 'alpha, beta') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
SELECT table_name, rows, emptied FROM bucardo.clone_table WHERE clone_id = :id;
\c clone_beta
SELECT tableoid::regclass, * FROM refs.pparent ORDER BY id;
\c contrib_regression

-- Referencing tables in the clone: a table that references itself is truncated as before; mid, which
-- a table outside references, is emptied by DELETE, and so is gp, which mid references (TRUNCATE
-- would refuse it without mid). Tables joined by a foreign key share a stream.
SELECT bucardo.clone(tables => 'refs.selfref, refs.gp, refs.mid', dbs => 'alpha, beta', streams => 3) AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, error FROM bucardo.clone WHERE id = :id;
SELECT table_name, rows, emptied FROM bucardo.clone_table WHERE clone_id = :id ORDER BY table_name;
\c clone_beta
SELECT * FROM refs.selfref ORDER BY id;
SELECT * FROM refs.gp ORDER BY id;
SELECT * FROM refs.mid ORDER BY id;
SELECT * FROM refs.leaf ORDER BY mid_id;

-- (b) A child row whose key the new parent rows lack: the clone fails, naming the constraint, both
-- tables and the key, and nothing changed.
INSERT INTO refs.parent VALUES (7, 'kept');
INSERT INTO refs.child VALUES (4, 7);
\c contrib_regression
SELECT bucardo.clone(tables => 'refs.parent', dbs => 'alpha, beta') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
\c clone_beta
SELECT * FROM refs.parent ORDER BY id;
SELECT * FROM refs.child ORDER BY id;
-- The same through a partitioned referencing table.
DELETE FROM refs.child WHERE id = 4;
INSERT INTO refs.child_p VALUES (7, 3);
\c contrib_regression
SELECT bucardo.clone(tables => 'refs.parent', dbs => 'alpha, beta') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
\c clone_beta
SELECT count(*) AS parent_rows FROM refs.parent;
DELETE FROM refs.child_p WHERE parent_id = 7;
-- Two columns.
INSERT INTO refs.pair VALUES (9, 9, 'kept');
INSERT INTO refs.pair_child VALUES (9, 9);
\c contrib_regression
SELECT bucardo.clone(tables => 'refs.pair', dbs => 'alpha, beta') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
\c clone_beta
SELECT * FROM refs.pair ORDER BY a, b;
DELETE FROM refs.pair_child WHERE b = 9;
-- MATCH FULL, one key column NULL: a row the foreign key let in before it was validated.
ALTER TABLE refs.pair_full DROP CONSTRAINT pair_full_a_b_fkey;
INSERT INTO refs.pair_full VALUES (NULL, 1);
ALTER TABLE refs.pair_full ADD CONSTRAINT pair_full_a_b_fkey FOREIGN KEY (a, b) REFERENCES refs.pair MATCH FULL NOT VALID;
\c contrib_regression
SELECT bucardo.clone(tables => 'refs.pair', dbs => 'alpha, beta') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
\c clone_beta
DELETE FROM refs.pair_full WHERE a IS NULL AND b IS NOT NULL;
SELECT * FROM refs.pair ORDER BY a, b;
\c contrib_regression

-- empty => 'delete' empties referenced tables the same way.
SELECT bucardo.clone(tables => 'refs.parent', dbs => 'alpha, beta', empty => 'delete') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
SELECT table_name, rows, emptied FROM bucardo.clone_table WHERE clone_id = :id;

-- Checking a foreign key runs its equality operator: one whose function belongs to another role (not a
-- superuser) is refused, as any code of other roles is, before anything is emptied.
\c clone_alpha
CREATE TABLE refs.wp (id integer PRIMARY KEY);
INSERT INTO refs.wp VALUES (1);
\c clone_beta
CREATE ROLE clone_fk_owner;
CREATE FUNCTION refs.eq(integer, integer) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT $1 = $2';
ALTER FUNCTION refs.eq(integer, integer) OWNER TO clone_fk_owner;
CREATE OPERATOR refs.=== (FUNCTION = refs.eq, LEFTARG = integer, RIGHTARG = integer);
CREATE OPERATOR CLASS refs.int4_eq FOR TYPE integer USING btree AS
    OPERATOR 1 <, OPERATOR 2 <=, OPERATOR 3 refs.===, OPERATOR 4 >=, OPERATOR 5 >,
    FUNCTION 1 btint4cmp(integer, integer);
CREATE TABLE refs.wp (id integer);
CREATE UNIQUE INDEX wp_id ON refs.wp (id refs.int4_eq);
INSERT INTO refs.wp VALUES (1), (2);
CREATE TABLE refs.wc (wp_id integer REFERENCES refs.wp (id));
INSERT INTO refs.wc VALUES (1);
\c contrib_regression
SELECT bucardo.clone(tables => 'refs.wp', dbs => 'alpha, beta') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
\c clone_beta
SELECT * FROM refs.wp ORDER BY id;

-- A referenced table that a publication includes cannot be emptied by DELETE either: refused.
\c clone_beta
SET client_min_messages = error;
CREATE PUBLICATION pub_parent FOR TABLE refs.parent;
INSERT INTO refs.parent VALUES (7, 'kept');
\c contrib_regression
SELECT bucardo.clone(tables => 'refs.parent', dbs => 'alpha, beta') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
\c clone_beta
DROP PUBLICATION pub_parent;
SELECT * FROM refs.parent WHERE id = 7;

-- Without session_replication_role (a role that is not a superuser), the DELETE would fire the
-- foreign keys' ON DELETE actions: refused before anything is emptied.
CREATE ROLE clone_fk_user LOGIN;
GRANT USAGE ON SCHEMA refs TO clone_fk_user;
GRANT SELECT, INSERT, DELETE, TRUNCATE ON refs.parent TO clone_fk_user;
GRANT SELECT, INSERT, DELETE ON refs.child TO clone_fk_user;
\c contrib_regression
SELECT bucardo.add_db('beta_fk_user', 'dbname=clone_beta user=clone_fk_user');
SELECT bucardo.clone(tables => 'refs.parent', dbs => 'alpha, beta_fk_user') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
-- An error of the TRUNCATE names the table with the database.
\c clone_alpha
CREATE TABLE refs.child (id integer PRIMARY KEY, parent_id integer REFERENCES refs.parent);
INSERT INTO refs.child VALUES (1, 1);
\c clone_beta
DROP TABLE refs.child_p;
\c contrib_regression
SELECT bucardo.clone(tables => 'refs.parent, refs.child', dbs => 'alpha, beta_fk_user') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
\c clone_beta
SELECT * FROM refs.parent WHERE id = 7;

SET client_min_messages = warning;
DROP SCHEMA refs CASCADE;
DROP ROLE clone_fk_user, clone_fk_owner;
\c clone_alpha
SET client_min_messages = warning;
DROP SCHEMA refs CASCADE;
\c contrib_regression
