# What a clone reports when its commit round is cut, and how two-phase commit recovers from the same
# cut. beta's server waits for a synchronous standby that does not exist (synchronous_standby_names =
# 'nobody'), so its COMMIT hangs in the SyncRep wait; the test then terminates that backend: the
# transaction is committed on beta, but pg_clone never gets the answer.
#  (a) pg_clone.two_phase = off, beta's server stopped while its COMMIT waits: the clone fails; its
#      error names beta as unknown (COMMIT sent, no answer, and no new session could ask) and gamma
#      as rolled back; gamma is unchanged, beta holds the new rows once it is back.
#  (b) two_phase = auto, the same cut on beta's COMMIT PREPARED (arranged after the decision): the
#      recovery commits everywhere and the clone ends done.
# Each case ends with both targets' contents checked exactly and no prepared transaction left.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use PgCloneTest;
use PostgreSQL::Test::Utils;
use Test::More;

# A COMMIT waits for a synchronous standby only on a server that may have WAL senders.
my @servers = four_servers(beta_conf => "wal_level = replica\nmax_wal_senders = 2\n");
my ($control, $source, $beta, $gamma) = @servers;
refill_target($_, 'initial') for $beta, $gamma;
my $source_rows = contents($source, 'src');

# One stream: one writing session per target.
my $one_stream = ', streams => 1';

# Waits (bounded) until exactly one backend on beta waits for the standby, and terminates it.
sub cut_sync_commit
{
	my ($what) = @_;
	wait_sessions($beta, 'postgres', 1, "wait_event = 'SyncRep'", "$what: beta's commit waits for the synchronous standby");
	note('waiting: '
		  . $beta->safe_psql('postgres',
			"SELECT application_name || ': ' || query FROM pg_stat_activity WHERE wait_event = 'SyncRep'"));
	is( $beta->safe_psql(
			'postgres',
			"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE wait_event = 'SyncRep'"),
		't',
		"$what: the waiting backend is terminated");
	return;
}

# (a) Without two-phase commit. beta is committed first (it comes first in the list): its COMMIT is
# sent, and beta's server stops (immediate) while the COMMIT waits for the standby, so that nobody can
# tell pg_clone the outcome; gamma's session is then rolled back. (When beta can still be reached, a
# new session asks it: 021_whole_target.)
{
	my $what = 'two_phase = off';
	set_setting($control, 'pg_clone.two_phase', 'off');
	my $gamma_before = refill_target($gamma, 'off');
	refill_target($beta, 'off');
	set_setting($beta, 'synchronous_standby_names', 'nobody');

	my $id = request_both($control, $one_stream);
	wait_sessions($beta, 'postgres', 1, "wait_event = 'SyncRep'", "$what: beta's commit waits for the synchronous standby");
	$beta->stop('immediate');
	is(wait_clone($control, $id), 'failed', "$what: the clone fails");
	my $error = clone_field($control, $id, 'error');
	note("error: $error");
	like($error, qr/commit round was cut at database "beta"/, "$what: the error says where the commit round was cut");
	like($error, qr/Unknown[^.]*beta/,       "$what: the error names beta as unknown");
	like($error, qr/Rolled back:[^.]*gamma/, "$what: the error names gamma as rolled back");
	is(clone_field($control, $id, 'two_phase'), 'f', "$what: two-phase commit was not used");

	# beta's transaction was committed locally before the wait: it is there after the restart.
	$beta->start;
	set_setting($beta, 'synchronous_standby_names', undef);
	case_end(\@servers, $what, $id, $source_rows, $gamma_before);
}

# (b) With two-phase commit: the sync standby is required on beta only after the decision, so that
# the cut hits beta's COMMIT PREPARED. beta's transaction is committed locally, gamma's is committed
# by the worker or by the recovery: the clone ends done.
{
	my $what = 'two_phase = auto';
	set_setting($control, 'pg_clone.two_phase', 'auto');
	refill_target($beta,  'auto');
	refill_target($gamma, 'auto');
	set_setting($control, 'pg_clone.test_pause_at', 'after_decision');
	my $offset = -s $control->logfile;
	my $id     = request_both($control, $one_stream);
	wait_paused($control, $id, 'after_decision', $offset);
	is(clone_gids($beta, $id) . ' ' . clone_gids($gamma, $id),
		'1 1', "$what: each target holds one prepared transaction of the clone");

	set_setting($beta,    'synchronous_standby_names', 'nobody');
	set_setting($control, 'pg_clone.test_pause_at',    undef);      # releases the worker
	cut_sync_commit($what);
	set_setting($beta, 'synchronous_standby_names', undef);

	is(wait_clone($control, $id), 'done', "$what: the clone ends done");
	is(clone_field($control, $id, 'two_phase'), 't', "$what: two-phase commit was used");
	is(transaction_states($control, $id), 'committed', "$what: every transaction of the clone is committed");
	case_end(\@servers, $what, $id, $source_rows, $source_rows);
}

$_->stop for @servers;
done_testing();
