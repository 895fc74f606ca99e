// Following a clone to its end ("pg_clone clone --wait", "pg_clone wait ID"): LISTEN
// bucardo_clone_done and read the clone's row and bucardo.clone_progress between notifications;
// a live progress line on a terminal, one line per table as it ends elsewhere; Ctrl-C asks whether
// to cancel (or cancels, with --cancel-on-interrupt) and always says what became of the clone.
#pragma once

#include "cli/pq/session.hpp"

#include <cstdint>
#include <optional>

namespace pgclone::cli {

struct FollowOptions {
    std::optional<double> timeout_s;
    bool cancel_on_interrupt = false;
};

// Returns the exit status: done 0, failed 1, cancelled 3, not ended 4 (timeout, or left running
// after Ctrl-C); 2 if there is no such clone.
int follow_clone(Session &session, int64_t id, const FollowOptions &options);

}  // namespace pgclone::cli
