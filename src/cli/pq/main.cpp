// pg_clone: the command line of the pg_clone extension, in Bucardo's words. Parses the command line
// (src/cli/command_line.cpp), connects to the control database (src/cli/pq/session.cpp) and runs the
// verb (src/cli/pq/verbs.cpp). No exception leaves main.
#include "cli/command_line.hpp"
#include "cli/pq/session.hpp"
#include "cli/pq/verbs.hpp"

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#ifndef PG_CLONE_VERSION
#define PG_CLONE_VERSION "unknown"
#endif

using namespace pgclone::cli;

namespace {

int run(int argc, char **argv) {
    CommandLine line;
    try {
        line = parse_command_line(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const UsageError &e) {
        print_error(e.what(), "", "Try \"pg_clone --help\" for more information.");
        return kExitUsage;
    }
    if (line.verb == Verb::kHelp) {
        std::fputs(help_text().c_str(), stdout);
        return kExitDone;
    }
    if (line.verb == Verb::kVersion) {
        std::puts("pg_clone (pg_clone) " PG_CLONE_VERSION);
        return kExitDone;
    }
    try {
        Session session = Session::connect(line.connection);
        return run_verb(session, line);
    } catch (const ServerError &e) {
        print_error(e.what(), e.detail(), e.hint());
        return kExitUsage;
    } catch (const ConnectionError &e) {
        print_error(e.what());
        return kExitUsage;
    }
}

}  // namespace

int main(int argc, char **argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception &e) {
        print_error(e.what());
    } catch (...) {
        print_error("unexpected failure");
    }
    return kExitUsage;
}
