// Unit tests of src/core/plan: who receives rows in a clone (docs/architecture.md, "The promises"),
// array literals and display names.
#include "core/plan.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <vector>

#include "core/parse.hpp"

using pgclone::ClonePlan;
using pgclone::DbRole;
using pgclone::display_name;
using pgclone::make_plan;
using pgclone::text_array_literal;

namespace {

using Indexes = std::vector<size_t>;
using Flags = std::vector<bool>;

constexpr DbRole S = DbRole::Source;
constexpr DbRole T = DbRole::Target;

// make_plan

TEST(MakePlan, OneSourceManyTargets) {
    ClonePlan plan = make_plan({S, T, T, T}, false);
    EXPECT_EQ(plan.sources, Indexes({0}));
    EXPECT_EQ(plan.writers, Indexes({1, 2, 3}));
    EXPECT_EQ(plan.truncates, Flags({false, true, true, true}));
    EXPECT_EQ(plan.destinations(0), Indexes({1, 2, 3}));
    EXPECT_FALSE(plan.is_writer(0));  // the source is only read
    EXPECT_TRUE(plan.is_writer(1));
    EXPECT_TRUE(plan.is_writer(2));
    EXPECT_TRUE(plan.is_writer(3));
}

TEST(MakePlan, OneSourceOneTarget) {
    ClonePlan plan = make_plan({S, T}, false);
    EXPECT_EQ(plan.sources, Indexes({0}));
    EXPECT_EQ(plan.writers, Indexes({1}));
    EXPECT_EQ(plan.truncates, Flags({false, true}));
    EXPECT_EQ(plan.destinations(0), Indexes({1}));
}

// A:source, B:source, C:target: every source's rows go to every other database; only C is emptied.
TEST(MakePlan, TwoSourcesOneTarget) {
    ClonePlan plan = make_plan({S, S, T}, false);
    EXPECT_EQ(plan.sources, Indexes({0, 1}));
    EXPECT_EQ(plan.writers, Indexes({0, 1, 2}));
    EXPECT_EQ(plan.truncates, Flags({false, false, true}));
    EXPECT_EQ(plan.destinations(0), Indexes({1, 2}));
    EXPECT_EQ(plan.destinations(1), Indexes({0, 2}));
    for (size_t db = 0; db < 3; db++)
        EXPECT_TRUE(plan.is_writer(db)) << "database " << db;
}

TEST(MakePlan, ManySourcesInterleavedWithTargets) {
    ClonePlan plan = make_plan({T, S, T, S, S}, false);
    EXPECT_EQ(plan.sources, Indexes({1, 3, 4}));
    EXPECT_EQ(plan.writers, Indexes({0, 1, 2, 3, 4}));
    EXPECT_EQ(plan.truncates, Flags({true, false, true, false, false}));
    EXPECT_EQ(plan.destinations(1), Indexes({0, 2, 3, 4}));
    EXPECT_EQ(plan.destinations(3), Indexes({0, 1, 2, 4}));
    EXPECT_EQ(plan.destinations(4), Indexes({0, 1, 2, 3}));
}

TEST(MakePlan, EmptyOnlyNeverTruncates) {
    ClonePlan one = make_plan({S, T, T}, true);
    EXPECT_EQ(one.writers, Indexes({1, 2}));
    EXPECT_EQ(one.truncates, Flags({false, false, false}));
    EXPECT_EQ(one.destinations(0), Indexes({1, 2}));

    ClonePlan many = make_plan({S, S, T}, true);
    EXPECT_EQ(many.writers, Indexes({0, 1, 2}));
    EXPECT_EQ(many.truncates, Flags({false, false, false}));
    EXPECT_EQ(many.destinations(0), Indexes({1, 2}));
    EXPECT_EQ(many.destinations(1), Indexes({0, 2}));

    EXPECT_EQ(make_plan({S, T}, true).truncates, Flags({false, false}));
    EXPECT_EQ(make_plan({T, S}, true).truncates, Flags({false, false}));
}

TEST(MakePlan, LoneTargetBeforeTheSource) {
    ClonePlan plan = make_plan({T, S}, false);
    EXPECT_EQ(plan.sources, Indexes({1}));
    EXPECT_EQ(plan.writers, Indexes({0}));
    EXPECT_EQ(plan.truncates, Flags({true, false}));
    EXPECT_EQ(plan.destinations(1), Indexes({0}));
    EXPECT_TRUE(plan.is_writer(0));
    EXPECT_FALSE(plan.is_writer(1));
}

TEST(MakePlan, TruncatesHasOneFlagPerDatabase) {
    for (bool empty_only : {false, true}) {
        ClonePlan plan = make_plan({S, T, S, T, T}, empty_only);
        EXPECT_EQ(plan.truncates.size(), 5u);
        EXPECT_FALSE(plan.is_writer(5));  // past the list
    }
}

// text_array_literal

TEST(TextArrayLiteral, EmptyList) { EXPECT_EQ(text_array_literal({}), "{}"); }

TEST(TextArrayLiteral, PlainItemsAreQuoted) {
    EXPECT_EQ(text_array_literal({"foo"}), R"({"foo"})");
    EXPECT_EQ(text_array_literal({"foo", "bar"}), R"({"foo","bar"})");
}

TEST(TextArrayLiteral, EmptyStringAndNullWord) {
    EXPECT_EQ(text_array_literal({""}), R"({""})");
    EXPECT_EQ(text_array_literal({"NULL"}), R"({"NULL"})");  // quoted: the string, not a null
}

TEST(TextArrayLiteral, QuotesAndBackslashesAreEscaped) {
    EXPECT_EQ(text_array_literal({R"(b "c")"}), R"({"b \"c\""})");
    EXPECT_EQ(text_array_literal({R"(a\b)"}), R"({"a\\b"})");
    EXPECT_EQ(text_array_literal({R"(\")"}), R"({"\\\""})");
    EXPECT_EQ(text_array_literal({R"(x\)", "y"}), R"({"x\\","y"})");  // a trailing backslash stays inside
}

