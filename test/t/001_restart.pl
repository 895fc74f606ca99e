# pg_clone across server restarts:
#  (a) a committed clone queued for later survives a restart, then runs and ends 'done';
#  (b) a clone that is running when the server restarts (fast mode: the worker records its own
#      failure; immediate mode: the launcher finds it orphaned) ends 'failed', not 'running' for
#      ever, and leaves its target unchanged;
#  (c) a clone() whose transaction rolls back leaves nothing queued.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use PgCloneTest;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = clone_node();

my $source_rows = contents($node, 'src');

# (a) A clone queued for later survives a restart.
my $queued = request_clone($node, '4 seconds');
is(clone_field($node, $queued, 'status'), 'queued', 'clone with a later start is queued');

$node->restart;

# Still queued while its start time is ahead (checked in the same statement to avoid a race).
is( $node->safe_psql(
		'postgres',
		"SELECT status = 'queued' OR startwhen <= clock_timestamp() FROM bucardo.clone WHERE id = $queued"
	),
	't',
	'queued clone is still queued after the restart');

is(wait_clone($node, $queued), 'done', 'queued clone runs after the restart and ends done');
is(contents($node, 'dst'), $source_rows, 'the target has the source rows');
is(clone_field($node, $queued, 'started >= startwhen'),
	't', 'the clone did not start before its start time');
is(clone_field($node, $queued, 'error'), '', 'the finished clone has no error');

# (b) A clone running when the server restarts does not stay running.
$node->safe_psql('src',
	"INSERT INTO foo SELECT g, 'src ' || g FROM generate_series(1001, 1500) g"
);
$source_rows = contents($node, 'src');
my $target_before = contents($node, 'dst');
isnt($target_before, $source_rows,
	'source and target differ before the blocked clone');

# Hold a lock on the target table across the restart: the clone blocks on it.
hold_target_lock($node);

my $blocked = request_clone($node);
wait_until_blocked($node, $blocked, 'blocked clone');

$node->restart;    # pg_ctl restart: fast mode

ok( $node->poll_query_until(
		'postgres',
		"SELECT status FROM bucardo.clone WHERE id = $blocked", 'failed'),
	'clone running at the restart ends failed');
# The worker records its own failure as the server shuts down: usually that it was told to stop,
# sometimes (when the target's backend is terminated first) the target connection's error.
like(
	clone_field($node, $blocked, 'error'),
	qr/server restart|shutting down|worker crash|terminating connection due to administrator command/,
	'its error says the server restarted or shut down');
is(clone_field($node, $blocked, 'ended IS NOT NULL'),
	't', 'the failed clone has an end time');
is(running_clones($node), '0',
	'no clone is left running');

is( $node->safe_psql(
		'dst', 'SELECT gid FROM pg_prepared_xacts'),
	'hold',
	'the prepared transaction holding the lock survived the restart');
$node->safe_psql('dst', "ROLLBACK PREPARED 'hold'");
is(contents($node, 'dst'), $target_before, 'the target is unchanged');

# (b2) The same after an immediate stop, where the worker gets no chance to record anything: the
# launcher finds the clone 'running' without its worker when the server comes back.
hold_target_lock($node);
my $orphan = request_clone($node);
wait_until_blocked($node, $orphan, 'second blocked clone');

$node->stop('immediate');
$node->start;

ok( $node->poll_query_until(
		'postgres',
		"SELECT status FROM bucardo.clone WHERE id = $orphan", 'failed'),
	'clone running at an immediate stop ends failed after the start');
like(
	clone_field($node, $orphan, 'error'),
	qr/interrupted by a server restart|worker crash/,
	'the launcher says it was interrupted by a restart or crash');
is(running_clones($node), '0',
	'no clone is left running after the immediate stop');
$node->safe_psql('dst', "ROLLBACK PREPARED 'hold'");
is(contents($node, 'dst'), $target_before, 'the target is still unchanged');

# The launcher still works after all this: a new clone completes.
my $again = request_clone($node);
is(wait_clone($node, $again), 'done', 'a new clone after the restarts ends done');
is(contents($node, 'dst'), $source_rows, 'the target now has the source rows');

# (c) A clone() in a transaction that rolls back leaves nothing queued.
my $count_before =
  $node->safe_psql('postgres', 'SELECT count(*) FROM bucardo.clone');
$node->safe_psql(
	'postgres', q{
BEGIN;
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha:source,beta:target');
ROLLBACK;
});
is($node->safe_psql('postgres', 'SELECT count(*) FROM bucardo.clone'),
	$count_before, 'a rolled-back clone() queues nothing');
is( $node->safe_psql(
		'postgres',
		"SELECT count(*) FROM bucardo.clone WHERE status IN ('queued', 'running')"),
	'0',
	'nothing is queued or running');

$node->stop;
done_testing();
