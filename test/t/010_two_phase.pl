# pg_clone's two-phase commit (pg_clone.two_phase) across servers: one control server, one source and
# two targets (beta, gamma), each target a server of its own so that it can be stopped alone.
#  (0) a plain 3-database clone in auto mode commits with two-phase commit (two_phase true);
#  (1-3) kill -9 of the worker paused (pg_clone.test_pause_at) after PREPARE, after the decision and
#      after the first COMMIT PREPARED: the launcher resolves the prepared transactions from the
#      recorded decision: rolled back everywhere before the decision, committed everywhere after it;
#  (4) a target server down when the decision is carried out: the clone stays running, in doubt on
#      that target only, and is committed there by the launcher once the server is back;
#  (5) the control server crashes (immediate stop) after PREPARE and after the decision: the same
#      outcomes once it restarts;
#  (6) two_phase = on with a target that has no prepared-transaction slots fails the clone, with a
#      clear error, before anything is emptied;
#  (7) two_phase = auto with that target commits one database after another, through one session
#      each, and says so.
# Every case ends with both targets' contents checked exactly and no prepared transaction left on
# any server, and the next case's clone shows the clone after it works.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use PgCloneTest;
use PostgreSQL::Test::Utils;
use Test::More;

# The kill -9 cases need the postmaster's crash restart (Cluster.pm turns it off).
my @servers = four_servers(control_conf => "restart_after_crash = on\n");
my ($control, $source, $beta, $gamma) = @servers;
refill_target($_, 'initial') for $beta, $gamma;
my $source_rows = contents($source, 'src');

# (0) Without pauses, a clone into two targets (two streams, so four writing sessions) commits with
# two-phase commit.
{
	my $what = 'plain clone';
	isnt(contents($beta, 'dst'), $source_rows, "$what: the targets differ from the source before");
	my $id = request_both($control);
	is(wait_clone($control, $id), 'done', "$what: done");
	is(clone_field($control, $id, 'two_phase'), 't', "$what: two-phase commit was used");
	is(clone_field($control, $id, 'decision'), 'commit', "$what: the decision recorded is commit");
	is(transaction_states($control, $id), 'committed', "$what: every transaction of the clone is committed");
	is($control->safe_psql('postgres',
			"SELECT string_agg(DISTINCT db, ', ') FROM bucardo.clone_transaction WHERE clone_id = $id"),
		'beta, gamma', "$what: the transactions recorded are on beta and gamma");
	case_end(\@servers, $what, $id, $source_rows, $source_rows);
}

