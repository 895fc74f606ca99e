# Shared fixtures and helpers of pg_clone's TAP tests (test/t/*.pl):
#  - servers: start_node, init_node, preload_conf, clone_node (one node with a source database src, registered
#    as alpha, and a target database dst, registered as beta, each with tables foo and bar, so that a
#    clone of both runs over two parallel streams), four_servers (a control, a source and two target
#    servers, each a cluster of its own), add_db_sql, prepend_hba;
#  - what a database holds: contents, table_fingerprint, refill_target, schema_dump;
#  - clones: request_clone, request_both, wait_clone, clone_field, running_clones;
#  - waiting: poll_until, wait_sessions, wait_until_blocked, wait_paused, log_matches, set_setting;
#  - locks, prepared transactions and crashes: hold_target_lock, transaction_states, prepared_xacts,
#    no_prepared_left, clone_gids, crash_worker, case_end.
package PgCloneTest;

use strict;
use warnings;

use Exporter 'import';
use Fcntl qw(:flock);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils ();
use Test::More;
use Time::HiRes ();

our @EXPORT = qw(start_node init_node preload_conf clone_node four_servers add_db_sql prepend_hba
  contents table_fingerprint refill_target schema_dump
  request_clone request_both wait_clone clone_field running_clones
  poll_until wait_sessions wait_until_blocked wait_paused log_matches set_setting
  hold_target_lock transaction_states prepared_xacts no_prepared_left clone_gids crash_worker case_end);

# --- Servers -----------------------------------------------------------------------------------

# Starts a new node $name: initdb, $conf (if given) added to postgresql.conf, $before_start->($node)
# (if given: to edit pg_hba.conf, say), start. Returns the node.
sub start_node
{
	my ($name, $conf, $before_start) = @_;
	my $node = PostgreSQL::Test::Cluster->new($name);
	init_node($node);
	$node->append_conf('postgresql.conf', $conf) if defined $conf;
	$before_start->($node) if $before_start;
	$node->start;
	return $node;
}

# $node->init, but cheaper: initdb costs about 1.5 CPU-seconds, and a run starts about a hundred nodes.
# Where run_tap.sh names a directory in PG_CLONE_INITDB_TEMPLATE, the first node of the run makes it
# with initdb, under a lock (prove -j runs files side by side), and every node copies it instead of
# running initdb; Cluster.pm then writes the node's own settings as it would after initdb (PostgreSQL
# 17's Cluster.pm does the same with INITDB_TEMPLATE). Only for nodes of the default installation:
# the template is of its initdb.
sub init_node
{
	my ($node) = @_;
	my $template = $ENV{PG_CLONE_INITDB_TEMPLATE};
	if (!$template)
	{
		$node->init;
		return;
	}
	open my $lock, '>', "$template.lock" or die "could not open $template.lock: $!";
	flock($lock, LOCK_EX) or die "could not lock $template.lock: $!";
	if (!-d $template)
	{
		PostgreSQL::Test::Utils::system_or_bail('initdb', '-D', "$template.new", '-A', 'trust', '-N');
		rename("$template.new", $template) or die "could not rename $template.new: $!";
	}
	close $lock;
	my $initdb = \&PostgreSQL::Test::Utils::system_or_bail;
	no warnings 'redefine';
	local *PostgreSQL::Test::Utils::system_or_bail = sub {
		my @command = @_;
		# initdb -D DATADIR -A trust -N: the copy instead.
		return $initdb->('cp', '-RPp', $template, $command[2])
		  if $command[0] eq 'initdb' && $command[1] eq '-D' && @command == 6;
		return $initdb->(@command);
	};
	$node->init;
	return;
}

# The postgresql.conf lines that preload pg_clone with control database $db (default postgres).
sub preload_conf
{
	my ($db) = @_;
	$db //= 'postgres';
	return "shared_preload_libraries = 'pg_clone'\npg_clone.database = '$db'\n";
}

