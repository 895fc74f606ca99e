# A DBA's real database clones whole, in one call: a source database holding every kind of table the
# other tests know (types of every family, tables without columns, types without binary I/O,
# inheritance, partitions, generated and identity columns, foreign keys, publications, row security,
# quoted names...) is restored schema-only into an empty database on another server, as one does before
# seeding a copy, then cloned with tables => '*': every table compares equal, row by row, by column
# name (a restored inheritance child can hold its columns in another order). A second clone into the
# now filled copy (emptying what is there, published tables and referenced ones included) compares
# equal again.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use PgCloneTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $source = PostgreSQL::Test::Cluster->new('source');
init_node($source);
$source->start;
$source->safe_psql('postgres', 'CREATE DATABASE src');

my $target = PostgreSQL::Test::Cluster->new('target');
init_node($target);
$target->append_conf(
	'postgresql.conf', q{
shared_preload_libraries = 'pg_clone'
pg_clone.database = 'postgres'
max_prepared_transactions = 10
pg_clone.lock_timeout = '20s'
log_lock_waits = on
});
$target->start;
$target->safe_psql('postgres', 'CREATE DATABASE dst');
{
	my $register = "CREATE EXTENSION pg_clone;\n";
	for my $db ([ 'alpha', $source, 'src' ], [ 'beta', $target, 'dst' ])
	{
		my ($name, $node, $dbname) = @$db;
		my ($host, $port) = ($node->host, $node->port);
		$register .= "SELECT bucardo.add_db('$name', 'host=''$host'' port=$port dbname=$dbname');\n";
	}
	$target->safe_psql('postgres', $register);
}

