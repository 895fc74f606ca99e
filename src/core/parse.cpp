// Parsers for the user's text arguments: table lists, database lists and start values.
#include "core/parse.hpp"

#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pgclone {

namespace {

constexpr std::size_t max_identifier_bytes = 63;  // NAMEDATALEN - 1

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool is_high_bit(char c) { return static_cast<unsigned char>(c) >= 0x80; }

bool is_ident_start(char c) { return is_ascii_letter(c) || c == '_' || is_high_bit(c); }

bool is_ident_char(char c) { return is_ident_start(c) || is_digit(c) || c == '$'; }

char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lower(std::string_view text) {
    std::string out(text);
    for (char &c : out)
        c = to_lower(c);
    return out;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && is_space(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && is_space(text.back()))
        text.remove_suffix(1);
    return text;
}

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

// ---------------------------------------------------------------------------------------------
// Table lists

class TableListParser {
  public:
    explicit TableListParser(std::string_view text) : text_(text) {}

    std::vector<TableName> parse() {
        if (trim(text_).empty())
            throw ParseError("table list is empty");
        std::vector<TableName> tables;
        std::set<std::pair<std::optional<std::string>, std::string>> seen;  // linear time, not quadratic
        for (int item = 1;; ++item) {
            if (tables.size() == max_list_tables)
                throw ParseError("table list has more than " + std::to_string(max_list_tables) + " tables");
            tables.push_back(parse_item(item));
            if (!seen.emplace(tables.back().schema, tables.back().name).second)
                throw ParseError("table " + quoted(display(tables.back())) + " is listed twice");
            skip_space();
            if (at_end())
                return tables;
            if (peek() != ',')
                throw ParseError("invalid identifier at " + quoted(item_text()));
            ++pos_;
        }
    }

  private:
    std::string_view text_;
    std::size_t pos_ = 0;
    std::size_t item_start_ = 0;
    int item_ = 0;

    bool at_end() const { return pos_ >= text_.size(); }
    char peek() const { return text_[pos_]; }

    void skip_space() {
        while (!at_end() && is_space(peek()))
            ++pos_;
    }

    static std::string display(const TableName &table) {
        return table.schema ? *table.schema + "." + table.name : table.name;
    }

    // The current item as written (from its start to the next comma outside quotes), for messages.
    std::string item_text() const {
        std::size_t end = item_start_;
        bool in_quotes = false;
        while (end < text_.size() && (in_quotes || text_[end] != ',')) {
            if (text_[end] == '"')
                in_quotes = !in_quotes;
            ++end;
        }
        return std::string(trim(text_.substr(item_start_, end - item_start_)));
    }

    TableName parse_item(int item) {
        item_ = item;
        skip_space();
        item_start_ = pos_;
        if (at_end() || peek() == ',') {
            throw ParseError("table list item " + std::to_string(item) + " is empty");
        }
        if (pattern_here())
            return TableName{std::nullopt, "*"};
        std::string first = parse_identifier();
        skip_space();
        if (at_end() || peek() != '.')
            return TableName{std::nullopt, first};
        ++pos_;
        skip_space();
        if (pattern_here())
            return TableName{first, "*"};
        std::string second = parse_identifier();
        skip_space();
        if (!at_end() && peek() == '.') {
            throw ParseError("improper table name " + quoted(item_text()) +
                             " (too many dotted names; expected table or schema.table)");
        }
        return TableName{first, second};
    }

    // An unquoted * ending the item: a pattern.
    bool pattern_here() {
        if (at_end() || peek() != '*')
            return false;
        ++pos_;
        skip_space();
        if (!at_end() && peek() != ',')
            throw ParseError("invalid table pattern " + quoted(item_text()) + " (expected * or schema.*)");
        return true;
    }

