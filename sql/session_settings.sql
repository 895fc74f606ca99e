-- Text COPY reads what the source prints, so every session pins the settings that printing and
-- reading depend on (as pg_dump does): the databases' own defaults and a conninfo's options cannot
-- change the copied values. The tables have a type of the databases' own, so they go as text.
\set SHOW_CONTEXT never
CREATE DATABASE clone_dmy;
CREATE DATABASE clone_dmy_copy;
\c clone_dmy
CREATE DOMAIN tag AS text;
CREATE TABLE readings (id integer PRIMARY KEY, day date, at timestamptz, span interval, x float8, r real,
                       arr text[], doc xml, t tag);
INSERT INTO readings VALUES (1, '2024-01-05', '2024-01-05 10:00:00+00', '1 day 2 hours 3 seconds',
                             0.1::float8 + 0.2::float8, 0.1::real, ARRAY['a', NULL, 'NULL'], 'one<b>two</b>', 'x');
INSERT INTO readings VALUES (2, '2024-01-25', '2024-07-25 23:30:00.123456+00', '-1 mon 3 days', 1e-300, 3.4e38,
                             '{}', '<doc/>', 'y');
ALTER DATABASE clone_dmy SET DateStyle = 'SQL, DMY';
ALTER DATABASE clone_dmy SET IntervalStyle = 'sql_standard';
ALTER DATABASE clone_dmy SET extra_float_digits = 0;
ALTER DATABASE clone_dmy SET TimeZone = 'Asia/Kolkata';
\c clone_dmy_copy
CREATE DOMAIN tag AS text;
CREATE TABLE readings (id integer PRIMARY KEY, day date, at timestamptz, span interval, x float8, r real,
                       arr text[], doc xml, t tag);
ALTER DATABASE clone_dmy_copy SET DateStyle = 'SQL, MDY';
ALTER DATABASE clone_dmy_copy SET IntervalStyle = 'iso_8601';
\c contrib_regression
SELECT bucardo.add_db('dmy', 'dbname=clone_dmy options=''-c extra_float_digits=-15''');
SELECT bucardo.add_db('dmy_copy', 'dbname=clone_dmy_copy options=''-c array_nulls=off -c xmloption=document''');

SELECT bucardo.clone(tables => 'readings', dbs => 'dmy, dmy_copy') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, error FROM bucardo.clone WHERE id = :id;

-- Every value equals the source's, compared on the target.
\c clone_dmy_copy
SELECT id, to_char(day, 'YYYY-MM-DD') AS day,
       at = CASE id WHEN 1 THEN '2024-01-05 10:00:00+00'::timestamptz ELSE '2024-07-25 23:30:00.123456+00' END AS same_at,
       span = CASE id WHEN 1 THEN '1 day 2 hours 3 seconds'::interval ELSE '-1 mon 3 days' END AS same_span,
       x = CASE id WHEN 1 THEN 0.1::float8 + 0.2::float8 ELSE 1e-300 END AS same_x,
       r = CASE id WHEN 1 THEN 0.1::real ELSE 3.4e38::real END AS same_r,
       arr[2] IS NULL AS null_element_kept, arr[3] AS string_null, cardinality(arr) AS elements,
       doc::text AS doc, t
  FROM readings ORDER BY id;
\c contrib_regression
