// Output of the pg_clone program that does not depend on libpq: JSON text and psql-like aligned
// tables. Pure C++, unit-tested.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pgclone::cli {

// A JSON string literal: quotes, backslashes and control characters escaped; other bytes (UTF-8)
// kept as they are.
std::string json_string(const std::string &text);

// A JSON object built member by member, in order. NULLs (nullopt) are written as null.
class JsonObject {
  public:
    JsonObject &string(const std::string &key, const std::optional<std::string> &value);
    // A number as PostgreSQL printed it ("42", "1.25"); written as null when absent.
    JsonObject &number(const std::string &key, const std::optional<std::string> &value);
    JsonObject &boolean(const std::string &key, const std::optional<bool> &value);
    // Already JSON text (an array or an object).
    JsonObject &raw(const std::string &key, const std::string &json);
    std::string str() const;

  private:
    std::vector<std::pair<std::string, std::string>> members_;
};

// "[a,b,c]" from JSON texts.
std::string json_array(const std::vector<std::string> &elements);

// A table as psql prints it (aligned, a header, "(N rows)"); right_aligned[i] for numeric columns.
// Line breaks in values are shown as spaces.
using Cell = std::optional<std::string>;
std::string aligned_table(const std::vector<std::string> &headers, const std::vector<std::vector<Cell>> &rows,
                          const std::vector<bool> &right_aligned);

}  // namespace pgclone::cli
