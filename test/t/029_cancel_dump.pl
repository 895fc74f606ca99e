# A seeding clone (schema => 'create') cancelled while its pg_dump runs. Here pg_dump waits for its
# lock on the source table, queued behind another session's ACCESS EXCLUSIVE request, which itself
# waits for the clone's own ACCESS SHARE lock (taken before the dump, with the snapshot): a source
# busy with DDL. The cancel ends the clone at once, not when pg_dump's lock wait
# (--lock-wait-timeout = pg_clone.lock_timeout, here 60 s) would; pg_dump is killed, its session on
# the source ends as soon as it gets its lock, the clone's own sessions are gone, and the target is
# left as it was: nothing created. The next clone seeds the target.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use PgCloneTest;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

my $source = start_node('source');
$source->safe_psql('postgres', 'CREATE DATABASE src');
$source->safe_psql('src', q{
CREATE TABLE foo (id int PRIMARY KEY, t text);
INSERT INTO foo SELECT g, 'row ' || g FROM generate_series(1, 1000) g;
});

my $control = start_node('control', preload_conf() . q{
max_prepared_transactions = 10
pg_clone.lock_timeout = '60s'
});
$control->safe_psql('postgres', 'CREATE DATABASE fresh');
$control->safe_psql('postgres',
	"CREATE EXTENSION pg_clone;\n" . add_db_sql([ 'alpha', $source, 'src' ], [ 'fresh', $control, 'fresh' ]));
my $seed = "SELECT bucardo.clone(tables => 'foo', dbs => 'alpha:source, fresh:target', schema => 'create')";
my $public = q{SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace};

# The processes whose command line names $text (pg_dump's names its session: application_name).
sub processes_naming
{
	my ($text) = @_;
	my $count = 0;
	for my $file (glob '/proc/[0-9]*/cmdline')
	{
		open my $fh, '<', $file or next;
		local $/;
		my $line = <$fh> // '';
		close $fh;
		$count++ if index($line, $text) >= 0;
	}
	return $count;
}

# The clone holds the source's lock on foo and waits before its pg_dump.
set_setting($control, 'pg_clone.test_pause_at', 'before_dump');
my $offset = -s $control->logfile;
my $id = $control->safe_psql('postgres', $seed);
wait_paused($control, $id, 'before_dump', $offset);
my $dump_session = "pg_clone clone $id pg_dump";

# Another session asks foo for ACCESS EXCLUSIVE: it waits for the clone's ACCESS SHARE, and every new
# request for foo queues behind it.
my $locker = $source->background_psql('src');
$locker->query_until(qr/locking/, "\\echo locking\nBEGIN;\nLOCK TABLE foo IN ACCESS EXCLUSIVE MODE;\n");
ok( poll_until(
		$source, 'src',
		q{SELECT count(*) FROM pg_locks WHERE NOT granted AND mode = 'AccessExclusiveLock' AND relation = 'public.foo'::regclass},
		'1'),
	'the locker waits for the clone\'s lock on foo');

# pg_dump starts and waits for its lock behind the locker.
set_setting($control, 'pg_clone.test_pause_at', undef);
ok( poll_until(
		$source, 'src',
		"SELECT count(*) FROM pg_stat_activity WHERE application_name = '$dump_session' AND wait_event_type = 'Lock'",
		'1'),
	'pg_dump waits for its lock on foo');
is(processes_naming("application_name='$dump_session'"), 1, 'the pg_dump process runs');

my $since = time;
$control->safe_psql('postgres', "SELECT bucardo.clone_cancel($id)");
is(wait_clone($control, $id), 'cancelled', 'the clone ends cancelled');
my $took = time - $since;
ok($took < 30, sprintf('it ended %.1f s after the cancel, not when pg_dump\'s lock wait (60 s) would', $took));
like(clone_field($control, $id, 'error'), qr/cancel/i, 'its error says it was cancelled');
is(processes_naming("application_name='$dump_session'"), 0, 'the pg_dump process is gone');
is($control->safe_psql('fresh', $public), '0', 'nothing was created on the target');
ok( poll_until(
		$source, 'src',
		"SELECT count(*) FROM pg_stat_activity WHERE application_name ~ '^pg_clone clone $id\$'", '0'),
	'the clone\'s own session on the source is gone');

# The locker got foo (the clone's lock is gone); once it ends, pg_dump's session gets its turn, finds
# its client gone and ends.
is($locker->query_safe('SELECT 1'), '1', 'the locker holds foo');
$locker->query_safe('COMMIT');
$locker->quit;
ok( poll_until(
		$source, 'src', "SELECT count(*) FROM pg_stat_activity WHERE application_name = '$dump_session'", '0'),
	'pg_dump\'s session on the source ends');
is($source->safe_psql('src', q{SELECT count(*) FROM pg_locks WHERE relation = 'public.foo'::regclass AND pid <> pg_backend_pid()}),
	'0', 'no lock on foo is left');

# The next clone seeds the target.
$id = $control->safe_psql('postgres', $seed);
is(wait_clone($control, $id), 'done', 'the next clone is done');
is($control->safe_psql('fresh', 'SELECT count(*), sum(id) FROM foo'), '1000|500500', 'and created and filled foo');

$_->stop for $source, $control;
done_testing();