TEST(TextArrayLiteral, CommasSpacesAndBracesStayInsideTheQuotes) {
    EXPECT_EQ(text_array_literal({"a,b", " c ", "{d}"}), R"({"a,b"," c ","{d}"})");
    EXPECT_EQ(text_array_literal({"Mixed Case.t", "tab\there"}), "{\"Mixed Case.t\",\"tab\there\"}");
}

TEST(TextArrayLiteral, NonAsciiPassesThrough) {
    EXPECT_EQ(text_array_literal({"caf\u00e9", "\u65e5\u672c"}), "{\"caf\u00e9\",\"\u65e5\u672c\"}");
}

// display_name

TEST(DisplayName, PlainLowercaseIdentifiersAreNotQuoted) {
    EXPECT_EQ(display_name("public", "foo"), "public.foo");
    EXPECT_EQ(display_name("myschema", "bazzp"), "myschema.bazzp");
    EXPECT_EQ(display_name("_s1", "t_2"), "_s1.t_2");
}

TEST(DisplayName, MixedCaseIsQuoted) {
    EXPECT_EQ(display_name("Mixed Case", "t"), R"("Mixed Case".t)");
    EXPECT_EQ(display_name("public", "Foo"), R"(public."Foo")");
    EXPECT_EQ(display_name("ABC", "DEF"), R"("ABC"."DEF")");
}

TEST(DisplayName, SpacesAndPunctuationAreQuoted) {
    EXPECT_EQ(display_name("public", "my table"), R"(public."my table")");
    EXPECT_EQ(display_name("public", "a.b"), R"(public."a.b")");
    EXPECT_EQ(display_name("public", "a-b"), R"(public."a-b")");
}

TEST(DisplayName, LeadingDigitIsQuoted) {
    EXPECT_EQ(display_name("public", "1abc"), R"(public."1abc")");
    EXPECT_EQ(display_name("2024", "t"), R"("2024".t)");
    EXPECT_EQ(display_name("public", "a1"), "public.a1");  // digits after the first are fine
}

TEST(DisplayName, EmbeddedQuotesAreDoubled) {
    EXPECT_EQ(display_name("public", R"(say "hi")"), R"(public."say ""hi""")");
    EXPECT_EQ(display_name(R"(")", "t"), R"("""".t)");
}

TEST(DisplayName, EmptyAndNonAsciiAreQuoted) {
    EXPECT_EQ(display_name("public", ""), R"(public."")");
    EXPECT_EQ(display_name("public", "caf\u00e9"), "public.\"caf\u00e9\"");
}

}  // namespace

namespace pgclone {
namespace {

TEST(AssignStreams, LargestFirstToTheLeastLoadedStream) {
    // Sizes 30, 20, 20, 20, 10 (the bench's 3:2:2:2:1) over two streams: 30+20 and 20+20+10.
    auto streams = assign_streams({30000000, 20000000, 20000000, 20000000, 10000000}, 2);
    ASSERT_EQ(streams.size(), 2u);
    EXPECT_EQ(streams[0], (std::vector<size_t>{0, 3}));
    EXPECT_EQ(streams[1], (std::vector<size_t>{1, 2, 4}));
}

TEST(AssignStreams, NeverMoreStreamsThanTables) {
    EXPECT_EQ(assign_streams({5, 6}, 8).size(), 2u);
    // No table (a list of sequences only): one stream, empty.
    ASSERT_EQ(assign_streams({}, 4).size(), 1u);
    EXPECT_TRUE(assign_streams({}, 4)[0].empty());
    EXPECT_EQ(assign_streams({1, 2, 3}, 0).size(), 1u);
}

TEST(AssignStreams, OneStreamKeepsEveryTableLargestFirst) {
    auto streams = assign_streams({10, 30000, 20000}, 1);
    ASSERT_EQ(streams.size(), 1u);
    EXPECT_EQ(streams[0], (std::vector<size_t>{1, 2, 0}));
}

TEST(AssignStreams, ManySmallTablesAreSpreadEvenly) {
    auto streams = assign_streams(std::vector<int64_t>(200, 0), 4);
    ASSERT_EQ(streams.size(), 4u);
    for (const auto &s : streams)
        EXPECT_EQ(s.size(), 50u);
}

}  // namespace
}  // namespace pgclone

namespace pgclone {
namespace {

TEST(AssignStreams, LinkedTablesShareAStream) {
    // 0 and 3 are linked (a foreign key), and so are 3 and 4: one group of 0, 3, 4.
    auto streams = assign_streams({50000, 40000, 30000, 20000, 10000}, 2, {{0, 3}, {4, 3}});
    ASSERT_EQ(streams.size(), 2u);
    EXPECT_EQ(streams[0], (std::vector<size_t>{0, 3, 4}));
    EXPECT_EQ(streams[1], (std::vector<size_t>{1, 2}));
}

TEST(AssignStreams, OneGroupMeansOneStream) {
    auto streams = assign_streams({10, 20, 30}, 4, {{0, 1}, {1, 2}});
    ASSERT_EQ(streams.size(), 1u);
    EXPECT_EQ(streams[0], (std::vector<size_t>{2, 1, 0}));
}

}  // namespace
}  // namespace pgclone