    std::string parse_identifier() {
        if (at_end())
            throw ParseError("invalid identifier at " + quoted(item_text()));
        std::string ident;
        std::string written;  // for the too-long message
        if (peek() == '"') {
            ++pos_;
            for (;;) {
                if (at_end()) {
                    throw ParseError("unterminated quoted identifier in table list item " +
                                     std::to_string(item_));
                }
                char c = text_[pos_++];
                if (c == '"') {
                    if (at_end() || peek() != '"')
                        break;
                    ++pos_;
                }
                ident += c;
            }
            if (ident.empty()) {
                throw ParseError("zero-length quoted identifier in table list item " + std::to_string(item_));
            }
            if (ident == "*")
                throw ParseError("a table named \"*\" cannot be listed (* stands for every table)");
            written = ident;
        } else {
            if (!is_ident_start(peek()))
                throw ParseError("invalid identifier at " + quoted(item_text()));
            while (!at_end() && is_ident_char(peek())) {
                written += peek();
                ident += to_lower(peek());
                ++pos_;
            }
        }
        if (ident.size() > max_identifier_bytes) {
            throw ParseError("identifier " + quoted(written) + " is too long (at most " +
                             std::to_string(max_identifier_bytes) + " bytes)");
        }
        return ident;
    }
};

// ---------------------------------------------------------------------------------------------
// Start values

bool match_word(std::string_view lower_text, std::string_view word) {
    if (lower_text.substr(0, word.size()) != word)
        return false;
    return lower_text.size() == word.size() || is_space(lower_text[word.size()]);
}

// Reads 1 to max digits at pos; returns how many were read (0 when none).
std::size_t digits(std::string_view s, std::size_t pos, std::size_t max) {
    std::size_t n = 0;
    while (pos + n < s.size() && n < max && is_digit(s[pos + n]))
        ++n;
    return n;
}

int number_at(std::string_view s, std::size_t pos, std::size_t len) {
    int value = 0;
    for (std::size_t i = 0; i < len; ++i)
        value = value * 10 + (s[pos + i] - '0');
    return value;
}

// What may follow a date: nothing, or 'T' / whitespace and anything.
bool date_end(std::string_view s, std::size_t pos) {
    return pos == s.size() || s[pos] == 'T' || s[pos] == 't' || is_space(s[pos]);
}

// Exactly `count` digits at pos, not followed by another digit.
bool exact_digits(std::string_view s, std::size_t pos, std::size_t count) {
    return digits(s, pos, count + 1) == count;
}

bool starts_with_date(std::string_view s) {
    // YYYY-MM-DD and YYYY/MM/DD (1 or 2 digit month and day)
    if (exact_digits(s, 0, 4) && s.size() > 4 && (s[4] == '-' || s[4] == '/')) {
        char sep = s[4];
        std::size_t month = digits(s, 5, 3);
        if (month >= 1 && month <= 2 && 5 + month < s.size() && s[5 + month] == sep) {
            std::size_t day_pos = 6 + month;
            std::size_t day = digits(s, day_pos, 3);
            if (day >= 1 && day <= 2 && date_end(s, day_pos + day))
                return true;
        }
        return false;
    }
    // YYYYMMDD, when the month and day are plausible (otherwise it is a number of seconds)
    if (exact_digits(s, 0, 8) && date_end(s, 8)) {
        int month = number_at(s, 4, 2);
        int day = number_at(s, 6, 2);
        return month >= 1 && month <= 12 && day >= 1 && day <= 31;
    }
    // MM/DD/YYYY (or DD/MM/YYYY, as the server's DateStyle says)
    std::size_t first = digits(s, 0, 3);
    if (first >= 1 && first <= 2 && first < s.size() && s[first] == '/') {
        std::size_t second = digits(s, first + 1, 3);
        std::size_t year_pos = first + 2 + second;
        if (second >= 1 && second <= 2 && year_pos - 1 < s.size() && s[year_pos - 1] == '/' &&
            exact_digits(s, year_pos, 4) && date_end(s, year_pos + 4)) {
            return true;
        }
    }
    return false;
}

bool is_timestamp(std::string_view lower_text) {
    return starts_with_date(lower_text) || match_word(lower_text, "today") ||
           match_word(lower_text, "tomorrow");
}

bool is_interval_unit(std::string_view unit) {
    // clang-format off
    static constexpr std::string_view units[] = {
        "microsecond", "microseconds", "us", "usec", "usecs",
        "millisecond", "milliseconds", "ms", "msec", "msecs",
        "second", "seconds", "sec", "secs", "s",
        "minute", "minutes", "min", "mins", "m",
        "hour", "hours", "hr", "hrs", "h",
        "day", "days", "d",
        "week", "weeks", "w",
        "month", "months", "mon", "mons",
        "year", "years", "yr", "yrs", "y",
    };
    // clang-format on
    for (std::string_view u : units) {
        if (u == unit)
            return true;
    }
    return false;
}

// Recognizes the interval forms: the verbose one in lower-cased text, the ISO one in the text as written.
class IntervalScanner {
  public:
    explicit IntervalScanner(std::string_view s) : s_(s) {}

