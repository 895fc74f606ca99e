// Unit tests of the pg_clone program's command line: verbs, options, and the KEY=VALUE words of
// clone and add sync, with the errors that name the key before anything reaches a server.
#include "cli/command_line.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace pgclone::cli;

namespace {

CommandLine parse(const std::vector<std::string> &args) { return parse_command_line(args); }

// The message of the UsageError that parsing args throws, or "" if it parses.
std::string usage_error(const std::vector<std::string> &args) {
    try {
        parse(args);
    } catch (const UsageError &e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(CliCommandLine, TheSeedsFiveForms) {
    auto line = parse({"clone", "sync=foobar"});
    EXPECT_EQ(line.verb, Verb::kClone);
    EXPECT_EQ(line.clone.sync, "foobar");
    EXPECT_FALSE(line.clone.start);
    EXPECT_FALSE(line.clone.empty_only);

    line = parse({"clone", "sync=foobar", "start=3 hours"});
    EXPECT_EQ(line.clone.start, "3 hours");

    line = parse({"clone", "relgroup=foobar", "dbgroup=baz"});
    EXPECT_EQ(line.clone.relgroup, "foobar");
    EXPECT_EQ(line.clone.dbgroup, "baz");

    line = parse({"clone", "tables=foo,bar,myschema.bazzp", "dbgroup=baz"});
    EXPECT_EQ(line.clone.tables, "foo,bar,myschema.bazzp");

    line = parse({"clone", "tables=foo,bar", "dbs=alpha:source,beta:target"});
    EXPECT_EQ(line.clone.dbs, "alpha:source,beta:target");
    EXPECT_FALSE(line.wait);
}

TEST(CliCommandLine, EmptyOnlyStreamsAndOnetimecopy) {
    auto line = parse({"clone", "sync=s", "empty_only=yes", "streams=3"});
    EXPECT_EQ(line.clone.empty_only, true);
    EXPECT_EQ(line.clone.streams, 3);
    EXPECT_EQ(parse({"clone", "sync=s", "onetimecopy=2"}).clone.empty_only, true);
    EXPECT_EQ(parse({"clone", "sync=s", "onetimecopy=1"}).clone.empty_only, false);
    EXPECT_EQ(parse({"clone", "sync=s", "empty_only=off"}).clone.empty_only, false);
    auto flags = parse({"clone", "sync=s", "sequences=false", "analyze=on"});
    EXPECT_EQ(flags.clone.sequences, false);
    EXPECT_EQ(flags.clone.analyze, true);
    EXPECT_FALSE(parse({"clone", "sync=s"}).clone.analyze);
    auto more = parse({"clone", "sync=s", "verify=true", "empty=delete", R"(filters={"foo": "id > 3"})"});
    EXPECT_EQ(more.clone.verify, true);
    EXPECT_EQ(more.clone.empty, "delete");
    EXPECT_EQ(more.clone.filters, R"({"foo": "id > 3"})");
    // The value keeps any '=' after the first.
    EXPECT_EQ(parse({"clone", "sync=s", "start=a=b"}).clone.start, "a=b");
}

TEST(CliCommandLine, CloneErrorsNameTheKey) {
    EXPECT_EQ(usage_error({"clone", "sync=a", "colour=red"}),
              "clone: unknown key \"colour\" (use sync, relgroup, dbgroup, tables, dbs, start, empty_only, "
              "onetimecopy, streams, sequences, analyze, verify, empty, filters, retries, max_rate or commit)");
    EXPECT_EQ(usage_error({"clone", "sync=a", "sync=b"}), "clone: key \"sync\" is given twice");
    EXPECT_EQ(usage_error({"clone", "tables=", "dbgroup=b"}), "clone: key \"tables\" needs a value");
    EXPECT_EQ(usage_error({"clone", "sync"}), "clone: \"sync\" is not KEY=VALUE (such as sync=foobar)");
    EXPECT_EQ(usage_error({"clone", "sync=a", "relgroup=r"}),
              "clone: keys \"sync\" and \"relgroup\" conflict: the sync names its relgroup");
    EXPECT_EQ(usage_error({"clone", "tables=t", "relgroup=r", "dbgroup=d"}),
              "clone: keys \"relgroup\" and \"tables\" conflict: give the tables one way");
    EXPECT_EQ(usage_error({"clone", "tables=t", "dbgroup=d", "dbs=a,b"}),
              "clone: keys \"dbgroup\" and \"dbs\" conflict: give the databases one way");
    EXPECT_EQ(usage_error({"clone", "dbgroup=d"}), "clone: no tables: give sync=, relgroup= or tables=");
    EXPECT_EQ(usage_error({"clone", "tables=t"}), "clone: no databases: give dbgroup= or dbs= (or sync=)");
    EXPECT_EQ(usage_error({"clone", "sync=s", "empty_only=maybe"}),
              "clone: key \"empty_only\" must be true or false, not \"maybe\"");
    EXPECT_EQ(usage_error({"clone", "sync=s", "empty_only=true", "onetimecopy=2"}),
              "clone: keys \"empty_only\" and \"onetimecopy\" say the same thing: give one of them");
    EXPECT_NE(usage_error({"clone", "sync=s", "onetimecopy=0"}).find("\"onetimecopy\" must be 1"),
              std::string::npos);
    EXPECT_EQ(usage_error({"clone", "sync=s", "streams=two"}),
              "clone: key \"streams\" must be a whole number, not \"two\"");
    EXPECT_EQ(parse({"clone", "sync=s", "retries=4"}).clone.retries, 4);
    EXPECT_EQ(parse({"clone", "sync=s", "max_rate=50MB"}).clone.max_rate, "50MB");
    EXPECT_FALSE(parse({"clone", "sync=s"}).clone.max_rate);
    EXPECT_EQ(parse({"clone", "sync=s", "commit=table"}).clone.commit, "table");
    EXPECT_FALSE(parse({"clone", "sync=s"}).clone.commit);
    EXPECT_FALSE(parse({"clone", "sync=s"}).clone.retries);
    EXPECT_EQ(usage_error({"clone", "sync=s", "retries=-1"}),
              "clone: key \"retries\" must be a whole number, not \"-1\"");
    EXPECT_NE(usage_error({"clone"}).find("give KEY=VALUE words"), std::string::npos);
}

TEST(CliCommandLine, ConnectionOptionsAnywhere) {
    auto line = parse({"-h", "/tmp", "clone", "-p5433", "sync=s", "--username=bob", "--dbname",
                       "postgresql://x/y", "--wait", "--timeout=2.5", "--cancel-on-interrupt"});
    EXPECT_EQ(line.connection.host, "/tmp");
    EXPECT_EQ(line.connection.port, "5433");
    EXPECT_EQ(line.connection.user, "bob");
    EXPECT_EQ(line.connection.dbname, "postgresql://x/y");
    EXPECT_TRUE(line.wait);
    EXPECT_EQ(line.timeout_s, 2.5);
    EXPECT_TRUE(line.cancel_on_interrupt);
    EXPECT_TRUE(parse({"clone", "sync=s", "-w"}).wait);
    EXPECT_TRUE(parse({"-W", "list", "dbs"}).connection.prompt_password);
    EXPECT_TRUE(parse({"--no-password", "list", "dbs"}).connection.never_prompt);
    // After "--" a word that starts with "-" is a word.
    EXPECT_EQ(parse({"add", "relgroup", "g", "--", "-odd"}).list, "-odd");
}

TEST(CliCommandLine, HelpVersionAndBadOptions) {
    EXPECT_EQ(parse({"--help"}).verb, Verb::kHelp);
    EXPECT_EQ(parse({"clone", "-?"}).verb, Verb::kHelp);
    EXPECT_EQ(parse({"-V"}).verb, Verb::kVersion);
    EXPECT_EQ(parse({"--version"}).verb, Verb::kVersion);
    EXPECT_EQ(usage_error({"--frobnicate", "status"}), "unrecognized option \"--frobnicate\"");
    EXPECT_EQ(usage_error({"status", "-h"}), "option -h needs a value");
    EXPECT_EQ(usage_error({}), "no command given (use clone, status, wait, cancel, resume, rate, add, remove or list)");
    EXPECT_EQ(usage_error({"launch"}),
              "unknown command \"launch\" (use clone, status, wait, cancel, resume, rate, add, remove or list)");
    EXPECT_EQ(usage_error({"status", "--wait"}),
              "option --wait is only for clone and resume (\"pg_clone wait ID\" follows a clone already queued)");
    EXPECT_EQ(usage_error({"clone", "sync=s", "--timeout=3"}), "option --timeout needs --wait");
    EXPECT_EQ(usage_error({"clone", "sync=s", "--cancel-on-interrupt"}),
              "option --cancel-on-interrupt needs --wait");
    EXPECT_EQ(usage_error({"wait", "3", "--timeout=soon"}),
              "invalid --timeout \"soon\" (give seconds, such as 30 or 2.5)");
    EXPECT_EQ(usage_error({"cancel", "3", "--json"}), "option --json is only for status and list");
}

TEST(CliCommandLine, FollowingVerbs) {
    EXPECT_FALSE(parse({"status"}).clone_id);
    EXPECT_EQ(parse({"status", "42", "--json"}).clone_id, 42);
    EXPECT_TRUE(parse({"status", "--json"}).json);
    EXPECT_EQ(parse({"wait", "7", "--timeout", "30"}).timeout_s, 30.0);
    EXPECT_EQ(parse({"cancel", "7"}).verb, Verb::kCancel);
    EXPECT_EQ(parse({"resume", "7"}).verb, Verb::kResume);
    EXPECT_EQ(parse({"resume", "7"}).clone_id, 7);
    EXPECT_FALSE(parse({"resume", "7"}).wait);
    EXPECT_TRUE(parse({"resume", "7", "--wait"}).wait);
    EXPECT_EQ(parse({"resume", "7", "-w", "--timeout", "5"}).timeout_s, 5.0);
    EXPECT_TRUE(parse({"resume", "7", "--wait", "--cancel-on-interrupt"}).cancel_on_interrupt);
    EXPECT_EQ(usage_error({"resume"}), "resume: give one clone id");
    EXPECT_EQ(usage_error({"resume", "1", "2"}), "resume: give one clone id");
    EXPECT_EQ(usage_error({"resume", "x"}), "invalid clone id \"x\" (a clone id is a positive integer)");
    EXPECT_EQ(usage_error({"resume", "3", "--timeout=3"}), "option --timeout needs --wait");
    EXPECT_EQ(usage_error({"resume", "3", "--json"}), "option --json is only for status and list");
    EXPECT_EQ(parse({"rate", "7", "50MB"}).verb, Verb::kRate);
    EXPECT_EQ(parse({"rate", "7", "50MB"}).clone_id, 7);
    EXPECT_EQ(parse({"rate", "7", "50MB"}).rate, "50MB");
    EXPECT_EQ(usage_error({"rate", "7"}), "rate: give one clone id and a rate (such as 50MB, 512kB; 0: no limit)");
    EXPECT_EQ(usage_error({"rate", "x", "1MB"}), "invalid clone id \"x\" (a clone id is a positive integer)");
    EXPECT_EQ(usage_error({"rate", "7", "1MB", "--wait"}),
              "option --wait is only for clone and resume (\"pg_clone wait ID\" follows a clone already queued)");
    EXPECT_EQ(usage_error({"wait"}), "wait: give one clone id");
    EXPECT_EQ(usage_error({"cancel", "1", "2"}), "cancel: give one clone id");
    EXPECT_EQ(usage_error({"status", "x7"}), "invalid clone id \"x7\" (a clone id is a positive integer)");
    EXPECT_EQ(usage_error({"status", "0"}), "invalid clone id \"0\" (a clone id is a positive integer)");
    EXPECT_EQ(usage_error({"status", "1", "2"}), "status: too many arguments (give at most one clone id)");
}

TEST(CliCommandLine, Registry) {
    auto line = parse({"add", "db", "alpha", "dbname=shop", "host=db1.example.com", "user=x"});
    EXPECT_EQ(line.verb, Verb::kAdd);
    EXPECT_EQ(line.kind, RegistryKind::kDb);
    EXPECT_EQ(line.name, "alpha");
    EXPECT_EQ(line.conninfo, "dbname=shop host=db1.example.com user=x");

    line = parse({"add", "dbgroup", "baz", "alpha:source", "beta:target"});
    EXPECT_EQ(line.kind, RegistryKind::kDbGroup);
    EXPECT_EQ(line.list, "alpha:source,beta:target");

    line = parse({"add", "relgroup", "foobar", "foo", "bar", "myschema.bazzp"});
    EXPECT_EQ(line.list, "foo,bar,myschema.bazzp");

    line = parse({"add", "sync", "foobar", "relgroup=foobar", "dbgroup=baz"});
    EXPECT_EQ(line.kind, RegistryKind::kSync);
    EXPECT_EQ(line.sync_relgroup, "foobar");
    EXPECT_EQ(line.sync_dbgroup, "baz");

    line = parse({"remove", "db", "alpha", "beta"});
    EXPECT_EQ(line.verb, Verb::kRemove);
    EXPECT_EQ(line.names, (std::vector<std::string>{"alpha", "beta"}));

    EXPECT_EQ(parse({"list", "dbs"}).kind, RegistryKind::kDb);
    EXPECT_EQ(parse({"list", "dbgroups"}).kind, RegistryKind::kDbGroup);
    EXPECT_EQ(parse({"list", "relgroups"}).kind, RegistryKind::kRelGroup);
    EXPECT_EQ(parse({"list", "syncs"}).kind, RegistryKind::kSync);
}

TEST(CliCommandLine, RegistryErrors) {
    EXPECT_EQ(usage_error({"add", "table", "t"}),
              "add: unknown kind \"table\" (use db, dbgroup, relgroup or sync)");
    EXPECT_EQ(usage_error({"add", "db"}), "add db: give its name");
    EXPECT_EQ(usage_error({"add", "db", "alpha"}),
              "add db: give the connection, such as dbname=shop host=db1.example.com");
    EXPECT_EQ(usage_error({"add", "sync", "s", "relgroup=r"}),
              "add sync: key \"dbgroup\" is missing (use relgroup=NAME dbgroup=NAME)");
    EXPECT_EQ(usage_error({"add", "sync", "s", "relgroup=r", "dbgroup=d", "relgroup=q"}),
              "add sync: key \"relgroup\" is given twice");
    EXPECT_EQ(usage_error({"add", "sync", "s", "tables=t"}),
              "add sync: unknown key \"tables\" (use relgroup=NAME dbgroup=NAME)");
    EXPECT_EQ(usage_error({"remove", "sync"}), "remove sync: give the name to remove");
    EXPECT_EQ(usage_error({"list"}), "list: say what to list: dbs, dbgroups, relgroups or syncs");
    EXPECT_EQ(usage_error({"list", "tables"}),
              "list: unknown kind \"tables\" (use dbs, dbgroups, relgroups or syncs)");
}

TEST(CliCommandLine, Booleans) {
    for (const char *yes : {"true", "t", "TRUE", "yes", "y", "on", "1"})
        EXPECT_EQ(parse_bool(yes), true) << yes;
    for (const char *no : {"false", "f", "no", "n", "off", "0"})
        EXPECT_EQ(parse_bool(no), false) << no;
    for (const char *bad : {"", "o", "maybe", "2", "yess"})
        EXPECT_FALSE(parse_bool(bad)) << bad;
}