# Starts a node with pg_clone preloaded, databases src (foo: 1000 rows, bar: 300 rows) and dst (old
# rows of its own), registered as alpha and beta. $args{name} names the node (default main);
# $args{conf} is added to postgresql.conf; $args{before_start}, if given, runs between init and start.
sub clone_node
{
	my (%args) = @_;
	my $node = start_node(
		$args{name} // 'main',
		preload_conf() . q{max_prepared_transactions = 5
# A clone blocked on purpose must still be waiting when the test acts.
pg_clone.lock_timeout = '10min'
} . ($args{conf} // ''),
		$args{before_start});

	$node->safe_psql('postgres', 'CREATE DATABASE src');
	$node->safe_psql('postgres', 'CREATE DATABASE dst');
	$node->safe_psql('src',
		'CREATE TABLE foo (id int PRIMARY KEY, t text); '
		  . "INSERT INTO foo SELECT g, 'src ' || g FROM generate_series(1, 1000) g; "
		  . 'CREATE TABLE bar (id int PRIMARY KEY, t text); '
		  . "INSERT INTO bar SELECT g, 'src bar ' || g FROM generate_series(1, 300) g");
	$node->safe_psql('dst',
		'CREATE TABLE foo (id int PRIMARY KEY, t text); '
		  . "INSERT INTO foo SELECT g, 'old ' || g FROM generate_series(1, 10) g; "
		  . 'CREATE TABLE bar (id int PRIMARY KEY, t text); '
		  . "INSERT INTO bar SELECT g, 'old bar ' || g FROM generate_series(1, 3) g");
	$node->safe_psql('postgres',
		"CREATE EXTENSION pg_clone;\n" . add_db_sql([ 'alpha', 'dbname=src' ], [ 'beta', 'dbname=dst' ]));
	return $node;
}

# Starts four servers, each a cluster of its own so that each can be stopped, crash or refuse alone
# (010_two_phase, 011_commit_outcome, 015_fault_matrix), and returns them: control (pg_clone
# preloaded, control database postgres, then $args{control_conf}), source ($args{source_conf};
# $args{source_sql}, a hash of database name to the SQL run in it once created, by default database
# src with foo (3000 rows) and bar (1000 rows)), and the targets beta and gamma (database dst with the
# tables $args{target_sql} makes, by default foo and bar, empty; max_prepared_transactions = 10, then
# $args{target_conf} and $args{beta_conf} or $args{gamma_conf}). The control server registers alpha
# (the source's src), beta and gamma (each target's dst).
sub four_servers
{
	my (%args) = @_;

	my $control = start_node('control', preload_conf() . ($args{control_conf} // ''));

	my $source = start_node('source', $args{source_conf});
	my $source_sql = $args{source_sql} // {
		src => 'CREATE TABLE foo (id int PRIMARY KEY, t text); '
		  . "INSERT INTO foo SELECT g, 'src ' || g FROM generate_series(1, 3000) g; "
		  . 'CREATE TABLE bar (id int PRIMARY KEY, t text); '
		  . "INSERT INTO bar SELECT g, 'src bar ' || g FROM generate_series(1, 1000) g"
	};
	for my $db (sort keys %$source_sql)
	{
		$source->safe_psql('postgres', "CREATE DATABASE $db");
		$source->safe_psql($db, $source_sql->{$db});
	}

	my @targets;
	for my $name ('beta', 'gamma')
	{
		my $node = start_node($name,
			"max_prepared_transactions = 10\n" . ($args{target_conf} // '') . ($args{"${name}_conf"} // ''));
		$node->safe_psql('postgres', 'CREATE DATABASE dst');
		$node->safe_psql('dst',
			$args{target_sql} // 'CREATE TABLE foo (id int PRIMARY KEY, t text); CREATE TABLE bar (id int PRIMARY KEY, t text)');
		push @targets, $node;
	}

	$control->safe_psql('postgres',
		"CREATE EXTENSION pg_clone;\n"
		  . add_db_sql([ 'alpha', $source, 'src' ], [ 'beta', $targets[0], 'dst' ], [ 'gamma', $targets[1], 'dst' ]));
	return ($control, $source, @targets);
}

# SQL that registers databases with bucardo.add_db, a statement a line: [ name, node, dbname ]
# connects to dbname on node (its socket directory and port), [ name, conninfo ] as given.
sub add_db_sql
{
	my (@dbs) = @_;
	my $sql = '';
	for my $db (@dbs)
	{
		my ($name, $node, $dbname) = @$db;
		my $conninfo = ref $node ? "host='" . $node->host . "' port=" . $node->port . " dbname=$dbname" : $node;
		$conninfo =~ s/'/''/g;
		$sql .= "SELECT bucardo.add_db('$name', '$conninfo');\n";
	}
	return $sql;
}

# Puts $line first in the node's pg_hba.conf, ahead of the trust lines Cluster.pm writes; it holds
# from the next start or reload.
sub prepend_hba
{
	my ($node, $line) = @_;
	my $file = $node->data_dir . '/pg_hba.conf';
	my $hba  = PostgreSQL::Test::Utils::slurp_file($file);
	open my $fh, '>', $file or die "could not write $file: $!";
	print $fh "$line\n$hba";
	close $fh;
	return;
}

# --- What a database holds ---------------------------------------------------------------------

# SQL for a fingerprint of an (id, t) table: its row count and the md5 of its rows in id order.
sub fingerprint_sql
{
	my ($table) = @_;
	return "SELECT count(*) || ' ' || coalesce(md5(string_agg(id || ':' || t, ',' ORDER BY id)), '-') FROM $table";
}

# A fingerprint of one (id, t) table in one database (row count and ordered md5).
sub table_fingerprint
{
	my ($node, $db, $table) = @_;
	return $node->safe_psql($db, fingerprint_sql($table));
}

# A fingerprint of foo's and bar's contents in one database, read in one statement ("bar | foo").
sub contents
{
	my ($node, $db) = @_;
	return $node->safe_psql($db,
		'SELECT (' . fingerprint_sql('bar') . ") || ' | ' || (" . fingerprint_sql('foo') . ')');
}

# Gives a target (database dst) old rows of its own in foo and bar, marked with $tag (so that every
# case starts with targets that differ from the source and from each other); returns the target's
# contents. A lock left by a prepared transaction fails this after 10 s instead of hanging the test.
sub refill_target
{
	my ($node, $tag) = @_;
	my $name = $node->name;
	$node->safe_psql(
		'dst', qq{
SET lock_timeout = '10s';
BEGIN;
DELETE FROM foo;
DELETE FROM bar;
INSERT INTO foo SELECT g, 'old $name $tag ' || g FROM generate_series(1, 10) g;
INSERT INTO bar SELECT g, 'old bar $name $tag ' || g FROM generate_series(1, 3) g;
COMMIT;
});
	return contents($node, 'dst');
}

# The schema of database $db on $node as pg_dump --schema-only prints it, less the random key of
# its \restrict lines.
sub schema_dump
{
	my ($node, $db) = @_;
	my ($stdout, $stderr) = PostgreSQL::Test::Utils::run_command(
		[ 'pg_dump', '--schema-only', '-h', $node->host, '-p', $node->port, $db ]);
	$stdout =~ s/^\\(un)?restrict .*$//mg;
	return $stdout;
}

# --- Clones ------------------------------------------------------------------------------------

# Asks for a clone of foo and bar from alpha to beta (two streams), optionally at a later start;
# returns its id.
sub request_clone
{
	my ($node, $start) = @_;
	my $start_arg = defined $start ? ", start => '$start'" : '';
	return $node->safe_psql('postgres',
		"SELECT bucardo.clone(tables => 'foo, bar', dbs => 'alpha:source,beta:target'$start_arg)");
}

# Asks the control server of four_servers for a clone of foo and bar from alpha into both targets,
# beta and gamma; $extra (", streams => 1", say) is added to clone()'s arguments. Returns its id.
sub request_both
{
	my ($control, $extra) = @_;
	return $control->safe_psql('postgres',
		"SELECT bucardo.clone(tables => 'foo, bar', dbs => 'alpha:source,beta:target,gamma:target'"
		  . ($extra // '') . ')');
}

# Waits (bounded) for the clone to end; returns its status.
sub wait_clone
{
	my ($node, $id) = @_;
	return $node->safe_psql('postgres', "SELECT bucardo.clone_wait($id, '60 s')");
}

# One field (or expression) of the clone's row in bucardo.clone.
sub clone_field
{
	my ($node, $id, $field) = @_;
	return $node->safe_psql('postgres', "SELECT $field FROM bucardo.clone WHERE id = $id");
}

# How many clones are running.
sub running_clones
{
	my ($node) = @_;
	return $node->safe_psql('postgres', "SELECT count(*) FROM bucardo.clone WHERE status = 'running'");
}

# --- Waiting -----------------------------------------------------------------------------------

# poll_query_until bounded by $secs seconds of attempts (ten a second) instead of
# PG_TEST_TIMEOUT_DEFAULT: whether $sql on $node's database $db returned $want in time.
sub poll_until
{
	my ($node, $db, $sql, $want, $secs) = @_;
	local $PostgreSQL::Test::Utils::timeout_default = $secs // $PostgreSQL::Test::Utils::timeout_default;
	return $node->poll_query_until($db, $sql, $want);
}

# Waits (bounded) until exactly $count backends of $node match $where in pg_stat_activity (asked
# from database $db): an ok() named $name, returned.
sub wait_sessions
{
	my ($node, $db, $count, $where, $name) = @_;
	return ok($node->poll_query_until($db, "SELECT count(*) = $count FROM pg_stat_activity WHERE $where"), $name);
}

# Waits until the clone runs in a worker that waits for the target's lock.
sub wait_until_blocked
{
	my ($node, $id, $what) = @_;
	ok( $node->poll_query_until(
			'postgres',
			"SELECT status = 'running' AND worker_pid IS NOT NULL FROM bucardo.clone WHERE id = $id"),
		"$what is running with a worker");
	ok( $node->poll_query_until(
			'dst',
			q{SELECT count(*) > 0 FROM pg_locks WHERE NOT granted AND relation = 'public.foo'::regclass}),
		"$what waits for its lock on the target table");
}

# Waits (bounded) until clone $id's worker is paused at $step (pg_clone.test_pause_at): its
# pg_stat_activity row says so, and so does the server log (from $offset). Returns the worker's pid.
sub wait_paused
{
	my ($control, $id, $step, $offset) = @_;
	my $paused = "backend_type = 'pg_clone worker' AND query = 'clone $id: paused at $step'";
	wait_sessions($control, 'postgres', 1, $paused, "clone $id: the worker shows it is paused at $step");
	ok(log_matches($control, qr/pg_clone: clone $id paused at $step \(pg_clone\.test_pause_at\)/, $offset),
		"clone $id: the log says it paused at $step");
	return $control->safe_psql('postgres', "SELECT pid FROM pg_stat_activity WHERE $paused");
}

# Whether the node's log (from $offset) matches $re within the bounded wait.
sub log_matches
{
	my ($node, $re, $offset) = @_;
	for (1 .. 10 * $PostgreSQL::Test::Utils::timeout_default)
	{
		return 1 if PostgreSQL::Test::Utils::slurp_file($node->logfile, $offset // 0) =~ $re;
		Time::HiRes::usleep(100_000);
	}
	return 0;
}

# Sets (or, for an undefined value, resets) a reloadable setting with ALTER SYSTEM, reloads, and
# waits (bounded) until new sessions see it, so that processes started from then on have it: an ok()
# named $what, by default "node: name = 'value'" or "node: name reset".
sub set_setting
{
	my ($node, $name, $value, $what) = @_;
	if (defined $value)
	{
		$node->safe_psql('postgres', "ALTER SYSTEM SET $name = '$value'");
	}
	else
	{
		$node->safe_psql('postgres', "ALTER SYSTEM RESET $name");
	}
	$node->safe_psql('postgres', 'SELECT pg_reload_conf()');
	my $check =
	  defined $value
	  ? "SELECT current_setting('$name') = '$value'"
	  : "SELECT setting = boot_val FROM pg_settings WHERE name = '$name'";
	ok($node->poll_query_until('postgres', $check),
		$what // ($node->name . ': ' . (defined $value ? "$name = '$value'" : "$name reset")));
	return;
}

# --- Locks, prepared transactions and crashes --------------------------------------------------

# A prepared transaction locks the target table: it survives restarts and crashes, and a clone
# blocks on it until ROLLBACK PREPARED 'hold'.
sub hold_target_lock
{
	my ($node) = @_;
	$node->safe_psql('dst',
		q{BEGIN; LOCK TABLE foo IN ACCESS EXCLUSIVE MODE; PREPARE TRANSACTION 'hold';});
}

# The states of clone $id's transactions in bucardo.clone_transaction, each once ("committed", say).
sub transaction_states
{
	my ($control, $id) = @_;
	return $control->safe_psql('postgres',
		"SELECT string_agg(DISTINCT state, ', ') FROM bucardo.clone_transaction WHERE clone_id = $id");
}

# "name count" of pg_prepared_xacts for each node, as one string.
sub prepared_xacts
{
	my (@nodes) = @_;
	return join(', ',
		map { $_->name . ' ' . $_->safe_psql('postgres', 'SELECT count(*) FROM pg_prepared_xacts') } @nodes);
}

# Checks that none of the nodes holds a prepared transaction.
sub no_prepared_left
{
	my ($what, @nodes) = @_;
	is(prepared_xacts(@nodes), join(', ', map { $_->name . ' 0' } @nodes),
		"$what: no prepared transaction is left on any server");
	return;
}

# How many prepared transactions of clone $id the node holds (global ids pg_clone_<id>_...).
sub clone_gids
{
	my ($node, $id) = @_;
	return $node->safe_psql('postgres',
		"SELECT count(*) FROM pg_prepared_xacts WHERE gid LIKE 'pg_clone\\_${id}\\_%'");
}

# kill -9 of a paused clone worker; the postmaster reinitializes (restart_after_crash = on). The pause
# is reset in postgresql.auto.conf before the kill, but reloaded only once the postmaster is
# reinitializing (a reload before the kill would release the worker), so that the workers of the
# restarted launcher do not pause. Returns once the control server answers again.
sub crash_worker
{
	my ($control, $pid, $what) = @_;
	$control->safe_psql('postgres', 'ALTER SYSTEM RESET pg_clone.test_pause_at');
	my $offset = -s $control->logfile;
	ok(kill('KILL', $pid), "$what: kill -9 the paused worker");
	$control->wait_for_log(qr/all server processes terminated; reinitializing/, $offset);
	$control->reload;
	ok( $control->poll_query_until('postgres', "SELECT current_setting('pg_clone.test_pause_at') = ''"),
		"$what: the control server is back, without the pause");
	return;
}

# The end of a case of the commit tests (four_servers; $servers: control, source, beta, gamma): each
# target holds what it should, no server holds a prepared transaction, nothing of the clone is left
# in doubt.
sub case_end
{
	my ($servers, $what, $id, $beta_rows, $gamma_rows) = @_;
	my ($control, $source, $beta, $gamma) = @$servers;
	is(contents($beta,  'dst'), $beta_rows,  "$what: beta's contents");
	is(contents($gamma, 'dst'), $gamma_rows, "$what: gamma's contents");
	no_prepared_left($what, @$servers);
	is($control->safe_psql('postgres', "SELECT count(*) FROM bucardo.clone_in_doubt WHERE clone_id = $id"),
		'0', "$what: nothing of the clone is in doubt");
	return;
}

1;
