# A target database is never left with some tables new and others old, whatever the servers allow.
# Two tables (foo, bar) copied in two streams into two target servers (beta, gamma):
#  (a) pg_clone.two_phase = off, the worker killed (kill -9) after its first COMMIT: without two-phase
#      commit each target database is written through one session, so beta is entirely new, gamma
#      entirely old, and the clone's error says which was committed;
#  (b) two_phase = auto with prepared transactions, the same kill after the first COMMIT PREPARED: the
#      recovery commits the rest, both targets are entirely new;
#  (c) the servers' default max_prepared_transactions = 0, two_phase = auto: beta's COMMIT waits for a
#      synchronous standby that does not exist and its backend is terminated; the transaction is
#      committed on beta, a new session finds that out, gamma commits too, and the clone is done;
#  (d) the same default, a clean clone: its summary says that two-phase commit was not available and
#      that one session per target database was used, and each target holds one clone session.
# Every case checks both targets' contents exactly: each is the source's rows or its own old rows.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use PgCloneTest;
use PostgreSQL::Test::Utils;
use Test::More;

my @servers = four_servers(
	control_conf => "restart_after_crash = on\n",
	beta_conf    => "wal_level = replica\nmax_wal_senders = 2\n");
my ($control, $source, $beta, $gamma) = @servers;
my $source_rows = contents($source, 'src');
my $two_streams = ', streams => 2';

sub targets_are
{
	my ($what, $id, $beta_rows, $gamma_rows) = @_;
	case_end(\@servers, $what, $id, $beta_rows, $gamma_rows);
	return;
}

# (a) No two-phase commit, worker killed between the COMMITs of the two target databases.
{
	my $what = 'two_phase = off, kill -9 after the first COMMIT';
	set_setting($control, 'pg_clone.two_phase',     'off');
	set_setting($control, 'pg_clone.test_pause_at', 'after_first_commit');
	refill_target($beta, 'a');
	my $gamma_before = refill_target($gamma, 'a');
	my $offset       = -s $control->logfile;
	my $id           = request_both($control, $two_streams);
	my $pid          = wait_paused($control, $id, 'after_first_commit', $offset);
	is( $gamma->safe_psql('postgres',
			"SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pg_clone clone $id'"),
		'1', "$what: gamma is written through one session");
	crash_worker($control, $pid, $what);
	is(wait_clone($control, $id), 'failed', "$what: the clone fails");
	my $error = clone_field($control, $id, 'error');
	note("error: $error");
	like($error, qr/without two-phase commit\. Committed: beta\./, "$what: the error says beta was committed");
	targets_are($what, $id, $source_rows, $gamma_before);
}

# (b) Two-phase commit, the same kill: the recovery commits what is left.
{
	my $what = 'two_phase = auto, kill -9 after the first COMMIT PREPARED';
	set_setting($control, 'pg_clone.two_phase',     'auto');
	set_setting($control, 'pg_clone.test_pause_at', 'after_first_commit');
	refill_target($beta,  'b');
	refill_target($gamma, 'b');
	my $offset = -s $control->logfile;
	my $id     = request_both($control, $two_streams);
	my $pid    = wait_paused($control, $id, 'after_first_commit', $offset);
	crash_worker($control, $pid, $what);
	is(wait_clone($control, $id), 'done', "$what: the recovery ends the clone done");
	is(clone_field($control, $id, 'two_phase'), 't', "$what: two-phase commit was used");
	targets_are($what, $id, $source_rows, $source_rows);
}

# The servers' default: no prepared transactions on the targets.
for my $node ($beta, $gamma)
{
	$node->append_conf('postgresql.conf', "max_prepared_transactions = 0\n");
	$node->restart;
}

# (c) beta's COMMIT is cut while it waits for a synchronous standby.
{
	my $what = 'max_prepared_transactions = 0, COMMIT cut on beta';
	refill_target($beta,  'c');
	refill_target($gamma, 'c');
	set_setting($beta, 'synchronous_standby_names', 'nobody');
	my $id = request_both($control, $two_streams);
	wait_sessions($beta, 'postgres', 1, "wait_event = 'SyncRep'", "$what: beta's COMMIT waits for the synchronous standby");
	is( $beta->safe_psql(
			'postgres', "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE wait_event = 'SyncRep'"),
		't', "$what: the waiting backend is terminated");
	is(wait_clone($control, $id), 'done', "$what: the clone is done");
	my $summary = clone_field($control, $id, 'summary');
	note("summary: $summary");
	like($summary, qr/database "beta" lost its session during COMMIT .*a new session found the transaction committed/,
		"$what: the summary says how beta's commit was confirmed");
	like($summary, qr/two-phase commit not available \(database "beta" cannot take the clone's 2 prepared transactions: max_prepared_transactions is 0\): one session per target database, 1 stream instead of 2/,
		"$what: the summary says why one stream was used");
	set_setting($beta, 'synchronous_standby_names', undef);
	targets_are($what, $id, $source_rows, $source_rows);
}

# (d) A clean clone with the default settings.
{
	my $what = 'max_prepared_transactions = 0, a clean clone';
	refill_target($beta,  'd');
	refill_target($gamma, 'd');
	my $id = request_both($control, $two_streams);
	is(wait_clone($control, $id), 'done', "$what: the clone is done");
	is(clone_field($control, $id, 'two_phase'), 'f', "$what: two-phase commit was not used");
	like(clone_field($control, $id, 'summary'), qr/note: two-phase commit not available .*: one session per target database, 1 stream instead of 2/,
		"$what: the summary says what was given up and why");
	is( $control->safe_psql(
			'postgres',
			"SELECT string_agg(db || ' ' || state, ', ' ORDER BY db) FROM bucardo.clone_transaction WHERE clone_id = $id"),
		'beta committed, gamma committed',
		"$what: each database's commit is recorded");
	targets_are($what, $id, $source_rows, $source_rows);
}

$_->stop for @servers;
done_testing();
