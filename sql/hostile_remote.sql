-- Remote databases are hostile ground. An ordinary role that owns a database plants functions and
-- operators that shadow pg_catalog's, and triggers, constraints, indexes and domains that would run its
-- code while a clone (connected as a superuser) writes there. None of it may run with the clone's
-- privileges: the role stays ordinary and no file is written.
\set SHOW_CONTEXT never
SELECT current_user AS admin \gset
CREATE ROLE clone_mallory LOGIN;
CREATE DATABASE clone_evil OWNER clone_mallory;
\c clone_evil clone_mallory
-- The payload: become superuser, write a file. Harmless when run as clone_mallory.
CREATE FUNCTION public.payload() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    BEGIN EXECUTE 'ALTER ROLE clone_mallory SUPERUSER'; EXCEPTION WHEN OTHERS THEN NULL; END;
    BEGIN
        EXECUTE pg_catalog.format('COPY (SELECT 1) TO %L',
                                  pg_catalog.current_setting('data_directory') || '/pg_clone_pwned');
    EXCEPTION WHEN OTHERS THEN NULL;
    END;
END $$;
-- Exact matches for what a catalog query might call unqualified: they beat pg_catalog's.
CREATE FUNCTION public.unnest(text[]) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN PERFORM public.payload(); RETURN QUERY SELECT pg_catalog.unnest($1); END $$;
CREATE FUNCTION public.concat_names(name, name) RETURNS text LANGUAGE plpgsql AS $$
BEGIN PERFORM public.payload(); RETURN $1::text OPERATOR(pg_catalog.||) $2::text; END $$;
CREATE OPERATOR public.|| (LEFTARG = name, RIGHTARG = name, FUNCTION = public.concat_names);
CREATE FUNCTION public.name_eq_text(name, text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM public.payload(); RETURN $1::text OPERATOR(pg_catalog.=) $2; END $$;
CREATE OPERATOR public.= (LEFTARG = name, RIGHTARG = text, FUNCTION = public.name_eq_text);
CREATE FUNCTION public.current_database() RETURNS name LANGUAGE plpgsql AS $$
BEGIN PERFORM public.payload(); RETURN pg_catalog.current_database(); END $$;
CREATE TABLE foo (id integer PRIMARY KEY, v text NOT NULL);
INSERT INTO foo VALUES (-5, 'mallory''s row');
\c contrib_regression :admin
-- Its conninfo even asks for public first; that changes nothing.
SELECT bucardo.add_db('evil', 'dbname=clone_evil options=''-c search_path=public,pg_catalog''');

-- The planted functions and operators are never called, with evil as a target or as a source.
\c clone_beta :admin
TRUNCATE foo, bar;
\c contrib_regression :admin
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha:source, evil:target') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, error FROM bucardo.clone WHERE id = :id;
SELECT bucardo.clone(tables => 'foo', dbs => 'evil:source, beta:target') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, error FROM bucardo.clone WHERE id = :id;
SELECT rolsuper FROM pg_roles WHERE rolname = 'clone_mallory';
SELECT pg_stat_file(current_setting('data_directory') || '/pg_clone_pwned', true) IS NULL AS no_file;

-- A trigger that fires during a clone (ENABLE ALWAYS, or REPLICA) and runs clone_mallory's code:
-- the clone is refused before anything is emptied.
\c clone_evil clone_mallory
TRUNCATE foo;
INSERT INTO foo VALUES (-5, 'mallory''s row');
CREATE FUNCTION public.trigger_payload() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM public.payload(); RETURN NEW; END $$;
CREATE TRIGGER foo_payload BEFORE INSERT ON foo FOR EACH ROW EXECUTE FUNCTION public.trigger_payload();
ALTER TABLE foo ENABLE ALWAYS TRIGGER foo_payload;
\c contrib_regression :admin
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, evil') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
\c clone_evil clone_mallory
ALTER TABLE foo ENABLE REPLICA TRIGGER foo_payload;
\c contrib_regression :admin
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, evil') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, regexp_replace(error, E'\n.*', '', 's') AS error FROM bucardo.clone WHERE id = :id;

-- A SECURITY DEFINER function is refused too: its owner could turn it into an invoker's function
-- between the check and the copy.
\c clone_evil clone_mallory
ALTER FUNCTION public.trigger_payload() SECURITY DEFINER;
\c contrib_regression :admin
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, evil') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, regexp_replace(error, E'\n.*', '', 's') AS error FROM bucardo.clone WHERE id = :id;

-- A trigger that fires only outside replication (plain ENABLE) does not fire in a clone: allowed.
\c clone_evil clone_mallory
ALTER TABLE foo ENABLE TRIGGER foo_payload;
\c contrib_regression :admin
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, evil') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, error FROM bucardo.clone WHERE id = :id;

-- Functions in a CHECK constraint, an index expression, a generated column or a domain run for every
-- copied row: refused likewise.
\c clone_evil clone_mallory
CREATE FUNCTION public.looks_fine(integer) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN PERFORM public.payload(); RETURN true; END $$;
CREATE TABLE checked (id integer CHECK (public.looks_fine(id)), v text);
CREATE TABLE indexed (id integer, v text);
CREATE INDEX indexed_expr ON indexed (public.looks_fine(id));
CREATE DOMAIN fine_int AS integer CHECK (public.looks_fine(VALUE));
CREATE TABLE typed (id fine_int, v text);
CREATE FUNCTION public.twice(integer) RETURNS integer LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN PERFORM public.payload(); RETURN $1 * 2; END $$;
CREATE TABLE generated (id integer, v text, g integer GENERATED ALWAYS AS (public.twice(id)) STORED);
\c clone_alpha :admin
CREATE TABLE public.checked (id integer, v text);
INSERT INTO public.checked VALUES (1, 'one');
CREATE TABLE public.indexed (LIKE public.checked);
INSERT INTO public.indexed VALUES (1, 'one');
CREATE TABLE public.typed (LIKE public.checked);
CREATE TABLE public.generated (LIKE public.checked);
\c contrib_regression :admin
SELECT bucardo.clone(tables => 'public.checked', dbs => 'alpha, evil') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, regexp_replace(error, E'\n.*', '', 's') AS error FROM bucardo.clone WHERE id = :id;
SELECT bucardo.clone(tables => 'public.indexed', dbs => 'alpha, evil') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, regexp_replace(error, E'\n.*', '', 's') AS error FROM bucardo.clone WHERE id = :id;
SELECT bucardo.clone(tables => 'public.typed', dbs => 'alpha, evil') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, regexp_replace(error, E'\n.*', '', 's') AS error FROM bucardo.clone WHERE id = :id;
SELECT bucardo.clone(tables => 'public.generated', dbs => 'alpha, evil') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, regexp_replace(error, E'\n.*', '', 's') AS error FROM bucardo.clone WHERE id = :id;

-- Code that a superuser owns is trusted: this ALWAYS trigger fires during the clone.
\c clone_evil :admin
CREATE TABLE audit (what text);
ALTER TABLE audit OWNER TO clone_mallory;
CREATE FUNCTION public.audited() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.audit VALUES ('row ' || NEW.id); RETURN NEW; END $$;
CREATE TRIGGER checked_audit AFTER INSERT ON checked FOR EACH ROW EXECUTE FUNCTION public.audited();
ALTER TABLE checked ENABLE ALWAYS TRIGGER checked_audit;
ALTER TABLE checked DROP CONSTRAINT checked_id_check;
\c contrib_regression :admin
SELECT bucardo.clone(tables => 'public.checked', dbs => 'alpha, evil') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, error FROM bucardo.clone WHERE id = :id;

-- So is code of the role the clone connects as: connected as clone_mallory, the clone may run her
-- code (with her rights only). Without superuser rights her session cannot disable triggers.
SELECT bucardo.add_db('evil_as_owner', 'dbname=clone_evil user=clone_mallory');
SELECT bucardo.clone(tables => 'public.indexed', dbs => 'alpha, evil_as_owner') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, error FROM bucardo.clone WHERE id = :id;

-- After all of it: clone_mallory is still an ordinary role, no file was written, and foo on evil still
-- holds what the last clone that reached it put there.
SELECT rolsuper FROM pg_roles WHERE rolname = 'clone_mallory';
SELECT pg_stat_file(current_setting('data_directory') || '/pg_clone_pwned', true) IS NULL AS no_file;
\c clone_evil :admin
SELECT count(*), min(id), max(id) FROM foo;
SELECT * FROM audit;
SELECT count(*) FROM indexed;
\c contrib_regression :admin