# (1-3) kill -9 of the paused worker. The postmaster reinitializes, the launcher comes back and
# resolves the prepared transactions from the decision recorded in the control database.
for my $case ([ 'after_prepare', 'failed' ], [ 'after_decision', 'done' ], [ 'after_first_commit', 'done' ])
{
	my ($step, $expected) = @$case;
	my $what         = "kill -9 at $step";
	my $beta_before  = refill_target($beta,  $step);
	my $gamma_before = refill_target($gamma, $step);

	set_setting($control, 'pg_clone.test_pause_at', $step);
	my $offset = -s $control->logfile;
	my $id     = request_both($control);
	my $pid    = wait_paused($control, $id, $step, $offset);
	like($pid, qr/^\d+$/, "$what: the paused worker's pid");

	# What the pause means: every session prepared; the decision recorded from after_decision on;
	# after the first commit, one session fewer holds a prepared transaction.
	my $sessions = $control->safe_psql('postgres',
		"SELECT count(*) FROM bucardo.clone_transaction WHERE clone_id = $id");
	cmp_ok($sessions, '>=', 2, "$what: the clone has a transaction per writing session ($sessions)");
	my ($on_beta, $on_gamma) = (clone_gids($beta, $id), clone_gids($gamma, $id));
	is(clone_field($control, $id, "coalesce(decision, 'none')"),
		$step eq 'after_prepare' ? 'none' : 'commit', "$what: the decision at the pause");
	if ($step eq 'after_first_commit')
	{
		is($on_beta + $on_gamma, $sessions - 1,
			"$what: all but one of the clone's transactions are still prepared on the targets");
	}
	else
	{
		ok($on_beta >= 1 && $on_gamma >= 1 && $on_beta + $on_gamma == $sessions,
			"$what: every transaction of the clone is prepared on the targets (beta $on_beta, gamma $on_gamma)");
	}

	my $crash_offset = -s $control->logfile;
	crash_worker($control, $pid, $what);

	is(wait_clone($control, $id), $expected, "$what: the clone ends $expected");
	if ($expected eq 'failed')
	{
		like(clone_field($control, $id, 'error'), qr/rolled back on every target/,
			"$what: its error says it was rolled back on every target");
		is(transaction_states($control, $id), 'rolled back', "$what: every transaction of the clone is rolled back");
		for my $db ('beta', 'gamma')
		{
			ok(log_matches($control, qr/pg_clone: clone $id: rolled back[^\n]* on database "$db"/, $crash_offset),
				"$what: the log says what was rolled back on $db");
		}
		case_end(\@servers, $what, $id, $beta_before, $gamma_before);
	}
	else
	{
		is(clone_field($control, $id, 'two_phase'), 't', "$what: two-phase commit was used");
		is(transaction_states($control, $id), 'committed', "$what: every transaction of the clone is committed");
		my $dbs = $step eq 'after_decision' ? [ 'beta', 'gamma' ] : [ 'beta|gamma' ];
		for my $db (@$dbs)
		{
			ok(log_matches($control, qr/pg_clone: clone $id: committed[^\n]* on database "(?:$db)"/, $crash_offset),
				"$what: the log says what was committed on $db");
		}
		case_end(\@servers, $what, $id, $source_rows, $source_rows);
	}
}

# (4) gamma's server is down when the decision (commit) is carried out: beta commits, gamma stays in
# doubt and the clone running, until gamma is back and the launcher commits there too.
{
	my $what         = 'gamma down after the decision';
	my $beta_before  = refill_target($beta,  'down');
	my $gamma_before = refill_target($gamma, 'down');
	set_setting($control, 'pg_clone.test_pause_at', 'after_decision');
	my $offset = -s $control->logfile;
	my $id     = request_both($control);
	wait_paused($control, $id, 'after_decision', $offset);
	is(clone_field($control, $id, 'decision'), 'commit', "$what: the decision is recorded");

	$gamma->stop('fast');
	set_setting($control, 'pg_clone.test_pause_at', undef);    # releases the worker

	ok($beta->poll_query_until('postgres',
			"SELECT count(*) = 0 FROM pg_prepared_xacts WHERE gid LIKE 'pg_clone\\_${id}\\_%'"),
		"$what: beta's transactions are committed");
	is(contents($beta, 'dst'), $source_rows, "$what: beta has the new rows");
	ok( $control->poll_query_until(
			'postgres',
			"SELECT string_agg(DISTINCT db, ', ') FROM bucardo.clone_in_doubt WHERE clone_id = $id", 'gamma'),
		"$what: the clone is in doubt on gamma only");
	ok( $control->poll_query_until(
			'postgres',
			"SELECT bool_and(decision = 'commit' AND resolve_at IS NOT NULL AND resolve_attempts >= 1"
			  . " AND resolve_error IS NOT NULL) FROM bucardo.clone_in_doubt WHERE clone_id = $id"),
		"$what: gamma's transactions wait for the next attempt, with the last attempt's error");
	note('in doubt: '
		  . $control->safe_psql('postgres',
			"SELECT string_agg(gid || ' ' || state || ' ' || resolve_attempts || ' ' || resolve_error, '; ')"
			  . " FROM bucardo.clone_in_doubt WHERE clone_id = $id"));
	is($control->safe_psql('postgres', "SELECT bucardo.clone_wait($id, '1 s')"),
		'running', "$what: the clone stays running while gamma is down");

	my $resolve_offset = -s $control->logfile;
	$gamma->start;
	is(wait_clone($control, $id), 'done', "$what: once gamma is back the clone ends done");
	is(transaction_states($control, $id), 'committed', "$what: every transaction of the clone is committed");
	ok(log_matches($control, qr/pg_clone: clone $id: committed[^\n]* on database "gamma"/, $resolve_offset),
		"$what: the log says what was committed on gamma");
	case_end(\@servers, $what, $id, $source_rows, $source_rows);
}