    bool negative() const { return negative_; }

    // "@"? (number unit?)* [time] "ago"?; a unit-less number or a time only at the end.
    bool parse_verbose() {
        skip_space();
        if (!at_end() && s_[pos_] == '@') {
            ++pos_;
            skip_space();
        }
        int groups = 0;
        bool closed = false;  // a unit-less number or a time was seen: only "ago" may follow
        while (!at_end()) {
            if (is_ascii_letter(s_[pos_])) {
                std::string_view word = read_word();
                if (word == "ago" && groups > 0) {
                    negative_ = true;
                    skip_space();
                    return at_end();
                }
                return false;
            }
            if (closed)
                return false;
            if (!read_signed_number(true))
                return false;
            if (!at_end() && s_[pos_] == ':') {
                if (last_had_fraction_ || !read_time_rest())
                    return false;
                closed = true;
            } else {
                skip_space();
                if (!at_end() && is_ascii_letter(s_[pos_])) {
                    std::size_t before = pos_;
                    std::string_view word = read_word();
                    if (word == "ago") {
                        pos_ = before;  // a unit-less number, then "ago"
                        closed = true;
                    } else if (!is_interval_unit(word)) {
                        return false;
                    }
                } else {
                    closed = true;
                }
            }
            ++groups;
            skip_space();
        }
        return groups > 0;
    }

    // ISO 8601 on the text as written (the server wants upper case): P[nY][nM][nW][nD][T[nH][nM][nS]],
    // at least one part; a number may have a '-' (never a '+').
    bool parse_iso() {
        if (at_end() || s_[pos_] != 'P')
            return false;
        ++pos_;
        int parts = 0;
        bool in_time = false;
        while (!at_end()) {
            if (s_[pos_] == 'T' && !in_time) {
                in_time = true;
                ++pos_;
                if (at_end())
                    return false;
                continue;
            }
            if (s_[pos_] == '+' || !read_signed_number(false) || at_end())
                return false;
            char unit = s_[pos_++];
            bool ok = in_time ? (unit == 'H' || unit == 'M' || unit == 'S')
                              : (unit == 'Y' || unit == 'M' || unit == 'W' || unit == 'D');
            if (!ok)
                return false;
            ++parts;
        }
        return parts > 0;
    }

  private:
    std::string_view s_;
    std::size_t pos_ = 0;
    bool negative_ = false;
    bool last_had_fraction_ = false;  // the last number read had a decimal point

    bool at_end() const { return pos_ >= s_.size(); }

    void skip_space() {
        while (!at_end() && is_space(s_[pos_]))
            ++pos_;
    }

    std::string_view read_word() {
        std::size_t start = pos_;
        while (!at_end() && is_ascii_letter(s_[pos_]))
            ++pos_;
        return s_.substr(start, pos_ - start);
    }

    // [+-]? (digits [. digits?] | . digits), with whitespace after the sign when space_after_sign.
    bool read_signed_number(bool space_after_sign) {
        if (!at_end() && (s_[pos_] == '+' || s_[pos_] == '-')) {
            if (s_[pos_] == '-')
                negative_ = true;
            ++pos_;
            if (space_after_sign)
                skip_space();
        }
        std::size_t int_digits = digits(s_, pos_, s_.size());
        pos_ += int_digits;
        std::size_t frac_digits = 0;
        last_had_fraction_ = !at_end() && s_[pos_] == '.';
        if (last_had_fraction_) {
            ++pos_;
            frac_digits = digits(s_, pos_, s_.size());
            pos_ += frac_digits;
        }
        return int_digits > 0 || frac_digits > 0;
    }

