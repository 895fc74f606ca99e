#include "core/dump_script.hpp"

#include <utility>

namespace pgclone {

std::vector<std::string> lines_of(const std::string &text) {
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos)
            end = text.size();
        lines.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

std::vector<TocLine> parse_toc(const std::string &listing) {
    std::vector<TocLine> lines;
    for (const std::string &line : lines_of(listing)) {
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
    bool header = true;
    for (const std::string &line : lines_of(script)) {
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
    for (const std::string &line : lines_of(script)) {
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
