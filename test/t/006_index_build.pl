# Large target tables get their indexes built after their rows (pg_clone.build_indexes_after): the
# clone marks them not ready during the COPY and REINDEXes them before the commit. What must hold:
#  (a) the target's schema is byte for byte what it was (pg_dump --schema-only), with a foreign key
#      pointing at the table, an index left invalid by a failed CREATE INDEX CONCURRENTLY, a clustered
#      index, a replica identity index and comments;
#  (b) the rebuilt indexes match the rows (amcheck) and are ready and valid;
#  (c) duplicate keys fail the clone, naming the table, and leave the target and its indexes as they were;
#  (d) with the setting off, indexes are kept up to date row by row and the result is the same;
#  (e) a stream whose copies are done builds its tables' indexes (with pg_clone.maintenance_work_mem) and
#      analyzes them while another stream still copies, not after every stream's copy.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use PgCloneTest;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = clone_node(conf => "log_statement = 'all'\n");

$node->safe_psql('src', q{
CREATE TABLE big (id int8, label text, amount numeric, note text);
INSERT INTO big SELECT g, 'item-' || g, g / 100.0, md5(g::text) || md5((g + 1)::text)
  FROM generate_series(1, 80000) g;
CREATE TABLE child (big_id int8);
});
$node->safe_psql('dst', q{
CREATE EXTENSION amcheck;
CREATE TABLE big (id int8 PRIMARY KEY, label text NOT NULL, amount numeric, note text);
CREATE UNIQUE INDEX big_label ON big (label);
CREATE INDEX big_lower ON big (lower(label)) WHERE amount > 10;
COMMENT ON INDEX big_label IS 'one label per row';
ALTER TABLE big CLUSTER ON big_pkey;
ALTER TABLE big REPLICA IDENTITY USING INDEX big_label;
CREATE TABLE child (big_id int8 REFERENCES big (id));
INSERT INTO big VALUES (1, 'old', 1, 'old'), (2, 'old 2', 1, 'old');
INSERT INTO child VALUES (1);
});
# An index that a failed CREATE INDEX CONCURRENTLY left invalid stays invalid.
$node->psql('dst', 'CREATE UNIQUE INDEX CONCURRENTLY big_amount ON big (amount)');
my $invalid_state = q{SELECT indisvalid || '/' || indisready FROM pg_index WHERE indexrelid = 'big_amount'::regclass};
my $invalid_before = $node->safe_psql('dst', $invalid_state);
like($invalid_before, qr{^false/}, 'big_amount is invalid before the clone');
$node->safe_psql('dst', 'DELETE FROM child');

my $schema_before = schema_dump($node, 'dst');

my $offset = -s $node->logfile;
my $id = $node->safe_psql('postgres', "SELECT bucardo.clone(tables => 'big, child', dbs => 'alpha, beta')");
is(wait_clone($node, $id), 'done', 'the clone of big is done');
my $log = slurp_file($node->logfile, $offset);
like($log, qr/UPDATE pg_catalog\.pg_index SET indisready = false/, 'the indexes were set aside during the copy');
like($log, qr/REINDEX INDEX public\.big_pkey/, 'and built after it');
unlike($log, qr/REINDEX INDEX public\.big_amount/, 'the invalid index was left alone');

is(schema_dump($node, 'dst'), $schema_before, 'pg_dump --schema-only is the same before and after');
is($node->safe_psql('dst', 'SELECT count(*), count(DISTINCT id), min(id), max(id) FROM big'),
	'80000|80000|1|80000', 'the target has the source rows');
is( $node->safe_psql(
		'dst', q{SELECT string_agg(c.relname || ':' || i.indisvalid || '/' || i.indisready, ' ' ORDER BY c.relname)
                   FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                  WHERE i.indrelid = 'big'::regclass AND c.relname <> 'big_amount'}),
	'big_label:true/true big_lower:true/true big_pkey:true/true', 'the rebuilt indexes are valid and ready');
is($node->safe_psql('dst', $invalid_state), $invalid_before, 'the invalid index is as it was');
$node->safe_psql('dst', q{
SELECT bt_index_check('big_pkey', true), bt_index_check('big_label', true), bt_index_check('big_lower', true);
});
pass('amcheck finds every row in every rebuilt index');
is($node->safe_psql('dst', q{SET enable_seqscan = off; SELECT label FROM big WHERE id = 4242}),
	'item-4242', 'the primary key finds a row');