    // After the hours of HH:MM[:SS[.frac]]: the pos_ is on the first ':'.
    bool read_time_rest() {
        ++pos_;
        std::size_t minutes = digits(s_, pos_, 3);
        if (minutes < 1 || minutes > 2)
            return false;
        pos_ += minutes;
        if (!at_end() && s_[pos_] == ':') {
            ++pos_;
            std::size_t seconds = digits(s_, pos_, 3);
            if (seconds < 1 || seconds > 2)
                return false;
            pos_ += seconds;
            if (!at_end() && s_[pos_] == '.') {
                ++pos_;
                std::size_t frac = digits(s_, pos_, s_.size());
                if (frac == 0)
                    return false;
                pos_ += frac;
            }
        }
        return at_end() || is_space(s_[pos_]);
    }
};

}  // namespace

std::vector<TableName> parse_table_list(std::string_view text) { return TableListParser(text).parse(); }

bool is_system_schema(std::string_view schema) {
    return schema == "pg_catalog" || schema == "information_schema" || schema.rfind("pg_toast", 0) == 0;
}

const char *role_name(DbRole role) {
    switch (role) {
    case DbRole::Source:
        return "source";
    case DbRole::Target:
        return "target";
    }
    return "unknown";
}

std::vector<DbEntry> parse_db_list(std::string_view text) {
    std::string_view all = trim(text);
    if (all.empty())
        throw ParseError("database list is empty");
    std::vector<DbEntry> entries;
    std::set<std::string> seen;
    std::size_t pos = 0;
    for (int item = 1;; ++item) {
        if (entries.size() == max_list_dbs)
            throw ParseError("database list has more than " + std::to_string(max_list_dbs) + " databases");
        std::size_t comma = all.find(',', pos);
        std::string_view part =
            trim(all.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos));
        if (part.empty())
            throw ParseError("database list item " + std::to_string(item) + " is empty");

        std::size_t colon = part.find(':');
        std::string_view name = trim(part.substr(0, colon));
        if (name.empty())
            throw ParseError("database list item " + std::to_string(item) + " has no name");
        if (!valid_object_name(name))
            throw ParseError("invalid database name " + quoted(name));

        DbRole role = entries.empty() ? DbRole::Source : DbRole::Target;
        if (colon != std::string_view::npos) {
            std::string_view role_text = trim(part.substr(colon + 1));
            std::string role_lower = lower(role_text);
            if (role_lower == "source") {
                role = DbRole::Source;
            } else if (role_lower == "target") {
                role = DbRole::Target;
            } else if (role_text.empty()) {
                throw ParseError("missing role after \":\" for database " + quoted(name) +
                                 " (expected source or target)");
            } else {
                throw ParseError("unknown role " + quoted(role_text) + " for database " + quoted(name) +
                                 " (expected source or target)");
            }
        }
        if (!seen.emplace(name).second)
            throw ParseError("database " + quoted(name) + " is listed twice");
        entries.push_back(DbEntry{std::string(name), role});

        if (comma == std::string_view::npos)
            break;
        pos = comma + 1;
    }

    bool has_source = false;
    bool has_target = false;
    for (const DbEntry &entry : entries) {
        (entry.role == DbRole::Source ? has_source : has_target) = true;
    }
    if (!has_source)
        throw ParseError("no source database in " + quoted(all));
    if (!has_target)
        throw ParseError("no target database in " + quoted(all));
    return entries;
}

bool valid_object_name(std::string_view name) {
    if (name.empty() || name.size() > max_identifier_bytes)
        return false;
    for (char c : name) {
        if (!(is_ascii_letter(c) || is_digit(c) || c == '_' || c == '-' || c == '.'))
            return false;
    }
    return true;
}

StartKind classify_start(std::string_view text) {
    std::string_view trimmed = trim(text);
    std::string low = lower(trimmed);
    if (low.empty() || low == "now")
        return StartKind::Now;
    if (is_timestamp(low))
        return StartKind::Timestamp;

    IntervalScanner verbose(low);
    IntervalScanner iso(trimmed);
    const IntervalScanner *match = nullptr;
    if (verbose.parse_verbose()) {
        match = &verbose;
    } else if (iso.parse_iso()) {
        match = &iso;
    }
    if (match == nullptr) {
        throw ParseError(
            "invalid start value " + quoted(trimmed) +
            " (expected an interval such as '3 hours' or a timestamp such as '2026-12-01 03:00')");
    }
    if (match->negative())
        throw ParseError("start must not be a negative interval: " + quoted(trimmed));
    return StartKind::Interval;
}

}  // namespace pgclone
