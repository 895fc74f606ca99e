-- Seed form 1: bucardo.clone('sync') clones the sync's relgroup into its dbgroup, at once.
SELECT bucardo.add_relgroup('foobar', 'foo, bar');
SELECT bucardo.add_dbgroup('baz', 'alpha:source, beta:target, gamma:target');
SELECT bucardo.add_sync('foobar', relgroup => 'foobar', dbgroup => 'baz');

SELECT bucardo.clone('foobar') AS id \gset
SELECT sync, relgroup, dbgroup, empty_only, status IN ('queued', 'running', 'done') AS accepted
  FROM bucardo.clone WHERE id = :id;
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, error, started >= cdate AS started_after_request, ended >= started AS ended_after_start,
       started - cdate < interval '1 s' AS started_at_once
  FROM bucardo.clone WHERE id = :id;

-- Targets hold exactly the source's rows; the stale rows are gone.
\c clone_beta
SELECT count(*), min(id), max(id), sum(length(v)) FROM foo;
SELECT count(*), sum(a), sum(length(b)) FROM bar;
\c clone_gamma
SELECT count(*), min(id), max(id), sum(length(v)) FROM foo;
SELECT count(*), sum(a), sum(length(b)) FROM bar;
\c clone_alpha
SELECT count(*), min(id), max(id), sum(length(v)) FROM foo;
SELECT count(*), sum(a), sum(length(b)) FROM bar;
\c contrib_regression
