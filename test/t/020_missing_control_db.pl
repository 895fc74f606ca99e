# A control database that does not exist (pg_clone.database naming none): logged once, with a HINT, and
# looked for again every pg_clone.naptime, instead of a launcher that fails and is restarted every 5 s.
# Once the database is created, the launcher connects and clones run.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use PgCloneTest;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = start_node('nodb', preload_conf('ctl') . q{pg_clone.naptime = 1
max_prepared_transactions = 5
});

ok($node->wait_for_log(qr/pg_clone: control database "ctl" does not exist/), 'the missing control database is logged');
like(slurp_file($node->logfile), qr/HINT:  Create it and run CREATE EXTENSION pg_clone there/, 'with a HINT');
sleep 7;    # longer than the postmaster's restart interval of a failed launcher
my $log = slurp_file($node->logfile);
my @said = $log =~ /control database "ctl" does not exist/g;
is(scalar(@said), 1, 'it is said once');
unlike($log, qr/FATAL:  database "ctl" does not exist/, 'no launcher fails on it');
unlike($log, qr/background worker "pg_clone launcher" .*exited with exit code 1/, 'no launcher is restarted');

$node->safe_psql('postgres', 'CREATE DATABASE ctl; CREATE DATABASE src; CREATE DATABASE dst');
$node->safe_psql('ctl', 'CREATE EXTENSION pg_clone');
wait_sessions($node, 'postgres', 1, "backend_type = 'pg_clone launcher' AND datname = 'ctl'",
	'once it exists, the launcher connects to it');
$node->safe_psql('src', "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t SELECT generate_series(1, 100)");
$node->safe_psql('dst', 'CREATE TABLE t (id int PRIMARY KEY)');
my $id = $node->safe_psql('ctl',
	"SELECT bucardo.add_db('a', 'dbname=src'), bucardo.add_db('b', 'dbname=dst');"
	  . " SELECT bucardo.clone(tables => 't', dbs => 'a, b')");
($id) = reverse split /\n/, $id;
is($node->safe_psql('ctl', "SELECT bucardo.clone_wait($id, '60 s')"), 'done', 'and a clone runs');
is($node->safe_psql('dst', 'SELECT count(*) FROM t'), '100', 'the target has the rows');

$node->stop;
done_testing();
