# The pg_clone program against a real cluster: the registry verbs (add, list, remove), the seed's five
# clone forms in Bucardo's words, status (text and --json), wait, cancel, the exit statuses (0 done,
# 1 failed, 2 bad usage / no connection / refused, 3 cancelled, 4 not ended), the usage errors that
# name the key before anything is queued, psql's ways to connect (-h -p -U -d, a conninfo, a URI, PG*
# variables, .pgpass), Ctrl-C with and without --cancel-on-interrupt, and the progress line under a
# pseudo-terminal.
use strict;
use warnings;
no warnings 'qw';    # the clone words have commas: tables=foo,bar

use FindBin;
use lib $FindBin::RealBin;
use PgCloneTest;
use IO::Select;
use IO::Socket::UNIX;
use IPC::Run ();
use JSON::PP ();
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes ();

# authentication_timeout at its maximum: the password prompts below check that the program closes a
# failed first attempt itself, which the server must not do for it within the test's waits.
my $node = clone_node(name => 'cli', conf => "authentication_timeout = '10min'\n");
my ($host, $port) = ($node->host, $node->port);
my $timeout = $PostgreSQL::Test::Utils::timeout_default;

# myschema.bazzp for the seed's table lists; slow (the target sleeps 10 ms a row: 30 s in all) for
# the clones that are cancelled or timed out; slowish (1 ms a row: a few seconds) for the progress line.
$node->safe_psql('src', q{
CREATE SCHEMA myschema;
CREATE TABLE myschema.bazzp (id int PRIMARY KEY);
INSERT INTO myschema.bazzp SELECT generate_series(1, 50);
CREATE TABLE slow (id int PRIMARY KEY, v text);
INSERT INTO slow SELECT g, 'row ' || g FROM generate_series(1, 3000) g;
CREATE TABLE slowish (id int PRIMARY KEY, v text);
INSERT INTO slowish SELECT g, 'row ' || g FROM generate_series(1, 2000) g;
ANALYZE;
});
$node->safe_psql('dst', q{
CREATE SCHEMA myschema;
CREATE TABLE myschema.bazzp (id int PRIMARY KEY);
CREATE TABLE slow (id int PRIMARY KEY, v text);
CREATE TABLE slowish (id int PRIMARY KEY, v text);
CREATE FUNCTION slow_down() RETURNS trigger LANGUAGE plpgsql AS
  $$BEGIN PERFORM pg_sleep(CASE TG_TABLE_NAME WHEN 'slow' THEN 0.01 ELSE 0.001 END); RETURN NEW; END$$;
CREATE TRIGGER slow_slow BEFORE INSERT ON slow FOR EACH ROW EXECUTE FUNCTION slow_down();
ALTER TABLE slow ENABLE ALWAYS TRIGGER slow_slow;
CREATE TRIGGER slowish_slow BEFORE INSERT ON slowish FOR EACH ROW EXECUTE FUNCTION slow_down();
ALTER TABLE slowish ENABLE ALWAYS TRIGGER slowish_slow;
});

# Runs pg_clone with the node's -h and -p (unless $opts->{no_connection_options}); returns
# (exit status, stdout, stderr).
sub cli
{
	my (@args) = @_;
	my $opts = ref $args[0] eq 'HASH' ? shift @args : {};
	my @cmd = ('pg_clone', ($opts->{no_connection_options} ? () : ('-h', $host, '-p', $port)), @args);
	my ($out, $err) = ('', '');
	IPC::Run::run(\@cmd, '<', \undef, '>', \$out, '2>', \$err, IPC::Run::timeout($timeout));
	return ($? >> 8, $out, $err);
}

# Runs pg_clone and checks its exit status; returns (stdout, stderr).
sub cli_is
{
	my ($status, $args, $what) = @_;
	my ($rc, $out, $err) = cli(@$args);
	is($rc, $status, "$what: exit status $status") or diag("stdout: $out\nstderr: $err");
	return ($out, $err);
}

# The same; returns stdout alone.
sub out_of
{
	my ($out) = cli_is(@_);
	return $out;
}

