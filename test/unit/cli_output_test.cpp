// Unit tests of the pg_clone program's JSON and psql-like tables.
#include "cli/output.hpp"

#include <gtest/gtest.h>

using namespace pgclone::cli;

TEST(CliOutput, JsonStrings) {
    EXPECT_EQ(json_string("plain"), "\"plain\"");
    EXPECT_EQ(json_string("a \"b\" \\ c\nd\te"), "\"a \\\"b\\\" \\\\ c\\nd\\te\"");
    EXPECT_EQ(json_string(std::string("\x01", 1)), "\"\\u0001\"");
    EXPECT_EQ(json_string("h\xC3\xA9"), "\"h\xC3\xA9\"");
}

TEST(CliOutput, JsonObjects) {
    std::string json = JsonObject()
                           .number("id", std::string("7"))
                           .string("status", std::string("done"))
                           .string("error", std::nullopt)
                           .boolean("empty_only", false)
                           .number("seconds", std::string("0.25"))
                           .number("streams", std::nullopt)
                           .number("odd", std::string("NaN"))
                           .raw("results", json_array({"1", "2"}))
                           .str();
    EXPECT_EQ(json,
              "{\"id\": 7, \"status\": \"done\", \"error\": null, \"empty_only\": false, \"seconds\": 0.25, "
              "\"streams\": null, \"odd\": \"NaN\", \"results\": [1, 2]}");
    EXPECT_EQ(json_array({}), "[]");
}

TEST(CliOutput, AlignedTable) {
    std::string table = aligned_table(
        {"name", "n"}, {{std::string("alpha"), std::string("1")}, {std::string("b\xC3\xA9"), std::nullopt}},
        {false, true});
    EXPECT_EQ(table,
              " name  | n\n"
              "-------+---\n"
              " alpha | 1\n"
              " b\xC3\xA9    |\n"
              "(2 rows)\n");
    EXPECT_EQ(aligned_table({"x"}, {}, {false}), " x\n---\n(0 rows)\n");
}