# (c) Duplicate keys: the rebuild fails, the clone fails naming the table, nothing changes.
$node->safe_psql('src', q{INSERT INTO big VALUES (77, 'duplicate id', 0, 'x')});
my $target_before = $node->safe_psql('dst', 'SELECT count(*), sum(id) FROM big');
$id = $node->safe_psql('postgres', "SELECT bucardo.clone(tables => 'big, child', dbs => 'alpha, beta')");
is(wait_clone($node, $id), 'failed', 'a clone with a duplicate key fails');
like(clone_field($node, $id, 'error'), qr/database "beta", table public\.big: could not create unique index "big_pkey"/,
	'its error names the table and the index');
like(clone_field($node, $id, 'error'), qr/Key \(id\)=\(77\) is duplicated/, 'and the key');
is($node->safe_psql('dst', 'SELECT count(*), sum(id) FROM big'), $target_before, 'the target is unchanged');
is(schema_dump($node, 'dst'), $schema_before, 'and so is its schema');

# (e) Two streams: big (10 MB, with child) in one, wide (25 MB, throttled with the rest by max_rate) in the other.
# big's stream builds and analyzes as soon as its copy is in: both end (the log's durations are written
# when a statement ends) before wide's COPY does.
$node->safe_psql('src', q{DELETE FROM big WHERE label = 'duplicate id'});
$node->safe_psql('src', q{
CREATE TABLE wide (id int8, note text);
INSERT INTO wide SELECT g, repeat(md5(g::text), 3) FROM generate_series(1, 200000) g;
});
$node->safe_psql('dst', 'CREATE TABLE wide (id int8 PRIMARY KEY, note text)');
# Every statement logged as it ends, with its text (log_statement would log it as it starts, and leave
# it out of the duration line).
set_setting($node, 'log_statement', 'none');
set_setting($node, 'log_min_duration_statement', '0');
set_setting($node, 'pg_clone.maintenance_work_mem', '32MB');
$offset = -s $node->logfile;
$id = $node->safe_psql('postgres',
	"SELECT bucardo.clone(tables => 'big, child, wide', dbs => 'alpha, beta', streams => 2, max_rate => '8MB')");
is(wait_clone($node, $id), 'done', 'the clone of big and wide over two streams is done');
$log = slurp_file($node->logfile, $offset);
my $position = sub {
	my ($re) = @_;
	return $log =~ $re ? $-[0] : -1;
};
my $built = $position->(qr/duration: [0-9.]+ ms +(?:statement|execute <unnamed>): REINDEX INDEX public\.big_pkey/);
my $analyzed = $position->(qr/duration: [0-9.]+ ms +statement: ANALYZE "public"\."big"/);
my $wide_in = $position->(qr/duration: [0-9.]+ ms +(?:statement|execute <unnamed>): COPY "public"\."wide".*FROM STDIN/);
ok($built >= 0 && $analyzed >= 0 && $wide_in >= 0, 'the log has the build, the ANALYZE and the copy of wide')
  or diag("built $built, analyzed $analyzed, wide copied $wide_in");
ok($built < $wide_in && $analyzed < $wide_in, 'big was built and analyzed while wide was still being copied');
like($log, qr/SET LOCAL maintenance_work_mem = '32768kB'/, 'the build ran with pg_clone.maintenance_work_mem');
like($log, qr/SET LOCAL max_parallel_maintenance_workers = 0/, 'and without parallel workers, another stream being busy');
is($node->safe_psql('dst', 'SELECT count(*), count(DISTINCT id) FROM wide'), '200000|200000', 'wide has its rows');
is($node->safe_psql('dst', q{SELECT reltuples FROM pg_class WHERE relname = 'big'}), '80000', 'big was analyzed');
set_setting($node, 'log_min_duration_statement', undef);
set_setting($node, 'log_statement', 'all');
set_setting($node, 'pg_clone.maintenance_work_mem', undef);
$node->safe_psql('src', 'DROP TABLE wide');
$node->safe_psql('dst', 'DROP TABLE wide');

# (d) Row by row when the setting is off: the same rows, no REINDEX.
$node->append_conf('postgresql.conf', "pg_clone.build_indexes_after = off\n");
$node->reload;
$offset = -s $node->logfile;
$id = $node->safe_psql('postgres', "SELECT bucardo.clone(tables => 'big, child', dbs => 'alpha, beta')");
is(wait_clone($node, $id), 'done', 'the clone with the setting off is done');
unlike(slurp_file($node->logfile, $offset), qr/UPDATE pg_catalog\.pg_index|REINDEX INDEX/, 'no index was set aside');
is($node->safe_psql('dst', 'SELECT count(*), count(DISTINCT id) FROM big'), '80000|80000', 'the target has the source rows');
is(schema_dump($node, 'dst'), $schema_before, 'the schema is the same');

$node->stop;
done_testing();
