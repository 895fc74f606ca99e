-- pg_clone's own tables, in schema bucardo of the control database, are never cloned: as a target
-- the queue would be wiped under the running clone, as a source its connection strings would leak.
\set SHOW_CONTEXT never
SELECT bucardo.add_db('control', 'dbname=contrib_regression');
\c clone_alpha
CREATE SCHEMA bucardo;
CREATE TABLE bucardo.clone (id bigint);
\c contrib_regression
SELECT count(*) AS queued_before FROM bucardo.clone \gset

SELECT bucardo.clone(tables => 'bucardo.clone', dbs => 'alpha:source, control:target') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
SELECT count(*) = :queued_before + 1 AS queue_kept FROM bucardo.clone;

SELECT bucardo.clone(tables => 'bucardo.db', dbs => 'control:source, beta:target') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;

-- Other tables of the control database can be cloned.
CREATE TABLE public.plain_here (id integer);
\c clone_beta
CREATE TABLE public.plain_here (id integer);
INSERT INTO public.plain_here VALUES (1), (2);
\c contrib_regression
SELECT bucardo.clone(tables => 'plain_here', dbs => 'beta:source, control:target') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, error FROM bucardo.clone WHERE id = :id;
SELECT count(*) FROM public.plain_here;
DROP TABLE public.plain_here;
\c clone_alpha
DROP SCHEMA bucardo CASCADE;
\c contrib_regression
