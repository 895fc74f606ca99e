# clone(..., commit => 'table') with two-phase commit, the worker killed (kill -9: the control server
# restarts) in the middle of a table's commit round: the recovery worker finishes that round from its
# record. Killed after every target prepared the table but before its decision was recorded, the table
# is rolled back everywhere; killed after the decision (recorded with the table's clone_table rows),
# it is committed everywhere. Either way the clone ends failed, saying which tables were committed,
# and a resume copies the rest. Killed after every table committed, the resume has no table left to
# copy, but still sets the sequences named in the list. (The faults without a crash: 026_commit_table.pl.)
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use PgCloneTest;
use PostgreSQL::Test::Utils;
use Test::More;

# Cluster.pm turns restart_after_crash off; the kill -9 needs the postmaster's crash restart.
my @servers = four_servers(control_conf => "restart_after_crash = on\n");
my ($control, $source, $beta, $gamma) = @servers;
my $source_rows = contents($source, 'src');

# foo (3000 rows) is copied first (one stream, largest first), then bar: the pause is in foo's round.
sub paused_clone
{
	my ($step) = @_;
	set_setting($control, 'pg_clone.test_pause_at', $step);
	my $offset = -s $control->logfile;
	my $id     = request_both($control, ", streams => 1, commit => 'table'");
	my $pid    = wait_paused($control, $id, $step, $offset);
	is(clone_gids($beta, $id) . ' ' . clone_gids($gamma, $id),
		'1 1', "$step: each target holds foo's prepared transaction");
	crash_worker($control, $pid, $step);
	is(wait_clone($control, $id), 'failed', "$step: the clone ends failed once the recovery finished foo's round");
	return $id;
}

# Killed before foo's decision: the recovery rolls foo back; nothing is committed.
my %before = (beta => refill_target($beta, 'p'), gamma => refill_target($gamma, 'p'));
my $id = paused_clone('table_after_prepare');
is($control->safe_psql('postgres', "SELECT count(*) FROM bucardo.clone_table WHERE clone_id = $id"),
	'0', 'table_after_prepare: no table is recorded');
like(clone_field($control, $id, 'error'), qr/commit => 'table'.*Committed: none/s,
	'table_after_prepare: the error says no table was committed');
is(transaction_states($control, $id), 'rolled back', 'table_after_prepare: foo\'s transactions were rolled back');
case_end(\@servers, 'table_after_prepare', $id, $before{beta}, $before{gamma});

# Killed after foo's decision: the recovery commits foo everywhere; bar keeps its old rows.
%before = (beta => refill_target($beta, 'd'), gamma => refill_target($gamma, 'd'));
$id = paused_clone('table_after_decision');
is($control->safe_psql('postgres',
		"SELECT string_agg(db || ' ' || table_name, ', ' ORDER BY db) FROM bucardo.clone_table WHERE clone_id = $id"),
	'beta public.foo, gamma public.foo', 'table_after_decision: foo is recorded on both targets');
like(clone_field($control, $id, 'error'), qr/commit => 'table'.*Committed: public\.foo/s,
	'table_after_decision: the error says foo was committed');
is(transaction_states($control, $id), 'committed', 'table_after_decision: foo\'s transactions were committed');
my $source_foo = table_fingerprint($source, 'src', 'foo');
for my $node ($beta, $gamma)
{
	is(table_fingerprint($node, 'dst', 'foo'), $source_foo, 'table_after_decision: ' . $node->name . ' holds the new foo');
	my ($old_bar) = $before{ $node->name } =~ /^(.*) \| /;
	is(table_fingerprint($node, 'dst', 'bar'), $old_bar, 'table_after_decision: ' . $node->name . ' keeps its old bar');
}
no_prepared_left('table_after_decision', @servers);

my $resumed = $control->safe_psql('postgres', "SELECT bucardo.clone_resume($id)");
is(wait_clone($control, $resumed), 'done', 'the resume is done');
is($control->safe_psql('postgres',
		"SELECT string_agg(db || ' ' || table_name, ', ' ORDER BY db) FROM bucardo.clone_table WHERE clone_id = $resumed"),
	'beta public.bar, gamma public.bar', 'the resume copied bar only');
case_end(\@servers, 'resumed', $resumed, $source_rows, $source_rows);

