// Unit tests of src/core/parse: table lists, database lists, object names and start values.
#include "core/parse.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace pgclone {

// Readable failure messages for vectors of table names.
void PrintTo(const TableName &table, std::ostream *out) {
    *out << (table.schema ? "{" + *table.schema + "}." : std::string()) << "{" << table.name << "}";
}

}  // namespace pgclone

using pgclone::classify_start;
using pgclone::DbEntry;
using pgclone::DbRole;
using pgclone::parse_db_list;
using pgclone::parse_table_list;
using pgclone::ParseError;
using pgclone::StartKind;
using pgclone::TableName;
using pgclone::valid_object_name;

namespace {

// The message of the ParseError that `call` throws, or a failure when it throws none.
std::string error_of(const std::function<void()> &call) {
    try {
        call();
    } catch (const ParseError &e) {
        return e.what();
    }
    ADD_FAILURE() << "no ParseError thrown";
    return "";
}

std::string table_error(const std::string &text) {
    return error_of([&] { parse_table_list(text); });
}

std::string db_error(const std::string &text) {
    return error_of([&] { parse_db_list(text); });
}

std::string start_error(const std::string &text) {
    return error_of([&] { classify_start(text); });
}

TableName t(const std::string &name) { return TableName{std::nullopt, name}; }
TableName t(const std::string &schema, const std::string &name) { return TableName{schema, name}; }

std::string invalid_start(const std::string &text) {
    return "invalid start value \"" + text +
           "\" (expected an interval such as '3 hours' or a timestamp such as '2026-12-01 03:00')";
}

std::string negative_start(const std::string &text) {
    return "start must not be a negative interval: \"" + text + "\"";
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// parse_table_list

TEST(ParseTableList, HeaderExample) {
    std::vector<TableName> expected = {t("foo"), t("bar"), t("myschema", "bazzp"), t("Mixed Case", "t")};
    EXPECT_EQ(parse_table_list("foo, Bar ,myschema.bazzp, \"Mixed Case\".t"), expected);
}

TEST(ParseTableList, DesignExample) {
    std::vector<TableName> expected = {t("foo"), t("bar"), t("myschema", "bazzp")};
    EXPECT_EQ(parse_table_list("foo,bar,myschema.bazzp"), expected);
}

TEST(ParseTableList, SingleTable) {
    std::vector<TableName> expected = {t("foo")};
    EXPECT_EQ(parse_table_list("foo"), expected);
    auto one = parse_table_list("s.foo");
    ASSERT_EQ(one.size(), 1u);
    ASSERT_TRUE(one[0].schema.has_value());
    EXPECT_EQ(*one[0].schema, "s");
    EXPECT_EQ(one[0].name, "foo");
    EXPECT_FALSE(parse_table_list("foo")[0].schema.has_value());
}

TEST(ParseTableList, WhitespaceAroundItemsAndDots) {
    std::vector<TableName> expected = {t("a"), t("s", "b"), t("c")};
    EXPECT_EQ(parse_table_list("  a ,\ts . b\n,\n c  "), expected);
    EXPECT_EQ(parse_table_list("a,s.b,c"), expected);
    EXPECT_EQ(parse_table_list("\ta\t,\ts\t.\tb\t,\tc\t"), expected);
    EXPECT_EQ(parse_table_list("\r\na,s\r\n.b,c\r\n"), expected);
}

TEST(ParseTableList, CaseFolding) {
    std::vector<TableName> expected = {t("myschema", "mytable"), t("other")};
    EXPECT_EQ(parse_table_list("MySchema.MyTable, OTHER"), expected);
    EXPECT_EQ(parse_table_list("mYsChEmA.mYtAbLe,oThEr"), expected);
}

TEST(ParseTableList, UnquotedCharacters) {
    std::vector<TableName> expected = {t("_t1$x"), t("a_b", "c$9"), t("__")};
    EXPECT_EQ(parse_table_list("_t1$x, A_B.C$9, __"), expected);
}

TEST(ParseTableList, QuotedIdentifiersKeptVerbatim) {
    std::vector<TableName> expected = {t("MixedCase"), t("Sch", "Tab"), t("UPPER", "lower")};
    EXPECT_EQ(parse_table_list("\"MixedCase\", \"Sch\".\"Tab\", \"UPPER\".LOWER"), expected);
}

TEST(ParseTableList, QuotedIdentifiersWithSpecialCharacters) {
    std::vector<TableName> expected = {t("a b"), t("x.y"), t("c,d"), t("s p", "t.q,r"), t("1st"), t("$")};
    EXPECT_EQ(parse_table_list("\"a b\",\"x.y\",\"c,d\", \"s p\" . \"t.q,r\", \"1st\", \"$\""), expected);
}

TEST(ParseTableList, DoubledQuotes) {
    std::vector<TableName> expected = {t("say \"hi\""), t("\""), t("a\"\"b")};
    EXPECT_EQ(parse_table_list("\"say \"\"hi\"\"\", \"\"\"\", \"a\"\"\"\"b\""), expected);
}

TEST(ParseTableList, QuotedMatchesUnquotedLowerCase) {
    // "foo" and foo are the same table
    EXPECT_EQ(table_error("\"foo\", FOO"), "table \"foo\" is listed twice");
    // but "FOO" and FOO are not
    std::vector<TableName> expected = {t("FOO"), t("foo")};
    EXPECT_EQ(parse_table_list("\"FOO\", FOO"), expected);
}

TEST(ParseTableList, MultibyteUtf8) {
    // ASCII letters fold, bytes >= 0x80 are kept as they are.
    std::vector<TableName> expected = {t("café"), t("schéma", "tâble"), t("日本"), t("ÉtÉ"), t("x日y_1$")};
    EXPECT_EQ(parse_table_list("Café, SCHéMA.TâBLE, 日本, ÉTÉ, X日Y_1$"), expected);
    std::vector<TableName> quoted = {t("Ünïcödé Tàble")};
    EXPECT_EQ(parse_table_list("\"Ünïcödé Tàble\""), quoted);
}

TEST(ParseTableList, LengthLimits) {
    std::string ok63(63, 'a');
    std::string long64(64, 'a');
    EXPECT_EQ(parse_table_list(ok63), std::vector<TableName>{t(ok63)});
    EXPECT_EQ(parse_table_list(ok63 + "." + ok63), std::vector<TableName>{t(ok63, ok63)});
    EXPECT_EQ(parse_table_list("\"" + ok63 + "\""), std::vector<TableName>{t(ok63)});
    EXPECT_EQ(table_error(long64), "identifier \"" + long64 + "\" is too long (at most 63 bytes)");
    EXPECT_EQ(table_error("s." + long64), "identifier \"" + long64 + "\" is too long (at most 63 bytes)");
    EXPECT_EQ(table_error(long64 + ".t"), "identifier \"" + long64 + "\" is too long (at most 63 bytes)");
    EXPECT_EQ(table_error("\"" + long64 + "\""),
              "identifier \"" + long64 + "\" is too long (at most 63 bytes)");

    // The message shows the identifier as written, before folding.
    std::string upper64(64, 'A');
    EXPECT_EQ(table_error(upper64), "identifier \"" + upper64 + "\" is too long (at most 63 bytes)");

    // Bytes, not characters: "é" is two bytes.
    std::string e31;  // 62 bytes
    for (int i = 0; i < 31; ++i) e31 += "é";
    EXPECT_EQ(parse_table_list(e31 + "x"), std::vector<TableName>{t(e31 + "x")});  // 63 bytes
    EXPECT_EQ(table_error(e31 + "xy"), "identifier \"" + e31 + "xy\" is too long (at most 63 bytes)");
    EXPECT_EQ(table_error(e31 + "é"), "identifier \"" + e31 + "é\" is too long (at most 63 bytes)");

    // A doubled quote counts once.
    std::string quotes62(62, 'q');
    EXPECT_EQ(parse_table_list("\"" + quotes62 + "\"\"\""), std::vector<TableName>{t(quotes62 + "\"")});
}

TEST(ParseTableList, EmptyInput) {
    EXPECT_EQ(table_error(""), "table list is empty");
    EXPECT_EQ(table_error("   "), "table list is empty");
    EXPECT_EQ(table_error(" \t\n "), "table list is empty");
}

TEST(ParseTableList, EmptyItems) {
    EXPECT_EQ(table_error("a,,b"), "table list item 2 is empty");
    EXPECT_EQ(table_error("a, ,b"), "table list item 2 is empty");
    EXPECT_EQ(table_error("a,"), "table list item 2 is empty");
    EXPECT_EQ(table_error("a,b,  "), "table list item 3 is empty");
    EXPECT_EQ(table_error(",a"), "table list item 1 is empty");
    EXPECT_EQ(table_error(" , a"), "table list item 1 is empty");
    EXPECT_EQ(table_error(","), "table list item 1 is empty");
}

TEST(ParseTableList, GarbageBetweenItems) {
    EXPECT_EQ(table_error("a b"), "invalid identifier at \"a b\"");
    EXPECT_EQ(table_error("x, foo bar, y"), "invalid identifier at \"foo bar\"");
    EXPECT_EQ(table_error("s.a b"), "invalid identifier at \"s.a b\"");
    EXPECT_EQ(table_error("\"a\"b"), "invalid identifier at \"\"a\"b\"");
    EXPECT_EQ(table_error("a;b"), "invalid identifier at \"a;b\"");
    EXPECT_EQ(table_error("a-b"), "invalid identifier at \"a-b\"");
}

TEST(ParseTableList, InvalidIdentifiers) {
    EXPECT_EQ(table_error("1abc"), "invalid identifier at \"1abc\"");
    EXPECT_EQ(table_error("a, $x"), "invalid identifier at \"$x\"");
    EXPECT_EQ(table_error("a, -b"), "invalid identifier at \"-b\"");
    EXPECT_EQ(table_error(".a"), "invalid identifier at \".a\"");
    EXPECT_EQ(table_error("a."), "invalid identifier at \"a.\"");
    EXPECT_EQ(table_error("a. "), "invalid identifier at \"a.\"");
    EXPECT_EQ(table_error("a.,b"), "invalid identifier at \"a.\"");
    EXPECT_EQ(table_error("a..b"), "invalid identifier at \"a..b\"");
    EXPECT_EQ(table_error("s.1t"), "invalid identifier at \"s.1t\"");
    EXPECT_EQ(table_error("'a'"), "invalid identifier at \"'a'\"");
}

TEST(ParseTableList, TooManyParts) {
    EXPECT_EQ(table_error("a.b.c"),
              "improper table name \"a.b.c\" (too many dotted names; expected table or schema.table)");
    EXPECT_EQ(table_error("x, db . s . t, y"),
              "improper table name \"db . s . t\" (too many dotted names; expected table or schema.table)");
    EXPECT_EQ(table_error("\"a\".\"b\".\"c\""),
              "improper table name \"\"a\".\"b\".\"c\"\" (too many dotted names; expected table or "
              "schema.table)");
}

TEST(ParseTableList, UnterminatedQuote) {
    EXPECT_EQ(table_error("\"abc"), "unterminated quoted identifier in table list item 1");
    EXPECT_EQ(table_error("a, \"b, c"), "unterminated quoted identifier in table list item 2");
    EXPECT_EQ(table_error("a, s.\"b"), "unterminated quoted identifier in table list item 2");
    EXPECT_EQ(table_error("\"a\"\""), "unterminated quoted identifier in table list item 1");
    EXPECT_EQ(table_error("\""), "unterminated quoted identifier in table list item 1");
}

TEST(ParseTableList, EmptyQuotedIdentifier) {
    EXPECT_EQ(table_error("\"\""), "zero-length quoted identifier in table list item 1");
    EXPECT_EQ(table_error("a, s.\"\""), "zero-length quoted identifier in table list item 2");
    EXPECT_EQ(table_error("a, \"\".t"), "zero-length quoted identifier in table list item 2");
}

TEST(ParseTableList, Duplicates) {
    EXPECT_EQ(table_error("foo,foo"), "table \"foo\" is listed twice");
    EXPECT_EQ(table_error("foo, bar, FOO"), "table \"foo\" is listed twice");
    EXPECT_EQ(table_error("s.foo, S.Foo"), "table \"s.foo\" is listed twice");
    EXPECT_EQ(table_error("\"A b\".c, \"A b\" . C"), "table \"A b.c\" is listed twice");
}

TEST(ParseTableList, SameNameInDifferentSchemasIsNotADuplicate) {
    std::vector<TableName> expected = {t("public", "foo"), t("foo"), t("other", "foo")};
    EXPECT_EQ(parse_table_list("public.foo, foo, other.foo"), expected);
}

TEST(ParseTableList, ManyItems) {
    std::string text;
    std::vector<TableName> expected;
    for (int i = 0; i < 200; ++i) {
        if (i > 0) text += ",";
        text += "T" + std::to_string(i);
        expected.push_back(t("t" + std::to_string(i)));
    }
    EXPECT_EQ(parse_table_list(text), expected);
}

// ---------------------------------------------------------------------------------------------
// parse_db_list

namespace {

void expect_dbs(const std::string &text, const std::vector<std::pair<std::string, DbRole>> &expected) {
    std::vector<DbEntry> got = parse_db_list(text);
    ASSERT_EQ(got.size(), expected.size()) << text;
    for (std::size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].name, expected[i].first) << text << " item " << i + 1;
        EXPECT_EQ(got[i].role, expected[i].second) << text << " item " << i + 1;
    }
}

constexpr DbRole S = DbRole::Source;
constexpr DbRole T = DbRole::Target;

}  // namespace

