# clone(..., commit => 'table'): each table commits on every target as soon as its copy ends, and is
# recorded in bucardo.clone_table then; a failure keeps the tables committed (all or nothing holds per
# table) and says which; bucardo.clone_resume(id) and pg_clone resume ID copy only the others, from a
# new snapshot; retries => N in table mode go on with the tables not yet committed. Cases:
#  (a) without two-phase commit, one target stopped after some tables committed, then resumed;
#  (b) two targets with two-phase commit and two streams, one target stopped, then resumed;
#  (c) retries => 1: the clone's session on the target ended mid-copy, the retry copies the rest;
#  (d) pg_clone resume ID --wait after a cancelled table-mode clone;
#  (e) a resumed clone of a failed clone-mode clone copies everything.
# The copies are slowed by max_rate (about a second a table) so that the faults land mid-clone.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use PgCloneTest;
use IPC::Run ();
use PostgreSQL::Test::Utils;
use Test::More;

my @tables = qw(t1 t2 t3 t4);
my $create = join '', map { "CREATE TABLE $_ (id int PRIMARY KEY, t text); " } @tables;
my $fill = join '',
  map { "INSERT INTO $_ SELECT g, 'src $_ ' || repeat('x', 40) || g FROM generate_series(1, 10000) g; " } @tables;

my ($control, $source, $beta, $gamma) = four_servers(
	source_sql => { src => $create . $fill . 'ANALYZE;' },
	target_sql => $create);
my %source_print = map { $_ => table_fingerprint($source, 'src', $_) } @tables;

# Old rows of the target's own in every table; returns their fingerprints.
sub refill
{
	my ($node, $tag) = @_;
	my $name = $node->name;
	$node->safe_psql('dst',
		"SET lock_timeout = '10s'; "
		  . join('', map { "DELETE FROM $_; INSERT INTO $_ SELECT g, 'old $name $tag ' || g FROM generate_series(1, 5) g; " } @tables));
	return { map { $_ => table_fingerprint($node, 'dst', $_) } @tables };
}

# The tables a clone recorded in bucardo.clone_table, for database $db.
sub recorded
{
	my ($id, $db) = @_;
	return [ split /\n/,
		$control->safe_psql('postgres', "SELECT table_name FROM bucardo.clone_table WHERE clone_id = $id AND db = '$db' ORDER BY 1") ];
}

