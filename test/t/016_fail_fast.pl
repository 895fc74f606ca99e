# A target that rejects an early row of a large table fails the clone at once: the target's error is
# read while the rows stream, not when the COPY ends. Measured by how much of the source table was read
# (pg_stat_user_tables.seq_tup_read on the source), not by time.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use PgCloneTest;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = clone_node();
my $rows = 600000;
$node->safe_psql('src', "CREATE TABLE big (id int, t text);
INSERT INTO big SELECT g, repeat('x', 240) FROM generate_series(1, $rows) g;");
# The target refuses every row: the first one fails its COPY.
$node->safe_psql('dst', 'CREATE TABLE big (id int CHECK (id < 0), t text)');
my $target_before = contents($node, 'dst');

my $read_before = $node->safe_psql('src', "SELECT coalesce(seq_tup_read, 0) FROM pg_stat_user_tables WHERE relname = 'big'");
my $id = $node->safe_psql('postgres',
	"SELECT bucardo.clone(tables => 'big', dbs => 'alpha, beta', streams => 1)");
is(wait_clone($node, $id), 'failed', 'the clone fails');
like(clone_field($node, $id, 'error'), qr/database "beta", table public\.big: new row for relation "big" violates check constraint/,
	'its error is the target\'s, naming the database and table');

# The source session's counters reach the statistics when it ends.
wait_sessions($node, 'src', 0, "application_name = 'pg_clone clone $id'", 'the clone\'s source session is gone');
$node->safe_psql('src', 'SELECT pg_stat_force_next_flush()');
my $read;
for (1 .. 50)
{
	$read = $node->safe_psql('src',
		"SELECT coalesce(seq_tup_read, 0) - $read_before FROM pg_stat_user_tables WHERE relname = 'big'");
	last if $read > 0;
	sleep 0.2;
}
note("rows of big read from the source before the clone stopped: $read of $rows");
ok($read > 0, 'the source read some of the table');
ok($read < $rows / 2, "the source read less than half of the table ($read of $rows rows)");
is(contents($node, 'dst'), $target_before, 'the target is unchanged');

# A target that only sends notices during the COPY (a trigger that raises one per row) is not mistaken
# for a failing one.
$node->safe_psql('dst', q{
ALTER TABLE big DROP CONSTRAINT big_id_check;
CREATE FUNCTION chatty() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN IF NEW.id % 50000 = 0 THEN RAISE NOTICE 'row %', NEW.id; END IF; RETURN NEW; END $$;
CREATE TRIGGER chatty BEFORE INSERT ON big FOR EACH ROW EXECUTE FUNCTION chatty();
ALTER TABLE big ENABLE ALWAYS TRIGGER chatty;
});
$id = $node->safe_psql('postgres', "SELECT bucardo.clone(tables => 'big', dbs => 'alpha, beta', streams => 1)");
is(wait_clone($node, $id), 'done', 'a target that sends notices during the COPY is fine');
is($node->safe_psql('dst', 'SELECT count(*) FROM big'), $rows, 'every row arrived');

$node->stop;
done_testing();
