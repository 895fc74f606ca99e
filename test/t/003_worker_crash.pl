# pg_clone when a clone worker crashes: kill -9 of a running worker makes the postmaster reinitialize
# (restart_after_crash); when the launcher comes back the clone ends 'failed', not 'running' for
# ever, and the target is unchanged.
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
pg_clone.lock_timeout = '10min'
# Cluster.pm turns this off; the test needs the postmaster's crash restart.
restart_after_crash = on
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

my $fingerprint =
  q{SELECT count(*) || ' ' || md5(string_agg(id || ':' || t, ',' ORDER BY id)) FROM foo};
my $source_rows   = $node->safe_psql('src', $fingerprint);
my $target_before = $node->safe_psql('dst', $fingerprint);

# The clone blocks on a lock that a prepared transaction holds on the target (it survives the crash).
$node->safe_psql('dst',
	q{BEGIN; LOCK TABLE foo IN ACCESS EXCLUSIVE MODE; PREPARE TRANSACTION 'hold';});

my $id = $node->safe_psql('postgres',
	"SELECT bucardo.clone(tables => 'foo', dbs => 'alpha:source,beta:target')");
ok( $node->poll_query_until(
		'postgres',
		"SELECT status = 'running' AND worker_pid IS NOT NULL FROM bucardo.clone WHERE id = $id"
	),
	'blocked clone is running with a worker');
ok( $node->poll_query_until(
		'dst',
		q{SELECT count(*) > 0 FROM pg_locks WHERE NOT granted AND relation = 'public.foo'::regclass}
	),
	'blocked clone waits for its lock on the target table');

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
is( $node->safe_psql(
		'postgres', "SELECT count(*) FROM bucardo.clone WHERE status = 'running'"),
	'0',
	'no clone is left running');
like(
	slurp_file($node->logfile, $log_offset),
	qr/pg_clone launcher: marked 1 interrupted clone\(s\) as failed/,
	'the launcher logs that it failed the interrupted clone');

is($node->safe_psql('dst', 'SELECT gid FROM pg_prepared_xacts'),
	'hold', 'the prepared transaction survived the crash');
$node->safe_psql('dst', "ROLLBACK PREPARED 'hold'");
is($node->safe_psql('dst', $fingerprint),
	$target_before, 'the target is unchanged');

# After the crash restart the launcher runs clones again.
my $again = $node->safe_psql('postgres',
	"SELECT bucardo.clone(tables => 'foo', dbs => 'alpha:source,beta:target')");
is($node->safe_psql('postgres', "SELECT bucardo.clone_wait($again, '60 s')"),
	'done', 'a new clone after the crash ends done');
is($node->safe_psql('dst', $fingerprint),
	$source_rows, 'the target now has the source rows');

$node->stop;
done_testing();
