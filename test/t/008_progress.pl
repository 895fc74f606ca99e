# bucardo.clone_progress while a clone runs: a row per table and target with its phase and the rows
# copied so far (never going back), a totals row per clone, and nothing once the clone has ended; a
# progress line in the server log every pg_clone.log_progress_interval.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use PgCloneTest;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = clone_node(conf => "pg_clone.log_progress_interval = '1s'\n");

$node->safe_psql('src', q{
CREATE TABLE slow (id int PRIMARY KEY, v text);
INSERT INTO slow SELECT g, 'row ' || g FROM generate_series(1, 3000) g;
ANALYZE slow;
});
# A superuser's trigger (so the clone accepts it) makes the target take about 30 s for slow.
$node->safe_psql('dst', q{
CREATE TABLE slow (id int PRIMARY KEY, v text);
CREATE FUNCTION slow_down() RETURNS trigger LANGUAGE plpgsql AS
  $$BEGIN PERFORM pg_sleep(0.01); RETURN NEW; END$$;
CREATE TRIGGER slow_slow BEFORE INSERT ON slow FOR EACH ROW EXECUTE FUNCTION slow_down();
ALTER TABLE slow ENABLE ALWAYS TRIGGER slow_slow;
});

my $id = $node->safe_psql('postgres', "SELECT bucardo.clone(tables => 'foo, bar, slow', dbs => 'alpha, beta')");
ok( $node->poll_query_until(
		'postgres',
		"SELECT count(*) = 1 FROM bucardo.clone_progress WHERE clone_id = $id AND table_name = 'public.slow'"
		  . " AND phase = 'copying' AND rows_copied > 0"),
	'the slow table shows as copying, with rows sent');
is( $node->safe_psql(
		'postgres',
		"SELECT string_agg(table_name || ' ' || source || '>' || target || ' ' || phase, ', ' ORDER BY table_name)"
		  . " FROM bucardo.clone_progress WHERE clone_id = $id AND table_name <> 'public.slow'"),
	'public.bar alpha>beta done, public.foo alpha>beta done',
	'the other tables are done');
is( $node->safe_psql(
		'postgres',
		"SELECT estimated_rows, percent IS NOT NULL, elapsed > interval '0'"
		  . " FROM bucardo.clone_progress WHERE clone_id = $id AND table_name = 'public.slow'"),
	'3000|t|t', 'the estimate comes from the source statistics');
is( $node->safe_psql(
		'postgres',
		"SELECT phase, rows_copied >= 1300 FROM bucardo.clone_progress WHERE clone_id = $id AND table_name IS NULL"),
	'total|t', 'a totals row counts every table');

my @seen;
for (1 .. 3)
{
	push @seen, $node->safe_psql('postgres',
		"SELECT rows_copied FROM bucardo.clone_progress WHERE clone_id = $id AND table_name IS NULL");
	sleep 1;
}
ok($seen[0] <= $seen[1] && $seen[1] <= $seen[2], "the rows copied never go back (@seen)");
like(slurp_file($node->logfile), qr/pg_clone: clone $id progress: \d+ of 3 table copies done, \d+ rows and \d+ MB sent so far/,
	'the server log has progress lines');

is($node->safe_psql('postgres', "SELECT bucardo.clone_cancel($id)"), 't', 'cancel the slow clone');
is(wait_clone($node, $id), 'cancelled', 'it ends cancelled');
is($node->safe_psql('postgres', "SELECT count(*) FROM bucardo.clone_progress WHERE clone_id = $id"),
	'0', 'its progress rows are gone');

# A clone that runs to its end leaves nothing behind either.
$node->safe_psql('dst', 'DROP TRIGGER slow_slow ON slow');
$id = $node->safe_psql('postgres', "SELECT bucardo.clone(tables => 'foo, bar, slow', dbs => 'alpha, beta')");
is(wait_clone($node, $id), 'done', 'the clone without the trigger is done');
is($node->safe_psql('postgres', 'SELECT count(*) FROM bucardo.clone_progress'), '0', 'no progress rows are left');
is( $node->safe_psql(
		'postgres',
		"SELECT string_agg(table_name || ' ' || rows || ' ' || emptied, ', ' ORDER BY table_name)"
		  . " FROM bucardo.clone_table WHERE clone_id = $id"),
	'public.bar 300 delete, public.foo 1000 delete, public.slow 3000 delete',
	'its per-table results count what was copied');
is($node->safe_psql('dst', 'SELECT (SELECT count(*) FROM foo) + (SELECT count(*) FROM bar) + (SELECT count(*) FROM slow)'),
	'4300', 'as the target does');

$node->stop;
done_testing();