TEST(ParseDbList, ExplicitRoles) {
    expect_dbs("alpha:source,beta:target,gamma:target", {{"alpha", S}, {"beta", T}, {"gamma", T}});
    expect_dbs("alpha:source,beta:target", {{"alpha", S}, {"beta", T}});
    expect_dbs("beta:target,alpha:source", {{"beta", T}, {"alpha", S}});
}

TEST(ParseDbList, DefaultRoles) {
    expect_dbs("alpha,beta", {{"alpha", S}, {"beta", T}});
    expect_dbs("alpha,beta,gamma", {{"alpha", S}, {"beta", T}, {"gamma", T}});
    expect_dbs("alpha:source,beta:source,gamma", {{"alpha", S}, {"beta", S}, {"gamma", T}});
    expect_dbs("alpha,beta:source,gamma", {{"alpha", S}, {"beta", S}, {"gamma", T}});
    expect_dbs("alpha, beta:target", {{"alpha", S}, {"beta", T}});
    // Only the first item defaults to source, even when it has an explicit role.
    expect_dbs("alpha:target, beta:source, gamma", {{"alpha", T}, {"beta", S}, {"gamma", T}});
}

TEST(ParseDbList, Whitespace) {
    expect_dbs("  alpha : source ,\tbeta\t:\ttarget\n,\ngamma  ", {{"alpha", S}, {"beta", T}, {"gamma", T}});
    expect_dbs(" alpha , beta ", {{"alpha", S}, {"beta", T}});
}

