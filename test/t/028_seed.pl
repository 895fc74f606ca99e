# Seeding an empty database in one call: clone(tables => '*', schema => 'create') creates every table
# of the source on a target that lacks them (with the schemas, types, domains and functions they
# need, their keys, indexes, foreign keys, triggers, policies, comments, owned sequences, owners and
# grants), fills them, and commits it all as one. The schema dumps of source and target then compare
# equal (pg_dump --schema-only; the grants to a role the target lacks are what the summary says was
# skipped), and every table row by row. A failure after the tables were created leaves the target
# empty; two targets, one with the tables and one without, are cloned in one call; target_names
# writes tables under other names, into existing tables or created ones.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use PgCloneTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

# Role dumper logs in to the source with a password only (a user mapping gives it to the clone).
my $source = start_node('source', undef, sub { prepend_hba($_[0], 'local all dumper scram-sha-256') });
$source->safe_psql('postgres', q{
CREATE DATABASE src;
CREATE ROLE alice;
CREATE ROLE carol;  -- only the source has her
CREATE ROLE dumper LOGIN SUPERUSER PASSWORD 'dump secret';
});
my $log_offset = -s $source->logfile;  # the statement above names the password

my $target = start_node('target', preload_conf() . q{
max_prepared_transactions = 10
pg_clone.lock_timeout = '20s'
});
$target->safe_psql('postgres', q{
CREATE ROLE alice;
CREATE DATABASE empty;
CREATE DATABASE empty2;
CREATE DATABASE half;
CREATE DATABASE strict;
CREATE DATABASE renamed;
CREATE EXTENSION pg_clone;
});
{
	$target->safe_psql('postgres',
		add_db_sql([ 'alpha', $source, 'src' ], map { [ $_, $target, $_ ] } qw(empty empty2 half strict renamed)));
}

