# pg_clone when the launcher cannot LISTEN: pg_hba.conf refuses its libpq connection. The server log
# says why, and clones are still picked up by polling (pg_clone.naptime) and complete.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
my $host = $node->host;
my $port = $node->port;
$node->append_conf(
	'postgresql.conf', qq{
shared_preload_libraries = 'pg_clone'
pg_clone.database = 'postgres'
pg_clone.naptime = 1
pg_clone.listen_conninfo = 'host=''$host'' port=$port dbname=postgres user=nolisten'
});

# Refuse the role the launcher listens as, before the usual trust lines: the test's own connections
# and the clone worker's (as the bootstrap superuser, the OS user) still get in.
my $hba_file = $node->data_dir . '/pg_hba.conf';
my $hba      = slurp_file($hba_file);
open my $fh, '>', $hba_file or die "could not write $hba_file: $!";
print $fh "local all nolisten reject\n", $hba;
close $fh;

$node->start;

# The role exists and may log in: only pg_hba.conf stands in the way.
$node->safe_psql('postgres', 'CREATE ROLE nolisten LOGIN SUPERUSER');

my $offset = $node->wait_for_log(qr/pg_clone launcher: could not listen for requests/);
my $log = slurp_file($node->logfile);
like(
	$log,
	qr/LOG:  pg_clone launcher: could not listen for requests on database "postgres": [^\n]*pg_hba\.conf rejects connection for host "\[local\]", user "nolisten"/,
	'the log says the launcher could not listen, and why');
like($log, qr/pg_clone\.naptime/, 'the log says requests are polled instead');

$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql('postgres', 'CREATE DATABASE dst');
$node->safe_psql('src',
	'CREATE TABLE foo (id int PRIMARY KEY, t text); '
	  . "INSERT INTO foo SELECT g, 'src ' || g FROM generate_series(1, 500) g");
$node->safe_psql('dst', 'CREATE TABLE foo (id int PRIMARY KEY, t text); '
	  . "INSERT INTO foo VALUES (-1, 'old')");
$node->safe_psql(
	'postgres', q{
CREATE EXTENSION pg_clone;
SELECT bucardo.add_db('alpha', 'dbname=src');
SELECT bucardo.add_db('beta', 'dbname=dst');
});

my $id = $node->safe_psql('postgres',
	"SELECT bucardo.clone(tables => 'foo', dbs => 'alpha:source,beta:target')");
is($node->safe_psql('postgres', "SELECT bucardo.clone_wait($id, '60 s')"),
	'done', 'the clone completes without the LISTEN connection');

my $fingerprint =
  q{SELECT count(*) || ' ' || md5(string_agg(id || ':' || t, ',' ORDER BY id)) FROM foo};
is($node->safe_psql('dst', $fingerprint),
	$node->safe_psql('src', $fingerprint),
	'the target has the source rows');
is($node->safe_psql('dst', 'SELECT count(*) FROM foo WHERE id = -1'),
	'0', 'the target\'s old rows are gone');

# Nothing ever listened: the refusal was not a passing failure.
unlike(
	slurp_file($node->logfile),
	qr/pg_clone launcher: listening for requests again/,
	'the launcher never managed to listen');

$node->stop;
done_testing();
