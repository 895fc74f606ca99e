# clone(..., max_rate): a clone reads its sources at the rate asked, shows it in bucardo.clone_progress,
# follows bucardo.clone_set_rate() while it runs, and a wait for the rate is not a stall
# (pg_clone.stall_timeout). Timing is the feature here: the rates are low (a few MB/s) so that a loaded
# machine keeps up, and durations are checked within 10%.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use PgCloneTest;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = clone_node();
my $MB = 1024 * 1024;

# About 10 MB of COPY data (in text or binary alike: the rows are mostly one text column).
$node->safe_psql('src', q{
CREATE TABLE big (id int, t text);
INSERT INTO big SELECT g, repeat(md5(g::text), 3) FROM generate_series(1, 100000) g;
});
$node->safe_psql('dst', 'CREATE TABLE big (id int, t text)');
my $big = table_fingerprint($node, 'src', 'big');

# Seconds from start to end of a clone, as the control server recorded them.
sub duration
{
	my ($id) = @_;
	return clone_field($node, $id, 'extract(epoch FROM ended - started)');
}

# Seconds of the copy of its one table: from the COPY to the target's answer (bucardo.clone_table).
sub copy_seconds
{
	my ($id) = @_;
	return $node->safe_psql('postgres', "SELECT seconds FROM bucardo.clone_table WHERE clone_id = $id");
}

# The copy takes bytes / rate within 10%; the whole clone that and what a clone without a rate takes
# besides its copy (connecting, preparing and committing), at most the whole of such a clone.
my $fast;
sub takes_rate
{
	my ($id, $rate, $what) = @_;
	my $expected = $_[3] / $rate;
	my $copy = copy_seconds($id);
	my $took = duration($id);
	ok(abs($copy - $expected) <= 0.1 * $expected,
		"$what: its copy took $copy s, bytes / rate is $expected s (within 10%)");
	ok($took >= 0.9 * $expected && $took <= 1.1 * $expected + $fast,
		"$what: the clone took $took s (ended - started), at most $fast s more than its copy");
	return;
}

sub request
{
	my ($rate) = @_;
	my $arg = defined $rate ? ", max_rate => '$rate'" : '';
	return $node->safe_psql('postgres',
		"SELECT bucardo.clone(tables => 'big', dbs => 'alpha, beta', \"analyze\" => false$arg)");
}

# Without a rate: fast, and the number of bytes the rate applies to.
my $id = request(undef);
is(wait_clone($node, $id), 'done', 'a clone without max_rate is done');
my $bytes = $node->safe_psql('postgres', "SELECT bytes FROM bucardo.clone_table WHERE clone_id = $id");
$fast = duration($id);
note("big: $bytes bytes of COPY data, copied in $fast s without a rate");
ok($bytes > 8 * $MB && $bytes < 14 * $MB, "big is about 10 MB of COPY data ($bytes)");

# At 2 MB/s: bytes / rate, within 10%; the view shows the rate asked while it runs.
$id = request('2MB');
ok( poll_until(
		$node, 'postgres',
		"SELECT max_rate = 2097152 AND bytes_copied > 1048576 FROM bucardo.clone_progress"
		  . " WHERE clone_id = $id AND table_name IS NULL", 't', 30),
	'clone_progress shows the rate asked while the clone copies');
my $achieved = $node->safe_psql('postgres',
	"SELECT bytes_per_second FROM bucardo.clone_progress WHERE clone_id = $id AND table_name = 'public.big'");
ok($achieved > 0 && $achieved < 2.2 * $MB, "and the rate achieved, no more than asked ($achieved)");
is(wait_clone($node, $id), 'done', 'the clone at 2MB is done');
takes_rate($id, 2 * $MB, 'at 2MB', $bytes);
is(table_fingerprint($node, 'dst', 'big'), $big, 'the copy is complete and equal');

# Changed mid-clone: 1 MB/s for about 2 s, then 4 MB/s. The worker reads the new rate within about a
# second, so the end lies between the instant switch and a switch one second late (still at 1 MB/s).
$node->safe_psql('dst', 'TRUNCATE big');
$id = request('1MB');
ok( poll_until(
		$node, 'postgres',
		"SELECT bytes_copied > 0 FROM bucardo.clone_progress WHERE clone_id = $id AND table_name IS NULL",
		't', 30),
	'the clone at 1MB copies');
sleep 2;
my $switched = $node->safe_psql('postgres',
	"SELECT bucardo.clone_set_rate($id, '4MB'), extract(epoch FROM clock_timestamp() - started)"
	  . " FROM bucardo.clone WHERE id = $id");
my (undef, $at) = split /\|/, $switched;
is($node->safe_psql('postgres',
		"SELECT max_rate FROM bucardo.clone_progress WHERE clone_id = $id AND table_name IS NULL"),
	4 * $MB, 'clone_progress shows the new rate');
is(wait_clone($node, $id), 'done', 'the clone whose rate changed is done');
my $took = duration($id);
my $read_at_switch = $at * $MB;  # at most: the copy started a little after the clone
my $instant = $at + ($bytes - $read_at_switch) / (4 * $MB);
my $late = $instant + 1 - 1 / 4;
ok( $took >= 0.9 * $instant && $took <= 1.1 * $late + $fast,
	"it took $took s: switched at $at s, expected between $instant and $late s (within 10%, and $fast s"
	  . " of what is not the copy);"
	  . " unchanged it would take " . $bytes / $MB . " s");
ok($took < 0.75 * $bytes / $MB, 'much less than at 1 MB/s throughout');
is(table_fingerprint($node, 'dst', 'big'), $big, 'the copy is complete and equal');

# pg_clone.max_rate is the default of clones that give none; clone_set_rate overrides it.
set_setting($node, 'pg_clone.max_rate', '4MB');
$node->safe_psql('dst', 'TRUNCATE big');
$id = request(undef);
is(wait_clone($node, $id), 'done', 'a clone under pg_clone.max_rate = 4MB is done');
takes_rate($id, 4 * $MB, 'under pg_clone.max_rate = 4MB', $bytes);
is(clone_field($node, $id, 'max_rate'), '', 'its own max_rate stays NULL');

# A wait for the rate is not a stall: rows of 3 MB at 1 MB/s wait 3 s each, longer than the
# stall timeout, and the clone still ends done.
set_setting($node, 'pg_clone.max_rate', undef);
set_setting($node, 'pg_clone.stall_timeout', '2s');
$node->safe_psql('src', q{
CREATE TABLE huge_rows (id int, t text);
INSERT INTO huge_rows SELECT g, repeat(chr(65 + g), 3 * 1024 * 1024) FROM generate_series(1, 2) g;
});
$node->safe_psql('dst', 'CREATE TABLE huge_rows (id int, t text)');
$id = $node->safe_psql('postgres',
	"SELECT bucardo.clone(tables => 'huge_rows', dbs => 'alpha, beta', max_rate => '1MB')");
is(wait_clone($node, $id), 'done', 'waits for the rate longer than pg_clone.stall_timeout are no stall')
  or diag(clone_field($node, $id, 'error'));
$took = copy_seconds($id);
ok($took >= 0.9 * 6, "and the 6 MB took $took s at 1 MB/s");
is(table_fingerprint($node, 'dst', 'huge_rows'), table_fingerprint($node, 'src', 'huge_rows'),
	'the huge rows are copied');

done_testing();
