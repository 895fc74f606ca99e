-- Table names: schema-qualified, quoted identifiers, search_path on the source; partitioned tables
-- on either side; generated columns are not copied (the target computes its own).
\c clone_alpha
CREATE SCHEMA "Mixed Case";
CREATE TABLE "Mixed Case"."Tab, 1" ("Id" integer, "Note" text, total integer GENERATED ALWAYS AS ("Id" * 2) STORED);
INSERT INTO "Mixed Case"."Tab, 1" ("Id", "Note") SELECT g, 'n' || g FROM generate_series(1, 30) g;
CREATE SCHEMA app;
CREATE TABLE app.events (id integer, at date, what text) PARTITION BY RANGE (at);
CREATE TABLE app.events_2025 PARTITION OF app.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE app.events_2026 PARTITION OF app.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
INSERT INTO app.events SELECT g, date '2025-06-01' + g, 'e' || g FROM generate_series(1, 400) g;
CREATE TABLE app.plain (id integer, label text);
INSERT INTO app.plain SELECT g, 'p' || g FROM generate_series(1, 40) g;
ALTER DATABASE clone_alpha SET search_path = app, public;
\c clone_beta
CREATE SCHEMA "Mixed Case";
CREATE TABLE "Mixed Case"."Tab, 1" ("Note" text, "Id" integer, total integer GENERATED ALWAYS AS ("Id" * 3) STORED);
INSERT INTO "Mixed Case"."Tab, 1" ("Id", "Note") VALUES (-1, 'stale');
CREATE SCHEMA app;
CREATE TABLE app.events (id integer, at date, what text);  -- plain on this side
INSERT INTO app.events VALUES (-1, '2000-01-01', 'stale');
CREATE TABLE app.plain (id integer, label text) PARTITION BY HASH (id);  -- partitioned on this side
CREATE TABLE app.plain_0 PARTITION OF app.plain FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE app.plain_1 PARTITION OF app.plain FOR VALUES WITH (MODULUS 2, REMAINDER 1);
INSERT INTO app.plain VALUES (-1, 'stale'), (-2, 'stale');
\c contrib_regression

-- "events" and "plain" are found through the source's search_path (app), "Tab, 1" by its quoted name.
SELECT bucardo.clone(tables => '"Mixed Case"."Tab, 1", events, plain', dbs => 'alpha, beta') AS id \gset
SELECT m.schemaname, m.tablename FROM bucardo.relmap m JOIN bucardo.clone c ON c.relgroup = m.relgroup
 WHERE c.id = :id ORDER BY m.position;
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, error FROM bucardo.clone WHERE id = :id;
\c clone_beta
SELECT count(*), sum("Id"), sum(total) FROM "Mixed Case"."Tab, 1";
SELECT count(*), min(at), max(at) FROM app.events;
SELECT tableoid::regclass AS partition, count(*) FROM app.plain GROUP BY 1 ORDER BY 1;
SELECT count(*), min(id), max(id) FROM app.plain;
\c contrib_regression
