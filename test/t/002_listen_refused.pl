# pg_clone when the launcher cannot LISTEN: pg_hba.conf refuses its libpq connection. The server log
# says why, and clones are still picked up by polling (pg_clone.naptime) and complete.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use PgCloneTest;
use PostgreSQL::Test::Utils;
use Test::More;

# The launcher listens as the role nolisten, which pg_hba.conf refuses before the usual trust lines:
# the test's own connections and the clone worker's (as the OS user) still get in.
my $node = clone_node(
	conf => "pg_clone.naptime = 1\n",
	before_start => sub {
		my ($node) = @_;
		my ($host, $port) = ($node->host, $node->port);
		$node->append_conf('postgresql.conf',
			"pg_clone.listen_conninfo = 'host=''$host'' port=$port dbname=postgres user=nolisten'\n");
		prepend_hba($node, 'local all nolisten reject');
	});

# The role exists and may log in: only pg_hba.conf stands in the way.
$node->safe_psql('postgres', 'CREATE ROLE nolisten LOGIN SUPERUSER');

my $offset = $node->wait_for_log(qr/pg_clone launcher: could not listen for requests/);
my $log = slurp_file($node->logfile);
like(
	$log,
	qr/LOG:  pg_clone launcher: could not listen for requests on database "postgres": [^\n]*pg_hba\.conf rejects connection for host "\[local\]", user "nolisten"/,
	'the log says the launcher could not listen, and why');
like($log, qr/pg_clone\.naptime/, 'the log says requests are polled instead');

my $id = request_clone($node);
is(wait_clone($node, $id),
	'done', 'the clone completes without the LISTEN connection');

is(contents($node, 'dst'), contents($node, 'src'),
	'the target has the source rows');
is($node->safe_psql('dst', q{SELECT count(*) FROM foo WHERE t LIKE 'old %'}),
	'0', 'the target\'s old rows are gone');

# Nothing ever listened: the refusal was not a passing failure.
unlike(
	slurp_file($node->logfile),
	qr/pg_clone launcher: listening for requests again/,
	'the launcher never managed to listen');

$node->stop;
done_testing();
