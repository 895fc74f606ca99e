#include "core/dump_script.hpp"

#include <utility>

namespace pgclone {

std::vector<TocLine> parse_toc(const std::string &listing) {
    std::vector<TocLine> lines;
    size_t start = 0;
    while (start < listing.size()) {
        size_t end = listing.find('\n', start);
        if (end == std::string::npos)
            end = listing.size();
        std::string line = listing.substr(start, end - start);
        start = end + 1;
        if (line.empty() || line[0] == ';')
            continue;
        size_t semi = line.find("; ");
        if (semi == std::string::npos)
            continue;
        TocLine toc;
        toc.text = line;
        size_t a = semi + 2, b = line.find(' ', a);
        if (b == std::string::npos)
            continue;
        size_t c = line.find(' ', b + 1);
        if (c == std::string::npos)
            continue;
        toc.catalog = line.substr(a, b - a);
        toc.oid = line.substr(b + 1, c - b - 1);
        toc.rest = line.substr(c + 1);
        lines.push_back(std::move(toc));
    }
    return lines;
}

std::string fit_script(const std::string &script) {
    std::string out;
    size_t start = 0;
    bool header = true;
    while (start < script.size()) {
        size_t end = script.find('\n', start);
        if (end == std::string::npos)
            end = script.size();
        std::string line = script.substr(start, end - start);
        start = end + 1;
        if (header && starts_with(line, "-- Name: "))
            header = false;
        bool drop = starts_with(line, "\\restrict ") || starts_with(line, "\\unrestrict ") ||
                    (header && (starts_with(line, "SET lock_timeout = ") ||
                                starts_with(line, "SET client_encoding = ") ||
                                starts_with(line, "SET statement_timeout = ") ||
                                starts_with(line, "SET idle_in_transaction_session_timeout = ") ||
                                starts_with(line, "SET transaction_timeout = ")));
        if (!drop)
            out += line + "\n";
    }
    return out;
}

bool has_statements(const std::string &script) {
    size_t start = 0;
    while (start < script.size()) {
        size_t end = script.find('\n', start);
        if (end == std::string::npos)
            end = script.size();
        std::string line = script.substr(start, end - start);
        start = end + 1;
        if (line.empty() || starts_with(line, "--") || starts_with(line, "SET ") ||
            starts_with(line, "SELECT pg_catalog.set_config("))
            continue;
        return true;
    }
    return false;
}

std::string exact_pattern(const std::string &name) {
    std::string out = "\"";
    for (char c : name)
        out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

}  // namespace pgclone
