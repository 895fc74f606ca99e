# Every kind of table a DBA points a clone at (issue 10, sections 3 and 4), held to one standard: the
# target's rows equal the source's exactly (count and ordered md5 of every row's text, compared by
# column name where the column order differs) and the target's schema is unchanged (pg_dump
# --schema-only before and after). Two servers: source (database src, registered as alpha) and target
# (database dst, registered as beta; pg_clone preloaded, control database postgres). Each kind is a
# clone of its own, from alpha to beta, into tables that hold other, older rows:
#  (1) user-defined types: an enum whose labels were added in another order on the target (ADD VALUE
#      ... BEFORE), a domain with a CHECK, a composite type, arrays of each;
#  (2) bytea with all 256 byte values, numeric NaN and infinities, timestamp(tz) infinities; one
#      20 MB text value (more than twice the 8 MB of rows a clone buffers), in a table copied in binary
#      and in one copied in text (a domain column);
#  (3) a column added then dropped on the source only, another on the target only, columns in another
#      order on each side;
#  (4) an inheritance parent (its own rows only; the child is left alone on the target), and a
#      partitioned table with a default partition that gets rows on the target;
#  (5) an UNLOGGED target table;
#  (6) row-level security enabled and forced on the target with a policy that hides every row (the
#      clone connects as a superuser here): every row arrives;
#  (7) foreign keys between two cloned tables, and from a cloned table to one outside the clone (left
#      alone);
#  (8) a DEFERRABLE INITIALLY DEFERRED unique constraint, valid data;
#  (9) column type differences: int4 -> int8 and varchar(20) -> text are done with equal values;
#      text -> integer (values like 'abc') fails, naming the column or table, before anything is
#      emptied (issue 10 section 4), and the target is unchanged;
# and clone(..., sequences => false, "analyze" => false) once: the target's sequence and statistics
# are left alone (and a default clone after it sets both).
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use PgCloneTest;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes ();

my $source = start_node('source');
$source->safe_psql('postgres', 'CREATE DATABASE src');

# autovacuum off: the statistics checks of the "analyze" => false case see only what the clone did.
# log_statement: which statements the clone sent to the target (the type mismatch must fail before
# any of them empties or fills the table).
my $target = start_node('target', preload_conf() . q{max_prepared_transactions = 10
autovacuum = off
log_statement = 'all'
});
$target->safe_psql('postgres', 'CREATE DATABASE dst');
$target->safe_psql('postgres',
	"CREATE EXTENSION pg_clone;\n" . add_db_sql([ 'alpha', $source, 'src' ], [ 'beta', $target, 'dst' ]));

# ---------------------------------------------------------------------------------------------------
# The tables, on both sides.

# 20 MiB of text in one value: 655,360 md5 strings of 32 characters.
my $big_value = 20_971_520;

