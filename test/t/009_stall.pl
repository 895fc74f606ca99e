# pg_clone.stall_timeout: a target backend stopped with kill -STOP in the middle of a COPY makes the
# clone fail within the stall timeout (plus the bounded rollback), naming the database, with the
# target unchanged; after kill -CONT a new clone works.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use PgCloneTest;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);

my $node = clone_node(conf => "pg_clone.stall_timeout = '2s'\n");

$node->safe_psql('src', q{
CREATE TABLE big (id int8 PRIMARY KEY, v text);
INSERT INTO big SELECT g, repeat('x', 100) FROM generate_series(1, 300000) g;
});
$node->safe_psql('dst', q{
CREATE TABLE big (id int8 PRIMARY KEY, v text);
INSERT INTO big VALUES (-1, 'before');
});

# At 4 MB/s the copy of big (about 35 MB) takes several seconds, whatever the machine's load: the
# stop lands in the COPY.
my $id = $node->safe_psql('postgres',
	"SELECT bucardo.clone(tables => 'big', dbs => 'alpha, beta', streams => 1, max_rate => '4MB')");
my $pid = '';
for my $i (1 .. 300)
{
	$pid = $node->safe_psql('dst',
		"SELECT pid FROM pg_stat_activity WHERE application_name = 'pg_clone clone $id' AND query LIKE 'COPY%FROM STDIN%'");
	last if $pid =~ /^\d+$/;
	usleep(20_000);
}
like($pid, qr/^\d+$/, 'the target backend is in its COPY');
ok(kill('STOP', $pid), 'kill -STOP the target backend');
my $stopped_at = time;

is(wait_clone($node, $id), 'failed', 'the clone fails instead of waiting for ever');
my $took = time - $stopped_at;
ok($took < 30, "it failed $took s after the stop (stall timeout 2 s, rollback budget 5 s)");
like(clone_field($node, $id, 'error'), qr/database "beta", table public\.big: no data moved for \d+ s \(pg_clone\.stall_timeout\)/,
	'the error names the database and the table');

ok(kill('CONT', $pid), 'kill -CONT the target backend');
wait_sessions($node, 'dst', 0, "pid = $pid", 'the resumed backend finds its client gone and ends');
is($node->safe_psql('dst', 'SELECT count(*), min(id) FROM big'), '1|-1', 'the target is unchanged');

$id = $node->safe_psql('postgres', "SELECT bucardo.clone(tables => 'big', dbs => 'alpha, beta')");
is(wait_clone($node, $id), 'done', 'a new clone works');
is($node->safe_psql('dst', 'SELECT count(*) FROM big'), '300000', 'and copies every row');

$node->stop;
done_testing();
