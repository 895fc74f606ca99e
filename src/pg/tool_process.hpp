// Runs a program of the server's own installation (pg_dump, pg_restore: the directory of the postgres
// binary, my_exec_path) for clone(..., schema => 'create'): posix_spawn with an argument vector, no
// shell; stdin from /dev/null, stdout and stderr through pipes read without blocking, waiting through
// the clone's Waiter (latch, postmaster death, cancel); the child killed and reaped on every way out.
#pragma once

#include <string>

#include "core/waiter.hpp"
#include "remote/run_clone.hpp"

namespace pg {

// The program's full path: my_exec_path's directory and its name.
std::string tool_path(const std::string &program);

// Throws pgclone::Error when the program cannot be started, its stdout outgrows run.max_output, or the
// wait is interrupted; a program that ran returns whatever its status.
pgclone::ToolResult run_tool(const pgclone::ToolRun &run, pgclone::Waiter &waiter);

// A private directory for the dump files: base/pgsql_tmp of the data directory (emptied by the
// server at its next start, should the worker die before removing its own).
std::string scratch_dir();

}  // namespace pg