$source->safe_psql(
	'src', q{
-- Types of every family.
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN posint AS int CHECK (VALUE > 0);
CREATE TYPE pair AS (a int, b text, m mood);
CREATE TYPE floatrange AS RANGE (subtype = float8);
CREATE TABLE types (
    id int PRIMARY KEY, b boolean, i2 int2, i8 int8, n numeric, r real, d double precision,
    c char(3), vc varchar(10), t text, by bytea, dt date, tm time, tmtz timetz, ts timestamp,
    tstz timestamptz, iv interval, u uuid, j json, jb jsonb, x xml, ip inet, cidr_ cidr, mac macaddr,
    bits bit(4), vbits varbit, pt point, bx box, poly polygon, tsv tsvector, money_ money,
    ir int4range, nr numrange, tsr tstzrange, fr floatrange, im int4multirange,
    m mood, dom posint, p pair, ia int[], ta text[][], ma mood[], pa pair[], oid_ oid, rc regclass);
INSERT INTO types
  SELECT g, g % 2 = 0, g, g::int8 * 1000000000, g / 7.0, g / 3.0, g / 9.0, 'c' || g % 10, 'vc' || g, 'text ' || g,
         decode(md5(g::text), 'hex'), date '2000-01-01' + g, time '12:00' + g * interval '1 s',
         timetz '12:00+02', timestamp '2020-01-01' + g * interval '1 h', timestamptz '2020-01-01 00:00+00' + g * interval '1 min',
         g * interval '1 day 1 s', md5(g::text)::uuid, ('{"g": ' || g || '}')::json, ('{"g": [' || g || ', null]}')::jsonb,
         ('<a n="' || g || '"/>')::xml, ('10.0.' || g % 256 || '.1')::inet, '10.1.0.0/16', '08:00:2b:01:02:03',
         B'1010', B'110', point(g, -g), box(point(0, 0), point(g, g)), '((0,0),(1,1),(1,0))', to_tsvector('simple', 'word ' || g),
         g * 1.25, int4range(g, g + 10), numrange(g / 2.0, g), tstzrange('2020-01-01', '2021-01-01'), floatrange(0.5, g),
         int4multirange(int4range(1, 3), int4range(g + 5, g + 9)),
         (ARRAY['sad', 'ok', 'happy'])[1 + g % 3]::mood, g, ROW(g, 'p "' || g || '"', 'ok')::pair,
         ARRAY[g, NULL, -g], ARRAY[['a', 'b'], ['c', NULL]], ARRAY['sad', 'happy']::mood[], ARRAY[ROW(g, NULL, NULL)::pair],
         g, 'pg_class'::regclass
    FROM generate_series(1, 300) g;
INSERT INTO types (id, n, r, d, ts, tstz, dt) VALUES (0, 'NaN', 'Infinity', '-Infinity', 'infinity', '-infinity', 'infinity');

-- Tables without columns, and columns dropped.
CREATE TABLE nocols ();
INSERT INTO nocols DEFAULT VALUES; INSERT INTO nocols DEFAULT VALUES; INSERT INTO nocols DEFAULT VALUES;
CREATE TABLE all_dropped (a int, b text);
INSERT INTO all_dropped VALUES (1, 'x'), (2, 'y');
ALTER TABLE all_dropped DROP COLUMN a, DROP COLUMN b;
CREATE TABLE some_dropped (id int PRIMARY KEY, gone text, kept text);
INSERT INTO some_dropped SELECT g, 'gone', 'kept ' || g FROM generate_series(1, 50) g;
ALTER TABLE some_dropped DROP COLUMN gone;

-- A type without binary input and output.
CREATE TABLE grants (id int PRIMARY KEY, acl aclitem, acls aclitem[]);
INSERT INTO grants SELECT g, makeaclitem('pg_database_owner'::regrole, 'pg_database_owner'::regrole, 'SELECT', g % 2 = 0),
                          ARRAY[makeaclitem(0, 'pg_database_owner'::regrole, 'UPDATE', false)]
  FROM generate_series(1, 20) g;

-- Inheritance, with a child that adds columns and one that has none.
CREATE TABLE parent (id int, note text);
CREATE TABLE child (extra text) INHERITS (parent);
CREATE TABLE zero_parent ();
CREATE TABLE zero_child () INHERITS (zero_parent);
INSERT INTO parent SELECT g, 'parent ' || g FROM generate_series(1, 10) g;
INSERT INTO child SELECT g, 'child ' || g, 'extra ' || g FROM generate_series(11, 25) g;
INSERT INTO zero_parent DEFAULT VALUES; INSERT INTO zero_child DEFAULT VALUES; INSERT INTO zero_child DEFAULT VALUES;

-- Partitions, with a default partition and a sub-partitioned one.
CREATE TABLE events (id int, at date, what text) PARTITION BY RANGE (at);
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01') PARTITION BY HASH (id);
CREATE TABLE events_2025_0 PARTITION OF events_2025 FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE events_2025_1 PARTITION OF events_2025 FOR VALUES WITH (MODULUS 2, REMAINDER 1);
CREATE TABLE events_other PARTITION OF events DEFAULT;
INSERT INTO events SELECT g, date '2025-06-01' + g, 'e' || g FROM generate_series(1, 400) g;

-- Generated, identity and serial columns; sequences follow.
CREATE TABLE computed (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, s serial, a int,
                       twice int GENERATED ALWAYS AS (a * 2) STORED);
INSERT INTO computed (a) SELECT g FROM generate_series(1, 30) g;

-- Foreign keys: parent and children, a self-reference, a deferrable unique constraint.
CREATE TABLE customers (id int PRIMARY KEY, name text);
CREATE TABLE orders (id int PRIMARY KEY, customer int REFERENCES customers, total numeric);
CREATE TABLE order_lines (order_id int REFERENCES orders ON DELETE CASCADE, line int, PRIMARY KEY (order_id, line));
CREATE TABLE staff (id int PRIMARY KEY, boss int REFERENCES staff);
CREATE TABLE codes (code text UNIQUE DEFERRABLE INITIALLY DEFERRED);
INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(1, 40) g;
INSERT INTO orders SELECT g, 1 + g % 40, g * 1.5 FROM generate_series(1, 120) g;
INSERT INTO order_lines SELECT o, l FROM generate_series(1, 120) o, generate_series(1, 3) l;
INSERT INTO staff VALUES (1, NULL), (2, 1), (3, 1), (4, 2);
INSERT INTO codes SELECT 'code ' || g FROM generate_series(1, 15) g;

-- Row security, unlogged, quoted names, other schemas.
CREATE TABLE secret (id int, owner text);
ALTER TABLE secret ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY nobody ON secret USING (false);
INSERT INTO secret SELECT g, 'o' || g FROM generate_series(1, 8) g;
CREATE UNLOGGED TABLE scratch (id int, v text);
INSERT INTO scratch SELECT g, 'v' || g FROM generate_series(1, 12) g;
CREATE SCHEMA "Mixed Case";
CREATE TABLE "Mixed Case"."Tab, 1" ("Id" int, "Note" text);
INSERT INTO "Mixed Case"."Tab, 1" SELECT g, 'n' || g FROM generate_series(1, 9) g;
CREATE SCHEMA audit;
CREATE TABLE audit.log (id bigserial PRIMARY KEY, at timestamptz DEFAULT now(), what text CHECK (what <> ''));
INSERT INTO audit.log (what) SELECT 'event ' || g FROM generate_series(1, 25) g;

-- Publications: a table, a schema, a row filter (these tables are small: emptied by TRUNCATE, not
-- DELETE, on the target, whose copy of the publications is restored with the schema).
CREATE TABLE published (id int, v text);
CREATE TABLE published_filtered (id int, v text);
INSERT INTO published SELECT g, 'p' || g FROM generate_series(1, 5) g;
INSERT INTO published_filtered SELECT g, 'f' || g FROM generate_series(1, 5) g;
SET client_min_messages = error;
CREATE PUBLICATION pub_table FOR TABLE published;
CREATE PUBLICATION pub_filtered FOR TABLE published_filtered WHERE (id > 2);
CREATE PUBLICATION pub_schema FOR TABLES IN SCHEMA audit;

-- What tables => '*' leaves alone: views, sequences of their own, temporary tables.
CREATE VIEW order_totals AS SELECT customer, sum(total) FROM orders GROUP BY customer;
CREATE MATERIALIZED VIEW order_counts AS SELECT customer, count(*) FROM orders GROUP BY customer;
CREATE SEQUENCE loose_sequence;
ANALYZE;
});