TEST(ParseDbList, RolesAreCaseInsensitive) {
    expect_dbs("alpha:SOURCE,beta:Target,gamma:tArGeT", {{"alpha", S}, {"beta", T}, {"gamma", T}});
}

TEST(ParseDbList, NamesKeepTheirCaseAndCharacters) {
    expect_dbs("Alpha.1:source,beta-2_x", {{"Alpha.1", S}, {"beta-2_x", T}});
    // names are compared exactly
    expect_dbs("alpha,ALPHA", {{"alpha", S}, {"ALPHA", T}});
}

TEST(ParseDbList, NameLengthLimit) {
    std::string ok63(63, 'd');
    std::string long64(64, 'd');
    expect_dbs(ok63 + ",b", {{ok63, S}, {"b", T}});
    EXPECT_EQ(db_error(long64 + ",b"), "invalid database name \"" + long64 + "\"");
}

TEST(ParseDbList, InvalidNames) {
    EXPECT_EQ(db_error("al pha,beta"), "invalid database name \"al pha\"");
    EXPECT_EQ(db_error("alpha,be/ta"), "invalid database name \"be/ta\"");
    EXPECT_EQ(db_error("alpha,\"beta\""), "invalid database name \"\"beta\"\"");
    EXPECT_EQ(db_error("alpha,bêta"), "invalid database name \"bêta\"");
    EXPECT_EQ(db_error("alpha,beta;drop"), "invalid database name \"beta;drop\"");
}

