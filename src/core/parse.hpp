// Parsers for the user's text arguments: table lists, database lists and start values.
// Pure C++: no PostgreSQL headers, unit-tested by test/unit with GoogleTest.
#pragma once

#ifdef POSTGRES_H
#error "pure C++ headers must be included before postgres.h"
#endif

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace pgclone {

// A problem in user input; what() is a complete sentence fragment for errmsg (no trailing period).
class ParseError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// A table as the user wrote it, identifiers already case-folded or unquoted.
// A name "*" (unquoted) is a pattern: every table of the first source outside the system schemas and
// bucardo, or, qualified (myschema.*), every table of that schema; resolved when the clone starts.
struct TableName {
    std::optional<std::string> schema;  // empty when unqualified: resolved by search_path
    std::string name;
    bool operator==(const TableName &other) const { return schema == other.schema && name == other.name; }
    bool is_pattern() const { return name == "*"; }
};

// The longest lists a clone takes.
constexpr std::size_t max_list_tables = 100000;
constexpr std::size_t max_list_dbs = 1000;

// "foo, Bar ,myschema.bazzp, \"Mixed Case\".t" -> {foo}, {bar}, {myschema,bazzp}, {Mixed Case,t};
// "*, audit.*" -> {*}, {audit,*}. A table whose name is "*" cannot be listed (quoted or not, the list
// stores it as the pattern).
std::vector<TableName> parse_table_list(std::string_view text);

// PostgreSQL's own schemas, whose tables are never cloned: pg_catalog, information_schema and the
// TOAST schemas (pg_toast, pg_toast_temp_N).
bool is_system_schema(std::string_view schema);

enum class DbRole { Source, Target };
const char *role_name(DbRole role);

struct DbEntry {
    std::string name;
    DbRole role;
};

// "alpha:source, beta:target, gamma" -> roles; a name without a role is a source if it comes first,
// a target otherwise. Requires at least one source and one target, and no name twice.
std::vector<DbEntry> parse_db_list(std::string_view text);

// Names of databases, dbgroups, relgroups and syncs: letters, digits, '_', '-', '.'; 1..63 bytes.
bool valid_object_name(std::string_view name);

enum class StartKind { Now, Interval, Timestamp };

// Decides how a start value is to be read; the server then converts it with its own input functions.
StartKind classify_start(std::string_view text);

}  // namespace pgclone
