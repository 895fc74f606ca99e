# Readers of a target table during a clone: with empty => 'delete' they keep reading the old rows until
# the commit, without waiting; with the default (TRUNCATE) they wait for the commit. The clone is held
# just before its commit with pg_clone.test_pause_at.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use PgCloneTest;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = clone_node();
my $target_before = contents($node, 'dst');
my $source_rows   = contents($node, 'src');

# Makes clones pause before their commit (pg_clone.test_pause_at), or no longer.
sub pause_before_commit
{
	my ($on) = @_;
	set_setting($node, 'pg_clone.test_pause_at', $on ? 'before_commit' : undef,
		$on ? 'clones now pause before their commit' : 'clones no longer pause');
}

sub held_before_commit
{
	my ($id) = @_;
	wait_sessions($node, 'postgres', 1, "query = 'clone $id: paused at before_commit'",
		"clone $id is held before its commit");
}

# A reader that gives up after 2 s of waiting for a lock: returns its count, or the error.
sub read_target
{
	my ($stdout, $stderr);
	$node->psql('dst', "SET lock_timeout = '2s'; SELECT count(*) FROM foo",
		stdout => \$stdout, stderr => \$stderr);
	return $stderr =~ /lock timeout/ ? 'lock timeout' : $stdout;
}

pause_before_commit(1);

# empty => 'delete': the old rows stay readable, without waiting.
my $id = $node->safe_psql('postgres',
	"SELECT bucardo.clone(tables => 'foo, bar', dbs => 'alpha, beta', empty => 'delete')");
held_before_commit($id);
is(read_target(), '10', 'empty => delete: a reader sees the old rows while the clone holds its new ones');
is($node->safe_psql('postgres', "SELECT status FROM bucardo.clone WHERE id = $id"),
	'running', 'the clone is still running');
pause_before_commit(0);
is(wait_clone($node, $id), 'done', 'the clone then commits');
is(contents($node, 'dst'), $source_rows, 'the target has the source rows');
is(read_target(), '1000', 'readers see the new rows after the commit');

# The default, TRUNCATE: readers wait for the commit.
$node->safe_psql('dst', "TRUNCATE foo, bar; INSERT INTO foo VALUES (1, 'old')");
pause_before_commit(1);
$id = request_clone($node);
held_before_commit($id);
is(read_target(), 'lock timeout', 'empty => truncate: a reader waits for the commit');
pause_before_commit(0);
is(wait_clone($node, $id), 'done', 'the clone then commits');
is(contents($node, 'dst'), $source_rows, 'the target has the source rows');

$node->stop;
done_testing();