TEST(ParseDbList, MissingName) {
    EXPECT_EQ(db_error(":source,beta"), "database list item 1 has no name");
    EXPECT_EQ(db_error("alpha, :target"), "database list item 2 has no name");
}

TEST(ParseDbList, EmptyInput) {
    EXPECT_EQ(db_error(""), "database list is empty");
    EXPECT_EQ(db_error("  \t\n"), "database list is empty");
}

TEST(ParseDbList, EmptyItems) {
    EXPECT_EQ(db_error("alpha,,beta"), "database list item 2 is empty");
    EXPECT_EQ(db_error("alpha, ,beta"), "database list item 2 is empty");
    EXPECT_EQ(db_error("alpha,beta,"), "database list item 3 is empty");
    EXPECT_EQ(db_error(",alpha,beta"), "database list item 1 is empty");
    EXPECT_EQ(db_error(","), "database list item 1 is empty");
}

TEST(ParseDbList, UnknownRole) {
    EXPECT_EQ(db_error("alpha:sauce,beta"),
              "unknown role \"sauce\" for database \"alpha\" (expected source or target)");
    EXPECT_EQ(db_error("alpha, beta : Targets"),
              "unknown role \"Targets\" for database \"beta\" (expected source or target)");
    EXPECT_EQ(db_error("alpha:source:target,beta"),
              "unknown role \"source:target\" for database \"alpha\" (expected source or target)");
    EXPECT_EQ(db_error("alpha:src,beta"),
              "unknown role \"src\" for database \"alpha\" (expected source or target)");
}

