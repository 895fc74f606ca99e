// Which type differences between a source and a target column a clone accepts.

#include <gtest/gtest.h>

#include <set>
#include <utility>

#include "core/type_fit.hpp"

namespace pgclone {
namespace {

// A few of pg_cast's implicit and assignment casts.
bool casts(long from, long to) {
    static const std::set<std::pair<long, long>> known = {
        {23, 20}, {20, 23}, {1043, 25}, {25, 1043}, {23, 1700}};
    return known.count({from, to}) > 0;
}

ColumnType builtin(long oid, const std::string &name, char category) {
    return ColumnType{oid, name, oid, name, category, 0, ""};
}

ColumnType user(long oid, const std::string &name, char category) {
    return ColumnType{oid, name, oid, name, category, 0, ""};
}

ColumnType array_of(long oid, const std::string &name, long element, const std::string &element_name) {
    return ColumnType{oid, name + "[]", oid, name + "[]", 'A', element, element_name};
}

const ColumnType int4 = builtin(23, "integer", 'N');
const ColumnType int8 = builtin(20, "bigint", 'N');
const ColumnType text = builtin(25, "text", 'S');
const ColumnType varchar = builtin(1043, "character varying", 'S');
const ColumnType boolean = builtin(16, "boolean", 'B');

TEST(TypeFit, SameTypeIsSame) {
    EXPECT_EQ(type_fit(int4, int4, casts), TypeFit::Same);
    // User-defined types have their own OIDs in each database: matched by name.
    EXPECT_EQ(type_fit(user(16500, "public.mood", 'E'), user(17001, "public.mood", 'E'), casts),
              TypeFit::Same);
}

TEST(TypeFit, AssignmentCastsConvert) {
    EXPECT_EQ(type_fit(int4, int8, casts), TypeFit::Convert);
    EXPECT_EQ(type_fit(int8, int4, casts), TypeFit::Convert);  // may overflow: the COPY says so
    EXPECT_EQ(type_fit(varchar, text, casts), TypeFit::Convert);
}

TEST(TypeFit, AnythingGoesIntoText) {
    EXPECT_EQ(type_fit(boolean, text, casts), TypeFit::Convert);
    EXPECT_EQ(type_fit(user(16500, "public.mood", 'E'), varchar, casts), TypeFit::Convert);
}

TEST(TypeFit, TextIntoIntegerIsRefused) {
    EXPECT_EQ(type_fit(text, int4, casts), TypeFit::Refuse);
    EXPECT_EQ(type_fit(boolean, int4, casts), TypeFit::Refuse);
    EXPECT_EQ(type_fit(user(16500, "public.mood", 'E'), user(17001, "public.other", 'E'), casts),
              TypeFit::Refuse);
}

TEST(TypeFit, DomainsBySeenThroughTheirBase) {
    ColumnType positive{16600, "public.positive", 23, "integer", 'N', 0, ""};
    EXPECT_EQ(type_fit(positive, int4, casts), TypeFit::Convert);
    EXPECT_EQ(type_fit(int4, positive, casts), TypeFit::Convert);
    EXPECT_EQ(type_fit(positive, int8, casts), TypeFit::Convert);
}

TEST(TypeFit, ArraysByTheirElements) {
    ColumnType int4s = array_of(1007, "integer", 23, "integer");
    ColumnType int8s = array_of(1016, "bigint", 20, "bigint");
    ColumnType bools = array_of(1000, "boolean", 16, "boolean");
    EXPECT_EQ(type_fit(int4s, int8s, casts), TypeFit::Convert);
    EXPECT_EQ(type_fit(bools, int8s, casts), TypeFit::Refuse);
    EXPECT_EQ(type_fit(int4s, text, casts), TypeFit::Convert);
}

TEST(TypeFit, BuiltinPairs) {
    EXPECT_TRUE(builtin_pair(23, 20));
    EXPECT_FALSE(builtin_pair(23, 23));
    EXPECT_FALSE(builtin_pair(23, 16500));
    EXPECT_FALSE(builtin_pair(0, 20));
}

}  // namespace
}  // namespace pgclone