$source->safe_psql(
	'src', qq{
-- (1) user-defined types
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN posint AS int CHECK (VALUE > 0);
CREATE TYPE pair AS (a int, b text, m mood);
CREATE TABLE udt (id int PRIMARY KEY, m mood, d posint, p pair, ma mood[], da posint[], pa pair[]);
INSERT INTO udt VALUES
  (1, 'sad', 1, ROW(1, 'plain', 'ok'), '{sad,happy}', '{1,2,3}',
   ARRAY[ROW(1, 'x', 'sad')::pair, ROW(2, NULL, NULL)::pair]),
  (2, 'happy', 2147483647, ROW(NULL, 'quote " comma , paren ) backslash \\ brace \{ tab \t end', 'happy'),
   '{}', '{}', '{}'),
  (3, NULL, NULL, NULL, NULL, NULL, NULL),
  (4, 'ok', 42, ROW(-5, '', 'sad'), ARRAY['ok', NULL]::mood[], ARRAY[7, NULL]::posint[],
   ARRAY[ROW(3, 'a"b\\c,d(e)', 'ok')::pair, NULL, ROW(NULL, NULL, NULL)::pair]);
INSERT INTO udt
  SELECT g, (ARRAY['sad', 'ok', 'happy'])[1 + g % 3]::mood, g,
         ROW(g, 'row ' || g, (ARRAY['sad', 'ok', 'happy'])[1 + (g + 1) % 3])::pair,
         ARRAY[(ARRAY['sad', 'ok', 'happy'])[1 + g % 3], 'happy']::mood[], ARRAY[g, g + 1]::posint[],
         ARRAY[ROW(g, 'arr ' || g, 'ok')::pair]
    FROM generate_series(10, 1000) g;

-- (2) special values, and one 20 MB value
CREATE TABLE special (id int PRIMARY KEY, b bytea, n numeric, ts timestamp, tstz timestamptz);
INSERT INTO special VALUES
  (1, (SELECT string_agg(set_byte('\\x00'::bytea, 0, g), ''::bytea ORDER BY g) FROM generate_series(0, 255) g),
   'NaN', 'infinity', 'infinity'),
  (2, (SELECT string_agg(set_byte('\\x00'::bytea, 0, 255 - g), ''::bytea ORDER BY g) FROM generate_series(0, 255) g),
   'Infinity', '-infinity', '-infinity'),
  (3, '', '-Infinity', '2000-01-01 00:00:00.123456', '1999-12-31 23:59:59.999999+00'),
  (4, NULL, '-0.000000000000000000000000000001', '0044-03-15 12:00:00 BC', '294276-12-31 23:59:59.999999+00'),
  (5, '\\x00', 123456789012345678901234567890.123456789, NULL, NULL);
CREATE TABLE longval (id int PRIMARY KEY, t text);
INSERT INTO longval SELECT 1, string_agg(md5(g::text), '' ORDER BY g) FROM generate_series(1, $big_value / 32) g;
INSERT INTO longval VALUES (2, 'short'), (3, NULL);
CREATE TABLE longval_text (id int PRIMARY KEY, t text, d posint);
INSERT INTO longval_text SELECT id, t, id FROM longval;

-- (3) dropped columns, column order
CREATE TABLE dropped_src (id int PRIMARY KEY, a text, b numeric);
INSERT INTO dropped_src SELECT g, 'before ' || g, g / 3.0 FROM generate_series(1, 100) g;
ALTER TABLE dropped_src ADD COLUMN gone text DEFAULT 'gone default';
INSERT INTO dropped_src SELECT g, 'during ' || g, g / 3.0, 'gone ' || g FROM generate_series(101, 200) g;
ALTER TABLE dropped_src ADD COLUMN c date;
INSERT INTO dropped_src SELECT g, 'during c ' || g, g / 3.0, 'gone ' || g, date '2020-01-01' + g FROM generate_series(201, 300) g;
ALTER TABLE dropped_src DROP COLUMN gone;
INSERT INTO dropped_src SELECT g, 'after ' || g, g / 3.0, date '2020-01-01' + g FROM generate_series(301, 400) g;
CREATE TABLE dropped_dst (id int PRIMARY KEY, a text, b numeric, c date, m mood);
INSERT INTO dropped_dst SELECT g, 'src ' || g, g * 1.5, date '2021-01-01' + g, (ARRAY['sad', 'ok', 'happy'])[1 + g % 3]::mood
  FROM generate_series(1, 400) g;
CREATE TABLE reordered (id int PRIMARY KEY, a text, b numeric, c date);
INSERT INTO reordered SELECT g, 'src ' || g, g * 2.5, date '2022-01-01' + g FROM generate_series(1, 400) g;

-- (4) inheritance, partitions
CREATE TABLE inh_parent (id int PRIMARY KEY, t text);
CREATE TABLE inh_child (extra int) INHERITS (inh_parent);
INSERT INTO inh_parent SELECT g, 'src parent ' || g FROM generate_series(1, 200) g;
INSERT INTO inh_child SELECT g, 'src child ' || g, g FROM generate_series(1001, 1100) g;
CREATE TABLE part (id int, k int, t text) PARTITION BY RANGE (k);
CREATE TABLE part_low PARTITION OF part FOR VALUES FROM (0) TO (100);
CREATE TABLE part_def PARTITION OF part DEFAULT;
INSERT INTO part SELECT g, g % 150, 'src part ' || g FROM generate_series(1, 600) g;

-- (5) unlogged target
CREATE TABLE unlogged_t (id int PRIMARY KEY, t text);
INSERT INTO unlogged_t SELECT g, 'src ' || g FROM generate_series(1, 300) g;

-- (6) row-level security on the target
CREATE TABLE rls_t (id int PRIMARY KEY, t text);
INSERT INTO rls_t SELECT g, 'src ' || g FROM generate_series(1, 300) g;

-- (7) foreign keys
CREATE TABLE outside (id int PRIMARY KEY, t text);
INSERT INTO outside SELECT g, 'src outside ' || g FROM generate_series(1, 20) g;
CREATE TABLE fk_parent (id int PRIMARY KEY, t text);
CREATE TABLE fk_child (id int PRIMARY KEY, parent_id int NOT NULL REFERENCES fk_parent, t text);
CREATE TABLE fk_out (id int PRIMARY KEY, outside_id int NOT NULL REFERENCES outside, t text);
INSERT INTO fk_parent SELECT g, 'src parent ' || g FROM generate_series(1, 100) g;
INSERT INTO fk_child SELECT g, 1 + g % 100, 'src child ' || g FROM generate_series(1, 500) g;
INSERT INTO fk_out SELECT g, 1 + g % 20, 'src out ' || g FROM generate_series(1, 200) g;

-- (8) deferrable constraints
CREATE TABLE deferred_u (id int PRIMARY KEY, u int, CONSTRAINT deferred_u_u UNIQUE (u) DEFERRABLE INITIALLY DEFERRED);
INSERT INTO deferred_u SELECT g, 2 * g FROM generate_series(1, 500) g;

-- (9) column type differences
CREATE TABLE widen (id int4 PRIMARY KEY, n int4, v varchar(20));
INSERT INTO widen VALUES (1, 2147483647, 'twenty characters!!!'), (2, -2147483648, ''), (3, NULL, NULL),
  (4, 0, E'tab\\there'), (5, 1, E'new\\nline'), (6, -1, 'back\\slash'), (7, 7, 'ünïcödé ☃ 東京');
INSERT INTO widen SELECT g, g * 1000, 'v ' || g FROM generate_series(10, 500) g;
CREATE TABLE mismatch (id int PRIMARY KEY, price text);
INSERT INTO mismatch VALUES (1, '12'), (2, 'abc'), (3, '7');

-- sequences => false, "analyze" => false
CREATE TABLE seqopt (id serial PRIMARY KEY, t text);
INSERT INTO seqopt (t) SELECT 'src ' || g FROM generate_series(1, 500) g;
});

