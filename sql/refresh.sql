-- Refreshing a copy people use: row filters, verification before the commit, emptying by DELETE.
\set VERBOSITY terse
\c clone_alpha
CREATE TABLE public.rf (id integer PRIMARY KEY, region text, v text);
INSERT INTO public.rf SELECT g, CASE WHEN g % 3 = 0 THEN 'eu' ELSE 'us' END, 'v' || g FROM generate_series(1, 60) g;
CREATE SEQUENCE public.rf_probe;
\c clone_beta
CREATE TABLE public.rf (id integer PRIMARY KEY, region text, v text);
INSERT INTO public.rf VALUES (-1, 'old', 'old');
\c contrib_regression

-- A filter per table, as the table is written in the list: the target is emptied whole and gets the subset.
SELECT bucardo.clone(tables => 'public.rf', dbs => 'alpha, beta', filters => '{"public.rf": "region = ''eu''"}') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, error FROM bucardo.clone WHERE id = :id;
\c clone_beta
SELECT count(*), min(id), max(id), count(*) FILTER (WHERE region <> 'eu') AS others FROM public.rf;
\c contrib_regression

-- Stored in a relgroup; the clone's own filter wins over it.
SELECT bucardo.add_relgroup('rf_group', 'public.rf');
SELECT bucardo.set_filter('rf_group', 'public.rf', 'id <= 5');
SELECT bucardo.add_dbgroup('rf_dbs', 'alpha, beta');
SELECT bucardo.clone(relgroup => 'rf_group', dbgroup => 'rf_dbs') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary FROM bucardo.clone WHERE id = :id;
SELECT bucardo.clone(relgroup => 'rf_group', dbgroup => 'rf_dbs', filters => '{"public.rf": "id > 58"}') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary FROM bucardo.clone WHERE id = :id;
SELECT bucardo.set_filter('rf_group', 'public.rf', NULL);
SELECT bucardo.set_filter('rf_group', 'rf', 'true');

-- Filters that are not conditions on the table fail before anything is emptied, naming the table;
-- one that would write fails too (the source's transaction is read-only), and so does one that tries to
-- end the statement.
SELECT bucardo.clone(tables => 'public.rf', dbs => 'alpha, beta', filters => '{"public.rf": "nope > 1"}') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
SELECT bucardo.clone(tables => 'public.rf', dbs => 'alpha, beta', filters => '{"public.rf": "id + 1"}') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
SELECT bucardo.clone(tables => 'public.rf', dbs => 'alpha, beta',
                     filters => '{"public.rf": "pg_catalog.nextval(''public.rf_probe'') > 0"}') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
SELECT bucardo.clone(tables => 'public.rf', dbs => 'alpha, beta',
                     filters => '{"public.rf": "true); DROP TABLE public.rf; SELECT (1"}') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
\c clone_alpha
SELECT count(*) AS still_there FROM public.rf;
\c clone_beta
SELECT count(*) AS unchanged FROM public.rf;
\c contrib_regression

-- Call-time errors: nothing is queued.
SELECT bucardo.clone(tables => 'public.rf', dbs => 'alpha, beta', filters => '["id > 1"]');
SELECT bucardo.clone(relgroup => 'rf_group', dbgroup => 'rf_dbs', filters => '{"rf": "id > 1"}');
SELECT bucardo.clone(tables => 'public.rf', dbs => 'alpha, beta', filters => '{"public.rf": 1}');
SELECT bucardo.clone(tables => 'public.rf', dbs => 'alpha, beta', empty => 'drop');
SELECT bucardo.clone(tables => 'public.rf', dbs => 'alpha, beta', empty => 'delete', empty_only => true);
SELECT bucardo.clone(tables => 'public.rf', dbs => 'alpha, beta', verify => NULL);

-- verify => true: every table compared before the commit, and recorded.
SELECT bucardo.clone(tables => 'public.rf, public.foo', dbs => 'alpha, beta', verify => true, streams => 2) AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
SELECT db, table_name, rows, verified FROM bucardo.clone_table WHERE clone_id = :id ORDER BY db, table_name;

-- A target that changes rows as they arrive (a trigger that fires even under replica role) fails it.
\c clone_beta
CREATE FUNCTION public.shout() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.v := upper(NEW.v); RETURN NEW; END $$;
CREATE TRIGGER shout BEFORE INSERT ON public.rf FOR EACH ROW EXECUTE FUNCTION public.shout();
ALTER TABLE public.rf ENABLE ALWAYS TRIGGER shout;
\c contrib_regression
SELECT bucardo.clone(tables => 'public.rf', dbs => 'alpha, beta', verify => true) AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, regexp_replace(error, 'checksum [0-9]+', 'checksum N', 'g') AS error FROM bucardo.clone WHERE id = :id;
\c clone_beta
SELECT count(*) AS unchanged FROM public.rf;
DROP TRIGGER shout ON public.rf;
\c contrib_regression

-- empty => 'delete': the targets are emptied by DELETE (readers keep the old rows until the commit).
SELECT bucardo.clone(tables => 'public.rf', dbs => 'alpha, beta', empty => 'delete') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, empty FROM bucardo.clone WHERE id = :id;
SELECT table_name, emptied FROM bucardo.clone_table WHERE clone_id = :id;
-- A table that a table outside the clone references: emptied by DELETE all the same, and the foreign
-- key is checked before the commit (see referenced.sql).
\c clone_beta
CREATE TABLE public.rf_ref (id integer REFERENCES public.rf);
\c contrib_regression
SELECT bucardo.clone(tables => 'public.rf', dbs => 'alpha, beta', empty => 'delete') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
\c clone_beta
DROP TABLE public.rf_ref;
\c contrib_regression
SELECT bucardo.remove_relgroup('rf_group'), bucardo.remove_dbgroup('rf_dbs');
