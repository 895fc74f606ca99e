# The non-superuser model: roles pgclone_admin (registry, grants, every clone) and pgclone_user (clones
# with the databases granted to it, its own only); a clone requested by a role that is not a superuser
# connects only with a password of its connection string, never with the server's identity (trust);
# connection strings are for administrators' eyes; passwords never reach errors, the log or
# pg_stat_activity.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use PgCloneTest;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = clone_node(
	# The remote role cloner logs in with a password; everyone else as the tests' cluster does (trust).
	before_start => sub { prepend_hba($_[0], 'local all cloner scram-sha-256') });
my $secret = 'secret-pw-42';
my $wrong  = 'wrong-pw-99';

$node->safe_psql('postgres', qq{
CREATE ROLE cloner LOGIN PASSWORD '$secret';
CREATE ROLE alice LOGIN IN ROLE pgclone_user;
CREATE ROLE bob LOGIN IN ROLE pgclone_user;
CREATE ROLE carol LOGIN IN ROLE pgclone_admin;
CREATE ROLE nobody LOGIN;
});
$node->safe_psql('src', 'GRANT SELECT ON foo, bar TO cloner');
$node->safe_psql('dst', 'ALTER TABLE foo OWNER TO cloner; ALTER TABLE bar OWNER TO cloner');
my $source_rows   = contents($node, 'src');
my $target_before = contents($node, 'dst');

sub as
{
	my ($role, $sql) = @_;
	my ($ret, $out, $err) = $node->psql('postgres', "SET ROLE $role; $sql");
	return $ret == 0 ? $out : "ERROR: $err";
}

# Administrators register databases and grant them; users cannot.
like(as('alice', "SELECT bucardo.add_db('x', 'dbname=src')"), qr/permission denied/, 'a user cannot register a database');
like(as('nobody', "SELECT bucardo.clone(tables => 'foo', dbs => 'alpha, beta')"), qr/permission denied/,
	'a role without pgclone_user cannot clone');
is(as('carol', "SELECT bucardo.add_db('alpha_pw', 'dbname=src user=cloner password=$secret')"), 'alpha_pw',
	'an administrator registers a database');
as('carol', "SELECT bucardo.add_db('beta_pw', 'dbname=dst user=cloner password=$secret')");
as('carol', "SELECT bucardo.add_db('beta_bad', 'dbname=dst user=cloner password=$wrong')");
as('carol', "SELECT bucardo.add_db('beta_trust', 'dbname=dst user=postgres password=$wrong')");
for my $grant ("'alpha_pw', 'alice', 'source'", "'beta_pw', 'alice', 'target'", "'alpha', 'alice', 'source'",
	"'beta', 'alice', 'target'", "'beta_bad', 'alice', 'target'", "'beta_trust', 'alice', 'target'")
{
	as('carol', "SELECT bucardo.grant_db($grant)");
}
like(as('alice', "SELECT bucardo.grant_db('beta_pw', 'bob', 'target')"), qr/permission denied/,
	'a user cannot grant');

# Connection strings are for administrators.
like(as('alice', 'SELECT conninfo FROM bucardo.db'), qr/permission denied/, 'a user cannot read connection strings');
like(as('alice', "SELECT string_agg(name, ',' ORDER BY name) FROM bucardo.db"), qr/alpha_pw/,
	'but sees the databases\' names');
like(as('carol', "SELECT count(*) FROM bucardo.db WHERE conninfo LIKE '%password%'"), qr/^4$/,
	'an administrator reads them');

# A user clones with what was granted, connecting with the password of the connection string.
my $id = as('alice', "SELECT bucardo.clone(tables => 'foo, bar', dbs => 'alpha_pw, beta_pw')");
like($id, qr/^\d+$/, 'a user requests a clone with granted databases');
is(as('alice', "SELECT bucardo.clone_wait($id, '60 s')"), 'done', 'and waits for it: it is done');
is(as('alice', "SELECT count(*) FROM bucardo.clone_progress WHERE clone_id <> $id"), '0',
	'the progress view shows a user nothing of others');
is(contents($node, 'dst'), $source_rows, 'the target has the source rows');
is($node->safe_psql('postgres', "SELECT requested_by FROM bucardo.clone WHERE id = $id"), 'alice',
	'the clone records who asked for it');

# Not granted: refused at call time, nothing queued.
like(as('alice', "SELECT bucardo.clone(tables => 'foo', dbs => 'alpha_pw, gamma_none')"), qr/does not exist|may not use/,
	'an unknown database is refused');
as('carol', "SELECT bucardo.add_db('gamma', 'dbname=dst user=cloner password=$secret')");
like(as('alice', "SELECT bucardo.clone(tables => 'foo', dbs => 'alpha_pw, gamma')"),
	qr/role "alice" may not use database "gamma" as a target/, 'a database not granted is refused, named');

# The server's own identity (trust) is never lent to a user's clone.
$node->safe_psql('dst', 'TRUNCATE foo, bar; INSERT INTO foo VALUES (1, \'kept\')');
my $kept = contents($node, 'dst');
$id = as('alice', "SELECT bucardo.clone(tables => 'foo, bar', dbs => 'alpha, beta')");
is(wait_clone($node, $id), 'failed', 'a user\'s clone through a connection string without password fails');
like(clone_field($node, $id, 'error'), qr/holds no password, and the clone's role is not a superuser/,
	'saying why');
