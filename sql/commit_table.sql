-- clone(..., commit => 'table'): each table (or the tables a foreign key links, together) commits on
-- every target as soon as its copy ends, recorded in bucardo.clone_table; a failure keeps the tables
-- committed and says which; bucardo.clone_resume() copies only the others. (Faults between servers, the
-- recovery and retries: test/t/026_commit_table.pl.)
\c clone_alpha
CREATE TABLE public.ct_solo (id integer PRIMARY KEY, v text);
INSERT INTO public.ct_solo SELECT g, 'solo ' || g FROM generate_series(1, 2000) g;
CREATE TABLE public.ct_parent (id integer PRIMARY KEY);
INSERT INTO public.ct_parent SELECT generate_series(1, 100);
CREATE TABLE public.ct_child (id integer PRIMARY KEY, parent integer REFERENCES public.ct_parent);
INSERT INTO public.ct_child SELECT g, g % 100 + 1 FROM generate_series(1, 200) g;
\c clone_beta
CREATE TABLE public.ct_solo (id integer PRIMARY KEY, v text);
INSERT INTO public.ct_solo VALUES (-1, 'old');
CREATE TABLE public.ct_parent (id integer PRIMARY KEY);
INSERT INTO public.ct_parent VALUES (-1);
CREATE TABLE public.ct_child (id integer PRIMARY KEY, parent integer REFERENCES public.ct_parent);
INSERT INTO public.ct_child VALUES (-1, -1);
\c clone_gamma
CREATE TABLE public.ct_solo (id integer PRIMARY KEY, v text);
INSERT INTO public.ct_solo VALUES (-1, 'old');
CREATE TABLE public.ct_parent (id integer PRIMARY KEY);
INSERT INTO public.ct_parent VALUES (-1);
CREATE TABLE public.ct_child (id integer PRIMARY KEY, parent integer REFERENCES public.ct_parent);
INSERT INTO public.ct_child VALUES (-1, -1);
-- gamma refuses the new rows of ct_child: the unit of ct_child and ct_parent fails there.
ALTER TABLE public.ct_child ADD CONSTRAINT no_new_rows CHECK (id < 0) NOT VALID;
\c contrib_regression

-- One stream: ct_solo (the largest) first, then ct_child and ct_parent, which commit together.
SELECT bucardo.clone(tables => 'public.ct_solo, public.ct_child, public.ct_parent', dbs => 'alpha:source, beta:target, gamma:target',
                     streams => 1, commit => 'table') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, commit, two_phase, summary IS NULL AS no_summary,
       substring(error FROM 'commit => ''table'': [^\n]*') AS committed
  FROM bucardo.clone WHERE id = :id;
SELECT db, table_name, rows FROM bucardo.clone_table WHERE clone_id = :id ORDER BY db, table_name;
SELECT db, state FROM bucardo.clone_transaction WHERE clone_id = :id ORDER BY gid;
SELECT count(*) AS prepared_left FROM pg_prepared_xacts;
\c clone_beta
SELECT (SELECT count(*) FROM public.ct_solo) AS solo, (SELECT count(*) FROM public.ct_parent) AS parent,
       (SELECT count(*) FROM public.ct_child) AS child;
\c clone_gamma
SELECT (SELECT count(*) FROM public.ct_solo) AS solo, (SELECT count(*) FROM public.ct_parent) AS parent,
       (SELECT count(*) FROM public.ct_child) AS child;
ALTER TABLE public.ct_child DROP CONSTRAINT no_new_rows;
\c contrib_regression

-- Resumed: only ct_child and ct_parent, from a new snapshot.
SELECT bucardo.clone_resume(:id) AS resumed \gset
SELECT bucardo.clone_wait(:resumed, '60 s');
SELECT status, commit, resumes = :id AS resumes_it, error,
       regexp_replace(summary, 'clone [0-9]+', 'clone N', 'g') AS summary
  FROM bucardo.clone WHERE id = :resumed;
SELECT db, table_name, rows FROM bucardo.clone_table WHERE clone_id = :resumed ORDER BY db, table_name;
\c clone_beta
SELECT (SELECT count(*) FROM public.ct_solo) AS solo, (SELECT count(*) FROM public.ct_parent) AS parent,
       (SELECT count(*) FROM public.ct_child) AS child;
\c clone_gamma
SELECT (SELECT count(*) FROM public.ct_solo) AS solo, (SELECT count(*) FROM public.ct_parent) AS parent,
       (SELECT count(*) FROM public.ct_child) AS child;
\c contrib_regression

-- A clone that is done cannot be resumed.
\set VERBOSITY sqlstate
SELECT bucardo.clone_resume(:resumed);
\set VERBOSITY default

-- Without two-phase commit, the same: each target database commits each table in turn.
ALTER SYSTEM SET pg_clone.two_phase = off;
SELECT pg_reload_conf();
SELECT pg_sleep(0.5);
SHOW pg_clone.two_phase;
SELECT bucardo.clone(tables => 'public.ct_solo, public.ct_child, public.ct_parent', dbs => 'alpha:source, beta:target, gamma:target',
                     commit => 'table') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, two_phase, error, regexp_replace(summary, 'clone [0-9]+', 'clone N', 'g') AS summary
  FROM bucardo.clone WHERE id = :id;
SELECT db, table_name, rows FROM bucardo.clone_table WHERE clone_id = :id ORDER BY db, table_name;
SELECT count(*) AS transactions_recorded FROM bucardo.clone_transaction WHERE clone_id = :id;
ALTER SYSTEM RESET pg_clone.two_phase;
SELECT pg_reload_conf();
SELECT pg_sleep(0.5);
SHOW pg_clone.two_phase;

\c clone_alpha
DROP TABLE public.ct_solo, public.ct_child, public.ct_parent;
\c clone_beta
DROP TABLE public.ct_solo, public.ct_child, public.ct_parent;
\c clone_gamma
DROP TABLE public.ct_solo, public.ct_child, public.ct_parent;
\c contrib_regression
