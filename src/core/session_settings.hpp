// What every remote session of a clone pins before it runs anything else (docs/architecture.md: remote
// databases are hostile ground). Their owners can set defaults for the database or the role, and a
// conninfo's options can set more; none of it may change the rows a clone copies, nor make our
// queries reach code in a user's schema. pg_dump's setup_connection and postgres_fdw's
// configure_remote_session pin the same things for the same reasons.
#pragma once

#ifdef POSTGRES_H
#error "pure C++ headers must be included before postgres.h"
#endif

#include <string>
#include <vector>

namespace pgclone {

struct SessionSetting {
    std::string name;
    std::string value;
};

// The settings pinned on a server of this version (PQserverVersion), search_path first.
std::vector<SessionSetting> pinned_settings(int server_version);

// "SET name = 'value'; ..." for a simple-query round trip.
std::string set_statements(const std::vector<SessionSetting> &settings);

// The client_encoding every session of one clone uses. The databases' own when they all share it, so
// nothing is converted (and SQL_ASCII bytes travel as they are); UTF8 otherwise, which can hold every
// character, so that the server converts on the way in and refuses a character the target cannot hold.
std::string common_client_encoding(const std::vector<std::string> &server_encodings);

}  // namespace pgclone
