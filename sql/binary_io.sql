-- Column types without binary send/receive functions (aclitem; a user-defined base type made without
-- them), and types made of them (arrays, domains, composite types, built-in or not), go in text, table
-- by table: the clone's other tables stay binary.
\set VERBOSITY terse
CREATE ROLE clone_acl_grantor;
CREATE ROLE clone_acl_grantee;
\c clone_alpha
CREATE TABLE public.acl_item (id integer, a aclitem);
INSERT INTO public.acl_item VALUES (1, 'clone_acl_grantee=r/clone_acl_grantor'), (2, '=arw/clone_acl_grantor'), (3, NULL);
CREATE TABLE public.acl_array (id integer, al aclitem[]);
INSERT INTO public.acl_array VALUES (1, '{clone_acl_grantee=r/clone_acl_grantor,=U/clone_acl_grantor}'), (2, '{}'), (3, NULL);
CREATE DOMAIN public.acl_d AS aclitem;
CREATE TABLE public.acl_domain (id integer, d public.acl_d);
INSERT INTO public.acl_domain VALUES (1, 'clone_acl_grantor=arwdDxt/clone_acl_grantor');
CREATE TYPE public.acl_pair AS (who text, acl aclitem);
CREATE TABLE public.acl_composite (id integer, p public.acl_pair, ps public.acl_pair[]);
INSERT INTO public.acl_composite VALUES
    (1, ROW('grantee', 'clone_acl_grantee=r/clone_acl_grantor'), ARRAY[ROW('everyone', '=r/clone_acl_grantor')::public.acl_pair]);
-- A built-in composite type holding aclitem[]: the same OIDs on every server, and still no binary I/O.
CREATE TABLE public.acl_sysrow (id integer, n pg_catalog.pg_namespace);
INSERT INTO public.acl_sysrow VALUES (1, ROW(1, 'n1', 10, '{clone_acl_grantee=U/clone_acl_grantor}'));
-- A base type without send and receive functions, made from built-in ones (no C code).
CREATE TYPE public.plaintext;
SET client_min_messages = warning;  -- "is only a shell" notices, worded differently by version
CREATE FUNCTION public.plaintext_in(cstring) RETURNS public.plaintext LANGUAGE internal IMMUTABLE STRICT AS 'textin';
CREATE FUNCTION public.plaintext_out(public.plaintext) RETURNS cstring LANGUAGE internal IMMUTABLE STRICT AS 'textout';
RESET client_min_messages;
CREATE TYPE public.plaintext (INPUT = public.plaintext_in, OUTPUT = public.plaintext_out, LIKE = text);
CREATE TABLE public.no_binary (id integer, v public.plaintext);
INSERT INTO public.no_binary VALUES (1, 'plain text'), (2, E'back\\slash');
-- Built-in types with binary I/O: stays binary.
CREATE TABLE public.still_binary (id integer, t text, n numeric, ts timestamptz);
INSERT INTO public.still_binary VALUES (1, 'one', 1.5, '2025-01-02 03:04:05+00'), (2, NULL, 'NaN', NULL);
\c clone_beta
CREATE TABLE public.acl_item (id integer, a aclitem);
INSERT INTO public.acl_item VALUES (9, NULL);  -- stale
CREATE TABLE public.acl_array (id integer, al aclitem[]);
CREATE DOMAIN public.acl_d AS aclitem;
CREATE TABLE public.acl_domain (id integer, d public.acl_d);
CREATE TYPE public.acl_pair AS (who text, acl aclitem);
CREATE TABLE public.acl_composite (id integer, p public.acl_pair, ps public.acl_pair[]);
CREATE TABLE public.acl_sysrow (id integer, n pg_catalog.pg_namespace);
CREATE TYPE public.plaintext;
SET client_min_messages = warning;  -- "is only a shell" notices, worded differently by version
CREATE FUNCTION public.plaintext_in(cstring) RETURNS public.plaintext LANGUAGE internal IMMUTABLE STRICT AS 'textin';
CREATE FUNCTION public.plaintext_out(public.plaintext) RETURNS cstring LANGUAGE internal IMMUTABLE STRICT AS 'textout';
RESET client_min_messages;
CREATE TYPE public.plaintext (INPUT = public.plaintext_in, OUTPUT = public.plaintext_out, LIKE = text);
CREATE TABLE public.no_binary (id integer, v public.plaintext);
CREATE TABLE public.still_binary (id integer, t text, n numeric, ts timestamptz);
INSERT INTO public.still_binary VALUES (9, 'stale', 9, NULL);
\c contrib_regression

SELECT bucardo.clone(tables => 'public.acl_item, public.acl_array, public.acl_domain, public.acl_composite,'
                               ' public.acl_sysrow, public.no_binary, public.still_binary',
                     dbs => 'alpha, beta', verify => true) AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, error FROM bucardo.clone WHERE id = :id;
SELECT table_name, rows, format, verified FROM bucardo.clone_table WHERE clone_id = :id ORDER BY table_name;
\c clone_beta
SELECT * FROM public.acl_item ORDER BY id;
SELECT * FROM public.acl_array ORDER BY id;
SELECT * FROM public.acl_domain ORDER BY id;
SELECT * FROM public.acl_composite ORDER BY id;
SELECT * FROM public.acl_sysrow ORDER BY id;
SELECT * FROM public.no_binary ORDER BY id;
SELECT * FROM public.still_binary ORDER BY id;
\c contrib_regression
