# A source server that hangs whole (its postmaster and every backend stopped with kill -STOP) in the middle
# of a COPY: the clone fails after pg_clone.stall_timeout, and its abort is bounded too (cancelling the
# source's COPY needs an answer from its postmaster, which never comes), so the worker ends although the
# server never answers; after kill -CONT the target is unchanged and a new clone works.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use PgCloneTest;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

my $node = clone_node(conf => "pg_clone.stall_timeout = '2s'\n");
$node->safe_psql('dst', q{CREATE TABLE big (id int8 PRIMARY KEY, v text); INSERT INTO big VALUES (-1, 'before');});

my $hung = start_node('hung');
$hung->safe_psql('postgres', 'CREATE DATABASE src');
$hung->safe_psql('src', q{
CREATE TABLE big (id int8 PRIMARY KEY, v text);
INSERT INTO big SELECT g, repeat('x', 100) FROM generate_series(1, 300000) g;
});
$node->safe_psql('postgres', add_db_sql([ 'hung', $hung, 'src' ]));

# At 4 MB/s the copy of big (about 35 MB) takes several seconds: the stop lands in the COPY.
my $id = $node->safe_psql('postgres',
	"SELECT bucardo.clone(tables => 'big', dbs => 'hung, beta', streams => 1, max_rate => '4MB')");
ok( $node->poll_query_until('dst',
		"SELECT count(*) > 0 FROM pg_stat_activity WHERE application_name = 'pg_clone clone $id' AND query LIKE 'COPY%FROM STDIN%'"),
	'the clone copies from the source');

# Every process of the source server, the postmaster first.
my ($postmaster) = split /\n/, slurp_file($hung->data_dir . '/postmaster.pid');
my @children = split /\s+/, `pgrep -P $postmaster`;
my @all = grep { /^\d+$/ } ($postmaster, @children);
ok(kill('STOP', @all) == scalar(@all), 'kill -STOP the source server: ' . scalar(@all) . ' processes');
my $stopped_at = time;

ok($node->poll_query_until('postgres', "SELECT status <> 'running' FROM bucardo.clone WHERE id = $id"),
	'the clone leaves running while the server stays stopped');
my $took = time - $stopped_at;
is($node->safe_psql('postgres', "SELECT status FROM bucardo.clone WHERE id = $id"), 'failed', 'it failed');
like(clone_field($node, $id, 'error'), qr/database "hung".*pg_clone\.stall_timeout/s,
	'its error names the database and the stall timeout');
ok($took < 30, sprintf('it ended %.1f s after the server stopped: the stall timeout and a bounded abort', $took));
wait_sessions($node, 'postgres', 0, "backend_type = 'pg_clone worker'",
	'its worker is gone, although the server never answered');
is($node->safe_psql('dst', 'SELECT count(*), min(id) FROM big'), '1|-1', 'the target is unchanged');

ok(kill('CONT', @all) == scalar(@all), 'kill -CONT the source server');
wait_sessions($hung, 'src', 0, "application_name = 'pg_clone clone $id'", 'no session of the clone is left on the source');
$id = $node->safe_psql('postgres', "SELECT bucardo.clone(tables => 'big', dbs => 'hung, beta', streams => 1)");
is(wait_clone($node, $id), 'done', 'a new clone works');

$hung->stop;
$node->stop;
done_testing();
