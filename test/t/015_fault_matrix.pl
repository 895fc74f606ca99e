# The fault matrix (issue 9, part 1): one control server, one source server and two target servers
# (beta, gamma), each its own cluster so that each can be stopped, crashed or refused alone. The source
# table foo is big enough (200,000 narrow rows, copied at 768 kB/s) that a fault lands in the middle of
# its COPY: each row waits until bucardo.clone_progress shows rows of foo moving and the faulted server
# shows the COPY.
# For every row: the clone leaves `running` within a bounded time, its error names the database (and
# the table being copied, where one was), every target's contents are exactly as before (ordered md5
# of every row), no session of the clone, no lock and no prepared transaction is left on any server,
# and the next clone works.
#
# Rows: target backend terminated; target server stopped (fast), crashed (immediate) and restarted;
# source backend terminated; source server stopped; unreachable host; non-existent socket directory;
# control server restarted (fast, immediate) during a clone, with a queued clone that still runs
# afterwards; clone_cancel in mid-COPY; worker kill -9; worker slots exhausted (max_workers = 1, and
# max_worker_processes = 3, six clones queued each time); two clones into the same target tables at once; a lock held on a target table; a
# target refusing rows after N (CHECK constraint; ENABLE ALWAYS trigger); a read-only target database;
# the disk filling up on a target (stand-ins, see that row).
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use PgCloneTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time usleep);

my $big_rows  = 200000;
my $lock_secs = 3;
# The rows that fault a clone in mid-COPY throttle it, so that foo takes several seconds to copy
# (about 4.2 MB in binary) whatever the machine's load: the fault cannot come after the commit.
my $mid_copy = ", max_rate => '768kB'";

# --- The servers -------------------------------------------------------------------------------

my @servers = four_servers(
	control_conf => qq{
restart_after_crash = on
pg_clone.lock_timeout = '${lock_secs}s'
pg_clone.connect_timeout = '5s'
pg_clone.stall_timeout = '20s'
autovacuum = off
},
	source_conf => "autovacuum = off\n",
	source_sql  => {
		src => qq{
CREATE TABLE foo (id int PRIMARY KEY, t text);
INSERT INTO foo SELECT g, 's' || g FROM generate_series(1, $big_rows) g;
CREATE TABLE bar (id int PRIMARY KEY, t text);
INSERT INTO bar SELECT g, 'src bar ' || g FROM generate_series(1, 1000) g;
CREATE TABLE baz (id int PRIMARY KEY, t text);
INSERT INTO baz SELECT g, 'src baz ' || g FROM generate_series(1, 100) g;
},
		# A second, small source for the concurrent clone, so that its result differs from the first one's.
		src2 => q{
CREATE TABLE foo (id int PRIMARY KEY, t text);
INSERT INTO foo SELECT g, 'src2 ' || g FROM generate_series(1, 2000) g;
CREATE TABLE bar (id int PRIMARY KEY, t text);
INSERT INTO bar SELECT g, 'src2 bar ' || g FROM generate_series(1, 50) g;
},
	},
	target_conf => "autovacuum = off\n",
	target_sql  => q{
CREATE TABLE foo (id int PRIMARY KEY, t text);
CREATE TABLE bar (id int PRIMARY KEY, t text);
CREATE TABLE baz (id int PRIMARY KEY, t text);
});
my ($control, $source, $beta, $gamma) = @servers;
my @targets = ($beta, $gamma);

my $closed_port = PostgreSQL::Test::Cluster::get_free_port();
$control->safe_psql(
	'postgres',
	add_db_sql(
		[ 'alpha2',   $source, 'src2' ],
		[ 'nowhere',  "host=127.0.0.1 port=$closed_port dbname=dst" ],
		[ 'nosocket', 'host=/nonexistent/pg_clone_socket_dir port=5432 dbname=dst' ]));

my $source_rows  = contents($source, 'src');
my $source2_rows = contents($source, 'src2');
my $baz_rows     = table_fingerprint($source, 'src', 'baz');

# --- Helpers -----------------------------------------------------------------------------------

