# clone(..., retries => N): a failure worth retrying (here a target server that is down) runs the clone
# again from the start, after 1 s, 2 s, 4 s...; each failed attempt is recorded in bucardo.clone_attempt.
# A data or schema error is never retried.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use PgCloneTest;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = clone_node();
my $far  = start_node('far');
$far->safe_psql('postgres', 'CREATE DATABASE dst');
$far->safe_psql('dst', 'CREATE TABLE foo (id int PRIMARY KEY, t text); CREATE TABLE bar (id int PRIMARY KEY, t text)');
$node->safe_psql('postgres', add_db_sql([ 'far', $far, 'dst' ]));
$far->stop;

# Down at the first attempt, back for a later one.
my $id = $node->safe_psql('postgres',
	"SELECT bucardo.clone(tables => 'foo, bar', dbs => 'alpha, far', retries => 5)");
ok( $node->poll_query_until('postgres', "SELECT count(*) >= 1 FROM bucardo.clone_attempt WHERE clone_id = $id"),
	'the first attempt failed and is recorded');
like(
	$node->safe_psql('postgres', "SELECT error FROM bucardo.clone_attempt WHERE clone_id = $id AND attempt = 1"),
	qr/database "far": could not connect/, 'the attempt records why it failed');
is($node->safe_psql('postgres', "SELECT status FROM bucardo.clone WHERE id = $id"),
	'running', 'the clone is still running, waiting for its next attempt');
$far->start;
is(wait_clone($node, $id), 'done', 'a later attempt is done');
like(clone_field($node, $id, 'summary'), qr/note: done at attempt \d of 6/, 'its summary says at which attempt');
is($far->safe_psql('dst', 'SELECT count(*) FROM foo'), '1000', 'the target has the rows');

# Without retries the same failure ends the clone.
$far->stop;
$id = $node->safe_psql('postgres', "SELECT bucardo.clone(tables => 'foo, bar', dbs => 'alpha, far')");
is(wait_clone($node, $id), 'failed', 'without retries a lost target fails the clone');
is($node->safe_psql('postgres', "SELECT count(*) FROM bucardo.clone_attempt WHERE clone_id = $id"),
	'0', 'and nothing is recorded as an attempt');

# A schema error is not worth retrying.
$far->start;
$id = $node->safe_psql('postgres',
	"SELECT bucardo.clone(tables => 'foo, bar, nosuch', dbs => 'alpha, far', retries => 3)");
is(wait_clone($node, $id), 'failed', 'a missing table fails the clone');
is($node->safe_psql('postgres', "SELECT count(*) FROM bucardo.clone_attempt WHERE clone_id = $id"),
	'0', 'at once, without another attempt');

# Bad input.
my ($ret, $out, $err) = $node->psql('postgres',
	"SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, far', retries => -1)");
like($err, qr/retries must be between 0 and 100/, 'retries out of range is refused at call time');

$far->stop;
$node->stop;
done_testing();
