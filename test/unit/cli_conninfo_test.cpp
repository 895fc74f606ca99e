// Unit tests of "pg_clone add db": Bucardo's KEY=VALUE words become one conninfo string, quoted as
// libpq reads it.
#include "cli/command_line.hpp"
#include "cli/conninfo_words.hpp"

#include <gtest/gtest.h>

using namespace pgclone::cli;

TEST(CliConninfo, QuotesOnlyWhatNeedsIt) {
    EXPECT_EQ(quote_conninfo_value("shop"), "shop");
    EXPECT_EQ(quote_conninfo_value("my db"), "'my db'");
    EXPECT_EQ(quote_conninfo_value("it's"), "'it\\'s'");
    EXPECT_EQ(quote_conninfo_value("back\\slash"), "'back\\\\slash'");
    EXPECT_EQ(quote_conninfo_value(""), "''");
    EXPECT_EQ(quote_conninfo_value("a=b"), "a=b");
}

TEST(CliConninfo, WordsBecomeOneString) {
    EXPECT_EQ(conninfo_from_words({"dbname=shop", "host=db1.example.com", "user=x"}),
              "dbname=shop host=db1.example.com user=x");
    EXPECT_EQ(conninfo_from_words({"dbname=my shop", "password=it's"}), "dbname='my shop' password='it\\'s'");
    // Bucardo's own names.
    EXPECT_EQ(conninfo_from_words({"dbname=shop", "dbhost=h", "dbport=5433", "dbuser=u", "dbpass=p"}),
              "dbname=shop host=h port=5433 user=u password=p");
}

TEST(CliConninfo, OneConninfoOrUriIsTakenAsItIs) {
    EXPECT_EQ(conninfo_from_words({"host=db1 dbname=shop"}), "host=db1 dbname=shop");
    EXPECT_EQ(conninfo_from_words({"postgresql://u@db1:5433/shop?sslmode=require"}),
              "postgresql://u@db1:5433/shop?sslmode=require");
    EXPECT_EQ(conninfo_from_words({"postgres://db1/shop"}), "postgres://db1/shop");
}

TEST(CliConninfo, Errors) {
    EXPECT_THROW(conninfo_from_words({}), UsageError);
    EXPECT_THROW(conninfo_from_words({"dbname=a", "shop"}), UsageError);
    EXPECT_THROW(conninfo_from_words({"=shop"}), UsageError);
    try {
        conninfo_from_words({"host=a", "dbhost=b"});
        FAIL();
    } catch (const UsageError &e) {
        EXPECT_STREQ(e.what(), "add db: key \"dbhost\" is given twice");
    }
}
