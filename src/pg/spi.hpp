// Catalog access through SPI, in short transactions of their own (the queue is a table).
// Values cross the wall as text: std::optional<std::string>, empty for SQL NULL.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pg {

using Value = std::optional<std::string>;
using Row = std::vector<Value>;

// Runs body inside a transaction with SPI connected; commits, or aborts and rethrows.
void transaction(const std::function<void()> &body);

// Runs one statement inside transaction(); parameters are text, cast them in the SQL ($1::bigint).
std::vector<Row> query(const std::string &sql, const std::vector<Value> &params = {});

}  // namespace pg
