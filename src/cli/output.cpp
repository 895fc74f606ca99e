#include "cli/output.hpp"

#include <algorithm>
#include <cstdio>

namespace pgclone::cli {

namespace {

// Characters on screen: UTF-8 continuation bytes take no column.
size_t display_width(const std::string &text) {
    size_t width = 0;
    for (unsigned char c : text)
        width += (c & 0xC0) != 0x80 ? 1 : 0;
    return width;
}

std::string one_line(const Cell &cell) {
    std::string text = cell.value_or("");
    std::replace(text.begin(), text.end(), '\n', ' ');
    return text;
}

}  // namespace

std::string json_string(const std::string &text) {
    std::string out = "\"";
    for (unsigned char c : text) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof(buf), "\\u%04x", c);
                out += buf;
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    return out + "\"";
}

JsonObject &JsonObject::string(const std::string &key, const std::optional<std::string> &value) {
    members_.emplace_back(key, value ? json_string(*value) : "null");
    return *this;
}

JsonObject &JsonObject::number(const std::string &key, const std::optional<std::string> &value) {
    // Only what JSON accepts as a number is written as one.
    bool numeric = value && !value->empty() &&
                   value->find_first_not_of("0123456789.-+eE") == std::string::npos && (*value)[0] != '.' &&
                   (*value)[0] != '+';
    members_.emplace_back(key, !value ? "null" : numeric ? *value : json_string(*value));
    return *this;
}

JsonObject &JsonObject::boolean(const std::string &key, const std::optional<bool> &value) {
    members_.emplace_back(key, !value ? "null" : *value ? "true" : "false");
    return *this;
}

JsonObject &JsonObject::raw(const std::string &key, const std::string &json) {
    members_.emplace_back(key, json);
    return *this;
}

std::string JsonObject::str() const {
    std::string out = "{";
    for (size_t i = 0; i < members_.size(); ++i) {
        if (i > 0)
            out += ", ";
        out += json_string(members_[i].first) + ": " + members_[i].second;
    }
    return out + "}";
}

std::string json_array(const std::vector<std::string> &elements) {
    std::string out = "[";
    for (size_t i = 0; i < elements.size(); ++i) {
        if (i > 0)
            out += ", ";
        out += elements[i];
    }
    return out + "]";
}

std::string aligned_table(const std::vector<std::string> &headers, const std::vector<std::vector<Cell>> &rows,
                          const std::vector<bool> &right_aligned) {
    std::vector<size_t> widths(headers.size());
    for (size_t c = 0; c < headers.size(); ++c)
        widths[c] = display_width(headers[c]);
    for (const auto &row : rows)
        for (size_t c = 0; c < headers.size() && c < row.size(); ++c)
            widths[c] = std::max(widths[c], display_width(one_line(row[c])));

    auto pad = [](const std::string &text, size_t width, bool right) {
        std::string fill(width - std::min(width, display_width(text)), ' ');
        return right ? fill + text : text + fill;
    };
    std::string out;
    // The header is centered, as psql does.
    for (size_t c = 0; c < headers.size(); ++c) {
        size_t space = widths[c] - display_width(headers[c]);
        std::string cell = std::string(space / 2, ' ') + headers[c] + std::string(space - space / 2, ' ');
        out += (c > 0 ? " | " : " ") + cell;
    }
    while (!out.empty() && out.back() == ' ')
        out.pop_back();
    out += "\n";
    for (size_t c = 0; c < headers.size(); ++c)
        out += (c > 0 ? "+" : "") + std::string(widths[c] + 2, '-');
    out += "\n";
    for (const auto &row : rows) {
        std::string line;
        for (size_t c = 0; c < headers.size(); ++c) {
            std::string text = c < row.size() ? one_line(row[c]) : "";
            bool right = c < right_aligned.size() && right_aligned[c];
            line += (c > 0 ? " | " : " ") + pad(text, widths[c], right);
        }
        while (!line.empty() && line.back() == ' ')
            line.pop_back();
        out += line + "\n";
    }
    out += "(" + std::to_string(rows.size()) + (rows.size() == 1 ? " row)\n" : " rows)\n");
    return out;
}

}  // namespace pgclone::cli
