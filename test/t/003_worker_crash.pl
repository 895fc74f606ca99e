# pg_clone when a clone worker crashes: kill -9 of a running worker makes the postmaster reinitialize
# (restart_after_crash); when the launcher comes back the clone ends 'failed', not 'running' for
# ever, and the target is unchanged.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use PgCloneTest;
use PostgreSQL::Test::Utils;
use Test::More;

# Cluster.pm turns restart_after_crash off; the test needs the postmaster's crash restart.
my $node = clone_node(conf => "restart_after_crash = on\n");

my $source_rows   = contents($node, 'src');
my $target_before = contents($node, 'dst');

# The clone blocks on a lock that a prepared transaction holds on the target (it survives the crash).
hold_target_lock($node);

my $id = request_clone($node);
wait_until_blocked($node, $id, 'blocked clone');

my $worker_pid = $node->safe_psql('postgres',
	q{SELECT pid FROM pg_stat_activity WHERE backend_type = 'pg_clone worker'});
like($worker_pid, qr/^\d+$/, 'exactly one clone worker is running');
is($node->safe_psql('postgres', "SELECT worker_pid FROM bucardo.clone WHERE id = $id"),
	$worker_pid, 'the clone records its worker\'s pid');

my $log_offset = -s $node->logfile;
ok(kill('KILL', $worker_pid), 'kill -9 the clone worker');

# The postmaster notices, resets shared memory and recovers; then the launcher starts again.
$node->wait_for_log(qr/all server processes terminated; reinitializing/, $log_offset);
ok( $node->poll_query_until(
		'postgres',
		"SELECT status FROM bucardo.clone WHERE id = $id", 'failed'),
	'the crashed clone ends failed');
like(
	$node->safe_psql('postgres', "SELECT error FROM bucardo.clone WHERE id = $id"),
	qr/interrupted by a server restart|worker crash|worker exited unexpectedly/,
	'its error says a restart or crash interrupted it');
is(running_clones($node), '0',
	'no clone is left running');
like(
	slurp_file($node->logfile, $log_offset),
	qr/pg_clone launcher: marked 1 interrupted clone\(s\) as failed/,
	'the launcher logs that it failed the interrupted clone');

is($node->safe_psql('dst', 'SELECT gid FROM pg_prepared_xacts'),
	'hold', 'the prepared transaction survived the crash');
$node->safe_psql('dst', "ROLLBACK PREPARED 'hold'");
is(contents($node, 'dst'),
	$target_before, 'the target is unchanged');

# After the crash restart the launcher runs clones again.
my $again = request_clone($node);
is(wait_clone($node, $again),
	'done', 'a new clone after the crash ends done');
is(contents($node, 'dst'),
	$source_rows, 'the target now has the source rows');

$node->stop;
done_testing();
