#include "cli/command_line.hpp"

#include "cli/conninfo_words.hpp"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>

namespace pgclone::cli {

namespace {

const std::map<std::string, Verb> &verbs() {
    static const std::map<std::string, Verb> table = {
        {"clone", Verb::kClone},   {"status", Verb::kStatus}, {"wait", Verb::kWait},
        {"cancel", Verb::kCancel}, {"resume", Verb::kResume}, {"rate", Verb::kRate},
        {"add", Verb::kAdd},       {"remove", Verb::kRemove}, {"list", Verb::kList},
    };
    return table;
}

// "dbs" and "db" both name the databases, for list as for add and remove.
std::optional<RegistryKind> registry_kind(const std::string &word) {
    static const std::map<std::string, RegistryKind> table = {
        {"db", RegistryKind::kDb},
        {"dbs", RegistryKind::kDb},
        {"database", RegistryKind::kDb},
        {"databases", RegistryKind::kDb},
        {"dbgroup", RegistryKind::kDbGroup},
        {"dbgroups", RegistryKind::kDbGroup},
        {"relgroup", RegistryKind::kRelGroup},
        {"relgroups", RegistryKind::kRelGroup},
        {"sync", RegistryKind::kSync},
        {"syncs", RegistryKind::kSync},
    };
    auto it = table.find(word);
    if (it == table.end())
        return std::nullopt;
    return it->second;
}

std::string join(const std::vector<std::string> &words, size_t from, const std::string &separator) {
    std::string out;
    for (size_t i = from; i < words.size(); ++i) {
        if (i > from)
            out += separator;
        out += words[i];
    }
    return out;
}

std::string lower(std::string text) {
    for (auto &c : text)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

// The options that take a value, by every name they have.
const std::map<std::string, std::string> &value_options() {
    static const std::map<std::string, std::string> table = {
        {"-h", "host"},     {"--host", "host"},     {"-p", "port"},
        {"--port", "port"}, {"-U", "username"},     {"--username", "username"},
        {"-d", "dbname"},   {"--dbname", "dbname"}, {"--timeout", "timeout"},
    };
    return table;
}

void set_option(CommandLine &line, const std::string &option, const std::string &value) {
    if (option == "host")
        line.connection.host = value;
    else if (option == "port")
        line.connection.port = value;
    else if (option == "username")
        line.connection.user = value;
    else if (option == "dbname")
        line.connection.dbname = value;
    else if (option == "timeout")
        line.timeout_s = parse_seconds(value);
}

void check_options_fit(const CommandLine &line) {
    const bool queues = line.verb == Verb::kClone || line.verb == Verb::kResume;
    const bool follows = line.verb == Verb::kWait || (queues && line.wait);
    if (line.wait && !queues)
        throw UsageError(
            "option --wait is only for clone and resume (\"pg_clone wait ID\" follows a clone already "
            "queued)");
    if (line.timeout_s && !follows)
        throw UsageError(queues ? "option --timeout needs --wait"
                                : "option --timeout is only for clone --wait, resume --wait and wait");
    if (line.cancel_on_interrupt && !follows)
        throw UsageError(
            queues ? "option --cancel-on-interrupt needs --wait"
                   : "option --cancel-on-interrupt is only for clone --wait, resume --wait and wait");
    if (line.json && line.verb != Verb::kStatus && line.verb != Verb::kList)
        throw UsageError("option --json is only for status and list");
}

void parse_verb_words(CommandLine &line, const std::vector<std::string> &words) {
    // words[0] is the verb.
    const size_t n = words.size();
    switch (line.verb) {
    case Verb::kClone:
        line.clone = parse_clone_args(std::vector<std::string>(words.begin() + 1, words.end()));
        return;
    case Verb::kStatus:
        if (n > 2)
            throw UsageError("status: too many arguments (give at most one clone id)");
        if (n == 2)
            line.clone_id = parse_clone_id(words[1]);
        return;
    case Verb::kWait:
    case Verb::kCancel:
    case Verb::kResume:
        if (n != 2)
            throw UsageError(std::string(line.verb == Verb::kWait     ? "wait"
                                         : line.verb == Verb::kCancel ? "cancel"
                                                                      : "resume") +
                             ": give one clone id");
        line.clone_id = parse_clone_id(words[1]);
        return;
    case Verb::kRate:
        if (n != 3)
            throw UsageError("rate: give one clone id and a rate (such as 50MB, 512kB; 0: no limit)");
        line.clone_id = parse_clone_id(words[1]);
        line.rate = words[2];
        return;
    case Verb::kList: {
        if (n != 2)
            throw UsageError("list: say what to list: dbs, dbgroups, relgroups or syncs");
        auto kind = registry_kind(words[1]);
        if (!kind)
            throw UsageError("list: unknown kind \"" + words[1] +
                             "\" (use dbs, dbgroups, relgroups or syncs)");
        line.kind = *kind;
        return;
    }
    case Verb::kRemove: {
        if (n < 2)
            throw UsageError("remove: say what to remove: db, dbgroup, relgroup or sync, and its name");
        auto kind = registry_kind(words[1]);
        if (!kind)
            throw UsageError("remove: unknown kind \"" + words[1] + "\" (use db, dbgroup, relgroup or sync)");
        line.kind = *kind;
        if (n < 3)
            throw UsageError(std::string("remove ") + kind_name(*kind) + ": give the name to remove");
        line.names.assign(words.begin() + 2, words.end());
        return;
    }
    case Verb::kAdd: {
        if (n < 2)
            throw UsageError("add: say what to add: db, dbgroup, relgroup or sync, and its name");
        auto kind = registry_kind(words[1]);
        if (!kind)
            throw UsageError("add: unknown kind \"" + words[1] + "\" (use db, dbgroup, relgroup or sync)");
        line.kind = *kind;
        const std::string what = std::string("add ") + kind_name(*kind);
        if (n < 3)
            throw UsageError(what + ": give its name");
        line.name = words[2];
        std::vector<std::string> rest(words.begin() + 3, words.end());
        switch (*kind) {
        case RegistryKind::kDb:
            if (rest.empty())
                throw UsageError(what + ": give the connection, such as dbname=shop host=db1.example.com");
            line.conninfo = conninfo_from_words(rest);
            return;
        case RegistryKind::kDbGroup:
            if (rest.empty())
                throw UsageError(what + ": give its databases, such as alpha:source beta:target");
            line.list = join(rest, 0, ",");
            return;
        case RegistryKind::kRelGroup:
            if (rest.empty())
                throw UsageError(what + ": give its tables, such as foo bar myschema.bazzp");
            line.list = join(rest, 0, ",");
            return;
        case RegistryKind::kSync:
            for (const auto &word : rest) {
                auto kv = split_key_value(word);
                if (!kv)
                    throw UsageError(what + ": \"" + word +
                                     "\" is not KEY=VALUE (use relgroup=NAME dbgroup=NAME)");
                std::optional<std::string> *slot = nullptr;
                if (kv->key == "relgroup")
                    slot = &line.sync_relgroup;
                else if (kv->key == "dbgroup")
                    slot = &line.sync_dbgroup;
                else
                    throw UsageError(what + ": unknown key \"" + kv->key +
                                     "\" (use relgroup=NAME dbgroup=NAME)");
                if (*slot)
                    throw UsageError(what + ": key \"" + kv->key + "\" is given twice");
                if (kv->value.empty())
                    throw UsageError(what + ": key \"" + kv->key + "\" needs a value");
                *slot = kv->value;
            }
            if (!line.sync_relgroup)
                throw UsageError(what + ": key \"relgroup\" is missing (use relgroup=NAME dbgroup=NAME)");
            if (!line.sync_dbgroup)
                throw UsageError(what + ": key \"dbgroup\" is missing (use relgroup=NAME dbgroup=NAME)");
            return;
        }
        return;
    }
    default:
        return;
    }
}

}  // namespace

const char *kind_name(RegistryKind kind) {
    switch (kind) {
    case RegistryKind::kDb:
        return "db";
    case RegistryKind::kDbGroup:
        return "dbgroup";
    case RegistryKind::kRelGroup:
        return "relgroup";
    case RegistryKind::kSync:
        return "sync";
    }
    return "?";
}

std::optional<KeyValue> split_key_value(const std::string &word) {
    auto eq = word.find('=');
    if (eq == std::string::npos)
        return std::nullopt;
    return KeyValue{word.substr(0, eq), word.substr(eq + 1)};
}

std::optional<bool> parse_bool(const std::string &text) {
    const std::string t = lower(text);
    if (t.empty())
        return std::nullopt;
    // As PostgreSQL's boolin: unique prefixes of true/false/yes/no, on/off, 1/0.
    auto prefix_of = [&](const char *word) { return std::string(word).rfind(t, 0) == 0; };
    if (prefix_of("true") || prefix_of("yes") || t == "on" || t == "1")
        return true;
    if (prefix_of("false") || prefix_of("no") || t == "off" || t == "of" || t == "0")
        return t == "o" ? std::nullopt : std::optional<bool>(false);
    return std::nullopt;
}

int64_t parse_clone_id(const std::string &text) {
    if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos)
        throw UsageError("invalid clone id \"" + text + "\" (a clone id is a positive integer)");
    int64_t id = std::stoll(text);
    if (id <= 0)
        throw UsageError("invalid clone id \"" + text + "\" (a clone id is a positive integer)");
    return id;
}

double parse_seconds(const std::string &text) {
    char *end = nullptr;
    errno = 0;
    double seconds = text.empty() ? -1 : std::strtod(text.c_str(), &end);
    if (text.empty() || errno != 0 || *end != '\0' || !std::isfinite(seconds) || seconds < 0 ||
        text.find_first_not_of("0123456789.") != std::string::npos)
        throw UsageError("invalid --timeout \"" + text + "\" (give seconds, such as 30 or 2.5)");
    return seconds;
}

CloneArgs parse_clone_args(const std::vector<std::string> &words) {
    CloneArgs args;
    if (words.empty())
        throw UsageError(
            "clone: give KEY=VALUE words, such as sync=foobar or tables=foo,bar "
            "dbs=alpha:source,beta:target");
    std::set<std::string> seen;
    for (const auto &word : words) {
        auto kv = split_key_value(word);
        if (!kv)
            throw UsageError("clone: \"" + word + "\" is not KEY=VALUE (such as sync=foobar)");
        const std::string &key = kv->key;
        const std::string &value = kv->value;
        static const std::set<std::string> known = {
            "sync",       "relgroup",    "dbgroup", "tables",    "dbs",     "start",
            "empty_only", "onetimecopy", "streams", "sequences", "analyze", "verify",
            "empty",      "filters",     "retries", "max_rate",  "commit"};
        if (!known.count(key))
            throw UsageError(
                "clone: unknown key \"" + key +
                "\" (use sync, relgroup, dbgroup, tables, dbs, start, empty_only, onetimecopy, "
                "streams, sequences, analyze, verify, empty, filters, retries, max_rate or commit)");
        // empty_only and onetimecopy say the same thing.
        if (!seen.insert(key).second)
            throw UsageError("clone: key \"" + key + "\" is given twice");
        if (seen.count("empty_only") && seen.count("onetimecopy"))
            throw UsageError(
                "clone: keys \"empty_only\" and \"onetimecopy\" say the same thing: give one of them");
        if (value.empty())
            throw UsageError("clone: key \"" + key + "\" needs a value");
        if (key == "sync")
            args.sync = value;
        else if (key == "relgroup")
            args.relgroup = value;
        else if (key == "dbgroup")
            args.dbgroup = value;
        else if (key == "tables")
            args.tables = value;
        else if (key == "dbs")
            args.dbs = value;
        else if (key == "start")
            args.start = value;
        else if (key == "empty_only") {
            args.empty_only = parse_bool(value);
            if (!args.empty_only)
                throw UsageError("clone: key \"empty_only\" must be true or false, not \"" + value + "\"");
        } else if (key == "sequences" || key == "analyze" || key == "verify") {
            auto flag = parse_bool(value);
            if (!flag)
                throw UsageError("clone: key \"" + key + "\" must be true or false, not \"" + value + "\"");
            (key == "sequences" ? args.sequences : key == "analyze" ? args.analyze : args.verify) = flag;
        } else if (key == "empty") {
            args.empty = value;
        } else if (key == "filters") {
            args.filters = value;
        } else if (key == "max_rate") {
            args.max_rate = value;  // checked by the server, which knows the units
        } else if (key == "commit") {
            args.commit = value;  // clone or table, checked by the server
        } else if (key == "onetimecopy") {
            // Bucardo: 1 copies everything, 2 only into empty tables.
            if (value == "1")
                args.empty_only = false;
            else if (value == "2")
                args.empty_only = true;
            else
                throw UsageError(
                    "clone: key \"onetimecopy\" must be 1 (copy into every table) or 2 (only into empty "
                    "tables), not \"" +
                    value + "\"");
        } else if (key == "streams" || key == "retries") {
            if (value.size() > 9 || value.find_first_not_of("0123456789") != std::string::npos)
                throw UsageError("clone: key \"" + key + "\" must be a whole number, not \"" + value + "\"");
            (key == "streams" ? args.streams : args.retries) = std::stoi(value);
        }
    }

    // Exactly one source of tables and one of databases, as bucardo.clone() checks again.
    if (args.sync && args.relgroup)
        throw UsageError("clone: keys \"sync\" and \"relgroup\" conflict: the sync names its relgroup");
    if (args.sync && args.tables)
        throw UsageError("clone: keys \"sync\" and \"tables\" conflict: the sync names its tables");
    if (args.relgroup && args.tables)
        throw UsageError("clone: keys \"relgroup\" and \"tables\" conflict: give the tables one way");
    if (args.sync && args.dbgroup)
        throw UsageError("clone: keys \"sync\" and \"dbgroup\" conflict: the sync names its dbgroup");
    if (args.sync && args.dbs)
        throw UsageError("clone: keys \"sync\" and \"dbs\" conflict: the sync names its databases");
    if (args.dbgroup && args.dbs)
        throw UsageError("clone: keys \"dbgroup\" and \"dbs\" conflict: give the databases one way");
    if (!args.sync && !args.relgroup && !args.tables)
        throw UsageError("clone: no tables: give sync=, relgroup= or tables=");
    if (!args.sync && !args.dbgroup && !args.dbs)
        throw UsageError("clone: no databases: give dbgroup= or dbs= (or sync=)");
    return args;
}

CommandLine parse_command_line(const std::vector<std::string> &args) {
    CommandLine line;
    std::vector<std::string> words;
    bool options_done = false;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string &arg = args[i];
        if (options_done || arg.size() < 2 || arg[0] != '-') {
            words.push_back(arg);
            continue;
        }
        if (arg == "--") {
            options_done = true;
            continue;
        }
        if (arg == "--help" || arg == "-?") {
            line.verb = Verb::kHelp;
            return line;
        }
        if (arg == "--version" || arg == "-V") {
            line.verb = Verb::kVersion;
            return line;
        }
        if (arg == "-w" || arg == "--wait") {
            line.wait = true;
            continue;
        }
        if (arg == "-W" || arg == "--password") {
            line.connection.prompt_password = true;
            continue;
        }
        if (arg == "--no-password") {
            line.connection.never_prompt = true;
            continue;
        }
        if (arg == "--cancel-on-interrupt") {
            line.cancel_on_interrupt = true;
            continue;
        }
        if (arg == "--json") {
            line.json = true;
            continue;
        }
        // Options with a value: "-h x", "-hx", "--host x", "--host=x".
        std::string name = arg, value;
        bool has_value = false;
        if (arg.rfind("--", 0) == 0) {
            auto eq = arg.find('=');
            if (eq != std::string::npos) {
                name = arg.substr(0, eq);
                value = arg.substr(eq + 1);
                has_value = true;
            }
        } else if (arg.size() > 2) {
            name = arg.substr(0, 2);
            value = arg.substr(2);
            has_value = true;
        }
        auto option = value_options().find(name);
        if (option == value_options().end())
            throw UsageError("unrecognized option \"" + arg + "\"");
        if (!has_value) {
            if (i + 1 >= args.size())
                throw UsageError("option " + name + " needs a value");
            value = args[++i];
        }
        set_option(line, option->second, value);
    }