# Killed once every table committed (before_commit: between the last table's round and the end): nothing
# is in doubt, the launcher marks the clone failed, naming the tables committed; a resume has nothing
# left to copy.
refill_target($_, 'e') for $beta, $gamma;
set_setting($control, 'pg_clone.test_pause_at', 'before_commit');
my $offset = -s $control->logfile;
$id = request_both($control, ", commit => 'table'");
my $pid = wait_paused($control, $id, 'before_commit', $offset);
crash_worker($control, $pid, 'before_commit');
is(wait_clone($control, $id), 'failed', 'before_commit: the clone ends failed');
like(clone_field($control, $id, 'error'),
	qr/interrupted by a server restart; commit => 'table': committed: public\.bar, public\.foo \(bucardo\.clone_table\)/,
	'before_commit: the error names the tables committed');
case_end(\@servers, 'before_commit', $id, $source_rows, $source_rows);
$resumed = $control->safe_psql('postgres', "SELECT bucardo.clone_resume($id)");
is(wait_clone($control, $resumed), 'done', 'before_commit: the resume is done');
like(clone_field($control, $resumed, 'summary'), qr/nothing left to copy/, 'before_commit: with nothing left to copy');

# The targets' sequence counter, on beta and gamma.
sub counters
{
	return join(' ', map { $_->safe_psql('dst', 'SELECT last_value FROM counter') } $beta, $gamma);
}

# A table-mode clone of foo, bar and the sequence counter, held at before_commit: every table is
# committed, the sequences' unit not yet. Returns its id and the worker's pid.
sub clone_held_before_sequences
{
	my ($tag) = @_;
	refill_target($_, $tag) for $beta, $gamma;
	set_setting($control, 'pg_clone.test_pause_at', 'before_commit');
	my $offset = -s $control->logfile;
	my $id = $control->safe_psql('postgres',
		"SELECT bucardo.clone(tables => 'foo, bar, counter', dbs => 'alpha:source,beta:target,gamma:target', "
		  . "commit => 'table')");
	return ($id, wait_paused($control, $id, 'before_commit', $offset));
}

# The same crash with a sequence named in the list: it is set in a last unit of its own, after every
# table's, so the crash at before_commit leaves it unset. Its resume has no table left to copy, but
# still sets the sequence.
$source->safe_psql('src', "CREATE SEQUENCE counter; SELECT pg_catalog.setval('counter', 500)");
$_->safe_psql('dst', 'CREATE SEQUENCE counter') for $beta, $gamma;
($id, $pid) = clone_held_before_sequences('s');
crash_worker($control, $pid, 'sequence');
is(wait_clone($control, $id), 'failed', 'sequence: the clone ends failed');
is(counters(), '1 1', 'sequence: the crash left the targets\' sequence unset');
$resumed = $control->safe_psql('postgres', "SELECT bucardo.clone_resume($id)");
is(wait_clone($control, $resumed), 'done', 'sequence: the resume is done');
like(clone_field($control, $resumed, 'summary'), qr/no table left to copy.*counter/s,
	'sequence: the resume copied no table, only the sequence');
is(counters(), '500 500', 'sequence: the resume set the sequence on both targets');
case_end(\@servers, 'sequence', $resumed, $source_rows, $source_rows);

# Without a crash: gamma stops while the clone waits before its sequences' unit, which then fails. The
# error names the tables committed and the sequence not set; the resume sets it.
$_->safe_psql('dst', "SELECT pg_catalog.setval('counter', 7)") for $beta, $gamma;
($id, $pid) = clone_held_before_sequences('u');
$gamma->stop('immediate');
set_setting($control, 'pg_clone.test_pause_at', undef);
is(wait_clone($control, $id), 'failed', 'sequence unit: the clone ends failed');
like(clone_field($control, $id, 'error'),
	qr/committed: public\.foo, public\.bar; not committed: none; not set: public\.counter\./,
	'sequence unit: the error names the tables committed and the sequence not set');
$gamma->start;
is(counters(), '7 7', 'sequence unit: the failed unit left both targets\' sequence as it was');
$resumed = $control->safe_psql('postgres', "SELECT bucardo.clone_resume($id)");
is(wait_clone($control, $resumed), 'done', 'sequence unit: the resume is done');
is(counters(), '500 500', 'sequence unit: the resume set the sequence on both targets');
case_end(\@servers, 'sequence unit', $resumed, $source_rows, $source_rows);

$_->stop for @servers;
done_testing();
