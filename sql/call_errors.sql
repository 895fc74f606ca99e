-- Every error that can be known when clone() is called is raised then, and nothing is queued.
\set SHOW_CONTEXT never
\set VERBOSITY default
SELECT count(*) AS clones_before FROM bucardo.clone \gset
SELECT count(*) AS relgroups_before FROM bucardo.relgroup \gset
SELECT count(*) AS dbgroups_before FROM bucardo.dbgroup \gset

SELECT bucardo.clone();
SELECT bucardo.clone('foobar', tables => 'foo');
SELECT bucardo.clone(tables => 'foo');
SELECT bucardo.clone(dbs => 'alpha,beta');
SELECT bucardo.clone(relgroup => 'foobar', tables => 'foo', dbs => 'alpha,beta');
SELECT bucardo.clone(tables => 'foo', dbgroup => 'baz', dbs => 'alpha,beta');
SELECT bucardo.clone('nosuchsync');
SELECT bucardo.clone(relgroup => 'nosuchrelgroup', dbgroup => 'baz');
SELECT bucardo.clone(relgroup => 'foobar', dbgroup => 'nosuchdbgroup');
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, nosuchdb');
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha:target, beta:target');
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha:source');
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha:source, beta:sauce');
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, beta, alpha');
SELECT bucardo.clone(tables => 'foo', dbs => '');
SELECT bucardo.clone(tables => 'foo,', dbs => 'alpha,beta');
SELECT bucardo.clone(tables => 'foo bar', dbs => 'alpha,beta');
SELECT bucardo.clone(tables => '', dbs => 'alpha,beta');
SELECT bucardo.clone(tables => 'x.y.z', dbs => 'alpha,beta');
SELECT bucardo.clone('foobar', start => 'soon');
SELECT bucardo.clone('foobar', start => '3 parsecs');
SELECT bucardo.clone('foobar', start => '-3 hours');
SELECT bucardo.clone('foobar', start => '2026-13-45 10:00');
SELECT bucardo.clone('foobar', empty_only => NULL);

SELECT (SELECT count(*) FROM bucardo.clone) - :clones_before AS new_clones,
       (SELECT count(*) FROM bucardo.relgroup) - :relgroups_before AS new_relgroups,
       (SELECT count(*) FROM bucardo.dbgroup) - :dbgroups_before AS new_dbgroups;

-- Waiting for and cancelling clones that do not exist.
SELECT bucardo.clone_wait(-1);
SELECT bucardo.clone_cancel(-1);
-- streams: 1 to 64 (NULL: pg_clone.max_streams).
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, beta', streams => 0);
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, beta', streams => 65);
-- A start that never comes, and a connection string of blanks only.
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, beta', start => 'infinity');
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, beta', start => '-infinity');
SELECT bucardo.add_db('blank', E' \t\n ');
SELECT count(*) AS queued FROM bucardo.clone WHERE status = 'queued';
-- schema, target_names and commit (1.4): refused at call time, nothing queued.
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, beta', schema => 'replace');
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, beta', schema => NULL);
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, beta', commit => 'row');
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, beta', target_names => '[]');
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, beta', target_names => 'null');
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, beta', target_names => '{"foo": 1}');
SELECT bucardo.clone(relgroup => 'foobar', dbgroup => 'baz', target_names => '{"public.foo": "baz"}');
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, beta', target_names => '{"foo": "a.b.c"}');
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, beta', target_names => '{"foo": "x.*"}');
SELECT bucardo.clone(tables => 'foo, bar', dbs => 'alpha, beta', target_names => '{"foo": "x.t", "bar": "x.t"}');
SELECT bucardo.clone(tables => 'public.*', dbs => 'alpha, beta', target_names => '{"public.*": "x.t"}');
SELECT count(*) AS queued FROM bucardo.clone WHERE status = 'queued';
-- Resuming a clone that does not exist, or one that is queued.
SELECT bucardo.clone_resume(-1);
