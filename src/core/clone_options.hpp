// The options of a clone request: every clone() argument but the tables, the databases and the start,
// each stored in the bucardo.clone column of its name. bucardo.clone() hands them to
// bucardo._queue_clone() as one jsonb object; bucardo._check_clone_options() (src/sql_api.cpp) reads
// it into Options and calls check_clone_options. The checks live here, not in the SQL scripts, so that
// a new option's check is a change of the library and its unit tests, and no version's script repeats
// the checks of the options before it.
// Pure C++: no PostgreSQL headers, unit-tested by test/unit with GoogleTest.
#pragma once

#ifdef POSTGRES_H
#error "pure C++ headers must be included before postgres.h"
#endif

#include <string>
#include <utility>
#include <vector>

namespace pgclone {

// One value of the options object, as jsonb holds it.
struct OptionValue {
    enum class Kind { Null, Boolean, Number, String, Object, Array };
    Kind kind = Kind::Null;
    bool boolean = false;  // Boolean
    std::string text;      // Number (as jsonb prints it) or String

    static OptionValue null() { return {}; }
    static OptionValue of(bool value) { return {Kind::Boolean, value, {}}; }
    static OptionValue number(std::string written) { return {Kind::Number, false, std::move(written)}; }
    static OptionValue string(std::string value) { return {Kind::String, false, std::move(value)}; }
    static OptionValue object() { return {Kind::Object, false, {}}; }
    static OptionValue array() { return {Kind::Array, false, {}}; }
};

// The options object: its keys and values. A key left out is not checked, and bucardo._queue_clone
// leaves its column to the column's default. clone() passes every argument, an SQL NULL as JSON null,
// except a jsonb argument (filters), which it passes only when it is not NULL: its JSON null is then a
// value given, and refused as any other value of the wrong type.
using Options = std::vector<std::pair<std::string, OptionValue>>;

// Throws pgclone::Error (SQLSTATE 22023, invalid_parameter_value) for the first problem, in the order
// clone() has always checked its arguments: empty_only, sequences, analyze, retries, verify, empty, the
// conflict of empty => 'delete' with empty_only, filters, streams, max_rate, schema, target_names,
// commit. A key no check knows is refused.
void check_clone_options(const Options &options);

// PostgreSQL's quote_literal(): the text in single quotes, quotes doubled, and backslashes doubled
// behind an E when there are any ('it''s', E'a\\b'), as the messages of clone() always showed values.
std::string quote_literal(const std::string &text);

}  // namespace pgclone
