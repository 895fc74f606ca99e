-- Small tables that a publication of the target includes: DELETE would send their subscribers every
-- old row as a delete (and fails on a table without replica identity, or whose row filter uses other
-- columns), where TRUNCATE sends one truncate. So the DELETE shortcut of pg_clone.delete_max_size is
-- never used on them, however the publication includes them, and empty => 'delete' is refused.
\set SHOW_CONTEXT never
\c clone_alpha
CREATE SCHEMA pubt;
CREATE SCHEMA pubs;
CREATE TABLE pubt.direct (id integer, v text);                  -- no replica identity
CREATE TABLE pubs.in_schema (id integer PRIMARY KEY, v text);
CREATE TABLE pubt.filtered (id integer PRIMARY KEY, v text);
CREATE TABLE pubt.everything (id integer PRIMARY KEY, v text);
CREATE TABLE pubt.plain (id integer PRIMARY KEY, v text);
CREATE TABLE pubt.via_root (id integer PRIMARY KEY, v text) PARTITION BY RANGE (id);
CREATE TABLE pubt.via_root_1 PARTITION OF pubt.via_root FOR VALUES FROM (0) TO (100);
CREATE TABLE pubt.root (id integer PRIMARY KEY, v text) PARTITION BY RANGE (id);
CREATE TABLE pubt.root_mid PARTITION OF pubt.root FOR VALUES FROM (0) TO (100) PARTITION BY RANGE (id);
CREATE TABLE pubt.root_leaf PARTITION OF pubt.root_mid FOR VALUES FROM (0) TO (50);
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['pubt.direct', 'pubs.in_schema', 'pubt.filtered', 'pubt.everything', 'pubt.plain',
                             'pubt.via_root_1', 'pubt.root_leaf'] LOOP
        EXECUTE format('INSERT INTO %s SELECT g, %L || g FROM generate_series(1, 3) g', t, 'new ');
    END LOOP;
END $$;
\c clone_beta
SET client_min_messages = error;   -- wal_level is not logical here: CREATE PUBLICATION warns
CREATE SCHEMA pubt;
CREATE SCHEMA pubs;
CREATE TABLE pubt.direct (id integer, v text);
CREATE TABLE pubs.in_schema (id integer PRIMARY KEY, v text);
CREATE TABLE pubt.filtered (id integer PRIMARY KEY, v text);
CREATE TABLE pubt.everything (id integer PRIMARY KEY, v text);
CREATE TABLE pubt.plain (id integer PRIMARY KEY, v text);
CREATE TABLE pubt.via_root (id integer PRIMARY KEY, v text) PARTITION BY RANGE (id);
CREATE TABLE pubt.via_root_1 PARTITION OF pubt.via_root FOR VALUES FROM (0) TO (100);
CREATE TABLE pubt.root (id integer PRIMARY KEY, v text) PARTITION BY RANGE (id);
CREATE TABLE pubt.root_mid PARTITION OF pubt.root FOR VALUES FROM (0) TO (100) PARTITION BY RANGE (id);
CREATE TABLE pubt.root_leaf PARTITION OF pubt.root_mid FOR VALUES FROM (0) TO (50);
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['pubt.direct', 'pubs.in_schema', 'pubt.filtered', 'pubt.everything', 'pubt.plain',
                             'pubt.via_root_1', 'pubt.root_leaf'] LOOP
        EXECUTE format('INSERT INTO %s SELECT g, %L || g FROM generate_series(11, 15) g', t, 'old ');
    END LOOP;
END $$;
CREATE PUBLICATION pub_direct FOR TABLE pubt.direct;
CREATE PUBLICATION pub_schema FOR TABLES IN SCHEMA pubs;
CREATE PUBLICATION pub_filtered FOR TABLE pubt.filtered WHERE (v <> 'secret');
CREATE PUBLICATION pub_via_root FOR TABLE pubt.via_root WITH (publish_via_partition_root = true);
CREATE PUBLICATION pub_root FOR TABLE pubt.root;   -- the leaf's grandparent
\c contrib_regression

-- Each published table is truncated; the one in no publication is still emptied by DELETE.
SELECT bucardo.clone(tables => 'pubt.direct, pubs.in_schema, pubt.filtered, pubt.via_root_1, pubt.root_leaf, pubt.plain',
                     dbs => 'alpha, beta') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, error FROM bucardo.clone WHERE id = :id;
SELECT table_name, rows, emptied FROM bucardo.clone_table WHERE clone_id = :id ORDER BY table_name;
\c clone_beta
SELECT 'direct' AS t, * FROM pubt.direct UNION ALL SELECT 'in_schema', * FROM pubs.in_schema
UNION ALL SELECT 'filtered', * FROM pubt.filtered UNION ALL SELECT 'via_root_1', * FROM pubt.via_root_1
UNION ALL SELECT 'root_leaf', * FROM pubt.root_leaf UNION ALL SELECT 'plain', * FROM pubt.plain ORDER BY 1, 2;

-- FOR ALL TABLES includes every table, the plain one too.
SET client_min_messages = error;
CREATE PUBLICATION pub_all FOR ALL TABLES;
\c contrib_regression
SELECT bucardo.clone(tables => 'pubt.everything, pubt.plain', dbs => 'alpha, beta') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
SELECT table_name, rows, emptied FROM bucardo.clone_table WHERE clone_id = :id ORDER BY table_name;
\c clone_beta
SELECT 'everything' AS t, * FROM pubt.everything UNION ALL SELECT 'plain', * FROM pubt.plain ORDER BY 1, 2;
DROP PUBLICATION pub_all;
-- Make the targets differ from the sources again.
INSERT INTO pubt.direct VALUES (99, 'kept');
INSERT INTO pubs.in_schema VALUES (99, 'kept');
INSERT INTO pubt.root_leaf VALUES (49, 'kept');
INSERT INTO pubt.plain VALUES (99, 'kept');
\c contrib_regression

-- empty => 'delete' on a published table is refused before anything is emptied, naming the table,
-- the database and the publication; the other table of the clone is left alone too.
SELECT bucardo.clone(tables => 'pubt.plain, pubt.direct', dbs => 'alpha, beta', empty => 'delete') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
SELECT bucardo.clone(tables => 'pubs.in_schema', dbs => 'alpha, beta', empty => 'delete') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
SELECT bucardo.clone(tables => 'pubt.root_leaf', dbs => 'alpha, beta', empty => 'delete') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
\c clone_beta
SELECT 'direct' AS t, * FROM pubt.direct WHERE id = 99 UNION ALL SELECT 'in_schema', * FROM pubs.in_schema WHERE id = 99
UNION ALL SELECT 'root_leaf', * FROM pubt.root_leaf WHERE id = 49 UNION ALL SELECT 'plain', * FROM pubt.plain WHERE id = 99
ORDER BY 1;

SET client_min_messages = warning;
DROP PUBLICATION pub_direct, pub_schema, pub_filtered, pub_via_root, pub_root;
DROP SCHEMA pubt, pubs CASCADE;
\c clone_alpha
SET client_min_messages = warning;
DROP SCHEMA pubt, pubs CASCADE;
\c contrib_regression
