// The checks of a clone request's options; see clone_options.hpp.
#include "core/clone_options.hpp"

#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/rate_limit.hpp"

namespace pgclone {

namespace {

using Kind = OptionValue::Kind;

Error invalid(std::string message, std::string hint = {}) {
    return Error(sqlstate::invalid_parameter_value, std::move(message), "", std::move(hint));
}

// A value as the messages show it: what quote_nullable() showed of a text argument, and the JSON of any
// other value (only a direct caller of bucardo._queue_clone can give a value of the wrong type).
std::string shown(const OptionValue &value) {
    switch (value.kind) {
    case Kind::Null:
        return "NULL";
    case Kind::Boolean:
        return value.boolean ? "true" : "false";
    case Kind::Number:
        return value.text;
    case Kind::String:
        return quote_literal(value.text);
    case Kind::Object:
        return "a JSON object";
    case Kind::Array:
        return "a JSON array";
    }
    return "";
}

// A JSON number that is an integer between low and high ("2", "-1"; not "2.0" or "1e3", which jsonb
// prints as written).
bool integer_between(const OptionValue &value, long long low, long long high) {
    if (value.kind != Kind::Number)
        return false;
    const std::string &t = value.text;
    std::size_t digits = t.size() - (t.rfind('-', 0) == 0 ? 1 : 0);
    if (digits == 0 || digits > 18 ||
        !std::all_of(t.end() - static_cast<std::ptrdiff_t>(digits), t.end(),
                     [](char c) { return c >= '0' && c <= '9'; }))
        return false;
    long long n = std::stoll(t);
    return n >= low && n <= high;
}

// The options object, read one option at a time by the checks below. What no check read is unknown.
class Reader {
  public:
    explicit Reader(const Options &options) : options_(options) {}

    // The value given for a known option, or nullptr when it was left out.
    const OptionValue *read(const std::string &name) {
        if (std::find(known_.begin(), known_.end(), name) == known_.end())
            known_.push_back(name);
        for (const auto &[key, value] : options_)
            if (key == name)
                return &value;
        return nullptr;
    }

    void refuse_unknown() const {
        for (const auto &option : options_)
            if (std::find(known_.begin(), known_.end(), option.first) == known_.end()) {
                std::string names;
                for (const std::string &name : known_)
                    names += (names.empty() ? "" : ", ") + name;
                throw invalid("unknown clone option \"" + option.first + "\"",
                              "The options are " + names + ".");
            }
    }

  private:
    const Options &options_;
    std::vector<std::string> known_;  // in the order of the checks
};

void boolean(Reader &options, const std::string &name) {
    const OptionValue *value = options.read(name);
    if (value && value->kind != Kind::Boolean)
        throw invalid(name + " must be true or false");
}

// NULL, where allowed, means a default chosen elsewhere (a setting).
void integer(Reader &options, const std::string &name, long long low, long long high, bool null_allowed,
             const std::string &hint = {}) {
    const OptionValue *value = options.read(name);
    if (!value || (null_allowed && value->kind == Kind::Null) || integer_between(*value, low, high))
        return;
    throw invalid(name + " must be between " + std::to_string(low) + " and " + std::to_string(high) +
                      ", not " + shown(*value),
                  hint);
}

void one_of(Reader &options, const std::string &name, std::initializer_list<const char *> allowed) {
    const OptionValue *value = options.read(name);
    if (!value)
        return;
    std::string choices;
    std::size_t i = 0;
    for (const char *choice : allowed) {
        if (value->kind == Kind::String && value->text == choice)
            return;
        choices += (i == 0 ? "" : i + 1 == allowed.size() ? " or " : ", ") + quote_literal(choice);
        ++i;
    }
    throw invalid(name + " must be " + choices + ", not " + shown(*value));
}

bool given_as(const OptionValue *value, const std::string &text) {
    return value && value->kind == Kind::String && value->text == text;
}

bool given_true(const OptionValue *value) { return value && value->kind == Kind::Boolean && value->boolean; }

}  // namespace

void check_clone_options(const Options &options) {
    // The order is the one clone() has always raised errors in, when several arguments are wrong. A new
    // option adds its check at the end.
    Reader o(options);
    boolean(o, "empty_only");
    boolean(o, "sequences");
    boolean(o, "analyze");
    integer(o, "retries", 0, 100, false);
    boolean(o, "verify");
    one_of(o, "empty", {"truncate", "delete"});
    if (given_as(o.read("empty"), "delete") && given_true(o.read("empty_only")))
        throw invalid("empty => 'delete' and empty_only conflict: empty_only never empties a table");
    // Each filter is checked against the tables, once they are known (bucardo._check_filters).
    const OptionValue *filters = o.read("filters");
    if (filters && filters->kind != Kind::Object)
        throw invalid("filters must be a JSON object of table names and SQL conditions",
                      "For example '{\"public.orders\": \"created_at > now() - interval 30 days\"}'.");
    integer(o, "streams", 1, 64, true, "Leave it out to use pg_clone.max_streams.");
    // Text as clone() takes it ('50MB'), or bytes per second as bucardo.clone stores it; NULL: the GUC.
    const OptionValue *max_rate = o.read("max_rate");
    if (max_rate && max_rate->kind != Kind::Null) {
        bool good = integer_between(*max_rate, 0, 999999999999999999LL);
        if (max_rate->kind == Kind::String) {
            try {
                parse_rate(max_rate->text);
                good = true;
            } catch (const Error &) {
            }
        }
        if (!good)
            throw invalid("max_rate must be bytes per second such as '50MB', '512kB' or '1GB', not " +
                              shown(*max_rate),
                          "Units are kB, MB, GB and TB; '0' is no limit; leave it out to use "
                          "pg_clone.max_rate.");
    }
    one_of(o, "schema", {"existing", "create"});
    // Each name is checked against the tables, once they are known (bucardo._check_target_names).
    const OptionValue *target_names = o.read("target_names");
    if (target_names && target_names->kind != Kind::Object)
        throw invalid("target_names must be a JSON object of source table names and target table names",
                      "For example '{\"public.orders\": \"archive.orders_2025\"}'.");
    one_of(o, "commit", {"clone", "table"});
    o.refuse_unknown();
}

std::string quote_literal(const std::string &text) {
    bool backslash = text.find('\\') != std::string::npos;
    std::string out = backslash ? "E'" : "'";
    for (char c : text) {
        if (c == '\'' || (c == '\\'))
            out += c;
        out += c;
    }
    return out + "'";
}

}  // namespace pgclone
