# pg_clone's parallel streams:
#  (a) every stream reads one snapshot per source: while a writer changes two tables in one
#      transaction, over and over, a clone of both over two streams never leaves a target where they
#      disagree;
#  (b) a clone opens as many sessions per database as it has streams (streams => N, at most one per
#      table, at most pg_clone.max_streams);
#  (c) clone_cancel in the middle of a multi-stream copy rolls every stream back and ends 'cancelled'.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use IPC::Run;
use PgCloneTest;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = clone_node(conf => "pg_clone.max_streams = 3\n");

# (a) Two counters, one per table, always equal in every committed state of the source. Table a is
# padded so that the two tables go to two streams.
for my $db ('src', 'dst')
{
	$node->safe_psql($db, q{
CREATE TABLE a (id int PRIMARY KEY, v bigint, pad text);
CREATE TABLE b (id int PRIMARY KEY, v bigint);
});
}
$node->safe_psql('src', q{
INSERT INTO a VALUES (0, 0, NULL);
INSERT INTO a SELECT g, 0, repeat('x', 200) FROM generate_series(1, 100000) g;
INSERT INTO b VALUES (0, 0);
});
my $script = "$PostgreSQL::Test::Utils::tmp_check/bump_both.sql";
open(my $fh, '>', $script) or die "could not write $script: $!";
print $fh "BEGIN;\nUPDATE a SET v = v + 1 WHERE id = 0;\nUPDATE b SET v = v + 1 WHERE id = 0;\nCOMMIT;\n";
close $fh;

my ($out, $err) = ('', '');
my $writer = IPC::Run::start(
	[ 'pgbench', '-n', '-c', '1', '-T', '60', '-f', $script, '-h', $node->host, '-p', $node->port, 'src' ],
	'>', \$out, '2>', \$err);
ok($node->poll_query_until('src', 'SELECT v > 100 FROM b WHERE id = 0'), 'the writer is running');

for my $round (1 .. 3)
{
	my $id = $node->safe_psql('postgres',
		"SELECT bucardo.clone(tables => 'a, b', dbs => 'alpha, beta', streams => 2)");
	is(wait_clone($node, $id), 'done', "round $round: the two-stream clone is done");
	my ($av, $bv) = split /\|/, $node->safe_psql('dst',
		'SELECT (SELECT v FROM a WHERE id = 0), (SELECT v FROM b WHERE id = 0)');
	ok($av > 0, "round $round: the clone copied a state the writer made");
	is($av, $bv, "round $round: both tables come from one snapshot");
}
ok($node->safe_psql('src', 'SELECT v FROM b WHERE id = 0') >
	  $node->safe_psql('dst', 'SELECT v FROM b WHERE id = 0'),
	'the writer went on during the clones');
$writer->kill_kill;

# (b) While the clone waits for a lock on its largest target table, every stream's sessions are open.
sub sessions_of
{
	my ($db, $id) = @_;
	return $node->safe_psql('postgres',
		"SELECT count(*) FROM pg_stat_activity WHERE datname = '$db' AND application_name = 'pg_clone clone $id'");
}
for my $case ([ 'streams => 2', 2 ], [ 'streams => 1', 1 ], [ 'streams => 8', 2 ])
{
	my ($arg, $expected) = @$case;
	$node->safe_psql('dst', q{BEGIN; LOCK TABLE a IN ACCESS EXCLUSIVE MODE; PREPARE TRANSACTION 'hold_a';});
	my $id = $node->safe_psql('postgres',
		"SELECT bucardo.clone(tables => 'a, b', dbs => 'alpha, beta', $arg)");
	ok( $node->poll_query_until(
			'dst', q{SELECT count(*) > 0 FROM pg_locks WHERE NOT granted AND relation = 'public.a'::regclass}),
		"$arg: the clone waits for its lock");
	is(sessions_of('src', $id), $expected, "$arg: $expected session(s) on the source");
	is(sessions_of('dst', $id), $expected, "$arg: $expected session(s) on the target");
	$node->safe_psql('dst', "ROLLBACK PREPARED 'hold_a'");
	is(wait_clone($node, $id), 'done', "$arg: the clone is done once the lock is gone");
}

# (c) Cancel in the middle of the copy. A trigger that a superuser owns (so the clone accepts it)
# slows the copy of b down to about 20 s; the clone is cancelled while both streams copy.
$node->safe_psql('src', 'INSERT INTO b SELECT g, g FROM generate_series(1, 2000) g');
$node->safe_psql('dst', q{
CREATE FUNCTION slow_down() RETURNS trigger LANGUAGE plpgsql AS
  $$BEGIN PERFORM pg_sleep(0.01); RETURN NEW; END$$;
CREATE TRIGGER b_slow BEFORE INSERT ON b FOR EACH ROW EXECUTE FUNCTION slow_down();
ALTER TABLE b ENABLE ALWAYS TRIGGER b_slow;
TRUNCATE a, b;
INSERT INTO a VALUES (-1, -1, 'before'); INSERT INTO b VALUES (-1, -1);
});
my $target_before = $node->safe_psql('dst', 'SELECT (SELECT string_agg(id::text, \',\') FROM a), (SELECT string_agg(id::text, \',\') FROM b)');
my $id = $node->safe_psql('postgres', "SELECT bucardo.clone(tables => 'a, b', dbs => 'alpha, beta', streams => 2)");
ok( $node->poll_query_until(
		'postgres',
		"SELECT query LIKE '%copying%public.b%' FROM pg_stat_activity WHERE backend_type = 'pg_clone worker'"),
	'the worker reports that it copies b');
is($node->safe_psql('postgres', "SELECT bucardo.clone_cancel($id)"), 't', 'clone_cancel in mid-copy');
is(wait_clone($node, $id), 'cancelled', 'the multi-stream clone ends cancelled');
ok(clone_field($node, $id, "ended - started < interval '15 s'") eq 't', 'it ended without copying the rest');
is($node->safe_psql('dst', 'SELECT (SELECT string_agg(id::text, \',\') FROM a), (SELECT string_agg(id::text, \',\') FROM b)'),
	$target_before, 'both target tables are unchanged');
wait_sessions($node, 'postgres', 0, "application_name = 'pg_clone clone $id'", 'no session of the clone is left');

$node->stop;
done_testing();
