-- An installation of 1.0 holding clones (done and queued) is updated version by version to the newest: the
-- clones and the registry stay, the queued clones still run, and clone() takes the new arguments.
DROP EXTENSION pg_clone;
CREATE EXTENSION pg_clone VERSION '1.0';
-- What each step checks of the functions: those the user role may run, and those PUBLIC may (none).
-- Views of this database (the file reconnects), dropped at its end.
CREATE VIEW user_functions AS
SELECT p.oid::regprocedure::text AS function FROM pg_proc p
 WHERE p.pronamespace::regnamespace::text = 'bucardo' AND has_function_privilege('pgclone_user', p.oid, 'EXECUTE');
CREATE VIEW public_functions AS
SELECT p.oid FROM pg_proc p
 WHERE p.pronamespace::regnamespace::text = 'bucardo' AND has_function_privilege('public', p.oid, 'EXECUTE');
SELECT bucardo.add_db('alpha', 'dbname=clone_alpha'), bucardo.add_db('gamma', 'dbname=clone_gamma');
SELECT bucardo.add_relgroup('both', 'public.foo, public.bar');
SELECT bucardo.add_dbgroup('ag', 'alpha, gamma');
SELECT bucardo.add_sync('ag_both', relgroup => 'both', dbgroup => 'ag');
\c clone_gamma
TRUNCATE foo, bar;
\c contrib_regression
SELECT bucardo.clone('ag_both') AS done_id \gset
SELECT bucardo.clone_wait(:done_id, '60 s');
SELECT bucardo.clone('ag_both', start => '1 hour') AS queued_id \gset

ALTER EXTENSION pg_clone UPDATE TO '1.1';
SELECT extversion FROM pg_extension WHERE extname = 'pg_clone';
SELECT id = :done_id AS done_kept, status, summary, streams FROM bucardo.clone WHERE id = :done_id;
SELECT status, streams FROM bucardo.clone WHERE id = :queued_id;
SELECT name FROM bucardo.sync;
-- The progress view is there, empty while nothing runs.
SELECT count(*) AS running FROM bucardo.clone_progress;
-- Nothing of the schema is open to PUBLIC, the new clone() included.
SELECT count(*) AS public_functions FROM public_functions;

-- The queued clone, made due, runs under 1.1.
UPDATE bucardo.clone SET startwhen = now() WHERE id = :queued_id;
NOTIFY bucardo_clone_ready;
SELECT bucardo.clone_wait(:queued_id, '60 s');
SELECT status, summary FROM bucardo.clone WHERE id = :queued_id;

-- And clone() takes streams.
SELECT bucardo.clone('ag_both', streams => 2) AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, streams FROM bucardo.clone WHERE id = :id;

-- 1.1 -> 1.2 (two-phase commit) with a done and a queued clone: both stay, the new columns are
-- empty, and the queued clone runs under 1.2 with two-phase commit.
SELECT bucardo.clone('ag_both', start => '1 hour', streams => 2) AS queued_id \gset
ALTER EXTENSION pg_clone UPDATE TO '1.2';
SELECT extversion FROM pg_extension WHERE extname = 'pg_clone';
SELECT status, two_phase, decision, resolve_at, resolve_attempts FROM bucardo.clone WHERE id IN (:id, :queued_id) ORDER BY id;
SELECT count(*) AS in_doubt FROM bucardo.clone_in_doubt;
SELECT count(*) AS public_functions FROM public_functions;
SELECT count(*) AS public_tables FROM pg_class c
 WHERE c.relnamespace = 'bucardo'::regnamespace AND c.relkind IN ('r', 'v')
   AND has_table_privilege('public', c.oid, 'SELECT');
UPDATE bucardo.clone SET startwhen = now() WHERE id = :queued_id;
NOTIFY bucardo_clone_ready;
SELECT bucardo.clone_wait(:queued_id, '60 s');
SELECT status, two_phase, decision, summary FROM bucardo.clone WHERE id = :queued_id;
SELECT state, count(*) FROM bucardo.clone_transaction WHERE clone_id = :queued_id GROUP BY state;

-- 1.2 -> 1.3 (clone() rebuilt on internal functions, nothing a user sees changes) with a queued clone
-- using every option: it stays and runs under 1.3. clone() keeps its arguments, defaults and privileges,
-- and the same call under 1.3 queues the same row.
SELECT bucardo.clone('ag_both', start => '1 hour', streams => 2, sequences => false, "analyze" => false,
                     filters => '{"public.foo": "id > 0"}', verify => true, empty => 'delete', retries => 1)
    AS queued_id \gset
CREATE TEMP TABLE clone_12 AS
SELECT pg_get_function_arguments(p.oid) AS arguments, pg_get_function_result(p.oid) AS result,
       p.proacl::text AS acl, p.prosecdef, p.provolatile, p.proisstrict, p.proconfig
  FROM pg_proc p WHERE p.oid = 'bucardo.clone'::regproc;