TEST(ParseDbList, MissingRole) {
    EXPECT_EQ(db_error("alpha:,beta"),
              "missing role after \":\" for database \"alpha\" (expected source or target)");
    EXPECT_EQ(db_error("alpha,beta : "),
              "missing role after \":\" for database \"beta\" (expected source or target)");
}

TEST(ParseDbList, Duplicates) {
    EXPECT_EQ(db_error("alpha,beta,alpha"), "database \"alpha\" is listed twice");
    EXPECT_EQ(db_error("alpha:source,alpha:target"), "database \"alpha\" is listed twice");
    EXPECT_EQ(db_error("alpha, beta , beta"), "database \"beta\" is listed twice");
}

TEST(ParseDbList, NoSource) {
    EXPECT_EQ(db_error("alpha:target,beta"), "no source database in \"alpha:target,beta\"");
    EXPECT_EQ(db_error("alpha:target"), "no source database in \"alpha:target\"");
    EXPECT_EQ(db_error(" alpha:target , beta:target "),
              "no source database in \"alpha:target , beta:target\"");
}

TEST(ParseDbList, NoTarget) {
    EXPECT_EQ(db_error("alpha"), "no target database in \"alpha\"");
    EXPECT_EQ(db_error("alpha:source,beta:source"), "no target database in \"alpha:source,beta:source\"");
    EXPECT_EQ(db_error("alpha,beta:source"), "no target database in \"alpha,beta:source\"");
}

TEST(ParseDbList, ErrorsFollowItemOrder) {
    // the first bad item is reported, before the list-wide checks
    EXPECT_EQ(db_error("alpha:bad,,beta"),
              "unknown role \"bad\" for database \"alpha\" (expected source or target)");
    EXPECT_EQ(db_error("alpha,alpha,b@d"), "database \"alpha\" is listed twice");
    EXPECT_EQ(db_error("alpha:target,b@d"), "invalid database name \"b@d\"");
}

// ---------------------------------------------------------------------------------------------
// valid_object_name and role_name

TEST(ValidObjectName, Accepts) {
    EXPECT_TRUE(valid_object_name("a"));
    EXPECT_TRUE(valid_object_name("alpha"));
    EXPECT_TRUE(valid_object_name("Alpha_Beta-1.2"));
    EXPECT_TRUE(valid_object_name("1"));
    EXPECT_TRUE(valid_object_name("-"));
    EXPECT_TRUE(valid_object_name("."));
    EXPECT_TRUE(valid_object_name("clone_relgroup1"));
    EXPECT_TRUE(valid_object_name(std::string(63, 'x')));
}

