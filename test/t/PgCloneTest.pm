# Shared fixtures of pg_clone's TAP tests: a node that preloads pg_clone with a source database
# (src, registered as alpha) and a target database (dst, registered as beta), each with tables foo
# and bar (so that a clone of both runs over two parallel streams), and the few questions every test
# asks about a clone.
package PgCloneTest;

use strict;
use warnings;

use Exporter 'import';
use PostgreSQL::Test::Cluster;
use Test::More;

our @EXPORT = qw(clone_node contents request_clone wait_clone clone_field hold_target_lock
  wait_until_blocked running_clones);

# Starts a node with pg_clone preloaded. $conf is added to postgresql.conf; $before_start, if given,
# runs between init and start (to edit pg_hba.conf, say).
sub clone_node
{
	my (%args) = @_;
	my $node = PostgreSQL::Test::Cluster->new($args{name} // 'main');
	$node->init;
	$node->append_conf(
		'postgresql.conf', qq{
shared_preload_libraries = 'pg_clone'
pg_clone.database = 'postgres'
max_prepared_transactions = 5
# A clone blocked on purpose must still be waiting when the test acts.
pg_clone.lock_timeout = '10min'
} . ($args{conf} // ''));
	$args{before_start}->($node) if $args{before_start};
	$node->start;

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
	$node->safe_psql(
		'postgres', q{
CREATE EXTENSION pg_clone;
SELECT bucardo.add_db('alpha', 'dbname=src');
SELECT bucardo.add_db('beta', 'dbname=dst');
});
	return $node;
}

# A fingerprint of foo's and bar's contents in one database (row counts and ordered md5).
sub contents
{
	my ($node, $db) = @_;
	return $node->safe_psql(
		$db, q{
SELECT string_agg(fingerprint, ' | ' ORDER BY name) FROM (
    SELECT 'foo' AS name, count(*) || ' ' || coalesce(md5(string_agg(id || ':' || t, ',' ORDER BY id)), '-')
      FROM foo
    UNION ALL
    SELECT 'bar', count(*) || ' ' || coalesce(md5(string_agg(id || ':' || t, ',' ORDER BY id)), '-')
      FROM bar) AS f(name, fingerprint)});
}

# Asks for a clone of foo and bar from alpha to beta (two streams), optionally at a later start;
# returns its id.
sub request_clone
{
	my ($node, $start) = @_;
	my $start_arg = defined $start ? ", start => '$start'" : '';
	return $node->safe_psql('postgres',
		"SELECT bucardo.clone(tables => 'foo, bar', dbs => 'alpha:source,beta:target'$start_arg)");
}

# Waits (bounded) for the clone to end; returns its status.
sub wait_clone
{
	my ($node, $id) = @_;
	return $node->safe_psql('postgres', "SELECT bucardo.clone_wait($id, '60 s')");
}

sub clone_field
{
	my ($node, $id, $field) = @_;
	return $node->safe_psql('postgres', "SELECT $field FROM bucardo.clone WHERE id = $id");
}

sub running_clones
{
	my ($node) = @_;
	return $node->safe_psql('postgres', "SELECT count(*) FROM bucardo.clone WHERE status = 'running'");
}

# A prepared transaction locks the target table: it survives restarts and crashes, and a clone
# blocks on it until ROLLBACK PREPARED 'hold'.
sub hold_target_lock
{
	my ($node) = @_;
	$node->safe_psql('dst',
		q{BEGIN; LOCK TABLE foo IN ACCESS EXCLUSIVE MODE; PREPARE TRANSACTION 'hold';});
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

# Servers of their own for the commit tests (010_two_phase, 011_commit_outcome): a control server, a
# source server and two target servers, so that one target can be stopped, crash or refuse alone.
use Time::HiRes ();
push @EXPORT, qw(commit_servers refill_target set_setting prepared_xacts wait_paused log_matches
  clone_gids crash_worker);

# Starts four servers: control (pg_clone preloaded, control database postgres, $args{control_conf}
# added), source (database src, registered as alpha) and the targets beta and gamma (database dst
# each, max_prepared_transactions = 10, $args{beta_conf} / $args{gamma_conf} added), with tables foo
# (3000 rows) and bar (1000 rows) on the source and old rows of their own on each target. Returns the
# four nodes.
sub commit_servers
{
	my (%args) = @_;

	my $control = PostgreSQL::Test::Cluster->new('control');
	$control->init;
	$control->append_conf(
		'postgresql.conf', qq{
shared_preload_libraries = 'pg_clone'
pg_clone.database = 'postgres'
} . ($args{control_conf} // ''));
	$control->start;

	my $source = PostgreSQL::Test::Cluster->new('source');
	$source->init;
	$source->start;
	$source->safe_psql('postgres', 'CREATE DATABASE src');
	$source->safe_psql('src',
		'CREATE TABLE foo (id int PRIMARY KEY, t text); '
		  . "INSERT INTO foo SELECT g, 'src ' || g FROM generate_series(1, 3000) g; "
		  . 'CREATE TABLE bar (id int PRIMARY KEY, t text); '
		  . "INSERT INTO bar SELECT g, 'src bar ' || g FROM generate_series(1, 1000) g");

	my @targets;
	for my $name ('beta', 'gamma')
	{
		my $node = PostgreSQL::Test::Cluster->new($name);
		$node->init;
		$node->append_conf('postgresql.conf',
			"max_prepared_transactions = 10\n" . ($args{"${name}_conf"} // ''));
		$node->start;
		$node->safe_psql('postgres', 'CREATE DATABASE dst');
		$node->safe_psql('dst',
			'CREATE TABLE foo (id int PRIMARY KEY, t text); CREATE TABLE bar (id int PRIMARY KEY, t text)');
		refill_target($node, 'initial');
		push @targets, $node;
	}

	my $register = '';
	for my $db ([ 'alpha', $source, 'src' ], [ 'beta', $targets[0], 'dst' ], [ 'gamma', $targets[1], 'dst' ])
	{
		my ($name, $node, $dbname) = @$db;
		my ($host, $port) = ($node->host, $node->port);
		$register .= "SELECT bucardo.add_db('$name', 'host=''$host'' port=$port dbname=$dbname');\n";
	}
	$control->safe_psql('postgres', "CREATE EXTENSION pg_clone;\n$register");
	return ($control, $source, @targets);
}

# Gives a target old rows of its own, marked with $tag (so that every case starts with targets that
# differ from the source and from each other); returns the target's contents. A lock left by a
# prepared transaction fails this after 10 s instead of hanging the test.
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

# Sets (or, for an undefined value, resets) a reloadable setting with ALTER SYSTEM, reloads, and
# waits (bounded) until new sessions see it, so that processes started from then on have it.
sub set_setting
{
	my ($node, $name, $value) = @_;
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
		$node->name . ': ' . (defined $value ? "$name = '$value'" : "$name reset"));
	return;
}

# "name count" of pg_prepared_xacts for each node, as one string.
sub prepared_xacts
{
	my (@nodes) = @_;
	return join(', ',
		map { $_->name . ' ' . $_->safe_psql('postgres', 'SELECT count(*) FROM pg_prepared_xacts') } @nodes);
}

# How many prepared transactions of clone $id the node holds (global ids pg_clone_<id>_...).
sub clone_gids
{
	my ($node, $id) = @_;
	return $node->safe_psql('postgres',
		"SELECT count(*) FROM pg_prepared_xacts WHERE gid LIKE 'pg_clone\\_${id}\\_%'");
}

# Waits (bounded) until clone $id's worker is paused at $step (pg_clone.test_pause_at): its
# pg_stat_activity row says so, and so does the server log (from $offset). Returns the worker's pid.
sub wait_paused
{
	my ($control, $id, $step, $offset) = @_;
	ok( $control->poll_query_until(
			'postgres',
			"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'pg_clone worker'"
			  . " AND query = 'clone $id: paused at $step'"),
		"clone $id: the worker shows it is paused at $step");
	ok(log_matches($control, qr/pg_clone: clone $id paused at $step \(pg_clone\.test_pause_at\)/, $offset),
		"clone $id: the log says it paused at $step");
	return $control->safe_psql('postgres',
		"SELECT pid FROM pg_stat_activity WHERE backend_type = 'pg_clone worker' AND query = 'clone $id: paused at $step'");
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

1;
