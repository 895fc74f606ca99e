# The launcher's duties besides starting clones:
#  - without shared_preload_libraries the library refuses to load, with a clear error, no crash;
#  - at most pg_clone.max_workers clones run at once; the others stay queued, and start as soon as a
#    worker ends (the launcher is woken by the worker's exit, not by polling: naptime is long here);
#  - SIGHUP (pg_reload_conf) applies a new pg_clone.max_workers.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use PgCloneTest;
use PostgreSQL::Test::Utils;
use Test::More;

# Not preloaded.
my $plain = start_node('plain');
my ($ret, $stdout, $stderr) = $plain->psql('postgres', 'CREATE EXTENSION pg_clone');
isnt($ret, 0, 'CREATE EXTENSION fails without shared_preload_libraries');
like($stderr, qr/pg_clone must be loaded via shared_preload_libraries/, 'and says why');
like($stderr, qr/HINT:  Add pg_clone to shared_preload_libraries/, 'and how to fix it');
is($plain->safe_psql('postgres', 'SELECT 1'), '1', 'the server is still up');
$plain->stop;

# One worker at a time.
my $node = clone_node(conf => "pg_clone.max_workers = 1\npg_clone.naptime = 600\n");
my $source_rows = contents($node, 'src');

hold_target_lock($node);
my $first = request_clone($node);
wait_until_blocked($node, $first, 'first clone');
my $second = request_clone($node);
is($node->safe_psql('postgres', "SELECT bucardo.clone_wait($second, '2 s')"),
	'queued', 'second clone stays queued while the only worker slot is taken');

$node->safe_psql('dst', "ROLLBACK PREPARED 'hold'");
is(wait_clone($node, $first),  'done', 'first clone ends done once the lock is gone');
is(wait_clone($node, $second), 'done', 'second clone then runs, without waiting for a poll');
ok( $node->safe_psql(
		'postgres',
		"SELECT s.started >= f.ended FROM bucardo.clone s, bucardo.clone f"
		  . " WHERE s.id = $second AND f.id = $first"),
	'the second clone started after the first ended');
ok( $node->safe_psql(
		'postgres',
		"SELECT s.started < f.ended + interval '5 s' FROM bucardo.clone s, bucardo.clone f"
		  . " WHERE s.id = $second AND f.id = $first"),
	'and right after it');
is(contents($node, 'dst'), $source_rows, 'the target has the source rows');

# SIGHUP: two workers now.
$node->safe_psql('postgres',
	'ALTER SYSTEM SET pg_clone.max_workers = 2; SELECT pg_reload_conf()');
hold_target_lock($node);
my @blocked = (request_clone($node), request_clone($node));
ok( $node->poll_query_until(
		'postgres',
		"SELECT count(*) = 2 FROM bucardo.clone WHERE id IN ($blocked[0], $blocked[1])"
		  . " AND status = 'running' AND worker_pid IS NOT NULL"),
	'after the reload two clones run at once');
$node->safe_psql('dst', "ROLLBACK PREPARED 'hold'");
is(wait_clone($node, $blocked[0]), 'done', 'both end: the first');
is(wait_clone($node, $blocked[1]), 'done', 'both end: the second');
is(running_clones($node), '0', 'no clone is left running');

# Idle, the launcher sleeps (naptime is 600 s here): its short catalog transactions, counted in
# pg_stat_database, do not pile up. (A 1 ms wake-up loop once made thousands in these seconds.)
my $commits = q{SELECT pg_stat_force_next_flush(); SELECT pg_stat_clear_snapshot();
SELECT xact_commit FROM pg_stat_database WHERE datname = 'postgres'};
my $before = $node->safe_psql('postgres', $commits);
sleep(3);
my $after = $node->safe_psql('postgres', $commits);
cmp_ok($after - $before, '<', 50, 'the idle launcher does not loop')
  or diag("transactions in 3 s: " . ($after - $before));

$node->stop;
done_testing();
