// The checks of a clone request's options (bucardo._check_clone_options): the messages, SQLSTATEs and
// order clone() has always had, and unknown keys refused.

#include <gtest/gtest.h>

#include <string>

#include "core/clone_options.hpp"
#include "core/error.hpp"

namespace pgclone {
namespace {

using V = OptionValue;

// What clone() passes when every argument keeps its default.
Options defaults() {
    return {{"empty_only", V::of(false)}, {"streams", V::null()},   {"sequences", V::of(true)},
            {"analyze", V::of(true)},     {"verify", V::of(false)}, {"empty", V::string("truncate")},
            {"retries", V::number("0")}};
}

Options with(Options options, const std::string &key, V value) {
    for (auto &option : options)
        if (option.first == key) {
            option.second = std::move(value);
            return options;
        }
    options.emplace_back(key, std::move(value));
    return options;
}

// The error check_clone_options throws, or a failure when it throws none.
Error error_of(const Options &options) {
    try {
        check_clone_options(options);
    } catch (const Error &e) {
        return e;
    }
    ADD_FAILURE() << "no Error thrown";
    return Error(sqlstate::internal_error, "");
}

std::string message_of(const Options &options) { return error_of(options).what(); }

TEST(CloneOptions, DefaultsAndGoodValuesPass) {
    EXPECT_NO_THROW(check_clone_options(defaults()));
    EXPECT_NO_THROW(check_clone_options({}));
    Options good = with(with(with(defaults(), "streams", V::number("64")), "retries", V::number("100")),
                        "empty", V::string("delete"));
    good = with(with(good, "filters", V::object()), "verify", V::of(true));
    EXPECT_NO_THROW(check_clone_options(good));
    EXPECT_NO_THROW(check_clone_options(with(defaults(), "streams", V::number("1"))));
}

TEST(CloneOptions, BooleansMustBeTrueOrFalse) {
    for (const char *name : {"empty_only", "sequences", "analyze", "verify"}) {
        Error e = error_of(with(defaults(), name, V::null()));
        EXPECT_EQ(std::string(e.what()), std::string(name) + " must be true or false");
        EXPECT_EQ(e.sqlstate(), sqlstate::invalid_parameter_value);
        EXPECT_EQ(e.info().hint, "");
        EXPECT_EQ(message_of(with(defaults(), name, V::string("yes"))),
                  std::string(name) + " must be true or false");
    }
}

TEST(CloneOptions, RetriesFrom0To100) {
    EXPECT_EQ(message_of(with(defaults(), "retries", V::null())),
              "retries must be between 0 and 100, not NULL");
    EXPECT_EQ(message_of(with(defaults(), "retries", V::number("-1"))),
              "retries must be between 0 and 100, not -1");
    EXPECT_EQ(message_of(with(defaults(), "retries", V::number("101"))),
              "retries must be between 0 and 100, not 101");
    EXPECT_EQ(error_of(with(defaults(), "retries", V::number("101"))).info().hint, "");
    EXPECT_EQ(message_of(with(defaults(), "retries", V::number("2.5"))),
              "retries must be between 0 and 100, not 2.5");
    EXPECT_EQ(message_of(with(defaults(), "retries", V::string("5"))),
              "retries must be between 0 and 100, not '5'");
    EXPECT_EQ(message_of(with(defaults(), "retries", V::number("12345678901234567890"))),
              "retries must be between 0 and 100, not 12345678901234567890");
}

TEST(CloneOptions, StreamsFrom1To64OrNull) {
    EXPECT_NO_THROW(check_clone_options(with(defaults(), "streams", V::null())));
    Error e = error_of(with(defaults(), "streams", V::number("0")));
    EXPECT_EQ(std::string(e.what()), "streams must be between 1 and 64, not 0");
    EXPECT_EQ(e.info().hint, "Leave it out to use pg_clone.max_streams.");
    EXPECT_EQ(message_of(with(defaults(), "streams", V::number("65"))),
              "streams must be between 1 and 64, not 65");
    EXPECT_EQ(message_of(with(defaults(), "streams", V::number("-"))),
              "streams must be between 1 and 64, not -");
}

TEST(CloneOptions, EmptyIsTruncateOrDelete) {
    EXPECT_EQ(message_of(with(defaults(), "empty", V::string("drop"))),
              "empty must be 'truncate' or 'delete', not 'drop'");
    EXPECT_EQ(message_of(with(defaults(), "empty", V::null())),
              "empty must be 'truncate' or 'delete', not NULL");
    // As quote_nullable() shows it.
    EXPECT_EQ(message_of(with(defaults(), "empty", V::string("x\\y'z"))),
              "empty must be 'truncate' or 'delete', not E'x\\\\y''z'");
    EXPECT_EQ(message_of(with(defaults(), "empty", V::number("3"))),
              "empty must be 'truncate' or 'delete', not 3");
}

TEST(CloneOptions, EmptyDeleteConflictsWithEmptyOnly) {
    Options options = with(with(defaults(), "empty", V::string("delete")), "empty_only", V::of(true));
    EXPECT_EQ(message_of(options),
              "empty => 'delete' and empty_only conflict: empty_only never empties a table");
    EXPECT_NO_THROW(check_clone_options(with(defaults(), "empty_only", V::of(true))));
}

TEST(CloneOptions, FiltersAreAnObject) {
    for (V value : {V::array(), V::null(), V::string("x"), V::number("1"), V::of(true)}) {
        Error e = error_of(with(defaults(), "filters", value));
        EXPECT_EQ(std::string(e.what()), "filters must be a JSON object of table names and SQL conditions");
        EXPECT_NE(e.info().hint.find("For example"), std::string::npos);
    }
}

TEST(CloneOptions, FirstProblemInTheOrderClonesAlwaysChecked) {
    // empty_only, sequences, analyze, retries, verify, empty, the conflict, filters, streams.
    Options all_wrong = {{"streams", V::number("0")}, {"filters", V::array()},  {"empty", V::string("drop")},
                         {"verify", V::null()},       {"retries", V::null()},   {"analyze", V::null()},
                         {"sequences", V::null()},    {"empty_only", V::null()}};
    const char *expected[] = {"empty_only must be true or false",
                              "sequences must be true or false",
                              "analyze must be true or false",
                              "retries must be between 0 and 100, not NULL",
                              "verify must be true or false",
                              "empty must be 'truncate' or 'delete', not 'drop'",
                              "filters must be a JSON object of table names and SQL conditions",
                              "streams must be between 1 and 64, not 0"};
    Options options = all_wrong;
    for (const char *message : expected) {
        EXPECT_EQ(message_of(options), message);
        options.pop_back();  // the one just reported
    }
    EXPECT_EQ(options.size(), 0u);
    // The conflict comes after empty's own check, before filters'.
    Options conflict = {{"filters", V::array()}, {"empty", V::string("delete")}, {"empty_only", V::of(true)}};
    EXPECT_EQ(message_of(conflict),
              "empty => 'delete' and empty_only conflict: empty_only never empties a table");
}

TEST(CloneOptions, MaxRateIsARateOrNull) {
    EXPECT_NO_THROW(check_clone_options(with(defaults(), "max_rate", V::null())));
    EXPECT_NO_THROW(check_clone_options(with(defaults(), "max_rate", V::string("50MB"))));
    EXPECT_NO_THROW(check_clone_options(with(defaults(), "max_rate", V::string("0"))));
    EXPECT_NO_THROW(check_clone_options(with(defaults(), "max_rate", V::number("1048576"))));
    Error e = error_of(with(defaults(), "max_rate", V::string("-5MB")));
    EXPECT_EQ(std::string(e.what()),
              "max_rate must be bytes per second such as '50MB', '512kB' or '1GB', not '-5MB'");
    EXPECT_EQ(e.sqlstate(), sqlstate::invalid_parameter_value);
    EXPECT_EQ(message_of(with(defaults(), "max_rate", V::string("fast"))),
              "max_rate must be bytes per second such as '50MB', '512kB' or '1GB', not 'fast'");
    EXPECT_EQ(message_of(with(defaults(), "max_rate", V::number("-1"))),
              "max_rate must be bytes per second such as '50MB', '512kB' or '1GB', not -1");
    EXPECT_EQ(message_of(with(defaults(), "max_rate", V::of(true))),
              "max_rate must be bytes per second such as '50MB', '512kB' or '1GB', not true");
}

TEST(CloneOptions, SchemaTargetNamesAndCommit) {
    EXPECT_NO_THROW(check_clone_options(with(defaults(), "schema", V::string("create"))));
    EXPECT_NO_THROW(check_clone_options(with(defaults(), "schema", V::string("existing"))));
    EXPECT_NO_THROW(check_clone_options(with(defaults(), "target_names", V::object())));
    EXPECT_NO_THROW(check_clone_options(with(defaults(), "commit", V::string("table"))));
    EXPECT_NO_THROW(check_clone_options(with(defaults(), "commit", V::string("clone"))));
    Error e = error_of(with(defaults(), "schema", V::string("replace")));
    EXPECT_EQ(std::string(e.what()), "schema must be 'existing' or 'create', not 'replace'");
    EXPECT_EQ(e.sqlstate(), sqlstate::invalid_parameter_value);
    EXPECT_EQ(message_of(with(defaults(), "schema", V::null())), "schema must be 'existing' or 'create', not NULL");
    EXPECT_EQ(message_of(with(defaults(), "target_names", V::array())),
              "target_names must be a JSON object of source table names and target table names");
    EXPECT_EQ(message_of(with(defaults(), "target_names", V::null())),
              "target_names must be a JSON object of source table names and target table names");
    EXPECT_EQ(message_of(with(defaults(), "commit", V::string("row"))), "commit must be 'clone' or 'table', not 'row'");
    // In the order of the checks: schema before target_names before commit.
    EXPECT_EQ(message_of(with(with(defaults(), "commit", V::string("row")), "schema", V::string("x"))),
              "schema must be 'existing' or 'create', not 'x'");
}

TEST(CloneOptions, UnknownKeysAreRefused) {
    Error e = error_of(with(defaults(), "status", V::string("done")));
    EXPECT_EQ(std::string(e.what()), "unknown clone option \"status\"");
    EXPECT_EQ(e.sqlstate(), sqlstate::invalid_parameter_value);
    EXPECT_EQ(e.info().hint,
              "The options are empty_only, sequences, analyze, retries, verify, empty, filters, streams, "
              "max_rate, schema, target_names, commit.");
    // A known option's problem is reported first.
    EXPECT_EQ(message_of(with(with(defaults(), "status", V::null()), "streams", V::number("0"))),
              "streams must be between 1 and 64, not 0");
}

TEST(QuoteLiteral, AsPostgreSQLQuotes) {
    EXPECT_EQ(quote_literal("drop"), "'drop'");
    EXPECT_EQ(quote_literal("it's"), "'it''s'");
    EXPECT_EQ(quote_literal("a\\b"), "E'a\\\\b'");
    EXPECT_EQ(quote_literal(""), "''");
}

}  // namespace
}  // namespace pgclone
