-- Seed form 2: a start time. The clone stays queued until then and begins at that time, not at the
-- next poll (pg_clone.naptime is 2 s in this suite).
\set SHOW_CONTEXT never
\c clone_beta
TRUNCATE foo;
\c contrib_regression
SELECT bucardo.clone('foobar', start => '3 seconds') AS id \gset
SELECT status, startwhen - cdate AS delay FROM bucardo.clone WHERE id = :id;
SELECT bucardo.clone_wait(:id, '1 s');  -- times out: still queued
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error, started >= startwhen AS not_before_start,
       started < startwhen + interval '1.5 s' AS on_time
  FROM bucardo.clone WHERE id = :id;
\c clone_beta
SELECT count(*) FROM foo;
\c contrib_regression

-- A timestamp works too, and one in the past means at once.
SELECT bucardo.clone('foobar', start => '2001-02-03 04:05:06+00') AS id \gset
SELECT startwhen FROM bucardo.clone WHERE id = :id;
SELECT bucardo.clone_wait(:id, '60 s');
SELECT bucardo.clone('foobar', start => to_char(now() + interval '1 day', 'YYYY-MM-DD HH24:MI:SS')) AS id \gset
SELECT startwhen - now() BETWEEN interval '23 hours' AND interval '25 hours' AS in_a_day, status
  FROM bucardo.clone WHERE id = :id;
SELECT bucardo.clone_cancel(:id);
SELECT status, error FROM bucardo.clone WHERE id = :id;
SELECT bucardo.clone_cancel(:id);  -- already ended: false

-- A timestamp as the session prints it (DateStyle 'Postgres' here) is understood too.
SHOW DateStyle;
SELECT bucardo.clone('foobar', start => (now() + interval '2 days')::text) AS id \gset
SELECT startwhen - now() BETWEEN interval '47 hours' AND interval '49 hours' AS in_two_days
  FROM bucardo.clone WHERE id = :id;
SELECT bucardo.clone_cancel(:id);
-- Other spellings of an interval.
SELECT bucardo._start_time('90 min') - now() AS a, bucardo._start_time('1h30m') - now() AS b,
       bucardo._start_time('00:10') - now() AS c, bucardo._start_time('PT2H') - now() AS d;
