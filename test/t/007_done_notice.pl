# NOTIFY bucardo_clone_done at the end of every clone, with a JSON payload holding its id and status,
# whatever ended it: its worker (done, failed, cancelled while running) or clone_cancel() of a queued
# clone. A client LISTENs and reads it instead of polling.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use PgCloneTest;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = clone_node();

# One psql session LISTENs, starts a clone, waits for it, and asks once more so that psql prints the
# notices that arrived meanwhile.
sub notices_of
{
	my ($sql) = @_;
	my ($stdout, $stderr);
	# clone_wait wakes at the end's commit, a moment before the notice is signalled: give it that moment.
	$node->psql('postgres', "LISTEN bucardo_clone_done;\n$sql\nSELECT pg_sleep(0.5);\nSELECT 1;",
		stdout => \$stdout, stderr => \$stderr, on_error_die => 1);
	my @notices = ($stdout . "\n" . $stderr) =~ /Asynchronous notification "bucardo_clone_done" with payload "([^"]*(?:"[^"]*)*?)" received/g;
	return join(' | ', @notices);
}

my $done = notices_of(q{
SELECT bucardo.clone(tables => 'foo, bar', dbs => 'alpha, beta') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');});
my $id = $node->safe_psql('postgres', 'SELECT max(id) FROM bucardo.clone');
is($done, qq({"id" : $id, "status" : "done"}), 'a clone that is done says so');

my $failed = notices_of(q{
SELECT bucardo.clone(tables => 'no_such_table', dbs => 'alpha, beta') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');});
$id = $node->safe_psql('postgres', 'SELECT max(id) FROM bucardo.clone');
is($failed, qq({"id" : $id, "status" : "failed"}), 'a clone that failed says so');

my $cancelled = notices_of(q{
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, beta', start => '1 hour') AS id \gset
SELECT bucardo.clone_cancel(:id);});
$id = $node->safe_psql('postgres', 'SELECT max(id) FROM bucardo.clone');
is($cancelled, qq({"id" : $id, "status" : "cancelled"}), 'a queued clone cancelled says so');

my $queued = notices_of(q{SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, beta', start => '1 hour');});
is($queued, '', 'a clone that has not ended says nothing');

# clone_wait sleeps until the clone's end is committed (no polling): how long after the end it
# returned is logged, not asserted. At its timeout it returns the status then.
my $latency = $node->safe_psql('postgres', q{
SELECT bucardo.clone(tables => 'foo, bar', dbs => 'alpha, beta') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s') AS status \gset
SELECT :'status' || ' ' || round(extract(epoch FROM clock_timestamp() - ended) * 1000) FROM bucardo.clone WHERE id = :id});
like($latency, qr/^done \d+$/, 'clone_wait returns done');
note("clone_wait returned $latency ms after the clone's end was recorded");
my $timed = $node->safe_psql('postgres', q{
SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, beta', start => '1 hour') AS id \gset
SELECT clock_timestamp() AS t0 \gset
SELECT bucardo.clone_wait(:id, '0.3 s') || ' ' || (clock_timestamp() - :'t0'::timestamptz < interval '5 s')});
is($timed, 'queued true', 'at its timeout clone_wait returns the status then');

# The server log has a line when each clone starts, and one when it ends.
my $log = slurp_file($node->logfile);
like($log, qr/pg_clone: clone 1 started: 2 tables from alpha into beta, up to \d+ streams?/, 'the start is logged');
like($log, qr/pg_clone: clone 1 done: beta: 2 tables/, 'and the end');

$node->stop;
done_testing();
