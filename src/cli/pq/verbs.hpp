// The verbs of the pg_clone program, each one call (or a few) of the SQL API in the control database.
#pragma once

#include "cli/command_line.hpp"
#include "cli/pq/session.hpp"

namespace pgclone::cli {

// Runs the verb of a parsed command line; returns the exit status. Throws ServerError and
// ConnectionError for main to print.
int run_verb(Session &session, const CommandLine &line);

}  // namespace pgclone::cli