$source->safe_psql(
	'src', q{
-- Types of every family, in a schema of their own, with a function.
CREATE SCHEMA kinds;
CREATE TYPE kinds.mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN kinds.posint AS int CHECK (VALUE > 0);
CREATE TYPE kinds.pair AS (a int, b text, m kinds.mood);
CREATE TYPE kinds.floatrange AS RANGE (subtype = float8);
CREATE FUNCTION kinds.twice(int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT $1 * 2';
COMMENT ON TYPE kinds.mood IS 'how it feels';
CREATE TABLE types (
    id int PRIMARY KEY, n numeric, t text COLLATE "C", by bytea, tstz timestamptz, j jsonb,
    ir int4range, fr kinds.floatrange, m kinds.mood DEFAULT 'ok', dom kinds.posint DEFAULT kinds.twice(3),
    p kinds.pair, ma kinds.mood[], pa kinds.pair[],
    EXCLUDE USING gist (ir WITH &&));
INSERT INTO types
  SELECT g, g / 7.0, 'text ' || g, decode(md5(g::text), 'hex'), timestamptz '2020-01-01 00:00+00' + g * interval '1 min',
         ('{"g": [' || g || ', null]}')::jsonb, int4range(g * 10, g * 10 + 5), kinds.floatrange(0.5, g),
         (ARRAY['sad', 'ok', 'happy'])[1 + g % 3]::kinds.mood, g, ROW(g, 'p "' || g || '"', 'ok')::kinds.pair,
         ARRAY['sad', 'happy']::kinds.mood[], ARRAY[ROW(g, NULL, NULL)::kinds.pair]
    FROM generate_series(1, 300) g;

-- Tables without columns, and columns dropped.
CREATE TABLE nocols ();
INSERT INTO nocols DEFAULT VALUES; INSERT INTO nocols DEFAULT VALUES;
CREATE TABLE some_dropped (id int PRIMARY KEY, gone text, kept text);
INSERT INTO some_dropped SELECT g, 'gone', 'kept ' || g FROM generate_series(1, 50) g;
ALTER TABLE some_dropped DROP COLUMN gone;

-- Inheritance.
CREATE TABLE parent (id int, note text);
CREATE TABLE child (extra text) INHERITS (parent);
INSERT INTO parent SELECT g, 'parent ' || g FROM generate_series(1, 10) g;
INSERT INTO child SELECT g, 'child ' || g, 'extra ' || g FROM generate_series(11, 25) g;

-- Partitions, with a default partition and a sub-partitioned one, and a partitioned index.
CREATE TABLE events (id int, at date, what text) PARTITION BY RANGE (at);
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01') PARTITION BY HASH (id);
CREATE TABLE events_2025_0 PARTITION OF events_2025 FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE events_2025_1 PARTITION OF events_2025 FOR VALUES WITH (MODULUS 2, REMAINDER 1);
CREATE TABLE events_other PARTITION OF events DEFAULT;
CREATE INDEX events_at ON events (at);
INSERT INTO events SELECT g, date '2025-06-01' + g, 'e' || g FROM generate_series(1, 400) g;

-- Generated, identity and serial columns; their sequences follow.
CREATE TABLE computed (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, s serial, a int,
                       twice int GENERATED ALWAYS AS (a * 2) STORED);
INSERT INTO computed (a) SELECT g FROM generate_series(1, 30) g;

-- Foreign keys, a self-reference, a deferrable unique constraint; owners, grants, comments.
CREATE TABLE customers (id int PRIMARY KEY, name text UNIQUE, CHECK (name <> ''));
CREATE TABLE orders (id int PRIMARY KEY, customer int REFERENCES customers, total numeric);
CREATE TABLE order_lines (order_id int REFERENCES orders ON DELETE CASCADE, line int, PRIMARY KEY (order_id, line));
CREATE TABLE staff (id int PRIMARY KEY, boss int REFERENCES staff);
CREATE TABLE codes (code text UNIQUE DEFERRABLE INITIALLY DEFERRED);
INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(1, 40) g;
INSERT INTO orders SELECT g, 1 + g % 40, g * 1.5 FROM generate_series(1, 120) g;
INSERT INTO order_lines SELECT o, l FROM generate_series(1, 120) o, generate_series(1, 3) l;
INSERT INTO staff VALUES (1, NULL), (2, 1), (3, 1), (4, 2);
INSERT INTO codes SELECT 'code ' || g FROM generate_series(1, 15) g;
ALTER TABLE customers OWNER TO alice;
GRANT SELECT ON orders TO alice;
GRANT SELECT ON customers TO carol;
COMMENT ON TABLE orders IS 'what was bought';
COMMENT ON COLUMN orders.total IS 'in euros';

-- A trigger (with its function), row security, unlogged, quoted names, another schema.
CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN NEW.at = now(); RETURN NEW; END';
CREATE SCHEMA audit;
CREATE TABLE audit.log (id bigserial PRIMARY KEY, at timestamptz DEFAULT now(), what text CHECK (what <> ''));
CREATE TRIGGER log_stamp BEFORE INSERT ON audit.log FOR EACH ROW EXECUTE FUNCTION stamp();
INSERT INTO audit.log (what) SELECT 'event ' || g FROM generate_series(1, 25) g;
CREATE TABLE secret (id int, owner text);
ALTER TABLE secret ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY nobody ON secret USING (false);
INSERT INTO secret SELECT g, 'o' || g FROM generate_series(1, 8) g;
CREATE UNLOGGED TABLE scratch (id int, v text);
ALTER TABLE scratch OWNER TO carol;
INSERT INTO scratch SELECT g, 'v' || g FROM generate_series(1, 12) g;
CREATE SCHEMA "Mixed Case";
CREATE TABLE "Mixed Case"."Tab, 1" ("Id" int, "Note" text);
INSERT INTO "Mixed Case"."Tab, 1" SELECT g, 'n' || g FROM generate_series(1, 9) g;
ANALYZE;
});

my @tables = split /\n/, $source->safe_psql(
	'src', q{
SELECT format('%I.%I', n.nspname, c.relname)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname NOT LIKE 'pg_toast%'
 ORDER BY 1});

# A fingerprint of every table's rows (its own rows only, as the clone copies them; a partitioned table
# through its root), columns by name, in one statement per database; %renamed: a table's name there.
my %columns = split /\|/, join('|', split /\n/, $source->safe_psql(
	'src', q{
SELECT format('%I.%I', n.nspname, c.relname),
       coalesce(string_agg(format('%I', a.attname), ', ' ORDER BY a.attname) FILTER (WHERE a.attname IS NOT NULL), '')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname NOT LIKE 'pg_toast%'
 GROUP BY 1}));

sub fingerprints
{
	my ($node, $db, %renamed) = @_;
	my @parts;
	for my $table (@tables)
	{
		my $row = $columns{$table} eq '' ? q{''} : "ROW($columns{$table})::text";
		my $there = $renamed{$table} // $table;
		push @parts, "SELECT count(*) || ' ' || coalesce(md5(string_agg(r, E'\\n' ORDER BY r)), '-')"
		  . " FROM (SELECT $row AS r FROM ONLY $there) AS rows";
	}
	return $node->safe_psql($db, "SET row_security = off;\n" . join("\nUNION ALL ", map { "($_)" } @parts));
}

sub compare_rows
{
	my ($db, $what, %renamed) = @_;
	my @s = split /\n/, fingerprints($source, 'src');
	my @t = split /\n/, fingerprints($target, $db, %renamed);
	my @differ = map { "$tables[$_]: source $s[$_], target " . ($t[$_] // '?') } grep { $s[$_] ne ($t[$_] // '') } 0 .. $#tables;
	is(join("\n", @differ), '', "$what: every one of the " . scalar(@tables) . " tables holds the source's rows");
	return;
}

# The schema as pg_dump prints it, less its header (versions), and but for what carol, whom the target
# lacks, has: her grant, and her table (owned by the role the clone logs in as).
my $login = $target->safe_psql('postgres', 'SELECT current_user');
sub comparable_dump
{
	my ($node, $db) = @_;
	my $dump = schema_dump($node, $db);
	$dump =~ s/^-- Dumped (from|by) .*$//mg;
	$dump =~ s/(OWNER TO |Owner: )carol\b/$1$login/g;
	$dump =~ s/--\n-- Name: TABLE customers; Type: ACL;[^\n]*\n--\n\n(?:GRANT [^\n]* TO carol;\n)?\n*//g;
	return $dump;
}

sub clone
{
	my ($args) = @_;
	my $id = $target->safe_psql('postgres', "SELECT bucardo.clone($args)");
	my $status = $target->safe_psql('postgres', "SELECT bucardo.clone_wait($id, '120 s')");
	return ($id, $status, clone_field($target, $id, 'summary'), clone_field($target, $id, 'error'));
}

# --- An empty database, seeded in one call ---
my $t0 = time;
my ($id, $status, $summary, $error) =
  clone(q{tables => '*', dbs => 'alpha:source, empty:target', schema => 'create', streams => 3});
is($status, 'done', 'schema => create: the clone is done') or diag($error);
like($summary, qr/note: \* stands for ${\ scalar(@tables)} tables/, 'the summary says what * stood for');
like($summary, qr/note: empty: tables created: one session per target database/,
	'the summary says the target was written through one session');
like($summary, qr/note: empty: created what they need: domain kinds\.posint, function kinds\.twice\(integer\), function public\.stamp\(\), schema "Mixed Case", schema audit, schema kinds, type kinds\.floatrange, type kinds\.mood, type kinds\.pair/,
	'the summary lists the schemas, types and functions created');
like($summary, qr/note: empty: grants not copied \(no role carol there\): public\.customers/,
	'the summary says which grants were skipped, and why');
like($summary, qr/note: empty: owner not set \(no such role there\), owned by $login: public\.scratch \(carol\)/,
	'the summary says which owners were not set');
is(comparable_dump($target, 'empty'), comparable_dump($source, 'src'),
	'pg_dump --schema-only of source and target are equal (but for the grant and owner the summary says were skipped)');
compare_rows('empty', 'schema => create');
is($target->safe_psql('empty', q{SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'customers'}),
	'alice', 'owners follow where the role exists');
is($target->safe_psql('empty', q{SELECT has_table_privilege('alice', 'orders', 'SELECT')}), 't',
	'grants follow where the role exists');
is($target->safe_psql('empty', q{SELECT count(*) FROM pg_class WHERE relname LIKE 'pgsql_tmp%'}), '0',
	'no scratch objects');
is($target->safe_psql('empty', q{INSERT INTO computed (a) VALUES (31) RETURNING id, s}), '31|31',
	'the owned sequences followed');
my @scratch = glob($target->data_dir . '/base/pgsql_tmp/pgsql_tmp_pg_clone_*');
is(scalar(@scratch), 0, 'the dump files are removed');

# --- A failure after the tables were created leaves the target as it was ---
# The target has kinds.posint already, stricter: the created table uses it, and its rows are refused.
$target->safe_psql('strict', q{
CREATE SCHEMA kinds;
CREATE DOMAIN kinds.posint AS int CHECK (VALUE > 100);
});
my $before = schema_dump($target, 'strict');
($id, $status, $summary, $error) = clone(q{tables => '*', dbs => 'alpha:source, strict:target', schema => 'create'});
is($status, 'failed', 'a row the target refuses fails the clone');
like($error, qr/database "strict", table public\.types: value for domain kinds\.posint violates check constraint/,
	'the error names the database, the table and the check');
is(schema_dump($target, 'strict'), $before, 'the target is left as it was: nothing created');

# --- Two targets in one call: one has the tables (restored from a dump), one has none ---
my ($dump) = run_command([ 'pg_dump', '--schema-only', '-d', $source->connstr('src') ]);
$dump =~ s/^\\(un)?restrict .*$//mg;
$target->psql('half', $dump, on_error_stop => 0, extra_params => [ '-q' ]);
$target->safe_psql('half', q{INSERT INTO customers VALUES (1000, 'only on the target')});
($id, $status, $summary, $error) =
  clone(q{tables => '*', dbs => 'alpha:source, half:target, empty2:target', schema => 'create', streams => 2});
is($status, 'done', 'two targets, one with the tables and one without: done') or diag($error);
unlike($summary, qr/half: created/, 'nothing is created where the tables exist');
like($summary, qr/empty2: created/, 'the tables are created where they are missing');
compare_rows('half', 'the target that had the tables');
compare_rows('empty2', 'the target that had none');
is(comparable_dump($target, 'empty2'), comparable_dump($source, 'src'), 'the created schema is the source\'s');

# --- target_names: into existing tables, and created under another name ---
$target->safe_psql('half', q{
CREATE SCHEMA archive;
ALTER TABLE orders SET SCHEMA archive;
ALTER TABLE archive.orders RENAME TO orders_2025;
});
($id, $status, $summary, $error) = clone(
	q{tables => 'customers, orders, order_lines', dbs => 'alpha:source, half:target',
	  target_names => '{"orders": "archive.orders_2025"}'});
is($status, 'done', 'target_names into an existing table') or diag($error);
like($summary, qr/note: public\.orders → archive\.orders_2025/, 'the summary names the target name');
is($target->safe_psql('postgres', "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM bucardo.clone_table WHERE clone_id = $id"),
	'public.customers,public.order_lines,public.orders', 'bucardo.clone_table keeps the source names');
compare_rows('half', 'target_names into an existing table', 'public.orders' => 'archive.orders_2025');

($id, $status, $summary, $error) = clone(
	q{tables => '*', dbs => 'alpha:source, renamed:target', schema => 'create',
	  target_names => '{"public.orders": "archive.orders_2025", "kinds_free": "x"}'});
is($status, 'failed', 'a target_names key that matches no cloned table fails the clone');
like($error, qr/target_names names table "kinds_free", which the clone does not copy/, 'and names it');
is($target->safe_psql('renamed', q{SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace}), '0',
	'nothing was touched');
($id, $status, $summary, $error) = clone(
	q{tables => '*', dbs => 'alpha:source, renamed:target', schema => 'create',
	  target_names => '{"public.orders": "archive.orders_2025", "audit.log": "log_2025"}'});
is($status, 'done', 'target_names with schema => create') or diag($error);
like($summary, qr/renamed: created schema archive for the target names/, 'the target schema is created and said');
compare_rows('renamed', 'created under target names',
	'public.orders' => 'archive.orders_2025', 'audit.log' => 'audit.log_2025');
is($target->safe_psql('renamed', q{SELECT to_regclass('public.orders') IS NULL, to_regclass('audit.log') IS NULL}),
	't|t', 'nothing is left under the source names');
is($target->safe_psql('renamed', q{SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'order_lines_order_id_fkey'}),
	'FOREIGN KEY (order_id) REFERENCES archive.orders_2025(id) ON DELETE CASCADE',
	'foreign keys follow the renamed table');
# --- A SECURITY DEFINER function whose owner the target lacks is not created ---
$source->safe_psql('postgres', 'CREATE DATABASE src2');
$source->safe_psql('src2', q{
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS 'BEGIN RETURN NEW; END';
ALTER FUNCTION touch() OWNER TO carol;
CREATE TABLE touched (id int);
CREATE TRIGGER touch BEFORE INSERT ON touched FOR EACH ROW EXECUTE FUNCTION touch();
INSERT INTO touched VALUES (1);
});
$target->safe_psql('postgres', q{CREATE DATABASE definer;} . add_db_sql([ 'alpha2', $source, 'src2' ], [ 'definer', $target, 'definer' ]));
($id, $status, $summary, $error) = clone(q{tables => '*', dbs => 'alpha2:source, definer:target', schema => 'create'});
is($status, 'failed', 'a SECURITY DEFINER function whose owner is missing there fails the clone');
like($error, qr/cannot create SECURITY DEFINER function public\.touch\(\): its owner, role "carol", does not exist there/,
	'the error says why');
is($target->safe_psql('definer', q{SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace}), '0',
	'nothing was created');
# --- pg_dump logs in with the requester's mapped credentials, its password kept off its command line ---
$target->safe_psql('postgres', q{CREATE DATABASE mapped;} . add_db_sql(
		[ 'alpha_pw', "host='" . $source->host . "' port=" . $source->port . ' dbname=src' ], [ 'mapped', $target, 'mapped' ]));
$target->safe_psql('postgres', q{SELECT bucardo.set_mapping('alpha_pw', 'dumper', 'dump secret')});
($id, $status, $summary, $error) = clone(q{tables => 'audit.log, customers', dbs => 'alpha_pw:source, mapped:target', schema => 'create'});
is($status, 'done', 'schema => create through a user mapping (password login)') or diag($error);
like($summary, qr/mapped: created audit\.log, public\.customers/, 'the tables are created');
my $dumper_runs = $source->safe_psql('postgres', q{SELECT count(*) FROM pg_stat_activity WHERE usename = 'dumper'});
is($dumper_runs, '0', 'pg_dump has ended');
ok(!$source->log_contains('dump secret', $log_offset), 'the password is in no log');
note('took ' . (time - $t0) . ' s');

$source->stop;
$target->stop;
done_testing();