$id = as('alice', "SELECT bucardo.clone(tables => 'foo, bar', dbs => 'alpha_pw, beta_trust')");
is(wait_clone($node, $id), 'failed', 'a password the server never asked for (trust) does not do either');
like(clone_field($node, $id, 'error'), qr/did not ask for the password/, 'saying why');
is(contents($node, 'dst'), $kept, 'the target is unchanged');

# Nor through the server's own .pgpass: it serves a superuser's clone, never a user's.
my $pgpass = "$ENV{HOME}/.pgpass";
open(my $pf, '>', $pgpass) or die "could not write $pgpass: $!";
print $pf "*:*:*:cloner:$secret\n";
close $pf;
chmod 0600, $pgpass;
as('carol', "SELECT bucardo.add_db('beta_pgpass', 'dbname=dst user=cloner')");
as('carol', "SELECT bucardo.grant_db('beta_pgpass', 'alice', 'target')");
$id = $node->safe_psql('postgres', "SELECT bucardo.clone(tables => 'foo, bar', dbs => 'alpha_pw, beta_pgpass')");
is(wait_clone($node, $id), 'done', 'a superuser\'s clone logs in with the server\'s .pgpass');
$node->safe_psql('dst', 'TRUNCATE foo, bar; INSERT INTO foo VALUES (1, \'kept\')');
$id = as('alice', "SELECT bucardo.clone(tables => 'foo, bar', dbs => 'alpha_pw, beta_pgpass')");
is(wait_clone($node, $id), 'failed', 'a user\'s clone through the same connection string fails');
like(clone_field($node, $id, 'error'), qr/holds no password/, 'the server\'s .pgpass is not lent to it');
is(contents($node, 'dst'), $kept, 'the target is unchanged');
unlink $pgpass;

# A user mapping (the role's own credentials) logs in instead of the connection string's identity.
is(as('alice', "SELECT bucardo.set_mapping('alpha', 'cloner', '$secret')"), 'alpha', 'a user maps their own credentials');
as('alice', "SELECT bucardo.set_mapping('beta', 'cloner', '$secret')");
$id = as('alice', "SELECT bucardo.clone(tables => 'foo, bar', dbs => 'alpha, beta')");
is(wait_clone($node, $id), 'done', 'with them, the clone through the password-less connection strings is done');
is(contents($node, 'dst'), $source_rows, 'the target has the source rows');
is(as('bob', 'SELECT count(*) FROM bucardo.db_mapping'), '0', 'another user sees no one else\'s mapping');
like(as('bob', "SELECT bucardo.set_mapping('alpha', 'cloner', 'x', 'alice')"), qr/row-level security/,
	'nor sets one for someone else');
is(as('carol', "SELECT count(*) FROM bucardo.db_mapping WHERE role = 'alice'"), '2', 'an administrator sees them');
as('alice', "SELECT bucardo.remove_mapping('alpha'), bucardo.remove_mapping('beta')");
$node->safe_psql('dst', 'TRUNCATE foo, bar; INSERT INTO foo VALUES (1, \'kept\')');

# A wrong password fails without showing it anywhere.
$id = as('alice', "SELECT bucardo.clone(tables => 'foo, bar', dbs => 'alpha_pw, beta_bad')");
is(wait_clone($node, $id), 'failed', 'a wrong password fails the clone');
unlike(clone_field($node, $id, 'error') . clone_field($node, $id, 'summary'), qr/\Q$wrong\E/,
	'its error does not show the password');
# (The log holds this test's own statements, which name the passwords: those lines are left out.)
my @leaks = grep { !/019_security\.pl/ && /\Q$wrong\E|\Q$secret\E/ } split /\n/, slurp_file($node->logfile);
is(scalar(@leaks), 0, 'pg_clone wrote no password to the server log') or diag(join("\n", @leaks));
is($node->safe_psql('postgres',
		"SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%$secret%' OR query LIKE '%$wrong%'"),
	'1', 'none in pg_stat_activity but this query');

# Each user sees and cancels only their own clones; administrators see all.
my $queued = as('alice', "SELECT bucardo.clone(tables => 'foo', dbs => 'alpha_pw, beta_pw', start => '1 hour')");
is(as('bob', "SELECT count(*) FROM bucardo.clone"), '0', 'another user sees none of them');
like(as('bob', "SELECT bucardo.clone_cancel($queued)"), qr/does not exist/, 'and cannot cancel them');
is(as('alice', "SELECT status FROM bucardo.clone WHERE id = $queued"), 'queued', 'the clone is untouched');
ok(as('carol', 'SELECT count(*) FROM bucardo.clone') >= 5, 'an administrator sees every clone');
is(as('alice', "SELECT bucardo.clone_cancel($queued)"), 't', 'its owner cancels it');
is(as('bob', 'SELECT count(*) FROM bucardo.clone_table'), '0', 'per-table results are private too');

# Revoked grants hold from then on, for clones already queued too.
$queued = as('alice', "SELECT bucardo.clone(tables => 'foo', dbs => 'alpha_pw, beta_pw', start => '2 s')");
as('carol', "SELECT bucardo.revoke_db('beta_pw', 'alice')");
is(wait_clone($node, $queued), 'failed', 'a queued clone whose grant was revoked fails when it starts');
like(clone_field($node, $queued, 'error'), qr/may not use database "beta_pw"/, 'naming the grant');

$node->stop;
done_testing();