CREATE TEMP TABLE user_functions_12 AS TABLE user_functions;
ALTER EXTENSION pg_clone UPDATE TO '1.3';
SELECT extversion FROM pg_extension WHERE extname = 'pg_clone';
\df bucardo.clone
-- clone() is 1.2's with one more argument, max_rate, at the end: same defaults, grants and properties.
SELECT (SELECT row(c.arguments || ', max_rate text DEFAULT NULL::text', c.result, c.acl, c.prosecdef,
                   c.provolatile, c.proisstrict, c.proconfig)::text FROM clone_12 c)
     = (SELECT row(pg_get_function_arguments(p.oid), pg_get_function_result(p.oid), p.proacl::text, p.prosecdef,
                   p.provolatile, p.proisstrict, p.proconfig)::text
          FROM pg_proc p WHERE p.oid = 'bucardo.clone'::regproc) AS clone_unchanged_but_max_rate;
-- Users may run what clone() now calls; PUBLIC still nothing.
SELECT function AS new_for_users FROM user_functions
 WHERE function NOT IN (SELECT function FROM user_functions_12) ORDER BY function COLLATE "C";
SELECT count(*) AS public_functions FROM public_functions;
SELECT bucardo.clone('ag_both', start => '1 hour', streams => 2, sequences => false, "analyze" => false,
                     filters => '{"public.foo": "id > 0"}', verify => true, empty => 'delete', retries => 1)
    AS queued_13 \gset
SELECT to_jsonb(a) - '{id,startwhen,cdate}'::text[] = to_jsonb(b) - '{id,startwhen,cdate}'::text[] AS same_row,
       b.status, b.streams, b.sequences, b."analyze", b.filters, b.verify, b.empty, b.retries
  FROM bucardo.clone a, bucardo.clone b WHERE a.id = :queued_id AND b.id = :queued_13;
SELECT bucardo.clone_cancel(:queued_13);
\set VERBOSITY terse
SELECT bucardo.clone('ag_both', streams => 0);
SELECT bucardo.clone('ag_both', filters => '{"foo": "true"}');
\set VERBOSITY default
UPDATE bucardo.clone SET startwhen = now() WHERE id = :queued_id;
NOTIFY bucardo_clone_ready;
SELECT bucardo.clone_wait(:queued_id, '60 s');
SELECT status, two_phase, decision, summary FROM bucardo.clone WHERE id = :queued_id;
SELECT db, table_name, rows, emptied, verified FROM bucardo.clone_table WHERE clone_id = :queued_id
 ORDER BY table_name;

-- 1.3 -> 1.4 (schema, target_names, commit, clone_resume) with a queued clone and a cancelled one: the
-- queued one runs under 1.4 with the defaults of the new options; the cancelled one (every option set
-- under 1.3) is resumed with the same options.
SELECT bucardo.clone('ag_both', start => '1 hour', max_rate => '100MB') AS queued_14 \gset
CREATE TEMP TABLE clone_13 AS
SELECT pg_get_function_arguments(p.oid) AS arguments, pg_get_function_result(p.oid) AS result,
       p.proacl::text AS acl, p.prosecdef, p.provolatile, p.proisstrict, p.proconfig
  FROM pg_proc p WHERE p.oid = 'bucardo.clone'::regproc;
CREATE TEMP TABLE user_functions_13 AS TABLE user_functions;
ALTER EXTENSION pg_clone UPDATE TO '1.4';
SELECT extversion FROM pg_extension WHERE extname = 'pg_clone';
SELECT (SELECT row(c.arguments || ', schema text DEFAULT ''existing''::text, target_names jsonb DEFAULT NULL::jsonb,'
                   ' commit text DEFAULT ''clone''::text', c.result, c.acl, c.prosecdef, c.provolatile,
                   c.proisstrict, c.proconfig)::text FROM clone_13 c)
     = (SELECT row(pg_get_function_arguments(p.oid), pg_get_function_result(p.oid), p.proacl::text, p.prosecdef,
                   p.provolatile, p.proisstrict, p.proconfig)::text
          FROM pg_proc p WHERE p.oid = 'bucardo.clone'::regproc) AS clone_unchanged_but_three_arguments;
SELECT function AS new_for_users FROM user_functions
 WHERE function NOT IN (SELECT function FROM user_functions_13) ORDER BY function COLLATE "C";
SELECT count(*) AS public_functions FROM public_functions;
SELECT id = :queued_14 AS queued, status, max_rate, schema, target_names, commit, resumes
  FROM bucardo.clone WHERE id IN (:queued_13, :queued_14) ORDER BY id;
UPDATE bucardo.clone SET startwhen = now() WHERE id = :queued_14;
NOTIFY bucardo_clone_ready;
SELECT bucardo.clone_wait(:queued_14, '60 s');
SELECT status, summary FROM bucardo.clone WHERE id = :queued_14;
SELECT bucardo.clone_resume(:queued_13) AS resumed \gset
SELECT bucardo.clone_wait(:resumed, '60 s');
SELECT to_jsonb(a) - '{id,startwhen,cdate,status,started,ended,summary,error,worker_pid,cancel_requested,two_phase,decision,resumes}'::text[]
     = to_jsonb(b) - '{id,startwhen,cdate,status,started,ended,summary,error,worker_pid,cancel_requested,two_phase,decision,resumes}'::text[]
       AS same_options,
       b.resumes = :queued_13 AS resumes_it, b.status
  FROM bucardo.clone a, bucardo.clone b WHERE a.id = :queued_13 AND b.id = :resumed;
