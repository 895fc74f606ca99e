// Live progress in shared memory: a fixed array of slots (core/progress.hpp) that clone workers claim
// and release, and that bucardo.clone_progress reads.
#pragma once

#include <cstdint>
#include <string>

#include "core/progress.hpp"

namespace pg {

// From _PG_init: asks for the shared memory and installs the hooks that set it up.
void progress_init();

// A worker's slots: claimed for one clone, all released when this goes (or the process exits).
class ProgressBoard : public pgclone::ProgressBoard {
  public:
    explicit ProgressBoard(int64_t clone_id);
    ~ProgressBoard() override;
    pgclone::ProgressSlot *claim(const std::string &table, const std::string &source,
                                 const std::string &target, int64_t estimated_rows,
                                 int64_t estimated_bytes) override;

  private:
    int64_t clone_id_;
    int64_t started_us_;
    bool warned_ = false;
};

}  // namespace pg
