// The pg_clone program's command line: options (psql's connection options, --wait, --json...) and
// verbs with their words, checked before anything is sent to a server. Pure C++: no libpq, unit-tested.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace pgclone::cli {

// Exit statuses: what a script can rely on.
enum ExitStatus : int {
    kExitDone = 0,       // the clone is done (or queued, without --wait); any other verb succeeded
    kExitFailed = 1,     // the clone failed (or cancel found nothing to cancel)
    kExitUsage = 2,      // bad usage, no connection, or a request the server refused
    kExitCancelled = 3,  // the clone was cancelled
    kExitNotEnded = 4,   // --wait / wait stopped before the clone ended (--timeout, or left running)
};

// A mistake on the command line; what() is the message after "pg_clone: error: ".
class UsageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// How to reach the control database, as psql takes it.
struct ConnectionOptions {
    std::optional<std::string> host;
    std::optional<std::string> port;
    std::optional<std::string> user;
    std::optional<std::string> dbname;  // a database name, a conninfo string or a URI
    bool prompt_password = false;       // -W
    bool never_prompt = false;          // --no-password
};

enum class Verb {
    kNone,
    kHelp,
    kVersion,
    kClone,
    kStatus,
    kWait,
    kCancel,
    kResume,
    kRate,
    kAdd,
    kRemove,
    kList
};

// db, dbgroup, relgroup or sync: what add, remove and list act on.
enum class RegistryKind { kDb, kDbGroup, kRelGroup, kSync };
const char *kind_name(RegistryKind kind);  // "db", "dbgroup", ...

// The keys of "pg_clone clone KEY=VALUE...", as bucardo.clone() takes them. Absent keys are left to
// the SQL function's defaults.
struct CloneArgs {
    std::optional<std::string> sync, relgroup, dbgroup, tables, dbs, start;
    std::optional<bool> empty_only;
    std::optional<int> streams;
    std::optional<int> retries;
    std::optional<std::string> max_rate;  // clone(..., max_rate => ...), such as 50MB
    std::optional<std::string> commit;    // clone(..., commit => ...): clone or table, checked by the server
    std::optional<bool> sequences;        // set the target sequences owned by the tables (default true)
    std::optional<bool> analyze;          // ANALYZE every target table filled (default true)
    std::optional<bool> verify;           // compare rows and checksums before the commit (default false)
    std::optional<std::string> empty;     // truncate or delete, checked by the server
    std::optional<std::string> filters;   // a JSON object of row filters, checked by the server
};

struct CommandLine {
    Verb verb = Verb::kNone;
    ConnectionOptions connection;

    bool wait = false;                 // -w, --wait (clone, resume)
    std::optional<double> timeout_s;   // --timeout SECONDS
    bool cancel_on_interrupt = false;  // --cancel-on-interrupt
    bool json = false;                 // --json

    CloneArgs clone;                        // clone
    std::optional<int64_t> clone_id;        // status, wait, cancel, resume, rate
    std::string rate;                       // rate: bytes per second as bucardo.clone_set_rate takes them
    RegistryKind kind = RegistryKind::kDb;  // add, remove, list
    std::string name;                       // add: the name of what is added
    std::vector<std::string> names;         // remove: one or more names
    std::string conninfo;                   // add db
    std::string list;  // add dbgroup: "alpha:source,beta:target"; add relgroup: "foo,bar"
    std::optional<std::string> sync_relgroup, sync_dbgroup;  // add sync
};

// Parses argv[1..] (options may come anywhere, "--" ends them). Throws UsageError.
CommandLine parse_command_line(const std::vector<std::string> &args);

// "clone" keys: sync, relgroup, dbgroup, tables, dbs, start, empty_only (or Bucardo's onetimecopy=2),
// streams, sequences, analyze, verify, empty, filters, retries, max_rate, commit. Throws UsageError naming
// the key for an unknown, repeated or valueless key, and for combinations that cannot name exactly one set of
// tables and one set of databases.
CloneArgs parse_clone_args(const std::vector<std::string> &words);

// A KEY=VALUE word split at its first '='; nullopt when it has none.
struct KeyValue {
    std::string key;
    std::string value;
};
std::optional<KeyValue> split_key_value(const std::string &word);

// PostgreSQL's spellings of a boolean: true/false, yes/no, on/off, 1/0 and their prefixes t/f/y/n.
std::optional<bool> parse_bool(const std::string &text);

// A clone id: a positive integer.
int64_t parse_clone_id(const std::string &text);

// --timeout: seconds, a non-negative number.
double parse_seconds(const std::string &text);

// The text of --help.
std::string help_text();

}  // namespace pgclone::cli
