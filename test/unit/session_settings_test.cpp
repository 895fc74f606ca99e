// What every remote session pins, and how a clone picks one client_encoding for all its sessions.

#include <gtest/gtest.h>

#include "core/plan.hpp"
#include "core/session_settings.hpp"

namespace pgclone {
namespace {

std::string value_of(const std::vector<SessionSetting> &settings, const std::string &name) {
    for (const SessionSetting &s : settings)
        if (s.name == name)
            return s.value;
    return "(unset)";
}

TEST(PinnedSettings, EmptySearchPathComesFirst) {
    auto settings = pinned_settings(150000);
    ASSERT_FALSE(settings.empty());
    EXPECT_EQ(settings.front().name, "search_path");
    EXPECT_EQ(settings.front().value, "");
}

TEST(PinnedSettings, PinWhatTextCopyDependsOn) {
    auto settings = pinned_settings(150000);
    EXPECT_EQ(value_of(settings, "DateStyle"), "ISO");
    EXPECT_EQ(value_of(settings, "IntervalStyle"), "postgres");
    EXPECT_EQ(value_of(settings, "extra_float_digits"), "3");
    EXPECT_EQ(value_of(settings, "array_nulls"), "on");
    EXPECT_EQ(value_of(settings, "xmloption"), "content");
    EXPECT_EQ(value_of(settings, "row_security"), "off");
}

TEST(PinnedSettings, OnlyWhatTheServerVersionKnows) {
    EXPECT_EQ(value_of(pinned_settings(120000), "idle_session_timeout"), "(unset)");
    EXPECT_EQ(value_of(pinned_settings(140000), "idle_session_timeout"), "0");
    EXPECT_EQ(value_of(pinned_settings(160000), "transaction_timeout"), "(unset)");
    EXPECT_EQ(value_of(pinned_settings(170000), "transaction_timeout"), "0");
}

TEST(SetStatements, QuotesValues) {
    EXPECT_EQ(set_statements({{"search_path", ""}, {"application_name", "it's"}}),
              "SET search_path = ''; SET application_name = 'it''s';");
}

TEST(CommonClientEncoding, SharedEncodingIsKept) {
    EXPECT_EQ(common_client_encoding({"LATIN1", "LATIN1"}), "LATIN1");
    EXPECT_EQ(common_client_encoding({"SQL_ASCII", "SQL_ASCII", "SQL_ASCII"}), "SQL_ASCII");
}

TEST(CommonClientEncoding, MixedEncodingsUseUtf8) {
    EXPECT_EQ(common_client_encoding({"UTF8", "LATIN1"}), "UTF8");
    EXPECT_EQ(common_client_encoding({"SQL_ASCII", "UTF8"}), "UTF8");
    EXPECT_EQ(common_client_encoding({"LATIN1", ""}), "UTF8");
    EXPECT_EQ(common_client_encoding({}), "UTF8");
}

TEST(NameCandidates, QualifiedNamesHaveOneCandidate) {
    auto candidates = name_candidates({{std::string("app"), "foo"}}, {"pg_catalog", "public"});
    ASSERT_EQ(candidates.size(), 1u);
    EXPECT_EQ(candidates[0].asked, 0u);
    EXPECT_EQ(candidates[0].schema, "app");
    EXPECT_EQ(candidates[0].name, "foo");
}

TEST(NameCandidates, UnqualifiedNamesFollowTheSearchPathInOrder) {
    auto candidates =
        name_candidates({{std::nullopt, "foo"}, {std::string("x"), "bar"}}, {"pg_catalog", "app", "public"});
    ASSERT_EQ(candidates.size(), 4u);
    EXPECT_EQ(candidates[0].schema, "pg_catalog");
    EXPECT_EQ(candidates[1].schema, "app");
    EXPECT_EQ(candidates[2].schema, "public");
    EXPECT_EQ(candidates[2].asked, 0u);
    EXPECT_EQ(candidates[3].asked, 1u);
    EXPECT_EQ(candidates[3].schema, "x");
}

TEST(NameCandidates, EmptySearchPathFindsNothingUnqualified) {
    EXPECT_TRUE(name_candidates({{std::nullopt, "foo"}}, {}).empty());
}

}  // namespace
}  // namespace pgclone