$target->safe_psql(
	'dst', qq{
-- (1) the same labels, added in another order
CREATE TYPE mood AS ENUM ('happy');
ALTER TYPE mood ADD VALUE 'sad' BEFORE 'happy';
ALTER TYPE mood ADD VALUE 'ok' BEFORE 'happy';
CREATE DOMAIN posint AS int CHECK (VALUE > 0);
CREATE TYPE pair AS (a int, b text, m mood);
CREATE TABLE udt (id int PRIMARY KEY, m mood, d posint, p pair, ma mood[], da posint[], pa pair[]);
INSERT INTO udt VALUES (1, 'happy', 5, ROW(9, 'old', 'sad'), '{ok}', '{9}', ARRAY[ROW(9, 'old', 'happy')::pair]),
  (5000, 'ok', 1, NULL, NULL, NULL, NULL);

-- (2)
CREATE TABLE special (id int PRIMARY KEY, b bytea, n numeric, ts timestamp, tstz timestamptz);
INSERT INTO special VALUES (1, '\\xdeadbeef', 1, '2001-01-01', '2001-01-01 00:00+00'), (99, NULL, 0, NULL, NULL);
CREATE TABLE longval (id int PRIMARY KEY, t text);
INSERT INTO longval VALUES (1, 'old'), (9, 'old 9');
CREATE TABLE longval_text (id int PRIMARY KEY, t text, d posint);
INSERT INTO longval_text VALUES (1, 'old', 1), (9, 'old 9', 9);

-- (3) a column added then dropped on the target only; another column order
CREATE TABLE dropped_src (id int PRIMARY KEY, a text, b numeric, c date);
INSERT INTO dropped_src VALUES (1, 'old', 0, NULL), (1000, 'old 1000', 1, '1999-01-01');
CREATE TABLE dropped_dst (id int PRIMARY KEY, a text);
INSERT INTO dropped_dst SELECT g, 'old ' || g FROM generate_series(1, 5) g;
ALTER TABLE dropped_dst ADD COLUMN gone_dst int DEFAULT 7;
ALTER TABLE dropped_dst ADD COLUMN b numeric;
INSERT INTO dropped_dst SELECT g, 'old ' || g, g, g FROM generate_series(6, 10) g;
ALTER TABLE dropped_dst DROP COLUMN gone_dst;
ALTER TABLE dropped_dst ADD COLUMN c date, ADD COLUMN m mood;
INSERT INTO dropped_dst VALUES (11, 'old 11', 11, '1999-01-01', 'ok');
CREATE TABLE reordered (c date, b numeric, a text, id int PRIMARY KEY);
INSERT INTO reordered VALUES ('1999-01-01', 1, 'old', 1), (NULL, NULL, 'old 2000', 2000);

-- (4)
CREATE TABLE inh_parent (id int PRIMARY KEY, t text);
CREATE TABLE inh_child (extra int) INHERITS (inh_parent);
INSERT INTO inh_parent SELECT g, 'old parent ' || g FROM generate_series(1, 5) g;
INSERT INTO inh_child SELECT g, 'old child ' || g, g FROM generate_series(2001, 2010) g;
-- Other bounds than the source's: every row with k >= 50 lands in the default partition.
CREATE TABLE part (id int, k int, t text) PARTITION BY RANGE (k);
CREATE TABLE part_low PARTITION OF part FOR VALUES FROM (0) TO (50);
CREATE TABLE part_def PARTITION OF part DEFAULT;
INSERT INTO part VALUES (1, 1, 'old low'), (2, 60, 'old default'), (3, 999, 'old default 2');

-- (5)
CREATE UNLOGGED TABLE unlogged_t (id int PRIMARY KEY, t text);
INSERT INTO unlogged_t SELECT g, 'old ' || g FROM generate_series(1, 5) g;

-- (6) a policy that hides every row, enforced even for the owner
CREATE TABLE rls_t (id int PRIMARY KEY, t text);
INSERT INTO rls_t SELECT g, 'old ' || g FROM generate_series(1, 5) g;
ALTER TABLE rls_t ENABLE ROW LEVEL SECURITY;
ALTER TABLE rls_t FORCE ROW LEVEL SECURITY;
CREATE POLICY rls_t_hide ON rls_t USING (id < 0);

-- (7) the outside table holds every id the source's rows point at, and more
CREATE TABLE outside (id int PRIMARY KEY, t text);
INSERT INTO outside SELECT g, 'dst outside ' || g FROM generate_series(1, 30) g;
CREATE TABLE fk_parent (id int PRIMARY KEY, t text);
CREATE TABLE fk_child (id int PRIMARY KEY, parent_id int NOT NULL REFERENCES fk_parent, t text);
CREATE TABLE fk_out (id int PRIMARY KEY, outside_id int NOT NULL REFERENCES outside, t text);
INSERT INTO fk_parent SELECT g, 'old parent ' || g FROM generate_series(500, 510) g;
INSERT INTO fk_child SELECT g, 500 + g % 10, 'old child ' || g FROM generate_series(1, 20) g;
INSERT INTO fk_out SELECT g, 25 + g % 5, 'old out ' || g FROM generate_series(1, 20) g;

-- (8) old rows whose u values the source's rows take again (valid once the old rows are gone)
CREATE TABLE deferred_u (id int PRIMARY KEY, u int, CONSTRAINT deferred_u_u UNIQUE (u) DEFERRABLE INITIALLY DEFERRED);
INSERT INTO deferred_u SELECT 1000 + g, 2 * g FROM generate_series(1, 50) g;

-- (9)
CREATE TABLE widen (id int8 PRIMARY KEY, n int8, v text);
INSERT INTO widen VALUES (1, 9223372036854775807, 'old'), (3000000000, -1, 'old big id');
CREATE TABLE mismatch (id int PRIMARY KEY, price integer);
INSERT INTO mismatch VALUES (1, 100), (2, 200);

-- sequences => false, "analyze" => false
CREATE TABLE seqopt (id serial PRIMARY KEY, t text);
INSERT INTO seqopt (t) SELECT 'old ' || g FROM generate_series(1, 7) g;
ANALYZE seqopt;
});