# The id of the clone that --wait output is about (its first line: "clone 7 queued").
sub clone_id_in
{
	my ($out) = @_;
	my ($id) = $out =~ /^clone (\d+)/m;
	return $id // 'none';
}

sub clones { return $node->safe_psql('postgres', 'SELECT count(*) FROM bucardo.clone') }

sub status_of
{
	my ($id) = @_;
	return $node->safe_psql('postgres', "SELECT status FROM bucardo.clone WHERE id = $id");
}

# --help, --version
my $help = out_of(0, ['--help'], '--help');
like($help, qr/pg_clone \[OPTION\]\.\.\. clone KEY=VALUE/, '--help shows the clone verb');
like($help, qr/-d, --dbname=DBNAME/, '--help shows the connection options');
like(out_of(0, ['--version'], '--version'), qr/^pg_clone \(pg_clone\) \d+\.\d+$/m, '--version prints the version');

# The registry, in Bucardo's words.
like(out_of(0, [qw(add db gamma dbname=dst), 'application_name=cli test', 'password=it\'s'], 'add db with KEY=VALUE'),
	qr/^db "gamma" added$/m, 'add db says so');
is($node->safe_psql('postgres', "SELECT conninfo FROM bucardo.db WHERE name = 'gamma'"),
	q{dbname=dst application_name='cli test' password='it\'s'}, 'the words become one conninfo, quoted');
