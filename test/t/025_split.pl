# pg_clone.split_min_size: one big table read in ctid ranges by several streams, each slice written by
# its stream's own target sessions into the same target table, all committed as one (two-phase).
#  (1) into an empty target table (the seeding case): split into 4 slices, read by 4 source sessions
#      (the source's log shows each slice's COPY from its own backend), with verify and a row filter;
#  (2) empty => 'delete' into a target holding rows, table without unique index: split;
#      the same with a primary key: not split, and the summary says why;
#  (3) a target holding rows, empty => 'truncate' (the default): not split, the summary says why;
#  (4) pg_clone.two_phase = off: not split, the summary says why;
#  (5) a row that a CHECK constraint of the target rejects in the last slice: the clone fails and the
#      target is unchanged;
#  (6) bucardo.clone_progress shows one row for the split table, 'copying' until its last slice is done;
#  (7) two targets: each slice goes into both; without enough prepared-transaction slots for the
#      extra sessions, no two-phase commit and no split, and the summary says why;
#  (8) target_names: split into a table under another name.
# Each time the target's rows equal the source's exactly (count and ordered md5).
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use PgCloneTest;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = clone_node(conf => qq{pg_clone.max_streams = 4
pg_clone.split_min_size = '1MB'
log_statement = 'all'
});

# big: a primary key; heap: none. About 5 MB each on the source.
my $rows = 40000;
for my $table ('big', 'heap')
{
	my $key = $table eq 'big' ? ' PRIMARY KEY' : '';
	$node->safe_psql($_, "CREATE TABLE $table (id int$key, t text)") for 'src', 'dst';
	$node->safe_psql('src', "INSERT INTO $table SELECT g, repeat(md5(g::text), 3) FROM generate_series(1, $rows) g");
}
$node->safe_psql('src', 'VACUUM ANALYZE big, heap');

