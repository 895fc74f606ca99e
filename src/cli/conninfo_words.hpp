// "pg_clone add db alpha dbname=shop host=db1.example.com user=x": Bucardo's words for a database,
// turned into one libpq connection string with every value quoted as libpq reads it. Pure C++.
#pragma once

#include <string>
#include <vector>

namespace pgclone::cli {

// A value quoted for a conninfo string: as it is when it is plain, else in single quotes with ' and
// \ escaped by a backslash ("my db" -> 'my db', "it's" -> 'it\'s', "" -> '').
std::string quote_conninfo_value(const std::string &value);

// The connection string of "add db": one word with a space in it, or a postgres:// URI, is taken as it
// is; otherwise every word is KEY=VALUE (Bucardo's dbhost, dbport, dbuser, dbpass, dbservice and pass
// are read as host, port, user, password, service) and they are joined with their values quoted.
// Throws UsageError for a word without '=', an empty key or a key given twice. Keywords are checked
// by the server (bucardo.add_db), not here.
std::string conninfo_from_words(const std::vector<std::string> &words);

}  // namespace pgclone::cli