# Queues a table-mode clone of t1..t4 from alpha into $dbs.
sub table_clone
{
	my ($dbs, $extra) = @_;
	return $control->safe_psql('postgres',
		"SELECT bucardo.clone(tables => 't1, t2, t3, t4', dbs => '$dbs', commit => 'table', max_rate => '1MB'"
		  . ($extra // '') . ')');
}

sub wait_committed
{
	my ($id, $count, $db) = @_;
	return poll_until($control, 'postgres',
		"SELECT count(*) >= $count FROM bucardo.clone_table WHERE clone_id = $id AND db = '$db'", 't', 60);
}

# Each table on $node holds the source's rows if recorded in $done, else its old rows.
sub check_split
{
	my ($node, $done, $old, $what) = @_;
	my %done = map { $_ => 1 } @$done;
	for my $t (@tables)
	{
		is(table_fingerprint($node, 'dst', $t), $done{"public.$t"} ? $source_print{$t} : $old->{$t},
			"$what: " . $node->name . " $t holds " . ($done{"public.$t"} ? 'the new rows' : 'its old rows'));
	}
}

sub check_all_new
{
	my ($node, $what) = @_;
	is(join(',', map { table_fingerprint($node, 'dst', $_) } @tables),
		join(',', map { $source_print{$_} } @tables), "$what: " . $node->name . ' equals the source');
}

sub not_done
{
	my ($done) = @_;
	my %done = map { $_ => 1 } @$done;
	return [ grep { !$done{$_} } map { "public.$_" } @tables ];
}

# --- (a) without two-phase commit: a target stopped after some tables committed --------------------
set_setting($control, 'pg_clone.two_phase', 'off');
my $old = refill($beta, 'a');
my $id = table_clone('alpha:source,beta:target');
ok(wait_committed($id, 2, 'beta'), '(a) two tables committed while the clone runs');
$beta->stop('fast');
is(wait_clone($control, $id), 'failed', '(a) the clone fails when its target stops');
$beta->start;
my $done = recorded($id, 'beta');
cmp_ok(scalar @$done, '>=', 2, '(a) clone_table lists the tables committed');
cmp_ok(scalar @$done, '<', 4, '(a) and not all of them');
my $error = clone_field($control, $id, 'error');
like($error, qr/commit => 'table': committed: \Q@{[join ', ', sort @$done]}\E/, '(a) the error names the tables committed')
  or diag $error;
like($error, qr/not committed: \Q@{[join ', ', @{not_done($done)}]}\E/, '(a) and those not committed');
check_split($beta, $done, $old, '(a)');

my $resumed = $control->safe_psql('postgres', "SELECT bucardo.clone_resume($id)");
is(wait_clone($control, $resumed), 'done', '(a) the resumed clone is done');
is_deeply(recorded($resumed, 'beta'), not_done($done), '(a) the resumed clone copied only the unfinished tables');
my $summary = clone_field($control, $resumed, 'summary');
like($summary, qr/skipped as done by clone $id: \Q@{[join ', ', sort @$done]}\E/, '(a) its summary names the tables skipped')
  or diag $summary;
like($summary, qr/the other tables come from a new snapshot/, '(a) and says the rest come from a new snapshot');
check_all_new($beta, '(a) after the resume');

# --- (b) two targets, two-phase commit, two streams ---------------------------------------------------
set_setting($control, 'pg_clone.two_phase', undef);
my %old = (beta => refill($beta, 'b'), gamma => refill($gamma, 'b'));
$id = table_clone('alpha:source,beta:target,gamma:target', ', streams => 2');
ok(wait_committed($id, 2, 'gamma'), '(b) two tables committed on both targets');
$gamma->stop('fast');
$gamma->start;
is(wait_clone($control, $id), 'failed', '(b) the clone fails when a target restarts under it');
is(clone_field($control, $id, 'two_phase'), 't', '(b) with two-phase commit');
$done = recorded($id, 'beta');
is_deeply(recorded($id, 'gamma'), $done, '(b) both targets record the same tables');
cmp_ok(scalar @$done, '<', 4, '(b) not all of them');
check_split($beta,  $done, $old{beta},  '(b)');
check_split($gamma, $done, $old{gamma}, '(b)');
is(join(',', map { $_->safe_psql('dst', 'SELECT count(*) FROM pg_prepared_xacts') } $beta, $gamma),
	'0,0', '(b) no prepared transaction is left');
$resumed = $control->safe_psql('postgres', "SELECT bucardo.clone_resume($id)");
is(wait_clone($control, $resumed), 'done', '(b) the resumed clone is done');
is_deeply(recorded($resumed, 'gamma'), not_done($done), '(b) it copied only the unfinished tables');
check_all_new($_, '(b) after the resume') for $beta, $gamma;

# --- (c) retries => 1: the retry copies only what is not committed ------------------------------------
$old = refill($beta, 'c');
$id = table_clone('alpha:source,beta:target', ', retries => 1');
ok(wait_committed($id, 1, 'beta'), '(c) a table committed');
ok( poll_until(
		$beta, 'postgres',
		"SELECT count(pg_terminate_backend(pid)) > 0 FROM pg_stat_activity"
		  . " WHERE application_name = 'pg_clone clone $id' AND query LIKE 'COPY%'",
		't', 60),
	'(c) the clone\'s session on the target is ended mid-copy');
is(wait_clone($control, $id), 'done', '(c) the retry is done');
$summary = clone_field($control, $id, 'summary');
like($summary, qr/skipped as committed by an earlier attempt: public\.t/, '(c) the retry skipped the tables committed')
  or diag $summary;
like($summary, qr/done at attempt 2 of 2/, '(c) at the second attempt');
is($control->safe_psql('postgres', "SELECT count(*) || ' ' || count(DISTINCT table_name) FROM bucardo.clone_table WHERE clone_id = $id"),
	'4 4', '(c) each table recorded once');
my ($copied) = $summary =~ /beta: (\d) tables?/;
cmp_ok($copied, '<', 4, '(c) the retry copied fewer tables than the clone has');
check_all_new($beta, '(c)');

# --- (d) pg_clone resume ID --wait ---------------------------------------------------------------------
$old = refill($beta, 'd');
$id = table_clone('alpha:source,beta:target');
ok(wait_committed($id, 1, 'beta'), '(d) a table committed');
$control->safe_psql('postgres', "SELECT bucardo.clone_cancel($id)");
is(wait_clone($control, $id), 'cancelled', '(d) the clone is cancelled');
like(clone_field($control, $id, 'error'), qr/commit => 'table': the tables listed in bucardo.clone_table were committed/,
	'(d) its error says the tables committed stay');
$done = recorded($id, 'beta');
check_split($beta, $done, $old, '(d)');
my ($out, $err) = ('', '');
IPC::Run::run([ 'pg_clone', '-h', $control->host, '-p', $control->port, 'resume', $id, '--wait' ],
	'<', \undef, '>', \$out, '2>', \$err, IPC::Run::timeout(120));
is($? >> 8, 0, '(d) pg_clone resume --wait exits 0 when the new clone is done') or diag "$out\n$err";
$resumed = $control->safe_psql('postgres', "SELECT max(id) FROM bucardo.clone WHERE resumes = $id");
is(clone_field($control, $resumed, 'status'), 'done', '(d) the new clone is done');
is_deeply(recorded($resumed, 'beta'), not_done($done), '(d) it copied only the unfinished tables');
check_all_new($beta, '(d)');
($out, $err) = ('', '');
IPC::Run::run([ 'pg_clone', '-h', $control->host, '-p', $control->port, 'resume', $resumed ],
	'<', \undef, '>', \$out, '2>', \$err, IPC::Run::timeout(60));
is($? >> 8, 2, '(d) pg_clone resume of a clone that is done is refused (exit 2)');

# A clone that failed once every table was committed: its resume has nothing left to do.
$control->safe_psql('postgres', "ALTER SYSTEM SET pg_clone.test_pause_at = 'before_commit'");
$control->reload;
$id = $control->safe_psql('postgres',
	"SELECT bucardo.clone(tables => 't1, t2', dbs => 'alpha:source,beta:target', commit => 'table')");
my $pid = wait_paused($control, $id, 'before_commit');
is(scalar @{ recorded($id, 'beta') }, 2, '(d) paused with both tables committed');
$control->safe_psql('postgres', "SELECT pg_terminate_backend($pid)");
is(wait_clone($control, $id), 'failed', '(d) the clone fails when its worker is ended');
$control->safe_psql('postgres', 'ALTER SYSTEM RESET pg_clone.test_pause_at');
$control->reload;
my $again = $control->safe_psql('postgres', "SELECT bucardo.clone_resume($id)");
is(wait_clone($control, $again), 'done', '(d) a second resume is done');
$summary = clone_field($control, $again, 'summary');
like($summary, qr/nothing left to copy/, '(d) with nothing left to copy') or diag $summary;

# --- (e) a clone-mode failure is resumed in full -------------------------------------------------------
$old = refill($beta, 'e');
$beta->safe_psql('dst', 'ALTER TABLE t4 RENAME TO t4_away');
$id = $control->safe_psql('postgres',
	"SELECT bucardo.clone(tables => 't1, t2, t3, t4', dbs => 'alpha:source,beta:target')");
is(wait_clone($control, $id), 'failed', '(e) a clone-mode clone fails (a table missing on the target)');
$beta->safe_psql('dst', 'ALTER TABLE t4_away RENAME TO t4');
$resumed = $control->safe_psql('postgres', "SELECT bucardo.clone_resume($id)");
is(wait_clone($control, $resumed), 'done', '(e) its resumed clone is done');
is_deeply(recorded($resumed, 'beta'), [ map { "public.$_" } @tables ], '(e) it copied every table');
like(clone_field($control, $resumed, 'summary'), qr/resumes clone $id, which committed no table: every table is copied/,
	'(e) its summary says so');
check_all_new($beta, '(e)');

$_->stop for $control, $source, $beta, $gamma;
done_testing();
