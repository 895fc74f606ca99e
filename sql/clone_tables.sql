-- Seed forms 4 and 5: tables given inline, with a dbgroup or an inline dbs list. The lists become
-- relgroups and dbgroups named like clone_relgroup1.
\c clone_gamma
TRUNCATE foo, bar;
\c contrib_regression
SELECT bucardo.clone(tables => 'bar', dbgroup => 'baz') AS id \gset
SELECT relgroup, dbgroup FROM bucardo.clone WHERE id = :id;
SELECT m.schemaname, m.tablename FROM bucardo.relmap m JOIN bucardo.clone c ON c.relgroup = m.relgroup
 WHERE c.id = :id;
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, error FROM bucardo.clone WHERE id = :id;

-- Form 5; gamma comes second without a role, so it is a target.
SELECT bucardo.clone(tables => 'public.foo', dbs => 'alpha:source, gamma') AS id \gset
SELECT relgroup, dbgroup FROM bucardo.clone WHERE id = :id;
SELECT m.db, m.role FROM bucardo.dbmap m JOIN bucardo.clone c ON c.dbgroup = m.dbgroup
 WHERE c.id = :id ORDER BY m.position;
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, error FROM bucardo.clone WHERE id = :id;
\c clone_gamma
SELECT count(*), min(id), max(id), sum(length(v)) FROM foo;
SELECT count(*), sum(a) FROM bar;
\c contrib_regression