SELECT db, table_name, rows, emptied, verified FROM bucardo.clone_table WHERE clone_id = :resumed
 ORDER BY table_name;
-- Its summary says what it resumed: a cancelled clone committed nothing, so every table is copied.
SELECT summary LIKE '%note: resumes clone ' || :queued_13 || ', which committed no table: every table is copied'
       AS says_what_it_resumes
  FROM bucardo.clone WHERE id = :resumed;
-- Only a failed or cancelled clone can be resumed.
\set VERBOSITY terse
SELECT bucardo.clone_resume(:resumed) IS NULL;
\set VERBOSITY default

-- 1.4 -> 1.5 (clone_wait refuses at once to wait in the transaction that queued or changed the clone)
-- with a queued clone: it runs under 1.5 and is waited for; a wait in the statement that queues a clone
-- is refused.
SELECT bucardo.clone('ag_both', start => '1 hour') AS queued_15 \gset
CREATE TEMP TABLE user_functions_14 AS TABLE user_functions;
ALTER EXTENSION pg_clone UPDATE TO '1.5';
SELECT extversion FROM pg_extension WHERE extname = 'pg_clone';
SELECT function AS new_for_users FROM user_functions
 WHERE function NOT IN (SELECT function FROM user_functions_14) ORDER BY function COLLATE "C";
SELECT count(*) AS public_functions FROM public_functions;
UPDATE bucardo.clone SET startwhen = now() WHERE id = :queued_15;
NOTIFY bucardo_clone_ready;
SELECT bucardo.clone_wait(:queued_15, '60 s');
SELECT status, summary FROM bucardo.clone WHERE id = :queued_15;
\set VERBOSITY terse
SELECT bucardo.clone_wait(bucardo.clone('ag_both'), '60 s');
\set VERBOSITY default
SELECT bucardo.remove_sync('ag_both');

-- A fresh CREATE EXTENSION pg_clone (1.0 and then every update script: there is no pg_clone--1.5.sql)
-- makes the same objects, definitions and privileges as this installation updated step by step.
CREATE TEMP VIEW bucardo_objects (kind, name, definition) AS
SELECT 'member', pg_describe_object(d.classid, d.objid, d.objsubid), ''
  FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
 WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e' AND e.extname = 'pg_clone'
UNION ALL
SELECT 'function', p.oid::regprocedure::text, pg_get_functiondef(p.oid) || ' ' || coalesce(p.proacl::text, '')
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'bucardo'
UNION ALL
SELECT 'relation', c.relname, concat_ws(' ', c.relkind, c.relrowsecurity, c.relacl::text, c.reloptions::text,
                                        CASE WHEN c.relkind = 'v' THEN pg_get_viewdef(c.oid) END,
                                        CASE WHEN c.relkind = 'i' THEN pg_get_indexdef(c.oid) END)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'bucardo'
UNION ALL
SELECT 'column', c.relname || '.' || a.attname,
       concat_ws(' ', format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(ad.adbin, ad.adrelid),
                 a.attacl::text, col_description(c.oid, a.attnum))
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_attrdef ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum
 WHERE n.nspname = 'bucardo'
UNION ALL
SELECT 'constraint', c.relname || '.' || k.conname, pg_get_constraintdef(k.oid)
  FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'bucardo'
UNION ALL
SELECT 'trigger', c.relname || '.' || t.tgname, pg_get_triggerdef(t.oid)
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'bucardo' AND NOT t.tgisinternal
UNION ALL
SELECT 'policy', p.tablename || '.' || p.policyname,
       concat_ws(' ', p.permissive, p.roles::text, p.cmd, p.qual, p.with_check)
  FROM pg_policies p WHERE p.schemaname = 'bucardo'
UNION ALL
SELECT 'schema', n.nspname, concat_ws(' ', pg_get_userbyid(n.nspowner), n.nspacl::text)
  FROM pg_namespace n WHERE n.nspname = 'bucardo';
CREATE TEMP TABLE updated AS SELECT * FROM bucardo_objects;
DROP EXTENSION pg_clone;
CREATE EXTENSION pg_clone;
SELECT extversion FROM pg_extension WHERE extname = 'pg_clone';
-- (At least the 39 functions and 297 rows of 1.3; 1.4 has two functions more.)
SELECT count(*) FILTER (WHERE kind = 'function') >= 39 AS functions_compared, count(*) >= 297 AS rows_compared
  FROM updated;
SELECT 'only updated' AS side, * FROM (TABLE updated EXCEPT TABLE bucardo_objects) u
UNION ALL
SELECT 'only fresh', * FROM (TABLE bucardo_objects EXCEPT TABLE updated) f
 ORDER BY 2, 3, 1;
DROP VIEW user_functions, public_functions;
