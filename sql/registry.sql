-- The registry: add_db, add_dbgroup, add_relgroup, add_sync and their remove_* twins.
\set SHOW_CONTEXT never
\set VERBOSITY default
SELECT bucardo.add_db('delta', 'host=127.0.0.1 port=1 dbname=nowhere');
SELECT bucardo.add_dbgroup('grp', 'alpha:source, beta:target, delta');
SELECT db, role FROM bucardo.dbmap WHERE dbgroup = 'grp' ORDER BY position;
SELECT bucardo.add_relgroup('rels', 'foo, public.Bar, "Mixed Case".t');
SELECT schemaname, tablename FROM bucardo.relmap WHERE relgroup = 'rels' ORDER BY position;
SELECT bucardo.add_sync('sy', relgroup => 'rels', dbgroup => 'grp');

-- Duplicates and unknown names.
SELECT bucardo.add_db('delta', 'dbname=x');
SELECT bucardo.add_dbgroup('grp', 'alpha,beta');
SELECT bucardo.add_relgroup('rels', 'foo');
SELECT bucardo.add_sync('sy', 'rels', 'grp');
SELECT bucardo.add_sync('sy2', 'nosuchrels', 'grp');
SELECT bucardo.add_sync('sy2', 'rels', 'nosuchgrp');
SELECT bucardo.add_dbgroup('grp2', 'alpha, nosuchdb');
SELECT bucardo.remove_db('nosuchdb');
SELECT bucardo.remove_dbgroup('nosuchgrp');
SELECT bucardo.remove_relgroup('nosuchrels');
SELECT bucardo.remove_sync('nosuchsync');

-- Bad names, roles, lists and connection strings.
SELECT bucardo.add_db('bad name', 'dbname=x');
SELECT bucardo.add_db('epsilon', 'dbname=x sslmode');
SELECT bucardo.add_db('epsilon', '');
SELECT bucardo.add_dbgroup('grp2', 'alpha:sauce, beta');
SELECT bucardo.add_dbgroup('grp2', 'alpha:target, beta');
SELECT bucardo.add_dbgroup('grp2', 'alpha');
SELECT bucardo.add_dbgroup('grp2', 'alpha, beta, alpha');
SELECT bucardo.add_dbgroup('grp2', 'alpha,,beta');
SELECT bucardo.add_relgroup('rels2', 'foo,,bar');
SELECT bucardo.add_relgroup('rels2', 'a.b.c');
SELECT bucardo.add_relgroup('rels2', '"unterminated');
SELECT bucardo.add_relgroup('rels2', 'foo, FOO');
SELECT bucardo.add_relgroup('rels2', '');

-- Nothing half-made was left behind by the failures.
SELECT (SELECT count(*) FROM bucardo.dbgroup WHERE name = 'grp2') AS dbgroups,
       (SELECT count(*) FROM bucardo.relgroup WHERE name = 'rels2') AS relgroups,
       (SELECT count(*) FROM bucardo.db WHERE name = 'epsilon') AS dbs;

-- What is in use cannot be removed.
SELECT bucardo.remove_db('delta');
SELECT bucardo.remove_dbgroup('grp');
SELECT bucardo.remove_relgroup('rels');
SELECT bucardo.remove_sync('sy');
SELECT bucardo.remove_relgroup('rels');
SELECT bucardo.remove_dbgroup('grp');
SELECT bucardo.remove_db('delta');
SELECT name FROM bucardo.db ORDER BY name;

-- Only superusers (or roles they grant) may use pg_clone: clones connect as the server.
CREATE ROLE clone_nobody;
SET ROLE clone_nobody;
SELECT bucardo.add_db('zeta', 'dbname=x');
SELECT count(*) FROM bucardo.clone;
RESET ROLE;
DROP ROLE clone_nobody;