# Gives both targets old rows of their own, marked with $tag; returns their contents.
sub refill
{
	my ($tag) = @_;
	my @before;
	for my $node (@targets)
	{
		my $name = $node->name;
		$node->safe_psql(
			'dst', qq{
SET lock_timeout = '10s';
BEGIN;
TRUNCATE foo, bar, baz;
INSERT INTO foo SELECT g, 'old $name $tag ' || g FROM generate_series(1, 10) g;
INSERT INTO bar SELECT g, 'old bar $name $tag ' || g FROM generate_series(1, 3) g;
INSERT INTO baz SELECT g, 'old baz $name $tag ' || g FROM generate_series(1, 2) g;
COMMIT;
});
		push @before, contents($node, 'dst') . ' / ' . table_fingerprint($node, 'dst', 'baz');
	}
	return @before;
}

sub target_state
{
	return map { contents($_, 'dst') . ' / ' . table_fingerprint($_, 'dst', 'baz') } @targets;
}

# Waits (bounded) until clone $id has copied rows of foo (bucardo.clone_progress) and $node shows the
# clone's COPY matching $like in progress (state active: the query column keeps the last statement of
# an idle session, and the progress view may lag); returns the pid of the backend doing it.
sub wait_mid_copy
{
	my ($what, $id, $node, $db, $like) = @_;
	my $deadline = time + 30;
	while (time < $deadline)
	{
		my $progress = $control->safe_psql('postgres',
			"SELECT coalesce(max(rows_copied), 0) FROM bucardo.clone_progress WHERE clone_id = $id AND table_name LIKE '%foo'"
		);
		if ($progress > 0 && $progress < $big_rows)
		{
			my $pid = $node->safe_psql($db,
				"SELECT pid FROM pg_stat_activity WHERE application_name = 'pg_clone clone $id' AND state = 'active' AND query LIKE '$like' LIMIT 1"
			);
			if ($pid =~ /^\d+$/)
			{
				pass("$what: the fault lands in mid-COPY ($progress of $big_rows rows of foo copied)");
				return $pid;
			}
		}
		usleep(10_000);
	}
	fail("$what: the clone was seen in mid-COPY of foo");
	return undef;
}

# Waits (bounded by $secs) until the clone leaves queued/running; checks how long it took since
# $since and returns its status.
sub wait_end
{
	my ($what, $id, $since, $secs) = @_;
	$secs //= 30;
	my $ended = poll_until($control, 'postgres',
		"SELECT status IN ('done', 'failed', 'cancelled') FROM bucardo.clone WHERE id = $id", 't', $secs);
	my $took = time - $since;
	ok($ended, sprintf('%s: the clone leaves running (%.1f s after the fault, bound %d s)', $what, $took, $secs));
	my $s = $control->safe_psql('postgres', "SELECT status FROM bucardo.clone WHERE id = $id");
	note("$what: clone $id status $s, error: " . clone_field($control, $id, "coalesce(error, '(none)')"));
	return $s;
}

# Nothing of clone $id left on any server: no session, no relation lock in the cloned databases
# (prepared transactions' locks included), no prepared transaction.
sub nothing_left
{
	my ($what, $id) = @_;
	for my $node (@servers)
	{
		ok( poll_until(
				$node, 'postgres',
				"SELECT count(*) FROM pg_stat_activity WHERE application_name ~ '^pg_clone (clone|recovery) $id\$'",
				'0', 20),
			"$what: no session of clone $id is left on " . $node->name);
		next if $node == $control;
		my $no_locks = poll_until(
			$node, 'postgres', q{
SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
 WHERE d.datname IN ('src', 'src2', 'dst') AND l.locktype = 'relation'
   AND l.pid IS DISTINCT FROM pg_backend_pid()}, '0', 10);
		if (!$no_locks)
		{
			note("$what: locks on " . $node->name . ":\n" . $node->safe_psql('postgres', q{
SELECT l.pid, l.mode, l.granted, l.relation, a.application_name, a.state, a.query
  FROM pg_locks l JOIN pg_database d ON d.oid = l.database LEFT JOIN pg_stat_activity a ON a.pid = l.pid
 WHERE d.datname IN ('src', 'src2', 'dst') AND l.locktype = 'relation'}));
		}
		ok($no_locks, "$what: no lock is left on " . $node->name);
	}
	no_prepared_left($what, @servers);
	return;
}

sub unchanged
{
	my ($what, @before) = @_;
	my @now = target_state();
	is($now[0], $before[0], "$what: beta's contents are as before");
	is($now[1], $before[1], "$what: gamma's contents are as before");
	return;
}

