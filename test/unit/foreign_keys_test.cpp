// Referenced target tables: which must be emptied by DELETE, the check of a foreign key from outside
// the clone (RI_Initial_Check's query), its violation's DETAIL, and which table an emptying error names.

#include <gtest/gtest.h>

#include "core/foreign_keys.hpp"

namespace pgclone {
namespace {

std::string quote(const std::string &name) { return "\"" + name + "\""; }

ForeignKeyCheck child_to_parent() {
    ForeignKeyCheck fk;
    fk.name = "child_parent_id_fkey";
    fk.referencing = {"public", "child", false};
    fk.referenced = {"public", "parent", false};
    fk.columns.push_back({"parent_id", "id", "pg_catalog", "=", "", "", "", ""});
    return fk;
}

TEST(TablesToDelete, AReferencedTableIsTruncatedWithItsReferencingTable) {
    // 0 is referenced by 1 and by itself: one TRUNCATE empties both.
    EXPECT_EQ(tables_to_delete({false, false}, {{0, 1}, {0, 0}}), (std::vector<bool>{false, false}));
}

TEST(TablesToDelete, AReferenceFromElsewhereMakesADelete) {
    EXPECT_EQ(tables_to_delete({false, false}, {{0, std::nullopt}}), (std::vector<bool>{true, false}));
}

TEST(TablesToDelete, ATableThatOnlyADeletedTableReferencesIsDeletedToo) {
    // 2 references 1 from outside; 1 references 0; 3 is unrelated.
    EXPECT_EQ(tables_to_delete({false, false, false, false}, {{0, 1}, {1, std::nullopt}}),
              (std::vector<bool>{true, true, false, false}));
    // The same, however the references are ordered, along a longer chain.
    EXPECT_EQ(tables_to_delete({false, false, false}, {{0, 1}, {1, 2}, {2, std::nullopt}}),
              (std::vector<bool>{true, true, true}));
}

TEST(TablesToDelete, TablesAlreadyDeletedStaySo) {
    EXPECT_EQ(tables_to_delete({true, false}, {}), (std::vector<bool>{true, false}));
    // 1 is emptied by DELETE (empty => 'delete', or the small-table shortcut), so 0 cannot be truncated.
    EXPECT_EQ(tables_to_delete({false, true}, {{0, 1}}), (std::vector<bool>{true, true}));
}

TEST(ForeignKeyCheckQuery, MatchSimpleAsRiInitialCheck) {
    EXPECT_EQ(foreign_key_check_query(child_to_parent(), quote),
              "SELECT fk.\"parent_id\" FROM ONLY \"public\".\"child\" fk LEFT OUTER JOIN ONLY "
              "\"public\".\"parent\" pk ON (pk.\"id\" OPERATOR(\"pg_catalog\".=) fk.\"parent_id\") "
              "WHERE pk.\"id\" IS NULL AND (fk.\"parent_id\" IS NOT NULL) LIMIT 1");
}

TEST(ForeignKeyCheckQuery, SeveralColumnsMatchFullPartitionedCastsAndCollation) {
    ForeignKeyCheck fk;
    fk.name = "pair_fk";
    fk.referencing = {"s", "Kids", true};  // partitioned: read with its partitions
    fk.referenced = {"s", "pair", false};
    fk.match_full = true;
    fk.columns.push_back({"a", "x", "pg_catalog", "=", "", "", "", ""});
    fk.columns.push_back({"b", "y", "pg_catalog", "=", "text", "text", "pg_catalog", "C"});
    EXPECT_EQ(foreign_key_check_query(fk, quote),
              "SELECT fk.\"a\", fk.\"b\" FROM \"s\".\"Kids\" fk LEFT OUTER JOIN ONLY \"s\".\"pair\" pk ON "
              "(pk.\"x\" OPERATOR(\"pg_catalog\".=) fk.\"a\" AND pk.\"y\"::text OPERATOR(\"pg_catalog\".=) "
              "fk.\"b\"::text COLLATE \"pg_catalog\".\"C\") WHERE pk.\"x\" IS NULL AND "
              "(fk.\"a\" IS NOT NULL OR fk.\"b\" IS NOT NULL) LIMIT 1");
    // MATCH SIMPLE: every column must be set for the row to reference anything.
    fk.match_full = false;
    EXPECT_NE(foreign_key_check_query(fk, quote).find("(fk.\"a\" IS NOT NULL AND fk.\"b\" IS NOT NULL)"),
              std::string::npos);
}

TEST(ForeignKeyViolationDetail, NamesTheKeyAndTheReferencedTable) {
    EXPECT_EQ(foreign_key_violation_detail(child_to_parent(), {std::string("7")}),
              "Key (parent_id)=(7) is not present in table \"public.parent\".");
    ForeignKeyCheck fk = child_to_parent();
    fk.columns.push_back({"region", "region", "pg_catalog", "=", "", "", "", ""});
    EXPECT_EQ(foreign_key_violation_detail(fk, {std::string("7"), std::string("eu")}),
              "Key (parent_id, region)=(7, eu) is not present in table \"public.parent\".");
}

TEST(ForeignKeyViolationDetail, MatchFullWithSomeNulls) {
    ForeignKeyCheck fk = child_to_parent();
    fk.columns.push_back({"region", "region", "pg_catalog", "=", "", "", "", ""});
    fk.match_full = true;
    EXPECT_EQ(foreign_key_violation_detail(fk, {std::nullopt, std::string("eu")}),
              "MATCH FULL does not allow mixing of null and nonnull key values.");
    fk.match_full = false;
    EXPECT_EQ(foreign_key_violation_detail(fk, {std::nullopt, std::string("eu")}),
              "Key (parent_id, region)=(null, eu) is not present in table \"public.parent\".");
}

}  // namespace
}  // namespace pgclone