# The schema, restored into the empty database as a DBA would before seeding it.
my ($dump, $dump_err) = run_command([ 'pg_dump', '--schema-only', '-d', $source->connstr('src') ]);
is($dump_err, '', 'pg_dump --schema-only of the source');
my ($restore_rc, $restore_out, $restore_err) =
  $target->psql('dst', $dump, on_error_stop => 1, extra_params => [ '-q' ]);
is($restore_rc, 0, 'the schema is restored without error') or diag($restore_err);
is($target->safe_psql('dst', q{SELECT count(*) FROM pg_class WHERE relname = 'types'}), '1',
	'the schema is restored in the target database');

# Every table of the source (by schema and name) with its columns, by name.
my @tables = split /\n/, $source->safe_psql(
	'src', q{
SELECT format('%I.%I', n.nspname, c.relname)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname NOT LIKE 'pg_toast%'
 ORDER BY 1});

# A fingerprint of one table's rows (its own rows only, as the clone copies them; a partitioned table
# through its root), columns by name.
sub fingerprint
{
	my ($node, $db, $table) = @_;
	my $columns = $node->safe_psql(
		$db, qq{
SELECT coalesce(string_agg(format('%I', attname), ', ' ORDER BY attname), '')
  FROM pg_attribute WHERE attrelid = '$table'::regclass AND attnum > 0 AND NOT attisdropped});
	my $row = $columns eq '' ? q{''} : "ROW($columns)::text";
	return $node->safe_psql($db, qq{
SET row_security = off;
SELECT count(*) || ' ' || coalesce(md5(string_agg(r, E'\\n' ORDER BY r)), '-')
  FROM (SELECT $row AS r FROM ONLY $table) AS rows});
}

sub compare_all
{
	my ($what) = @_;
	my @differ;
	for my $table (@tables)
	{
		my ($s, $t) = (fingerprint($source, 'src', $table), fingerprint($target, 'dst', $table));
		push @differ, "$table: source $s, target $t" if $s ne $t;
	}
	is(join("\n", @differ), '', "$what: every one of the " . scalar(@tables) . " tables is equal");
	return;
}

sub clone_everything
{
	my ($what) = @_;
	my $id = $target->safe_psql('postgres', q{SELECT bucardo.clone(tables => '*', dbs => 'alpha, beta')});
	my $status = $target->safe_psql('postgres', "SELECT bucardo.clone_wait($id, '120 s')");
	is($status, 'done', "$what: the clone is done")
	  or diag($target->safe_psql('postgres', "SELECT error FROM bucardo.clone WHERE id = $id"));
	my $summary = $target->safe_psql('postgres', "SELECT summary FROM bucardo.clone WHERE id = $id");
	like($summary, qr/note: \* stands for ${\ scalar(@tables)} tables/, "$what: the summary says what * stood for");
	return $id;
}

cmp_ok(scalar(@tables), '>=', 20, 'the source holds many tables');
my $id = clone_everything('into the schema-only copy');
compare_all('into the schema-only copy');
is($target->safe_psql('postgres',
		"SELECT string_agg(DISTINCT format, ',' ORDER BY format) FROM bucardo.clone_table WHERE clone_id = $id AND rows > 0"),
	'binary,text', 'tables go in binary where every type allows it, in text otherwise');

# Again, into the filled copy: everything is emptied and filled again.
$target->safe_psql('dst', q{
INSERT INTO customers VALUES (1000, 'only on the target');
INSERT INTO published VALUES (-1, 'only on the target');
INSERT INTO nocols DEFAULT VALUES;
});
clone_everything('into the filled copy');
compare_all('into the filled copy');
is($target->safe_psql('dst', q{SELECT last_value >= 30 FROM computed_s_seq}), 't', 'the owned sequences followed');

$source->stop;
$target->stop;
done_testing();