# (5) The control server crashes (immediate stop) while the worker is paused. The pause, set with
# ALTER SYSTEM, is removed from postgresql.auto.conf while the server is down, so that nothing
# pauses after the restart.
for my $case ([ 'after_prepare', 'failed' ], [ 'after_decision', 'done' ])
{
	my ($step, $expected) = @$case;
	my $what         = "control crash at $step";
	my $beta_before  = refill_target($beta,  "crash $step");
	my $gamma_before = refill_target($gamma, "crash $step");
	set_setting($control, 'pg_clone.test_pause_at', $step);
	my $offset = -s $control->logfile;
	my $id     = request_both($control);
	wait_paused($control, $id, $step, $offset);
	ok(clone_gids($beta, $id) >= 1 && clone_gids($gamma, $id) >= 1,
		"$what: both targets hold prepared transactions of the clone");

	$control->stop('immediate');
	$control->adjust_conf('postgresql.auto.conf', 'pg_clone.test_pause_at', undef);
	$control->start;
	is($control->safe_psql('postgres', "SELECT current_setting('pg_clone.test_pause_at')"),
		'', "$what: the restarted server has no pause");

	is(wait_clone($control, $id), $expected, "$what: the clone ends $expected");
	if ($expected eq 'failed')
	{
		like(clone_field($control, $id, 'error'), qr/rolled back on every target/,
			"$what: its error says it was rolled back on every target");
		is(transaction_states($control, $id), 'rolled back', "$what: every transaction of the clone is rolled back");
		case_end(\@servers, $what, $id, $beta_before, $gamma_before);
	}
	else
	{
		is(transaction_states($control, $id), 'committed', "$what: every transaction of the clone is committed");
		case_end(\@servers, $what, $id, $source_rows, $source_rows);
	}
}

# (6) gamma has no prepared-transaction slots. two_phase = on refuses to clone into it, before
# anything is emptied, saying why.
$gamma->append_conf('postgresql.conf', "max_prepared_transactions = 0\n");
$gamma->restart;
{
	my $what         = 'two_phase = on without slots on gamma';
	my $beta_before  = refill_target($beta,  'no slots');
	my $gamma_before = refill_target($gamma, 'no slots');
	set_setting($control, 'pg_clone.two_phase', 'on');
	my $id = request_both($control);
	is(wait_clone($control, $id), 'failed', "$what: the clone fails");
	my $error = clone_field($control, $id, 'error');
	like($error, qr/two-phase commit/,          "$what: the error is about two-phase commit");
	like($error, qr/max_prepared_transactions/, "$what: the error names max_prepared_transactions");
	like($error, qr/database "gamma"/,          "$what: the error names the database");
	note("error: $error");
	case_end(\@servers, $what, $id, $beta_before, $gamma_before);
}

# (7) two_phase = auto with the same gamma: the sessions are committed one after another, and the
# summary says two-phase commit was not used.
{
	my $what = 'two_phase = auto without slots on gamma';
	set_setting($control, 'pg_clone.two_phase', 'auto');
	my $id = request_both($control);
	is(wait_clone($control, $id), 'done', "$what: the clone is done");
	like(clone_field($control, $id, 'summary'), qr/two-phase commit not available.*one session per target database/,
		"$what: the summary says two-phase commit was not used");
	is(clone_field($control, $id, 'two_phase'), 'f', "$what: the clone row says so too");
	case_end(\@servers, $what, $id, $source_rows, $source_rows);
}

$_->stop for @servers;
done_testing();
