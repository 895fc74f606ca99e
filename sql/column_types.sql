-- Columns of different types on each side: copied in text where PostgreSQL converts the values on
-- assignment (integer to bigint, varchar to text, a domain to its base, anything into text); other
-- differences fail the clone before any target is touched, naming the column.
\set VERBOSITY terse
\c clone_alpha
CREATE TABLE public.ty (id integer PRIMARY KEY, n integer, s varchar(20), flag boolean, tags integer[]);
INSERT INTO public.ty VALUES (1, 2147483647, 'twenty chars at most', true, '{1,2}'), (2, -5, NULL, false, NULL);
\c clone_beta
CREATE DOMAIN positive_or_not AS bigint;
CREATE TABLE public.ty (id bigint PRIMARY KEY, n positive_or_not, s text, flag text, tags bigint[]);
INSERT INTO public.ty VALUES (9, 9, 'old', 'old', '{9}');
\c clone_gamma
CREATE TABLE public.ty (id integer PRIMARY KEY, n integer, s integer, flag boolean, tags integer[]);
INSERT INTO public.ty VALUES (9, 9, 9, true, '{9}');
\c contrib_regression

SELECT bucardo.clone(tables => 'public.ty', dbs => 'alpha, beta') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
SELECT format FROM bucardo.clone_table WHERE clone_id = :id;
\c clone_beta
SELECT * FROM public.ty ORDER BY id;
\c contrib_regression

-- varchar into integer: refused before gamma is emptied.
SELECT bucardo.clone(tables => 'public.ty', dbs => 'alpha, gamma') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
\c clone_gamma
SELECT * FROM public.ty ORDER BY id;
\c contrib_regression