TEST(ValidObjectName, Rejects) {
    EXPECT_FALSE(valid_object_name(""));
    EXPECT_FALSE(valid_object_name(std::string(64, 'x')));
    EXPECT_FALSE(valid_object_name("a b"));
    EXPECT_FALSE(valid_object_name(" a"));
    EXPECT_FALSE(valid_object_name("a:b"));
    EXPECT_FALSE(valid_object_name("a,b"));
    EXPECT_FALSE(valid_object_name("a\"b"));
    EXPECT_FALSE(valid_object_name("a'b"));
    EXPECT_FALSE(valid_object_name("a/b"));
    EXPECT_FALSE(valid_object_name("a$b"));
    EXPECT_FALSE(valid_object_name("café"));
    EXPECT_FALSE(valid_object_name(std::string("a\0b", 3)));
}

TEST(RoleName, Names) {
    EXPECT_STREQ(pgclone::role_name(DbRole::Source), "source");
    EXPECT_STREQ(pgclone::role_name(DbRole::Target), "target");
}

// ---------------------------------------------------------------------------------------------
// classify_start

TEST(ClassifyStart, Now) {
    for (const char *text : {"", "   ", "\t\n", "now", "NOW", "Now", "  now  "}) {
        EXPECT_EQ(classify_start(text), StartKind::Now) << '"' << text << '"';
    }
}

TEST(ClassifyStart, Timestamps) {
    for (const char *text : {
             "2026-12-01",
             "2026-12-01 03:00",
             "2026-12-01T03:00:00Z",
             "2026-12-01t03:00",
             "2026-12-01 03:00:00+02",
             "2026-12-01 03:00 Europe/Paris",
             "2026-1-5",
             "2026-1-05 3:00",
             "20261201",
             "20261201 030000",
             "20261201T030000",
             "12/01/2026",
             "1/5/2026 03:00",
             "2026/12/01",
             "2026/12/01 03:00",
             "today",
             "TODAY",
             "today 03:00",
             "tomorrow",
             "Tomorrow 03:00:00",
             "  2026-12-01 03:00  ",
         }) {
        EXPECT_EQ(classify_start(text), StartKind::Timestamp) << '"' << text << '"';
    }
}

TEST(ClassifyStart, Intervals) {
    for (const char *text : {
             "3 hours",
             "3 HOURS",
             "1 hour",
             "3h",
             "3 h",
             "90min",
             "90 mins",
             "90 minutes",
             "5 m",
             "1.5 hours",
             "1.5h",
             ".5 hours",
             "2. hours",
             "+3 hours",
             "+ 3 hours",
             "1 day +2 hours",
             "1 day",
             "2 days",
             "2d",
             "1 week",
             "2 weeks",
             "1w",
             "1 month",
             "2 months",
             "1 mon",
             "3 mons",
             "1 year",
             "2 years",
             "1 yr",
             "2 yrs",
             "1y",
             "30 seconds",
             "30 second",
             "30 sec",
             "30 secs",
             "30s",
             "10 ms",
             "10 millisecond",
             "10 milliseconds",
             "10 msec",
             "10 microseconds",
             "10 microsecond",
             "10 us",
             "2 hr",
             "2 hrs",
             "1 day 2 hours 30 minutes",
             "1 year 2 months 3 days",
             "3h30m",
             "1d2h",
             "@ 3 hours",
             "@3 hours",
             "@ 1 day 2 hours",
             "3600",
             "3600.5",
             "1 day 3600",
             "02:00",
             "2:30",
             "02:00:00",
             "02:00:30.5",
             "1 day 02:00",
             "2 days 02:00:00",
             "1 year 2 mons 3 days 04:05:06",
             "@ 1 day 02:00",
             "PT3H",
             "P1D",
             "P1DT2H30M",
             "P1Y2M3W4DT5H6M7S",
             "PT0.5S",
             "P2W",
             "  3 hours  ",
             "3\thours",
         }) {
        EXPECT_EQ(classify_start(text), StartKind::Interval) << '"' << text << '"';
    }
}