cli_is(0, [qw(add db delta), 'dbname=dst application_name=delta'], 'add db with one conninfo string');
cli_is(0, [qw(add db epsilon postgresql:///dst?application_name=epsilon)], 'add db with a URI');
my $dbs = out_of(0, [qw(list dbs)], 'list dbs');
like($dbs, qr/^ gamma\s+\| .*password=\*{8}/m, 'list dbs hides the password');
unlike($dbs, qr/it\\'s/, 'the password is not shown');
like($dbs, qr/^ delta\s+\| dbname=dst application_name=delta$/m, 'list dbs shows the conninfo string');
like($dbs, qr/^\(5 rows\)$/m, 'list dbs shows every database');

cli_is(0, [qw(add dbgroup baz alpha:source beta:target)], 'add dbgroup');
cli_is(0, [qw(add relgroup foobar foo bar myschema.bazzp)], 'add relgroup');
cli_is(0, [qw(add sync foobar relgroup=foobar dbgroup=baz)], 'add sync');
like(out_of(0, [qw(list dbgroups)], 'list dbgroups'), qr/^ baz\s+\| alpha:source,beta:target$/m,
	'list dbgroups shows the roles in order');
like(out_of(0, [qw(list relgroups)], 'list relgroups'), qr/^ foobar\s+\| foo,bar,myschema\.bazzp$/m,
	'list relgroups shows the tables in order');
my $syncs = JSON::PP::decode_json(out_of(0, [qw(list syncs --json)], 'list syncs --json'));
is_deeply($syncs, [ { name => 'foobar', relgroup => 'foobar', dbgroup => 'baz' } ], 'list syncs --json');

my ($out, $err) = cli_is(2, [qw(add db gamma dbname=dst)], 'add db of a name taken');
like($err, qr/^pg_clone: error: database "gamma" already exists$/m, 'the server says why');
($out, $err) = cli_is(2, [qw(add db zeta dbname=dst bogus=1)], 'add db with a bad keyword');
like($err, qr/^pg_clone: error: invalid connection string: .*"bogus"/m, 'the server checks the keywords');
like($err, qr/^pg_clone: hint: /m, 'and gives its hint');
($out, $err) = cli_is(2, [qw(remove db alpha)], 'remove a db still used');
like($err, qr/^pg_clone: error: database "alpha" is used by dbgroup baz$/m, 'remove says what uses it');
like($err, qr/^pg_clone: hint: Remove those dbgroups first\.$/m, 'with the hint');
cli_is(2, [qw(remove db delta nosuch)], 'remove of two names, one unknown');
like($node->safe_psql('postgres', "SELECT count(*) FROM bucardo.db WHERE name = 'delta'"), qr/^1$/,
	'removes nothing');
like(out_of(0, [qw(remove db delta epsilon)], 'remove two dbs'), qr/^db "delta" removed\ndb "epsilon" removed$/m,
	'remove says what it removed');

# Usage errors name the key, exit 2, and queue nothing.
my $before = clones();
for my $case (
	[ [qw(clone sync=foobar colour=red)],          qr/clone: unknown key "colour"/ ],
	[ [qw(clone sync=foobar sync=foobar)],         qr/clone: key "sync" is given twice/ ],
	[ [qw(clone tables= dbgroup=baz)],             qr/clone: key "tables" needs a value/ ],
	[ [qw(clone sync=foobar relgroup=foobar)],     qr/clone: keys "sync" and "relgroup" conflict/ ],
	[ [qw(clone tables=foo dbgroup=baz dbs=alpha,beta)], qr/clone: keys "dbgroup" and "dbs" conflict/ ],
	[ [qw(clone dbgroup=baz)],                     qr/clone: no tables: give sync=, relgroup= or tables=/ ],
	[ [qw(clone sync=foobar onetimecopy=3)],       qr/clone: key "onetimecopy" must be 1/ ],
	[ [qw(clone sync=foobar --timeout=5)],         qr/option --timeout needs --wait/ ],
	[ [qw(launch sync=foobar)],                    qr/unknown command "launch"/ ],
	[ [qw(resume)],                                qr/resume: give one clone id/ ],
	[ [qw(resume 3 --timeout=5)],                  qr/option --timeout needs --wait/ ],
	[ [qw(rate 3)],                                qr/rate: give one clone id and a rate/ ],
	[ [qw(status --frobnicate)],                   qr/unrecognized option "--frobnicate"/ ])
{
	my ($args, $re) = @$case;
	my ($o, $e) = cli_is(2, $args, "pg_clone @$args");
	like($e, qr/^pg_clone: error: $re/m, "pg_clone @$args: says why");
	like($e, qr/^pg_clone: hint: Try "pg_clone --help" for more information\.$/m, "pg_clone @$args: hints at --help");
}
# What only the server knows is refused by it, at call time: exit 2 too.
($out, $err) = cli_is(2, [qw(clone sync=nope)], 'clone of an unknown sync');
like($err, qr/^pg_clone: error: sync "nope" does not exist$/m, 'the server says why');
($out, $err) = cli_is(2, [qw(clone sync=foobar start=whenever)], 'clone with a bad start');
like($err, qr/^pg_clone: error: invalid start value "whenever"/m, 'the server says why');
($out, $err) = cli_is(2, [qw(resume 999999)], 'resume of an unknown clone');
like($err, qr/^pg_clone: error: clone 999999 does not exist$/m, 'the server says why');
($out, $err) = cli_is(2, [qw(clone sync=foobar streams=99)], 'clone with too many streams');
like($err, qr/^pg_clone: error: streams must be between 1 and 64, not 99$/m, 'the server says why');
is(clones(), $before, 'none of these queued a clone');

# Connecting as psql does.
($out, $err) = cli_is(2, [ '-p', '1', 'status' ], 'no server there');
like($err, qr/^pg_clone: error: connection to server .* failed/m, 'the connection failure is told as libpq tells it');
($out, $err) = cli_is(2, [qw(-d src status)], 'a database without pg_clone');
like($err, qr/^pg_clone: error: extension "pg_clone" is not installed in database "src"$/m, 'says so');
cli_is(0, [ '-d', "host=$host port=$port dbname=postgres", 'list', 'syncs' ], '-d with a conninfo string');
cli_is(0, [ '-d', "postgresql:///postgres?host=$host&port=$port", 'list', 'syncs' ], '-d with a URI');
{
	local $ENV{PGHOST} = $host;
	local $ENV{PGPORT} = $port;
	my ($rc) = cli({ no_connection_options => 1 }, qw(list syncs));
	is($rc, 0, 'PGHOST and PGPORT are used');
}
# A role that must give a password: refused without one, let in by .pgpass.
$node->safe_psql('postgres', "SET password_encryption = 'scram-sha-256'; CREATE ROLE cli_pw LOGIN SUPERUSER PASSWORD 'sekret'");
prepend_hba($node, 'local all cli_pw scram-sha-256');
$node->reload;
{
	local $ENV{PGPASSFILE} = $node->basedir . '/no.pgpass';
	($out, $err) = cli_is(2, [qw(-U cli_pw --no-password list syncs)], 'a password is needed');
	like($err, qr/^pg_clone: error: connection to server .*(password|authentication)/m, 'the failure says why');
	my $pgpass = $node->basedir . '/pgpass';
	open(my $pw, '>', $pgpass) or die;
	print $pw "*:*:*:cli_pw:sekret\n";
	close($pw);
	chmod 0600, $pgpass;
	$ENV{PGPASSFILE} = $pgpass;
	cli_is(0, [qw(-U cli_pw --no-password list syncs)], '.pgpass gives the password');
}

# The seed's five forms.
my $id = out_of(0, [qw(clone sync=foobar)], 'clone sync=foobar');
like($id, qr/^\d+\n$/, 'without --wait it prints the clone id');
chomp $id;
($out) = cli_is(0, [ 'wait', $id ], "wait $id");
like($out, qr/^clone $id done in [\d.]+ s: beta: 3 tables, 1350 rows/m, 'wait says it is done, with the summary');
is(contents($node, 'dst'), contents($node, 'src'), 'the target has the source rows');

my $later = out_of(0, [ 'clone', 'sync=foobar', 'start=3 hours' ], 'clone sync=foobar start="3 hours"');
chomp $later;
my $json = JSON::PP::decode_json(out_of(0, [ 'status', $later, '--json' ], "status $later --json"));
is($json->{status}, 'queued', 'it is queued');
is($node->safe_psql('postgres', "SELECT startwhen BETWEEN now() + '2 hours 59 min' AND now() + '3 hours 1 min'"
	  . " FROM bucardo.clone WHERE id = $later"), 't', 'for three hours from now');
($out) = cli_is(4, [ 'wait', $later, '--timeout', '0.5' ], 'wait --timeout for a clone that has not started');
like($out, qr/^clone $later has not ended after 0\.5 s \(it is queued\)/m, 'says it has not ended');
# rate: a queued clone's max_rate, as bucardo.clone_set_rate() sets it; the server refuses a bad rate.
like(out_of(0, [ 'rate', $later, '20MB' ], "rate $later 20MB"), qr/^clone $later: max_rate 20971520 bytes per second$/m,
	'rate sets the max_rate of a queued clone');
is($node->safe_psql('postgres', "SELECT max_rate FROM bucardo.clone WHERE id = $later"), '20971520', 'which the clone row holds');
like(out_of(0, [ 'rate', $later, '0' ], "rate $later 0"), qr/^clone $later: max_rate none \(no limit\)$/m, 'rate 0: no limit');
($out, $err) = cli_is(2, [ 'rate', $later, 'fast' ], 'rate with a bad rate');
like($err, qr/^pg_clone: error: invalid rate 'fast': bytes per second/m, 'the server says why');
like(out_of(0, [ 'cancel', $later ], "cancel $later"), qr/^clone $later cancelled$/m, 'cancel of a queued clone');
($out, $err) = cli_is(2, [ 'rate', $later, '1MB' ], 'rate of an ended clone');
like($err, qr/^pg_clone: error: clone $later has ended \(cancelled\): its rate can no longer change$/m, 'the server says why');
is(status_of($later), 'cancelled', 'it is cancelled');
($out, $err) = cli_is(1, [ 'cancel', $later ], 'cancel again');
like($err, qr/^pg_clone: error: clone $later was not cancelled: it has already ended \(cancelled\)$/m, 'says why');
cli_is(3, [ 'wait', $later ], 'wait for a cancelled clone');

$node->safe_psql('dst', 'DELETE FROM foo; DELETE FROM bar');
($out) = cli_is(0, [qw(clone relgroup=foobar dbgroup=baz --wait)], 'clone relgroup=foobar dbgroup=baz --wait');
like($out, qr/\Aclone (\d+) (queued|running)$/m, '--wait starts by saying the clone is queued or running');
like($out, qr/^clone \d+: public\.foo -> beta: 1000 rows, [\d.]+ MB/m, 'one line for foo');
like($out, qr/^clone \d+: public\.bar -> beta: 300 rows, [\d.]+ MB/m, 'one line for bar');
like($out, qr/^clone \d+: myschema\.bazzp -> beta: 50 rows, [\d.]+ MB/m, 'one line for myschema.bazzp');
like($out, qr/^clone \d+ done in /m, 'and a last line: done');
is(contents($node, 'dst'), contents($node, 'src'), 'the target has the source rows');

cli_is(0, [qw(clone tables=foo,bar,myschema.bazzp dbgroup=baz -w)], 'clone tables=foo,bar,myschema.bazzp dbgroup=baz -w');
$node->safe_psql('dst', "UPDATE foo SET t = 'changed'");
cli_is(0, [qw(clone tables=foo,bar dbs=alpha:source,beta:target --wait)], 'clone tables=foo,bar dbs=alpha:source,beta:target');
is(contents($node, 'dst'), contents($node, 'src'), 'the target has the source rows again');

# Bucardo's onetimecopy=2 (empty_only): tables that are not empty are skipped and said so.
$node->safe_psql('dst', 'DELETE FROM bar');
($out) = cli_is(0, [qw(clone tables=foo,bar dbs=alpha,beta onetimecopy=2 streams=1 --wait)], 'clone onetimecopy=2');
like($out, qr/^clone (\d+): public\.foo -> beta: skipped \(not empty\)$/m, 'foo was not empty: skipped');
like($out, qr/^clone \d+: public\.bar -> beta: 300 rows/m, 'bar was empty: copied');
my $empty_only_id = clone_id_in($out);
is($node->safe_psql('postgres', "SELECT empty_only, streams FROM bucardo.clone WHERE id = $empty_only_id"),
	't|1', 'the clone asked for empty_only and one stream');

# The keys of clone()'s later arguments: sequences, analyze, verify, empty, filters.
($out) = cli_is(0,
	[ qw(clone tables=foo dbs=alpha,beta sequences=false analyze=no verify=yes empty=delete --wait),
	  'filters={"foo": "id <= 10"}' ],
	'clone with sequences, analyze, verify, empty and filters');
my $keys_id = clone_id_in($out);
is($node->safe_psql('postgres',
	"SELECT sequences, \"analyze\", verify, empty, filters->>'foo' FROM bucardo.clone WHERE id = $keys_id"),
	'f|f|t|delete|id <= 10', 'each key reaches clone()');
is($node->safe_psql('dst', 'SELECT count(*), max(id) FROM foo'), '10|10', 'the filter applied');
($out, $err) = cli_is(2, [ qw(clone tables=foo dbs=alpha,beta), 'filters=not json' ], 'filters that are not JSON');
like($err, qr/^pg_clone: error: invalid input syntax for type json/m, 'the server says why');
($out, $err) = cli_is(2, [qw(clone tables=foo dbs=alpha,beta empty=wipe)], 'an unknown way to empty');
like($err, qr/^pg_clone: error: empty must be 'truncate' or 'delete'/m, 'the server says why');

# A clone that fails: exit 1, the error as the clone stored it, in status and status --json.
$node->safe_psql('dst', 'ALTER TABLE bar DROP COLUMN t');
($out, $err) = cli_is(1, [qw(clone tables=bar dbs=alpha,beta --wait)], 'a clone that fails');
my $failed = clone_id_in($out);
like($err, qr/^pg_clone: error: clone $failed failed: database "beta", table public\.bar: columns differ/m,
	'the error names the database and table');
like($err, qr/^pg_clone: detail: Columns missing: t\.$/m, 'then its DETAIL');
like($err, qr/^pg_clone: hint: Both sides need the same columns/m, 'and its HINT');
$node->safe_psql('dst', 'ALTER TABLE bar ADD COLUMN t text');
my $stored = $node->safe_psql('postgres', "SELECT error FROM bucardo.clone WHERE id = $failed");
($out) = cli_is(0, [ 'status', $failed ], "status $failed");
like($out, qr/^clone $failed: failed$/m, 'status shows it failed');
my $indented = join('', map { "    $_\n" } split /\n/, $stored);
ok(index($out, "error:\n$indented") >= 0, 'status shows the error as stored, DETAIL and HINT lines included')
  or diag("stored: $stored\nshown: $out");
$json = JSON::PP::decode_json(out_of(0, [ 'status', $failed, '--json' ], "status $failed --json"));
is($json->{status}, 'failed', '--json: status');
is($json->{error}, $stored, '--json: the error as stored');
like($json->{error_fields}{message}, qr/database "beta"/, '--json: the message apart');

# status of a done clone: per-table results.
($out) = cli_is(0, [ 'status', $id ], "status $id");
like($out, qr/^ beta \| public\.foo\s+\|\s+1000 \|/m, 'status shows the per-table results');
$json = JSON::PP::decode_json(out_of(0, [ 'status', $id, '--json' ], "status $id --json"));
is($json->{sync}, 'foobar', '--json: the sync');
is($json->{dbs}, 'alpha:source,beta:target', '--json: the databases');
is_deeply([ map { "$_->{table} $_->{rows}" } @{ $json->{results} } ],
	[ 'myschema.bazzp 50', 'public.bar 300', 'public.foo 1000' ], '--json: per-table results');
my $list = JSON::PP::decode_json(out_of(0, [qw(status --json)], 'status --json'));
is(scalar(grep { $_->{id} == $failed && $_->{status} eq 'failed' } @$list), 1, 'status --json lists the recent clones');
like(out_of(0, ['status'], 'status'), qr/^\s+$later \| cancelled \|/m, 'status lists the recent clones');
($out, $err) = cli_is(2, [qw(status 999999)], 'status of no such clone');
like($err, qr/^pg_clone: error: clone 999999 does not exist$/m, 'says so');

# --wait --timeout on a running clone: exit 4, the clone goes on; cancel it; wait says cancelled.
($out) = cli_is(4, [qw(clone tables=slow dbs=alpha,beta --wait --timeout=1)], 'clone --wait --timeout=1 of a slow clone');
my $slow = clone_id_in($out);
like($out, qr/^clone $slow has not ended after 1\.0 s \(it is (queued|running)\)/m, 'says it has not ended');
like(out_of(0, [ 'cancel', $slow ], "cancel $slow"), qr/^clone $slow: (cancel requested|cancelled)/m, 'cancel it');
($out) = cli_is(3, [ 'wait', $slow ], "wait $slow");
like($out, qr/^clone $slow cancelled/m, 'it ended cancelled');

# Ctrl-C with --cancel-on-interrupt cancels, and says so.
{
	my ($in, $o, $e) = ('', '', '');
	my $h = IPC::Run::start(
		[ 'pg_clone', '-h', $host, '-p', $port, qw(clone tables=slow dbs=alpha,beta --wait --cancel-on-interrupt) ],
		'<', \$in, '>', \$o, '2>', \$e, IPC::Run::timeout($timeout));
	$h->pump until $o =~ /^clone (\d+) (queued|running)$/m;
	my ($cid) = $o =~ /^clone (\d+)/m;
	ok($node->poll_query_until('postgres', "SELECT status = 'running' FROM bucardo.clone WHERE id = $cid"),
		'the clone runs');
	$h->signal('INT');
	$h->finish;
	is($h->full_result(0) >> 8, 3, 'Ctrl-C with --cancel-on-interrupt: exit status 3');
	like($o, qr/^clone $cid: cancelling\n(?:.*\n)*clone $cid cancelled/m, 'it says it cancels, then that it is cancelled');
	is(status_of($cid), 'cancelled', 'the clone is cancelled');
}

# Under a terminal: the progress line, and Ctrl-C asks.
sub on_terminal
{
	my (@args) = @_;
	my ($in, $o, $e) = ('', '', '');
	# A new pseudo-terminal has no size: the program then takes $COLUMNS.
	local $ENV{COLUMNS} = 120;
	my $h = IPC::Run::start([ 'pg_clone', '-h', $host, '-p', $port, @args ],
		'<pty<', \$in, '>pty>', \$o, '2>', \$e, IPC::Run::timeout($timeout));
	return ($h, \$in, \$o, \$e);
}

{
	my ($h, $in, $o, $e) = on_terminal(qw(clone tables=foo,bar,slowish dbs=alpha,beta --wait));
	$h->finish;
	is($h->full_result(0) >> 8, 0, 'on a terminal: exit status 0') or diag("out: $$o\nerr: $$e");
	my ($cid) = $$o =~ /clone (\d+)/;
	like($$o, qr/\rclone $cid \[[#.]{20}\] +\d+\.\d%  \d\/3 tables  \d+ rows  [\d.]+ MB\/s  [\d:-]+ left/,
		'a live progress line is drawn');
	like($$o, qr/\rclone $cid \[#{20}\] 100\.0%  3\/3 tables  \d+ rows  [\d.]+ MB\/s  done in [\d.]+ s\s*\r?\n/,
		'it ends at 100%');
	like($$o, qr/^clone $cid done in [\d.]+ s: beta: 3 tables/m, 'then the summary');
	unlike($$o, qr/public\.foo -> beta/, 'no per-table lines on a terminal');
}
{
	my ($h, $in, $o, $e) = on_terminal(qw(clone tables=slow dbs=alpha,beta --wait));
	$h->pump until $$o =~ /\rclone \d+ (\[|running)/;
	my ($cid) = $$o =~ /clone (\d+)/;
	$h->signal('INT');
	$h->pump until $$o =~ /Cancel clone $cid\? \[y\/N\] /;
	pass('Ctrl-C on a terminal asks whether to cancel');
	$$in .= "n\n";
	$h->finish;
	is($h->full_result(0) >> 8, 4, 'answered no: exit status 4');
	like($$o, qr/clone $cid goes on \(running\), not cancelled; follow it with: pg_clone wait $cid/,
		'it says the clone goes on');
	is(status_of($cid), 'running', 'and it does');

	($h, $in, $o, $e) = on_terminal('wait', $cid);
	$h->pump until $$o =~ /\rclone $cid /;
	# Ctrl-C typed on the terminal this time: its line discipline sends SIGINT.
	$$in .= "\x03";
	$h->pump until $$o =~ /Cancel clone $cid\? \[y\/N\] /;
	$$in .= "y\n";
	$h->finish;
	is($h->full_result(0) >> 8, 3, 'answered yes: exit status 3');
	like($$o, qr/clone $cid cancelled/, 'it says the clone is cancelled');
	is(status_of($cid), 'cancelled', 'and it is');
}

# On a terminal a password is asked for: with -W at once, otherwise when the server asks for one.
# Nothing here depends on how fast the machine is:
# - the program turns echo off and discards typed-ahead input (TCSAFLUSH) before it writes the prompt,
#   as psql does, so the password, sent only once the prompt is seen, is read and not echoed (in the
#   other order a password that arrived between the prompt and the flush was thrown away, and the
#   program waited for another until the harness timed out);
# - the program closes its failed first attempt before it asks, as psql does, so that no server
#   process waits in authentication while the prompt waits (checked below; authentication_timeout is
#   at its maximum on this node, so that only the program can end that attempt within the wait);
# - no password can come from elsewhere (PGPASSWORD is unset by the framework, PGPASSFILE names no
#   file), so the server asks every time;
# - each step has its own full $timeout (the harness's timer is restarted for it), and a step that
#   does not end in time fails with what the program printed, and the program is killed.

# Polls $check (bounded) until it is true; returns whether it became true.
sub poll_condition
{
	my ($check) = @_;
	for (1 .. 10 * $timeout)
	{
		return 1 if $check->();
		Time::HiRes::usleep(100_000);
	}
	return 0;
}

# How many server processes of the node are authenticating $user. PostgreSQL 15's pg_stat_activity
# shows a backend only once it is authenticated; before, its process title says so:
# "postgres: cli: cli_pw postgres [local] authentication".
sub authenticating
{
	my ($user) = @_;
	my ($postmaster) = slurp_file($node->data_dir . '/postmaster.pid') =~ /\A(\d+)/;
	my $count = 0;
	for my $proc (glob '/proc/[0-9]*')
	{
		# A process that ends while it is looked at is not counted.
		my $stat = eval { slurp_file("$proc/stat") } // next;
		my ($ppid) = $stat =~ /\A\d+ \(.*\) \S+ (\d+)/s or next;
		next unless $ppid == $postmaster;
		my $title = eval { slurp_file("$proc/cmdline") } // next;
		$count++ if $title =~ /\Q$user\E \S+ \[local\] authentication/;
	}
	return $count;
}

# The check sees what it looks for: a connection of our own that the server asks for cli_pw's
# password, left unanswered, is counted until it is closed.
{
	my $socket = IO::Socket::UNIX->new(Peer => "$host/.s.PGSQL.$port")
	  or die "could not connect to $host/.s.PGSQL.$port: $!";
	my $startup = "user\0cli_pw\0database\0postgres\0\0";
	syswrite($socket, pack('NN', 8 + length($startup), 196608) . $startup);
	my $asked = '';
	sysread($socket, $asked, 1) if IO::Select->new($socket)->can_read($timeout);
	is($asked, 'R', 'a connection that does not answer is asked to authenticate');
	ok(poll_condition(sub { authenticating('cli_pw') >= 1 }), 'its server process is seen in authentication');
	close($socket);
	ok(poll_condition(sub { authenticating('cli_pw') == 0 }), 'and no longer once the connection is closed');
}

# Runs one step of harness $h with its timer restarted; returns whether the step ended in time. If
# not, says what the program printed and kills it.
sub step
{
	my ($h, $timer, $what, $out, $code) = @_;
	$timer->start($timeout);
	return 1 if eval { $code->(); 1 };
	diag("$what: $@\nprinted so far: $$out");
	eval { $h->kill_kill(grace => 5) };
	return 0;
}

{
	local $ENV{PGPASSFILE} = $node->basedir . '/no.pgpass';
	for my $ask ([ '-W', 'with -W' ], ['when the server asks'])
	{
		my $what = pop @$ask;
		my ($in, $o, $e) = ('', '', '');
		my $timer = IPC::Run::timeout($timeout);
		my $h     = IPC::Run::start([ 'pg_clone', '-h', $host, '-p', $port, @$ask, qw(-U cli_pw list syncs) ],
			'<pty<', \$in, '>pty>', \$o, '2>', \$e, $timer);
		ok( step($h, $timer, "password prompt $what", \$o,
				sub { $h->pump until $o =~ /Password for user cli_pw: / }),
			"password prompt $what: the prompt is shown")
		  or next;
		ok(poll_condition(sub { authenticating('cli_pw') == 0 }),
			"password prompt $what: while it waits, no server process of the program is in authentication");
		$in .= "sekret\n";
		ok(step($h, $timer, "password prompt $what", \$o, sub { $h->finish }),
			"password prompt $what: the program ends")
		  or next;
		is($h->full_result(0) >> 8, 0, "password prompt $what: exit status 0") or diag("out: $o\nerr: $e");
		like($o, qr/^ foobar\s+\| foobar\s+\| baz\s*$/m, "password prompt $what: then it lists the syncs");
		unlike($o, qr/sekret/, "password prompt $what: the password is not echoed");
	}
}
unlike(slurp_file($node->logfile), qr/canceling authentication due to timeout/,
	'no connection was left waiting in authentication until the server cancelled it');

# The registry empties again with remove.
cli_is(0, [qw(remove sync foobar)],   'remove sync');
cli_is(0, [qw(remove relgroup foobar)], 'remove relgroup');
cli_is(0, [qw(remove dbgroup baz)],   'remove dbgroup');
cli_is(0, [qw(remove db gamma)],      'remove db');
like(out_of(0, [qw(list syncs)], 'list syncs'), qr/^\(0 rows\)$/m, 'no sync is left');

$node->stop;
done_testing();
