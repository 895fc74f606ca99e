// What pg_dump and pg_restore print, as clone(..., schema => 'create') reads it (remote/schema_copy.cpp):
// pg_restore --list lines, pg_dump -t/-n patterns, and pg_restore scripts made fit for a clone's
// session. Pure C++.
#pragma once

#ifdef POSTGRES_H
#error "pure C++ headers must be included before postgres.h"
#endif

#include <string>
#include <vector>

namespace pgclone {

// One entry of pg_restore --list: "218; 1259 16409 TABLE public items postgres".
struct TocLine {
    std::string text;          // the whole line, as --use-list takes it back
    std::string catalog, oid;  // "1259", "16409"; "0", "0" for a comment or a grant
    std::string rest;          // "TABLE public items postgres"
};
// The entries of a listing; comment lines (";") and anything else are skipped.
std::vector<TocLine> parse_toc(const std::string &listing);

// A name as a pg_dump -t or -n pattern matching exactly it: in double quotes (where *, ?, . and the
// other pattern characters are plain characters), a double quote doubled.
std::string exact_pattern(const std::string &name);

// pg_restore's script, made fit for a clone's session: the psql-only \restrict and \unrestrict lines
// go, and so do the settings of its header that would weaken the session (lock_timeout = 0, the
// timeouts) or change what its COPY sends (client_encoding). The session's own settings are set again
// after the script.
std::string fit_script(const std::string &script);

// The lines of a text, without their newlines (no empty last line for a text that ends in one).
std::vector<std::string> lines_of(const std::string &text);

// Whether the script holds a statement beyond comments and settings.
bool has_statements(const std::string &script);

inline bool starts_with(const std::string &text, const std::string &prefix) {
    return text.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace pgclone