TEST(ClassifyStart, EightDigitsThatAreNotADateAreSeconds) {
    EXPECT_EQ(classify_start("31536000"), StartKind::Interval);  // month 53
    EXPECT_EQ(classify_start("86400000"), StartKind::Interval);  // month 00
    EXPECT_EQ(classify_start("20261232"), StartKind::Interval);  // day 32
    EXPECT_EQ(classify_start("20261231"), StartKind::Timestamp);
    EXPECT_EQ(classify_start("123456789"), StartKind::Interval);
}

TEST(ClassifyStart, NegativeIntervals) {
    for (const char *text : {
             "-3 hours",
             "-3h",
             "1 day ago",
             "3 hours ago",
             "3 HOURS AGO",
             "@ 3 hours ago",
             "3600 ago",
             "1 day -2 hours",
             "-3600",
             "-02:00",
             "1 day -02:00",
             "P-1D",
             "PT-3H",
             "-0 hours",
             "- 3 hours",
             "@ - 3 hours",
             "- 3 hours ago",
             "02:00 ago",
         }) {
        std::string trimmed = text;
        EXPECT_EQ(start_error(text), negative_start(trimmed)) << '"' << text << '"';
    }
    EXPECT_EQ(start_error("  -3 hours \n"), negative_start("-3 hours"));
}

TEST(ClassifyStart, Garbage) {
    for (const char *text : {
             "soon",
             "3 parsecs",
             "--",
             "-",
             "+",
             "@",
             "hours",
             "ago",
             "3 hours later",
             "now + 3 hours",
             "now()",
             "nowadays",
             "yesterday",
             "todays",
             "tomorrow03:00",
             "3 hours 3 hours ago ago",
             "--3 hours",
             "+-3 hours",
             "3..5 hours",
             "3 hours,",
             "3 hours, 2 minutes",
             "1 2",
             "3600 hours 5 6",
             "02:00 1 day",
             "02:00 hours",
             "02:",
             "02:000",
             "2:3:4:5",
             "02:00:",
             "02:00:00.",
             "1.5:30",
             "P",
             "PT",
             "P1H",
             "PT1D",
             "P1DT",
             "P1D2",
             "P 1D",
             "PT3H ago",
             "pt3h",
             "Pt3H",
             "PT3h",
             "P1d",
             "P+1D",
             "PT+3H",
             "2026-12-01x",
             "2026-12",
             "2026-123-01",
             "1/2/26",
             "12/01/2026x",
             "3 hours; drop table x",
             "3e3 seconds",
             "1 fortnight",
             "'3 hours'",
         }) {
        std::string trimmed = text;
        EXPECT_EQ(start_error(text), invalid_start(trimmed)) << '"' << text << '"';
    }
    EXPECT_EQ(start_error("  soon  "), invalid_start("soon"));
}

TEST(ClassifyStart, ErrorsKeepTheUsersCase) {
    EXPECT_EQ(start_error("Soon"), invalid_start("Soon"));
    EXPECT_EQ(start_error("1 Day AGO"), negative_start("1 Day AGO"));
}

TEST(SystemSchema, CatalogsAndToast) {
    for (const char *schema : {"pg_catalog", "information_schema", "pg_toast", "pg_toast_temp_3"})
        EXPECT_TRUE(pgclone::is_system_schema(schema)) << schema;
    for (const char *schema : {"public", "pg_catalogue", "Pg_catalog", "pgtoast", "bucardo"})
        EXPECT_FALSE(pgclone::is_system_schema(schema)) << schema;
}

TEST(ParseTableList, Patterns) {
    auto tables = pgclone::parse_table_list(" * , audit . * ,public.a,\"Mixed\".*");
    ASSERT_EQ(tables.size(), 4u);
    EXPECT_TRUE(tables[0].is_pattern());
    EXPECT_FALSE(tables[0].schema.has_value());
    EXPECT_TRUE(tables[1].is_pattern());
    EXPECT_EQ(*tables[1].schema, "audit");
    EXPECT_FALSE(tables[2].is_pattern());
    EXPECT_EQ(*tables[3].schema, "Mixed");
    EXPECT_TRUE(tables[3].is_pattern());
}

TEST(ParseTableList, BadPatterns) {
    for (const char *text : {"app.*x", "*.a", "**", "app.* b", "\"*\"", "app.\"*\"", "*, *"})
        EXPECT_THROW(pgclone::parse_table_list(text), pgclone::ParseError) << text;
}
