#include "cli/conninfo_words.hpp"

#include "cli/command_line.hpp"

#include <map>
#include <set>

namespace pgclone::cli {

namespace {

bool is_uri(const std::string &word) {
    return word.rfind("postgresql://", 0) == 0 || word.rfind("postgres://", 0) == 0;
}

// Bucardo's "add db" keys that libpq spells differently.
std::string libpq_keyword(const std::string &key) {
    static const std::map<std::string, std::string> bucardo_keys = {
        {"dbhost", "host"},     {"dbport", "port"},   {"dbuser", "user"},
        {"dbpass", "password"}, {"pass", "password"}, {"dbservice", "service"},
    };
    auto it = bucardo_keys.find(key);
    return it == bucardo_keys.end() ? key : it->second;
}

}  // namespace

std::string quote_conninfo_value(const std::string &value) {
    bool plain = !value.empty();
    for (char c : value) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == '\'' ||
            c == '\\')
            plain = false;
    }
    if (plain)
        return value;
    std::string quoted = "'";
    for (char c : value) {
        if (c == '\'' || c == '\\')
            quoted += '\\';
        quoted += c;
    }
    return quoted + "'";
}

std::string conninfo_from_words(const std::vector<std::string> &words) {
    if (words.empty())
        throw UsageError("add db: give the database's connection, as KEY=VALUE words or a conninfo string");
    if (words.size() == 1 && (is_uri(words[0]) || words[0].find_first_of(" \t\n") != std::string::npos))
        return words[0];

    std::string conninfo;
    std::set<std::string> seen;
    for (const auto &word : words) {
        auto kv = split_key_value(word);
        if (!kv)
            throw UsageError("add db: \"" + word + "\" is not KEY=VALUE (such as dbname=shop or host=db1)");
        if (kv->key.empty())
            throw UsageError("add db: \"" + word + "\" has no key before \"=\"");
        std::string keyword = libpq_keyword(kv->key);
        if (!seen.insert(keyword).second)
            throw UsageError("add db: key \"" + kv->key + "\" is given twice");
        if (!conninfo.empty())
            conninfo += ' ';
        conninfo += keyword + "=" + quote_conninfo_value(kv->value);
    }
    return conninfo;
}

}  // namespace pgclone::cli