    if (words.empty())
        throw UsageError(
            "no command given (use clone, status, wait, cancel, resume, rate, add, remove or list)");
    auto verb = verbs().find(words[0]);
    if (verb == verbs().end()) {
        if (words[0] == "help") {
            line.verb = Verb::kHelp;
            return line;
        }
        throw UsageError("unknown command \"" + words[0] +
                         "\" (use clone, status, wait, cancel, resume, rate, add, remove or list)");
    }
    line.verb = verb->second;
    parse_verb_words(line, words);
    check_options_fit(line);
    return line;
}

std::string help_text() {
    return R"(pg_clone copies whole tables between PostgreSQL databases: Bucardo's clone, run by the
pg_clone extension's background workers. This program asks the control database to do it.

Usage:
  pg_clone [OPTION]... clone KEY=VALUE... [--wait [--timeout SECONDS] [--cancel-on-interrupt]]
  pg_clone [OPTION]... status [ID] [--json]
  pg_clone [OPTION]... wait ID [--timeout SECONDS] [--cancel-on-interrupt]
  pg_clone [OPTION]... cancel ID
  pg_clone [OPTION]... resume ID [--wait [--timeout SECONDS] [--cancel-on-interrupt]]
  pg_clone [OPTION]... rate ID RATE
  pg_clone [OPTION]... add db NAME KEY=VALUE... | add db NAME CONNINFO
  pg_clone [OPTION]... add dbgroup NAME DB[:source|:target]...
  pg_clone [OPTION]... add relgroup NAME TABLE...
  pg_clone [OPTION]... add sync NAME relgroup=NAME dbgroup=NAME
  pg_clone [OPTION]... remove db|dbgroup|relgroup|sync NAME...
  pg_clone [OPTION]... list dbs|dbgroups|relgroups|syncs [--json]

Clone keys (as bucardo.clone() takes them):
  sync=NAME              the sync's relgroup and dbgroup
  relgroup=NAME          tables of a relgroup        tables=foo,bar,myschema.bazzp
  dbgroup=NAME           databases of a dbgroup      dbs=alpha:source,beta:target
  start=WHEN             later: an interval ("3 hours") or a timestamp
  empty_only=BOOL        copy only into empty tables (Bucardo's onetimecopy=2)
  streams=N              at most N parallel streams
  retries=N              run again after a failure worth retrying, up to N times (default 0)
  max_rate=RATE          read the sources at most RATE bytes per second (50MB, 512kB; 0: no limit)
  commit=clone|table     all tables commit together (default), or each table as its copy ends
  sequences=BOOL         set the target sequences of the tables (default true)
  analyze=BOOL           ANALYZE the tables filled (default true)
  verify=BOOL            compare rows and checksums before the commit (default false)
  empty=truncate|delete  how target tables are emptied (default truncate)
  filters=JSON           row filters, such as '{"public.orders": "id > 1000"}'

Examples:
  pg_clone clone sync=foobar
  pg_clone clone sync=foobar start="3 hours"
  pg_clone clone relgroup=foobar dbgroup=baz
  pg_clone clone tables=foo,bar,myschema.bazzp dbgroup=baz
  pg_clone clone tables=foo,bar dbs=alpha:source,beta:target --wait
  pg_clone resume 12 --wait      (a new clone of failed clone 12; with commit=table, of the tables
                                  it did not commit)

Options:
  -w, --wait                follow the clone to its end (a progress line on a terminal)
      --timeout=SECONDS     stop waiting after this long (exit status 4)
      --cancel-on-interrupt on Ctrl-C cancel the clone without asking
      --json                status and list as JSON
  -V, --version             output version information, then exit
  -?, --help                show this help, then exit

Connection options (the control database, where CREATE EXTENSION pg_clone was run):
  -h, --host=HOSTNAME       database server host or socket directory
  -p, --port=PORT           database server port
  -U, --username=USERNAME   database user name
  -d, --dbname=DBNAME       database name, conninfo string or URI (default: PGDATABASE, else postgres)
  -W, --password            force password prompt
      --no-password         never prompt for password
The PG* environment variables and ~/.pgpass apply as for psql.

resume ID prints the new clone's id, as clone does. rate ID RATE changes a queued or running clone's
max_rate (50MB, 512kB; 0: no limit), as bucardo.clone_set_rate() does; a running clone reads it within
a second.

Exit status: 0 done (without --wait: queued; other commands: succeeded), 1 failed, 2 bad usage,
no connection or refused by the server, 3 cancelled, 4 not ended when waiting stopped.
)";
}

}  // namespace pgclone::cli
