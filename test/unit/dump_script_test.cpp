// What pg_dump and pg_restore print, as schema => 'create' reads it.

#include <gtest/gtest.h>

#include "core/dump_script.hpp"

namespace pgclone {
namespace {

TEST(DumpScript, ParsesTheListing) {
    auto lines = parse_toc(
        ";\n; Archive created at 2026-12-05 03:59:11 UTC\n;\n"
        "218; 1259 16409 TABLE public items postgres\n"
        "3373; 0 0 COMMENT public TABLE orders alice\n"
        "3219; 2606 16415 FK CONSTRAINT public items items_order_id_fkey postgres\n"
        "\n"
        "garbage\n");
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[0].text, "218; 1259 16409 TABLE public items postgres");
    EXPECT_EQ(lines[0].catalog, "1259");
    EXPECT_EQ(lines[0].oid, "16409");
    EXPECT_EQ(lines[0].rest, "TABLE public items postgres");
    EXPECT_EQ(lines[1].catalog, "0");
    EXPECT_EQ(lines[1].rest, "COMMENT public TABLE orders alice");
    EXPECT_EQ(lines[2].rest, "FK CONSTRAINT public items items_order_id_fkey postgres");
}

TEST(DumpScript, PatternsMatchExactly) {
    EXPECT_EQ(exact_pattern("orders"), "\"orders\"");
    EXPECT_EQ(exact_pattern("Tab, 1.*?"), "\"Tab, 1.*?\"");
    EXPECT_EQ(exact_pattern("a\"b"), "\"a\"\"b\"");
}

TEST(DumpScript, KeepsWhatTheSessionNeedsOnly) {
    std::string script =
        "--\n-- PostgreSQL database dump\n--\n\n"
        "\\restrict abc123\n\n"
        "SET statement_timeout = 0;\nSET lock_timeout = 0;\nSET idle_in_transaction_session_timeout = 0;\n"
        "SET transaction_timeout = 0;\nSET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\n"
        "SELECT pg_catalog.set_config('search_path', '', false);\nSET check_function_bodies = false;\n"
        "\n--\n-- Name: f(); Type: FUNCTION; Schema: public; Owner: -\n--\n\n"
        "CREATE FUNCTION public.f() RETURNS text LANGUAGE sql AS $$\n"
        "SET lock_timeout = 0;\n$$;\n"
        "\\unrestrict abc123\n";
    std::string fit = fit_script(script);
    EXPECT_EQ(fit.find("\\restrict"), std::string::npos);
    EXPECT_EQ(fit.find("\\unrestrict"), std::string::npos);
    EXPECT_EQ(fit.find("SET statement_timeout"), std::string::npos);
    EXPECT_EQ(fit.find("SET client_encoding"), std::string::npos);
    EXPECT_EQ(fit.find("SET transaction_timeout"), std::string::npos);
    EXPECT_NE(fit.find("SET check_function_bodies = false;"), std::string::npos);
    EXPECT_NE(fit.find("set_config('search_path', '', false)"), std::string::npos);
    // A function's body is left as written, whatever it holds.
    EXPECT_NE(fit.find("AS $$\nSET lock_timeout = 0;\n$$;"), std::string::npos);
    EXPECT_TRUE(has_statements(fit));
}

TEST(DumpScript, SettingsAloneAreNoStatement) {
    EXPECT_FALSE(
        has_statements(fit_script("--\n\\restrict x\nSET lock_timeout = 0;\n"
                                  "SELECT pg_catalog.set_config('search_path', '', false);\n\n"
                                  "\\unrestrict x\n")));
    EXPECT_TRUE(has_statements("SET x = 1;\nGRANT SELECT ON TABLE public.t TO alice;\n"));
}

TEST(DumpScript, LinesOf) {
    EXPECT_EQ(lines_of(""), std::vector<std::string>{});
    EXPECT_EQ(lines_of("a"), std::vector<std::string>{"a"});
    EXPECT_EQ(lines_of("a\n"), std::vector<std::string>{"a"});
    EXPECT_EQ(lines_of("a\n\nb"), (std::vector<std::string>{"a", "", "b"}));
}

}  // namespace
}  // namespace pgclone