# ---------------------------------------------------------------------------------------------------
# Helpers.

# Row count and md5 of every row's text, in a fixed order, of the rows $query returns; the session
# settings that change how values print are pinned (the two servers may default otherwise).
sub fingerprint
{
	my ($node, $db, $query) = @_;
	return $node->safe_psql(
		$db, qq{
SET TimeZone = 'UTC'; SET DateStyle = 'ISO'; SET IntervalStyle = 'postgres'; SET extra_float_digits = 3;
SET bytea_output = 'hex';
SELECT count(*) || ' ' || coalesce(md5(string_agg(r::text, E'\\n' ORDER BY r::text COLLATE "C")), '-')
  FROM ($query) r});
}

# The target database's schema (pg_dump --schema-only) before any clone.
my $schema_before = schema_dump($target, 'dst');
like($schema_before, qr/CREATE TABLE public\.udt/, 'pg_dump prints the target schema');

# The first line where two texts differ, for the report of a changed schema.
sub first_difference
{
	my ($a, $b) = @_;
	my @a = split /\n/, $a;
	my @b = split /\n/, $b;
	for my $i (0 .. ($#a > $#b ? $#a : $#b))
	{
		my ($x, $y) = ($a[$i] // '<end>', $b[$i] // '<end>');
		return "line " . ($i + 1) . ": before <$x>, after <$y>" if $x ne $y;
	}
	return 'none';
}

sub schema_unchanged
{
	my ($what) = @_;
	my $now = schema_dump($target, 'dst');
	ok($now eq $schema_before, "$what: the target's schema is unchanged (pg_dump --schema-only)")
	  or diag("first difference: " . first_difference($schema_before, $now));
	return;
}

# The target's rows of $dst_query (default $src_query) equal the source's rows of $src_query.
sub same_rows
{
	my ($what, $src_query, $dst_query) = @_;
	is(fingerprint($target, 'dst', $dst_query // $src_query),
		fingerprint($source, 'src', $src_query), "$what: the target's rows equal the source's");
	return;
}

# Each case starts with a target that differs from the source.
sub differs_before
{
	my ($what, $src_query, $dst_query) = @_;
	isnt(fingerprint($target, 'dst', $dst_query // $src_query),
		fingerprint($source, 'src', $src_query), "$what: before the clone the target's rows differ");
	return;
}

# Clones $tables from alpha to beta ($extra: more arguments of clone()), waits (bounded) for its end;
# returns its id and status, and notes its summary and error.
sub clone_tables
{
	my ($tables, $extra) = @_;
	$extra = defined $extra ? ", $extra" : '';
	my $id = $target->safe_psql('postgres',
		"SELECT bucardo.clone(tables => '$tables', dbs => 'alpha:source,beta:target'$extra)");
	my $t0     = [Time::HiRes::gettimeofday()];
	my $status = $target->safe_psql('postgres', "SELECT bucardo.clone_wait($id, '60 s')");
	my $secs   = sprintf('%.1f', Time::HiRes::tv_interval($t0));
	my $about  = $target->safe_psql('postgres',
		"SELECT 'summary: ' || coalesce(summary, '-') || E'\\nerror: ' || coalesce(error, '-') FROM bucardo.clone WHERE id = $id");
	my $tables_done = $target->safe_psql('postgres',
		"SELECT string_agg(table_name || ' ' || rows || ' rows ' || coalesce(format, '-') || ' ' || emptied, ', ' ORDER BY table_name)"
		  . " FROM bucardo.clone_table WHERE clone_id = $id");
	note("clone $id ($tables$extra): $status in ${secs}s\n$about\nper table: $tables_done");
	return ($id, $status);
}

# Runs one case; a case that dies (a query that errors) is a failure of that case, not of the file.
sub case
{
	my ($what, $code) = @_;
	eval { $code->(); 1 } or fail("$what: died: $@");
	return;
}

# ---------------------------------------------------------------------------------------------------
# (1) User-defined types.
case(
	'(1) user-defined types',
	sub {
		my $q = 'SELECT * FROM udt';
		differs_before('(1) udt', $q);
		my ($id, $status) = clone_tables('udt');
		is($status, 'done', '(1) udt: the clone is done');
		same_rows('(1) udt', $q);
		is( $target->safe_psql('dst', q{SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = 'mood'::regtype}),
			'sad,ok,happy', '(1) udt: the target enum keeps its labels');
		is($target->safe_psql('dst', q{SELECT p, pa FROM udt WHERE id = 4}),
			$source->safe_psql('src', q{SELECT p, pa FROM udt WHERE id = 4}),
			'(1) udt: a composite with quotes and backslashes and an array of them arrive as they were');
		schema_unchanged('(1) udt');
	});

# (2) Special values, and 20 MB in one field.
case(
	'(2) special values',
	sub {
		my $q = 'SELECT * FROM special';
		differs_before('(2) special', $q);
		my ($id, $status) = clone_tables('special');
		is($status, 'done', '(2) special: the clone is done');
		same_rows('(2) special', $q);
		is( $target->safe_psql(
				'dst', q{
SELECT length(b), b = (SELECT string_agg(set_byte('\x00'::bytea, 0, g), ''::bytea ORDER BY g) FROM generate_series(0, 255) g)
  FROM special WHERE id = 1}), '256|t', '(2) special: the bytea holds all 256 byte values in order');
		is( $target->safe_psql(
				'dst', q{SELECT string_agg(n::text || ' ' || coalesce(ts::text, '-') || ' ' || coalesce(tstz::text, '-'), ', ' ORDER BY id) FROM special WHERE id <= 3}),
			'NaN infinity infinity, Infinity -infinity -infinity, -Infinity 2000-01-01 00:00:00.123456 1999-12-31 23:59:59.999999+00',
			'(2) special: NaN, the numeric and timestamp infinities arrive');
		schema_unchanged('(2) special');
	});

for my $long ([ 'longval', 'SELECT * FROM longval' ], [ 'longval_text', 'SELECT * FROM longval_text' ])
{
	my ($table, $q) = @$long;
	case(
		"(2) $table",
		sub {
			differs_before("(2) $table", $q);
			my ($id, $status) = clone_tables($table);
			is($status, 'done', "(2) $table: the clone of a 20 MB value is done");
			same_rows("(2) $table", $q);
			is( $target->safe_psql('dst', "SELECT length(t) || ' ' || md5(t) FROM $table WHERE id = 1"),
				$source->safe_psql('src', "SELECT length(t) || ' ' || md5(t) FROM $table WHERE id = 1"),
				"(2) $table: the 20 MB value has its length and md5");
			is($target->safe_psql('dst', "SELECT length(t) FROM $table WHERE id = 1"), $big_value,
				"(2) $table: and it is 20 MiB");
			note("(2) $table: COPY format "
				  . $target->safe_psql('postgres', "SELECT string_agg(format, ',') FROM bucardo.clone_table WHERE clone_id = $id"));
			schema_unchanged("(2) $table");
		});
}

# (3) Dropped columns on one side, columns in another order.
for my $dropped (
	[ 'dropped_src', 'SELECT id, a, b, c FROM dropped_src' ],
	[ 'dropped_dst', 'SELECT id, a, b, c, m FROM dropped_dst' ],
	[ 'reordered',   'SELECT id, a, b, c FROM reordered' ])
{
	my ($table, $q) = @$dropped;
	case(
		"(3) $table",
		sub {
			differs_before("(3) $table", $q);
			my ($id, $status) = clone_tables($table);
			is($status, 'done', "(3) $table: the clone is done");
			same_rows("(3) $table", $q);
			schema_unchanged("(3) $table");
		});
}

# (4) Inheritance: the parent's own rows; the child is left alone on the target.
case(
	'(4) inheritance',
	sub {
		my $q = 'SELECT * FROM ONLY inh_parent';
		my $child_before = fingerprint($target, 'dst', 'SELECT * FROM inh_child');
		differs_before('(4) inh_parent', $q);
		my ($id, $status) = clone_tables('inh_parent');
		is($status, 'done', '(4) inh_parent: the clone is done');
		same_rows('(4) inh_parent (ONLY)', $q);
		is(fingerprint($target, 'dst', 'SELECT * FROM inh_child'), $child_before,
			'(4) inh_parent: the target child table is untouched');
		is( $target->safe_psql('dst', q{SELECT count(*) FROM inh_parent WHERE t LIKE 'src child%'}),
			'0', '(4) inh_parent: no row of the source child arrived');
		schema_unchanged('(4) inh_parent');
	});

# (4) Partitioned table with a default partition that gets rows on the target.
case(
	'(4) partitioned',
	sub {
		my $q = 'SELECT id, k, t FROM part';
		differs_before('(4) part', $q);
		my ($id, $status) = clone_tables('part');
		is($status, 'done', '(4) part: the clone is done');
		same_rows('(4) part (through the root)', $q);
		is( $target->safe_psql('dst', 'SELECT (SELECT count(*) FROM part_low) || \'/\' || (SELECT count(*) FROM part_def)'),
			$source->safe_psql('src', q{SELECT count(*) FILTER (WHERE k < 50) || '/' || count(*) FILTER (WHERE k >= 50) FROM part}),
			'(4) part: the target routed the rows by its own bounds, k >= 50 into its default partition');
		schema_unchanged('(4) part');
	});

# (5) An UNLOGGED target table.
case(
	'(5) unlogged',
	sub {
		my $q = 'SELECT * FROM unlogged_t';
		differs_before('(5) unlogged_t', $q);
		my ($id, $status) = clone_tables('unlogged_t');
		is($status, 'done', '(5) unlogged_t: the clone is done');
		same_rows('(5) unlogged_t', $q);
		is($target->safe_psql('dst', q{SELECT relpersistence FROM pg_class WHERE oid = 'unlogged_t'::regclass}),
			'u', '(5) unlogged_t: the target table is still unlogged');
		schema_unchanged('(5) unlogged_t');
	});

# (6) Row-level security on the target, forced, with a policy that hides every row. pg_clone connects
# as a superuser here, which bypasses row-level security: every row must arrive.
case(
	'(6) row-level security',
	sub {
		my $q = 'SELECT * FROM rls_t';
		differs_before('(6) rls_t', $q);
		my ($id, $status) = clone_tables('rls_t');
		is($status, 'done', '(6) rls_t: the clone (as a superuser) is done');
		same_rows('(6) rls_t', $q);
		is( $target->safe_psql('dst', q{SELECT relrowsecurity || '/' || relforcerowsecurity FROM pg_class WHERE oid = 'rls_t'::regclass}),
			'true/true', '(6) rls_t: row-level security is still enabled and forced');
		# README ("How targets are emptied"): a table with row-level security is TRUNCATEd, never DELETEd.
		is($target->safe_psql('postgres', "SELECT emptied FROM bucardo.clone_table WHERE clone_id = $id AND table_name = 'public.rls_t'"),
			'truncate', '(6) rls_t: it was emptied with TRUNCATE');
		schema_unchanged('(6) rls_t');
	});

# (7) Foreign keys between two cloned tables, and from a cloned table to one outside the clone.
case(
	'(7) foreign keys between cloned tables',
	sub {
		differs_before('(7) fk_parent', 'SELECT * FROM fk_parent');
		differs_before('(7) fk_child',  'SELECT * FROM fk_child');
		my ($id, $status) = clone_tables('fk_parent, fk_child');
		is($status, 'done', '(7) fk_parent, fk_child: the clone is done');
		same_rows('(7) fk_parent', 'SELECT * FROM fk_parent');
		same_rows('(7) fk_child',  'SELECT * FROM fk_child');
		is( $target->safe_psql('dst', 'SELECT count(*) FROM fk_child c WHERE NOT EXISTS (SELECT FROM fk_parent p WHERE p.id = c.parent_id)'),
			'0', '(7) fk_child: every row has its parent');
		schema_unchanged('(7) fk_parent, fk_child');
	});
case(
	'(7) foreign key to a table outside the clone',
	sub {
		my $outside_before = fingerprint($target, 'dst', 'SELECT * FROM outside');
		differs_before('(7) fk_out', 'SELECT * FROM fk_out');
		my ($id, $status) = clone_tables('fk_out');
		is($status, 'done', '(7) fk_out: the clone is done');
		same_rows('(7) fk_out', 'SELECT * FROM fk_out');
		is(fingerprint($target, 'dst', 'SELECT * FROM outside'), $outside_before,
			'(7) fk_out: the outside table it references is left alone');
		is( $target->safe_psql('dst', 'SELECT count(*) FROM fk_out f WHERE NOT EXISTS (SELECT FROM outside o WHERE o.id = f.outside_id)'),
			'0', '(7) fk_out: every row has its referenced row');
		schema_unchanged('(7) fk_out');
	});

# (8) A deferrable, initially deferred unique constraint, with valid data.
case(
	'(8) deferrable',
	sub {
		my $q = 'SELECT * FROM deferred_u';
		differs_before('(8) deferred_u', $q);
		my ($id, $status) = clone_tables('deferred_u');
		is($status, 'done', '(8) deferred_u: the clone is done');
		same_rows('(8) deferred_u', $q);
		is( $target->safe_psql('dst', q{SELECT condeferrable || '/' || condeferred FROM pg_constraint WHERE conname = 'deferred_u_u'}),
			'true/true', '(8) deferred_u: the constraint is still deferrable, initially deferred');
		schema_unchanged('(8) deferred_u');
	});

# A line of the target's log (log_statement = 'all') where a statement empties or fills $table, sent
# as a simple query ("statement:") or through the extended protocol ("execute <unnamed>:").
my $touches = sub {
	my ($table) = @_;
	return qr/(?:statement|execute [^:]*):\s+(?:TRUNCATE|DELETE\s+FROM|COPY)\b[^\n]*\b$table\b/;
};

# (9) Compatible type differences: int4 -> int8, varchar(20) -> text.
case(
	'(9) widen',
	sub {
		my $q = 'SELECT id, n, v FROM widen';
		differs_before('(9) widen', $q);
		my $offset = -s $target->logfile;
		my ($id, $status) = clone_tables('widen');
		is($status, 'done', '(9) widen: int4 -> int8 and varchar(20) -> text: the clone is done');
		same_rows('(9) widen', $q);
		is( $target->safe_psql('dst', q{SELECT string_agg(id || ':' || coalesce(n::text, '-') || ':' || coalesce(v, '-'), '|' ORDER BY id) FROM widen WHERE id < 10}),
			$source->safe_psql('src', q{SELECT string_agg(id || ':' || coalesce(n::text, '-') || ':' || coalesce(v, '-'), '|' ORDER BY id) FROM widen WHERE id < 10}),
			'(9) widen: extremes, empty, NULL, tab, newline, backslash and non-ASCII values are equal');
		# A control for the check of the mismatch below: the target's log shows the statements the
		# clone sent there.
		like(slurp_file($target->logfile, $offset), $touches->('widen'),
			'(9) widen: the target log shows the COPY into widen');
		schema_unchanged('(9) widen');
	});

# (9) An incompatible difference: text on the source, integer on the target, with values like 'abc'.
# Issue 10, section 4: it fails before anything is emptied, with the column named, not halfway
# through a COPY; the target is unchanged.
case(
	'(9) mismatch',
	sub {
		my $q = 'SELECT id, price::text FROM mismatch';
		my $before = fingerprint($target, 'dst', $q);
		differs_before('(9) mismatch', $q);
		my $offset = -s $target->logfile;
		my ($id, $status) = clone_tables('mismatch');
		is($status, 'failed', '(9) mismatch: text -> integer: the clone fails');
		my $error = $target->safe_psql('postgres', "SELECT coalesce(error, '') FROM bucardo.clone WHERE id = $id");
		like($error, qr/\bmismatch\b|\bprice\b/, '(9) mismatch: the error names the table or the column');
		like($error, qr/\bprice\b/, '(9) mismatch: the error names the column (issue 10 section 4)');
		is(fingerprint($target, 'dst', $q), $before, '(9) mismatch: the target rows are unchanged');
		schema_unchanged('(9) mismatch');
		my $re = $touches->('mismatch');
		my @touched = grep { $_ =~ $re } split /\n/, slurp_file($target->logfile, $offset);
		is(scalar(@touched), 0, '(9) mismatch: it failed before the target table was emptied or a COPY into it began')
		  or diag("statements sent to the target:\n" . join("\n", @touched));
	});

# sequences => false and "analyze" => false: the target's sequence and statistics are left alone; a
# default clone after it sets both.
case(
	'sequences/analyze arguments',
	sub {
		my $q = 'SELECT * FROM seqopt';
		my $seq = q{SELECT last_value || '/' || is_called FROM seqopt_id_seq};
		my $reltuples = q{SELECT reltuples::bigint FROM pg_class WHERE oid = 'seqopt'::regclass};
		is($target->safe_psql('dst', $seq),       '7/true', 'seqopt: the target sequence starts at 7');
		is($target->safe_psql('dst', $reltuples), '7',      'seqopt: the target statistics count 7 rows');
		differs_before('seqopt', $q);
		my ($id, $status) = clone_tables('seqopt', 'sequences => false, "analyze" => false');
		is($status, 'done', 'seqopt: the clone with sequences => false, "analyze" => false is done');
		is($target->safe_psql('postgres', qq{SELECT sequences || '/' || "analyze" FROM bucardo.clone WHERE id = $id}),
			'false/false', 'seqopt: the clone records both arguments');
		same_rows('seqopt', $q);
		is($target->safe_psql('dst', $seq), '7/true', 'seqopt: the target sequence was left alone');
		isnt($target->safe_psql('dst', $reltuples), '500', 'seqopt: the target was not analyzed');
		schema_unchanged('seqopt, sequences => false');

		($id, $status) = clone_tables('seqopt');
		is($status, 'done', 'seqopt: a default clone after it is done');
		same_rows('seqopt (default clone)', $q);
		is($target->safe_psql('dst', $seq), $source->safe_psql('src', $seq),
			'seqopt: the default clone sets the target sequence to the source\'s');
		is($target->safe_psql('dst', $reltuples), '500', 'seqopt: and analyzes the target');
		schema_unchanged('seqopt, default');
	});

$source->stop;
$target->stop;
done_testing();