sub next_clone_works
{
	my ($what) = @_;
	my $id = request_both($control);
	is(wait_clone($control, $id), 'done', "$what: the next clone ($id) is done");
	note("$what: next clone error: " . clone_field($control, $id, "coalesce(error, '(none)')"))
	  if clone_field($control, $id, 'status') ne 'done';
	is(contents($beta,  'dst'), $source_rows, "$what: the next clone filled beta");
	is(contents($gamma, 'dst'), $source_rows, "$what: the next clone filled gamma");
	return;
}

# The whole check of a row whose fault makes the clone fail.
sub failed_row
{
	my (%a) = @_;
	my $what = $a{what};
	my $status = wait_end($what, $a{id}, $a{since}, $a{bound});
	is($status, $a{status} // 'failed', "$what: the clone ends " . ($a{status} // 'failed'));
	my $error = clone_field($control, $a{id}, "coalesce(error, '')");
	for my $re (@{ $a{error} // [] })
	{
		like($error, $re, "$what: its error matches $re");
	}
	unchanged($what, @{ $a{before} });
	nothing_left($what, $a{id});
	return;
}

# Queues six clones of bar and baz at once; checks that all of them end (within 60 s), all done
# ($status_sql: what each shows of its row in the check), that beta's baz is the source's and that
# nothing of them is left.
sub six_clones_done
{
	my ($what, $status_sql) = @_;
	my @ids;
	push @ids, $control->safe_psql('postgres',
		"SELECT bucardo.clone(tables => 'bar, baz', dbs => 'alpha:source,beta:target,gamma:target')")
	  for 1 .. 6;
	my $ids = join(',', @ids);
	ok( poll_until(
			$control, 'postgres',
			"SELECT count(*) FROM bucardo.clone WHERE id IN ($ids) AND status IN ('done', 'failed', 'cancelled')",
			'6', 60),
		"$what: all six clones end");
	is($control->safe_psql('postgres',
			"SELECT string_agg($status_sql, ',' ORDER BY id) FROM bucardo.clone WHERE id IN ($ids)"),
		join(',', ('done') x 6), "$what: all six are done");
	is(table_fingerprint($beta, 'dst', 'baz'), $baz_rows, "$what: beta's baz is the source's");
	nothing_left($what, $_) for @ids;
	return;
}

my $started = time;

# --- Rows --------------------------------------------------------------------------------------

# Target backend terminated.
{
	my $what   = 'target backend terminated';
	my @before = refill('r1');
	my $id     = request_both($control, $mid_copy);
	my $pid    = wait_mid_copy($what, $id, $beta, 'dst', 'COPY%foo%FROM STDIN%');
	my $since  = time;
	$beta->safe_psql('postgres', "SELECT pg_terminate_backend($pid)") if $pid;
	failed_row(what => $what, id => $id, since => $since, before => \@before,
		error => [ qr/database "beta", table public\.foo/ ]);
	next_clone_works($what);
}

# Target server stopped (fast) and crashed (immediate), then restarted.
for my $mode ('fast', 'immediate')
{
	my $what   = "target server stopped ($mode)";
	my @before = refill("r2$mode");
	my $id     = request_both($control, $mid_copy);
	wait_mid_copy($what, $id, $beta, 'dst', 'COPY%foo%FROM STDIN%');
	my $since = time;
	$beta->stop($mode);
	my $status = wait_end($what, $id, $since);
	$beta->start;
	failed_row(what => $what, id => $id, since => $since, before => \@before,
		error => [ qr/database "beta"/, qr/database "beta", table public\.foo/ ]);
	next_clone_works($what);
}

# Source backend terminated.
{
	my $what   = 'source backend terminated';
	my @before = refill('r3');
	my $id     = request_both($control, $mid_copy);
	my $pid    = wait_mid_copy($what, $id, $source, 'src', '%COPY%foo%TO STDOUT%');
	my $since  = time;
	$source->safe_psql('postgres', "SELECT pg_terminate_backend($pid)") if $pid;
	failed_row(what => $what, id => $id, since => $since, before => \@before,
		error => [ qr/database "alpha", table public\.foo/ ]);
	next_clone_works($what);
}

# Source server stopped (fast), then started again.
{
	my $what   = 'source server stopped';
	my @before = refill('r4');
	my $id     = request_both($control, $mid_copy);
	wait_mid_copy($what, $id, $source, 'src', '%COPY%foo%TO STDOUT%');
	my $since = time;
	$source->stop('fast');
	wait_end($what, $id, $since);
	$source->start;
	failed_row(what => $what, id => $id, since => $since, before => \@before,
		error => [ qr/database "alpha", table public\.foo/ ]);
	next_clone_works($what);
}

# Unreachable host (a closed loopback port) and a socket directory that does not exist: the other
# targets are left alone, nothing is emptied.
for my $case ([ 'unreachable host', 'nowhere' ], [ 'non-existent socket directory', 'nosocket' ])
{
	my ($what, $db) = @$case;
	my @before = refill("r5$db");
	my $since  = time;
	my $id     = $control->safe_psql('postgres',
		"SELECT bucardo.clone(tables => 'foo, bar', dbs => 'alpha:source,beta:target,gamma:target,$db:target')");
	failed_row(what => $what, id => $id, since => $since, before => \@before, bound => 15,
		error => [ qr/database "$db"/ ]);
	next_clone_works($what);
}

# Control server restarted (fast, immediate) during a clone; a clone queued before (start in a few
# seconds, table baz only) still runs afterwards.
for my $mode ('fast', 'immediate')
{
	my $what   = "control server restarted ($mode)";
	my @before = refill("r6$mode");
	my $id     = request_both($control, $mid_copy);
	my $queued = $control->safe_psql('postgres',
		"SELECT bucardo.clone(tables => 'baz', dbs => 'alpha:source,beta:target,gamma:target', start => '6 s')");
	wait_mid_copy($what, $id, $beta, 'dst', 'COPY%foo%FROM STDIN%');
	my $since = time;
	$control->stop($mode);
	$control->start;
	my $status = wait_end($what, $id, $since);
	is($status, 'failed', "$what: the interrupted clone ends failed");
	isnt(clone_field($control, $id, "coalesce(error, '')"), '', "$what: with an error");
	# The interrupted clone's foo and bar are as before (baz belongs to the queued clone).
	my @now = target_state();
	is((split / \/ /, $now[0])[0], (split / \/ /, $before[0])[0], "$what: beta's foo and bar are as before");
	is((split / \/ /, $now[1])[0], (split / \/ /, $before[1])[0], "$what: gamma's foo and bar are as before");
	nothing_left($what, $id);
	ok(poll_until($control, 'postgres', "SELECT status FROM bucardo.clone WHERE id = $queued", 'done', 30),
		"$what: the queued clone $queued runs after the restart");
	note("$what: queued clone error: " . clone_field($control, $queued, "coalesce(error, '(none)')"));
	is(table_fingerprint($beta,  'dst', 'baz'), $baz_rows, "$what: the queued clone filled beta's baz");
	is(table_fingerprint($gamma, 'dst', 'baz'), $baz_rows, "$what: the queued clone filled gamma's baz");
	nothing_left("$what (queued clone)", $queued);
	next_clone_works($what);
}

# clone_cancel in mid-COPY.
{
	my $what   = 'clone_cancel in mid-COPY';
	my @before = refill('r7');
	my $id     = request_both($control, $mid_copy);
	wait_mid_copy($what, $id, $gamma, 'dst', 'COPY%foo%FROM STDIN%');
	my $since = time;
	is($control->safe_psql('postgres', "SELECT bucardo.clone_cancel($id)"), 't', "$what: clone_cancel says yes");
	failed_row(what => $what, id => $id, since => $since, before => \@before, status => 'cancelled');
	next_clone_works($what);
}

# Worker kill -9: the control server reinitializes, the clone ends failed.
{
	my $what   = 'worker kill -9';
	my @before = refill('r8');
	my $id     = request_both($control, $mid_copy);
	wait_mid_copy($what, $id, $beta, 'dst', 'COPY%foo%FROM STDIN%');
	my $pid = clone_field($control, $id, 'worker_pid');
	my $offset = -s $control->logfile;
	my $since  = time;
	ok(kill('KILL', $pid), "$what: kill -9 the worker ($pid)");
	ok(log_matches($control, qr/all server processes terminated; reinitializing/, $offset),
		"$what: the control server reinitializes");
	failed_row(what => $what, id => $id, since => $since, before => \@before);
	isnt(clone_field($control, $id, "coalesce(error, '')"), '', "$what: with an error");
	next_clone_works($what);
}

# Worker slots exhausted: pg_clone.max_workers = 1 and six clones queued at once; all run, none lost.
{
	my $what   = 'worker slots exhausted';
	my @before = refill('r9');
	set_setting($control, 'pg_clone.max_workers', '1');
	six_clones_done($what, 'status');
	set_setting($control, 'pg_clone.max_workers', undef);
	next_clone_works($what);
}

# Background worker slots exhausted: max_worker_processes = 3 (the logical replication launcher and
# pg_clone's launcher take two), pg_clone.max_workers left at its default, six clones queued at once:
# the launcher keeps what it cannot start queued, and all run.
{
	my $what   = 'max_worker_processes exhausted';
	my @before = refill('r9b');
	$control->safe_psql('postgres', 'ALTER SYSTEM SET max_worker_processes = 3');
	$control->restart;
	is($control->safe_psql('postgres', 'SHOW max_worker_processes'), '3', "$what: max_worker_processes = 3");
	six_clones_done($what, "status || coalesce(' (' || error || ')', '')");
	$control->safe_psql('postgres', 'ALTER SYSTEM RESET max_worker_processes');
	$control->restart;
	next_clone_works($what);
}

# Two clones into the same target tables at once (from two sources with different rows): both end
# cleanly (done, or failed on a lock after pg_clone.lock_timeout), at least one is done, and each
# target equals the contents of the one that committed last.
{
	my $what   = 'two clones at once';
	my @before = refill('r10');
	my $one    = request_both($control);
	my $two    = $control->safe_psql('postgres',
		"SELECT bucardo.clone(tables => 'foo, bar', dbs => 'alpha2:source,beta:target,gamma:target')");
	my $since = time;
	my %status;
	$status{$one} = wait_end("$what (clone $one)", $one, $since, 20);
	$status{$two} = wait_end("$what (clone $two)", $two, $since, 20);
	for my $id ($one, $two)
	{
		ok($status{$id} eq 'done' || $status{$id} eq 'failed', "$what: clone $id ends cleanly ($status{$id})");
		like(clone_field($control, $id, "coalesce(error, '')"), qr/^$|database "(beta|gamma)".*lock/s,
			"$what: clone $id failed, if it did, on a lock of a target");
	}
	ok((grep { $_ eq 'done' } values %status) >= 1, "$what: at least one of them is done");
	my $last = $control->safe_psql('postgres',
		"SELECT id FROM bucardo.clone WHERE id IN ($one, $two) AND status = 'done' ORDER BY ended DESC LIMIT 1");
	my $want = $last eq $one ? $source_rows : $source2_rows;
	is(contents($beta,  'dst'), $want, "$what: beta equals the clone done last ($last)");
	is(contents($gamma, 'dst'), $want, "$what: gamma equals the clone done last ($last)");
	nothing_left($what, $_) for ($one, $two);
	next_clone_works($what);
}

# A lock held on a target table by another session's open transaction: the clone fails after
# pg_clone.lock_timeout, naming the database (the brief asks for the table or the database).
{
	my $what   = 'lock held on a target table';
	my @before = refill('r11');
	my $holder = $gamma->background_psql('dst');
	$holder->query_safe('BEGIN; LOCK TABLE foo IN ACCESS SHARE MODE;');
	my $since = time;
	my $id    = request_both($control);
	my $status = wait_end($what, $id, $since, 15);
	my $took   = time - $since;
	ok($took >= $lock_secs - 0.5, sprintf("$what: it waited for pg_clone.lock_timeout (%.1f s)", $took));
	$holder->query_safe('ROLLBACK');
	$holder->quit;
	failed_row(what => $what, id => $id, since => $since, before => \@before,
		error => [ qr/database "gamma"/, qr/lock timeout/ ]);
	next_clone_works($what);
}

# A target that refuses rows after N rows: a CHECK constraint violated by row 150000 on gamma, and an
# ENABLE ALWAYS trigger raising at row 125000 on beta.
{
	my $what = 'CHECK constraint refuses row 150000';
	$gamma->safe_psql('dst', 'TRUNCATE foo');
	$gamma->safe_psql('dst', 'ALTER TABLE foo ADD CONSTRAINT refuse_late CHECK (id <> 150000)');
	my @before = refill('r12');
	my $since  = time;
	my $id     = request_both($control);
	failed_row(what => $what, id => $id, since => $since, before => \@before,
		error => [ qr/database "gamma", table public\.foo/, qr/refuse_late/ ]);
	$gamma->safe_psql('dst', 'ALTER TABLE foo DROP CONSTRAINT refuse_late');
	next_clone_works($what);
}
{
	my $what = 'ENABLE ALWAYS trigger refuses row 125000';
	$beta->safe_psql('dst', q{
CREATE FUNCTION refuse_late() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN IF NEW.id = 125000 THEN RAISE EXCEPTION 'refusing row %', NEW.id; END IF; RETURN NEW; END $$;
CREATE TRIGGER refuse_late BEFORE INSERT ON foo FOR EACH ROW EXECUTE FUNCTION refuse_late();
ALTER TABLE foo ENABLE ALWAYS TRIGGER refuse_late;
});
	my @before = refill('r13');
	my $since  = time;
	my $id     = request_both($control);
	failed_row(what => $what, id => $id, since => $since, before => \@before,
		error => [ qr/database "beta", table public\.foo/, qr/refusing row 125000/ ]);
	$beta->safe_psql('dst', 'DROP TRIGGER refuse_late ON foo; DROP FUNCTION refuse_late()');
	next_clone_works($what);
}

# A read-only target database: refused before anything is touched, naming the database and the setting.
{
	my $what   = 'read-only target database';
	my @before = refill('r14');
	$gamma->safe_psql('postgres', 'ALTER DATABASE dst SET default_transaction_read_only = on');
	my $since = time;
	my $id    = request_both($control);
	my $status = wait_end($what, $id, $since, 30);
	$gamma->safe_psql('postgres', 'ALTER DATABASE dst RESET default_transaction_read_only');
	failed_row(what => $what, id => $id, since => $since, before => \@before,
		error => [ qr/database "gamma"/, qr/default_transaction_read_only/ ]);
	next_clone_works($what);
}

# The disk filling up on a target. A tablespace on a small tmpfs needs root (mount), which the test
# does not have (it runs as the unprivileged server user), so the stand-in is what a full disk makes the
# target send in mid-COPY: an error with SQLSTATE 53100 (disk_full), raised by an ENABLE ALWAYS trigger
# after 100000 rows. The issue's other stand-in, a statement_timeout set on the clone's role on the
# target, cannot fault a clone: pg_clone pins statement_timeout = 0 in its sessions (a database's own
# timeouts must not cut a long copy short), so that row checks that the clone is done despite it.
{
	my $what = 'a statement_timeout on the target role does not cut the clone short';
	my $role = $gamma->safe_psql('dst', 'SELECT current_user');
	refill('r15');
	$gamma->safe_psql('postgres', qq{ALTER ROLE "$role" IN DATABASE dst SET statement_timeout = '300ms'});
	my $id = request_both($control);
	is(wait_clone($control, $id), 'done', "$what: the clone ($id) is done");
	# (The test's own queries on gamma run as that role too.)
	$gamma->safe_psql('postgres', qq{ALTER ROLE "$role" IN DATABASE dst RESET statement_timeout});
	is(contents($beta,  'dst'), $source_rows, "$what: beta has the source rows");
	is(contents($gamma, 'dst'), $source_rows, "$what: gamma has the source rows");
}
{
	my $what = 'disk full stand-in: disk_full error after 100000 rows';
	$gamma->safe_psql('dst', q{
CREATE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN IF NEW.id = 100000 THEN
  RAISE EXCEPTION USING ERRCODE = 'disk_full', MESSAGE = 'could not extend file "base/1/2": No space left on device';
END IF; RETURN NEW; END $$;
CREATE TRIGGER disk_full BEFORE INSERT ON foo FOR EACH ROW EXECUTE FUNCTION disk_full();
ALTER TABLE foo ENABLE ALWAYS TRIGGER disk_full;
});
	my @before = refill('r16');
	my $since  = time;
	my $id     = request_both($control);
	failed_row(what => $what, id => $id, since => $since, before => \@before,
		error => [ qr/database "gamma", table public\.foo/, qr/No space left on device/ ]);
	$gamma->safe_psql('dst', 'DROP TRIGGER disk_full ON foo; DROP FUNCTION disk_full()');
	next_clone_works($what);
}

note(sprintf('the matrix took %.0f s', time - $started));
$_->stop for @servers;
done_testing();
