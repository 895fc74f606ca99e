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

1;