sub clone_of
{
	my ($table, $extra) = @_;
	my $offset = -s $node->logfile;
	my $id = $node->safe_psql('postgres',
		"SELECT bucardo.clone(tables => 'public.$table', dbs => 'alpha, beta', streams => 4" . ($extra // '') . ')');
	my $status = wait_clone($node, $id);
	return ($id, $status, $offset);
}

sub same_rows
{
	my ($table, $what, $where) = @_;
	my $filter = $where ? " WHERE $where" : '';
	is( $node->safe_psql('dst', PgCloneTest::fingerprint_sql($table)),
		$node->safe_psql('src', PgCloneTest::fingerprint_sql("(SELECT * FROM $table$filter) s")),
		"$what: the target's rows are the source's");
}

# The distinct backends that read a slice of $table on the source since $offset.
sub slice_readers
{
	my ($table, $offset) = @_;
	my $log = slurp_file($node->logfile, $offset);
	my %pids;
	$pids{$1}++ while $log =~ /\[(\d+)\][^\n]*: COPY \(SELECT [^\n]* FROM ONLY "public"\."$table" WHERE ctid/g;
	return scalar keys %pids;
}

sub summary { return clone_field($node, $_[0], 'summary'); }

# (1) Seeding: the target table is empty, so it needs no TRUNCATE.
{
	my $what = 'empty target';
	my ($id, $status, $offset) = clone_of('big', q{, verify => true, filters => '{"public.big": "id % 10 <> 3"}'});
	is($status, 'done', "$what: done") or diag(clone_field($node, $id, 'error'));
	like(summary($id), qr/note: public\.big \(\d+ [kM]B\) split into 4 slices read by 4 streams/,
		"$what: the summary says the table was split");
	same_rows('big', $what, 'id % 10 <> 3');
	is(slice_readers('big', $offset), 4, "$what: four source sessions each read a slice");
	is( $node->safe_psql('postgres',
			"SELECT count(*) || ' ' || sum(rows) || ' ' || min(emptied) FROM bucardo.clone_table WHERE clone_id = $id"),
		"1 36000 none", "$what: one clone_table row, the slices' rows summed, nothing emptied");
	is($node->safe_psql('dst', "SELECT reltuples::int > 30000 FROM pg_class WHERE relname = 'big'"),
		't', "$what: analyzed with every slice's rows");
}

# (2) empty => 'delete' into a target holding rows: split where no unique index makes new rows wait
# for the deleted ones.
{
	my $what = "empty => 'delete'";
	$node->safe_psql('dst', "INSERT INTO heap SELECT g, 'old' FROM generate_series(1, 500) g");
	my ($id, $status, $offset) = clone_of('heap', q{, empty => 'delete', verify => true});
	is($status, 'done', "$what: done") or diag(clone_field($node, $id, 'error'));
	like(summary($id), qr/public\.heap \(\d+ [kM]B\) split into 4 slices/, "$what: split");
	same_rows('heap', $what);
	is(slice_readers('heap', $offset), 4, "$what: four source sessions each read a slice");
	is($node->safe_psql('postgres', "SELECT emptied FROM bucardo.clone_table WHERE clone_id = $id"),
		'delete', "$what: emptied by DELETE");

	$node->safe_psql('dst', "UPDATE big SET t = 'old' WHERE id < 100");
	($id, $status, $offset) = clone_of('big', q{, empty => 'delete'});
	is($status, 'done', "$what, primary key: done");
	like(summary($id), qr/public\.big \(\d+ [kM]B\) not split: the target table on beta has rows and a unique index/,
		"$what, primary key: not split, and why");
	same_rows('big', "$what, primary key");
	is(slice_readers('big', $offset), 0, "$what, primary key: no slice read");
}

# (3) A target holding rows, emptied by TRUNCATE: not split.
{
	my $what = 'truncate';
	$node->safe_psql('dst', "UPDATE big SET t = 'old' WHERE id < 100");
	my ($id, $status, $offset) = clone_of('big');
	is($status, 'done', "$what: done");
	like(summary($id), qr/public\.big \(\d+ [kM]B\) not split: the target table on beta has rows and empty => 'truncate'/,
		"$what: not split, and why");
	same_rows('big', $what);
	is(slice_readers('big', $offset), 0, "$what: no slice read");
}

# (4) Without two-phase commit each target is written through one session: not split.
{
	my $what = 'two_phase off';
	set_setting($node, 'pg_clone.two_phase', 'off');
	$node->safe_psql('dst', 'TRUNCATE big');
	my ($id, $status, $offset) = clone_of('big');
	is($status, 'done', "$what: done");
	like(summary($id), qr/public\.big \(\d+ [kM]B\) not split: no two-phase commit \(pg_clone\.two_phase = off\)/,
		"$what: not split, and why");
	same_rows('big', $what);
	is(slice_readers('big', $offset), 0, "$what: no slice read");
	set_setting($node, 'pg_clone.two_phase', undef);
}

# (5) One slice fails: the whole clone fails, and every slice's rows are rolled back.
{
	my $what = 'a slice fails';
	$node->safe_psql('dst', "DELETE FROM heap; INSERT INTO heap SELECT g, 'old' FROM generate_series(1, 500) g");
	$node->safe_psql('dst', "ALTER TABLE heap ADD CONSTRAINT no_39000 CHECK (id <> 39000)");
	my $before = $node->safe_psql('dst', PgCloneTest::fingerprint_sql('heap'));
	my ($id, $status) = clone_of('heap', q{, empty => 'delete'});
	is($status, 'failed', "$what: the clone failed");
	like(clone_field($node, $id, 'error'), qr/no_39000/, "$what: the error names the constraint");
	is($node->safe_psql('dst', PgCloneTest::fingerprint_sql('heap')), $before, "$what: the target is unchanged");
	is($node->safe_psql('dst', "SELECT count(*) FROM pg_prepared_xacts"), '0', "$what: no prepared transaction left");
}

# (6) Progress: one bucardo.clone_progress row for the split table, its rows adding up the slices',
# 'copying' until the last slice is done. A slow trigger holds the last slice back (ids above 39000).
{
	my $what = 'progress';
	$node->safe_psql('dst', q{
ALTER TABLE heap DROP CONSTRAINT no_39000;
CREATE FUNCTION slow_tail() RETURNS trigger LANGUAGE plpgsql AS
  $$BEGIN IF NEW.id > 39000 THEN PERFORM pg_sleep(0.003); END IF; RETURN NEW; END$$;
CREATE TRIGGER heap_slow BEFORE INSERT ON heap FOR EACH ROW EXECUTE FUNCTION slow_tail();
ALTER TABLE heap ENABLE ALWAYS TRIGGER heap_slow;
});
	my $id = $node->safe_psql('postgres',
		"SELECT bucardo.clone(tables => 'public.heap', dbs => 'alpha, beta', streams => 4, empty => 'delete')");
	ok( poll_until(
			$node, 'postgres',
			"SELECT count(*) = 1 AND bool_and(phase = 'copying' AND rows_copied >= 30000) FROM bucardo.clone_progress "
			  . "WHERE clone_id = $id AND table_name = 'public.heap'",
			't', 30),
		"$what: one row for the split table, 'copying' with the finished slices' rows");
	is(wait_clone($node, $id), 'done', "$what: done");
	like(summary($id), qr/public\.heap \(\d+ [kM]B\) split into 4 slices/, "$what: split");
	same_rows('heap', $what);
	is($node->safe_psql('postgres', "SELECT rows FROM bucardo.clone_table WHERE clone_id = $id"),
		$rows, "$what: clone_table has every slice's rows");
}

# (7) Two targets: every stream writes its slice into both. With 2 streams the 4 sessions fit the
# server's 5 prepared-transaction slots, and the table is split in 2; with 4 streams (8 sessions)
# they do not, so two-phase commit is not used, and the table is not split.
{
	my $what = 'two targets';
	$node->safe_psql('postgres', 'CREATE DATABASE dst2');
	$node->safe_psql('dst2', 'CREATE TABLE big (id int PRIMARY KEY, t text)');
	$node->safe_psql('postgres', add_db_sql([ 'gamma', 'dbname=dst2' ]));
	$node->safe_psql('dst', 'TRUNCATE big');
	my $offset = -s $node->logfile;
	my $id = $node->safe_psql('postgres',
		"SELECT bucardo.clone(tables => 'public.big', dbs => 'alpha, beta, gamma', streams => 2)");
	is(wait_clone($node, $id), 'done', "$what, 2 streams: done") or diag(clone_field($node, $id, 'error'));
	like(summary($id), qr/public\.big \(\d+ [kM]B\) split into 2 slices read by 2 streams/, "$what, 2 streams: split");
	is(slice_readers('big', $offset), 2, "$what, 2 streams: two source sessions each read a slice");
	my $want = $node->safe_psql('src', PgCloneTest::fingerprint_sql('big'));
	is($node->safe_psql($_, PgCloneTest::fingerprint_sql('big')), $want, "$what, 2 streams: $_ has the source's rows")
	  for 'dst', 'dst2';
	is($node->safe_psql('postgres', "SELECT string_agg(db || ' ' || rows, ', ' ORDER BY db) FROM bucardo.clone_table WHERE clone_id = $id"),
		"beta $rows, gamma $rows", "$what, 2 streams: one clone_table row per target");

	$node->safe_psql($_, 'TRUNCATE big') for 'dst', 'dst2';
	$offset = -s $node->logfile;
	$id = $node->safe_psql('postgres',
		"SELECT bucardo.clone(tables => 'public.big', dbs => 'alpha, beta, gamma', streams => 4)");
	is(wait_clone($node, $id), 'done', "$what, 4 streams: done");
	like(summary($id), qr/public\.big \(\d+ [kM]B\) not split: no two-phase commit \(.*max_prepared_transactions is 5/,
		"$what, 4 streams: not split, for want of prepared-transaction slots");
	is(slice_readers('big', $offset), 0, "$what, 4 streams: no slice read");
	is($node->safe_psql($_, PgCloneTest::fingerprint_sql('big')), $want, "$what, 4 streams: $_ has the source's rows")
	  for 'dst', 'dst2';
}

# (8) target_names: the split table is written under its target name (the emptiness and the lock
#     checks read that table, not the source's name, which the target lacks).
{
	my $what = 'target name';
	# solo: on the source only; the target has it as arch.solo2.
	$node->safe_psql('src', "CREATE TABLE solo AS SELECT * FROM heap");
	$node->safe_psql('src', 'VACUUM ANALYZE solo');
	$node->safe_psql('dst', 'CREATE SCHEMA arch; CREATE TABLE arch.solo2 (id int, t text)');
	my ($id, $status, $offset) = clone_of('solo', q{, target_names => '{"public.solo": "arch.solo2"}'});
	is($status, 'done', "$what: done") or diag(clone_field($node, $id, 'error'));
	like(summary($id), qr/note: public\.solo → arch\.solo2; note: public\.solo \(\d+ [kM]B\) split into 4 slices/,
		"$what: split, under the target name") or diag(summary($id));
	is(slice_readers('solo', $offset), 4, "$what: four source sessions each read a slice");
	is( $node->safe_psql('dst', PgCloneTest::fingerprint_sql('arch.solo2')),
		$node->safe_psql('src', PgCloneTest::fingerprint_sql('solo')),
		"$what: arch.solo2 holds the source's rows");
}

$node->stop;
done_testing();
