# pg_clone across server restarts:
#  (a) a committed clone queued for later survives a restart, then runs and ends 'done';
#  (b) a clone that is running when the server restarts (fast mode: the worker records its own
#      failure; immediate mode: the launcher finds it orphaned) ends 'failed', not 'running' for
#      ever, and leaves its target unchanged;
#  (c) a clone() whose transaction rolls back leaves nothing queued.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->append_conf(
	'postgresql.conf', qq{
shared_preload_libraries = 'pg_clone'
pg_clone.database = 'postgres'
max_prepared_transactions = 5
# The blocked clone in (b) must still be waiting for its lock when the server restarts.
pg_clone.lock_timeout = '10min'
});
$node->start;

$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql('postgres', 'CREATE DATABASE dst');
$node->safe_psql('src',
	'CREATE TABLE foo (id int PRIMARY KEY, t text); '
	  . "INSERT INTO foo SELECT g, 'src ' || g FROM generate_series(1, 1000) g");
$node->safe_psql('dst',
	'CREATE TABLE foo (id int PRIMARY KEY, t text); '
	  . "INSERT INTO foo SELECT g, 'old ' || g FROM generate_series(1, 10) g");
$node->safe_psql(
	'postgres', q{
CREATE EXTENSION pg_clone;
SELECT bucardo.add_db('alpha', 'dbname=src');
SELECT bucardo.add_db('beta', 'dbname=dst');
});

# An order-independent fingerprint of a table's contents.
sub contents
{
	my ($db) = @_;
	return $node->safe_psql($db,
		q{SELECT count(*) || ' ' || coalesce(md5(string_agg(id || ':' || t, ',' ORDER BY id)), '-') FROM foo}
	);
}

sub clone_field
{
	my ($id, $field) = @_;
	return $node->safe_psql('postgres',
		"SELECT $field FROM bucardo.clone WHERE id = $id");
}

# Asks for a clone of foo from alpha to beta; returns its id.
sub request_clone
{
	my ($start) = @_;
	my $start_arg = defined $start ? ", start => '$start'" : '';
	return $node->safe_psql('postgres',
		"SELECT bucardo.clone(tables => 'foo', dbs => 'alpha:source,beta:target'$start_arg)"
	);
}

# Waits (bounded) for the clone to end; returns its status.
sub wait_clone
{
	my ($id) = @_;
	return $node->safe_psql('postgres',
		"SELECT bucardo.clone_wait($id, '60 s')");
}

my $source_rows = contents('src');

# (a) A clone queued for later survives a restart.
my $queued = request_clone('4 seconds');
is(clone_field($queued, 'status'), 'queued', 'clone with a later start is queued');

$node->restart;

# Still queued while its start time is ahead (checked in the same statement to avoid a race).
is( $node->safe_psql(
		'postgres',
		"SELECT status = 'queued' OR startwhen <= clock_timestamp() FROM bucardo.clone WHERE id = $queued"
	),
	't',
	'queued clone is still queued after the restart');

is(wait_clone($queued), 'done', 'queued clone runs after the restart and ends done');
is(contents('dst'), $source_rows, 'the target has the source rows');
is(clone_field($queued, 'started >= startwhen'),
	't', 'the clone did not start before its start time');
is(clone_field($queued, 'error'), '', 'the finished clone has no error');

# (b) A clone running when the server restarts does not stay running.
$node->safe_psql('src',
	"INSERT INTO foo SELECT g, 'src ' || g FROM generate_series(1001, 1500) g"
);
$source_rows = contents('src');
my $target_before = contents('dst');
isnt($target_before, $source_rows,
	'source and target differ before the blocked clone');

# Hold a lock on the target table across the restart: the clone blocks on it.
$node->safe_psql('dst',
	q{BEGIN; LOCK TABLE foo IN ACCESS EXCLUSIVE MODE; PREPARE TRANSACTION 'hold';});

my $blocked = request_clone();
ok( $node->poll_query_until(
		'postgres',
		"SELECT status = 'running' AND worker_pid IS NOT NULL FROM bucardo.clone WHERE id = $blocked"
	),
	'blocked clone is running with a worker');
ok( $node->poll_query_until(
		'dst',
		q{SELECT count(*) > 0 FROM pg_locks WHERE NOT granted AND relation = 'public.foo'::regclass}
	),
	'blocked clone waits for its lock on the target table');

$node->restart;    # pg_ctl restart: fast mode

ok( $node->poll_query_until(
		'postgres',
		"SELECT status FROM bucardo.clone WHERE id = $blocked", 'failed'),
	'clone running at the restart ends failed');
# The worker records its own failure as the server shuts down: usually that it was told to stop,
# sometimes (when the target's backend is terminated first) the target connection's error.
like(
	clone_field($blocked, 'error'),
	qr/server restart|shutting down|worker crash|terminating connection due to administrator command/,
	'its error says the server restarted or shut down');
is(clone_field($blocked, 'ended IS NOT NULL'),
	't', 'the failed clone has an end time');
is( $node->safe_psql(
		'postgres', "SELECT count(*) FROM bucardo.clone WHERE status = 'running'"),
	'0',
	'no clone is left running');

is( $node->safe_psql(
		'dst', 'SELECT gid FROM pg_prepared_xacts'),
	'hold',
	'the prepared transaction holding the lock survived the restart');
$node->safe_psql('dst', "ROLLBACK PREPARED 'hold'");
is(contents('dst'), $target_before, 'the target is unchanged');

# (b2) The same after an immediate stop, where the worker gets no chance to record anything: the
# launcher finds the clone 'running' without its worker when the server comes back.
$node->safe_psql('dst',
	q{BEGIN; LOCK TABLE foo IN ACCESS EXCLUSIVE MODE; PREPARE TRANSACTION 'hold';});
my $orphan = request_clone();
ok( $node->poll_query_until(
		'postgres',
		"SELECT status = 'running' AND worker_pid IS NOT NULL FROM bucardo.clone WHERE id = $orphan"
	),
	'second blocked clone is running with a worker');
ok( $node->poll_query_until(
		'dst',
		q{SELECT count(*) > 0 FROM pg_locks WHERE NOT granted AND relation = 'public.foo'::regclass}
	),
	'second blocked clone waits for its lock on the target table');

$node->stop('immediate');
$node->start;

ok( $node->poll_query_until(
		'postgres',
		"SELECT status FROM bucardo.clone WHERE id = $orphan", 'failed'),
	'clone running at an immediate stop ends failed after the start');
like(
	clone_field($orphan, 'error'),
	qr/interrupted by a server restart|worker crash/,
	'the launcher says it was interrupted by a restart or crash');
is( $node->safe_psql(
		'postgres', "SELECT count(*) FROM bucardo.clone WHERE status = 'running'"),
	'0',
	'no clone is left running after the immediate stop');
$node->safe_psql('dst', "ROLLBACK PREPARED 'hold'");
is(contents('dst'), $target_before, 'the target is still unchanged');

# The launcher still works after all this: a new clone completes.
my $again = request_clone();
is(wait_clone($again), 'done', 'a new clone after the restarts ends done');
is(contents('dst'), $source_rows, 'the target now has the source rows');

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
