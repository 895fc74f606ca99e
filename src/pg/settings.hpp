// pg_clone.* settings (GUCs), defined in module.cpp.
#pragma once

namespace pg::settings {

extern char *database;                // pg_clone.database: where the extension and its queue live
extern int naptime_s;                 // pg_clone.naptime: the launcher's polling backstop
extern int max_workers;               // pg_clone.max_workers: clones running at once
extern char *listen_conninfo;         // pg_clone.listen_conninfo: the launcher's LISTEN connection
extern int connect_timeout_s;         // pg_clone.connect_timeout
extern int lock_timeout_ms;           // pg_clone.lock_timeout: waits for table locks on remote databases
extern int max_streams;               // pg_clone.max_streams: parallel streams of one clone
extern int log_progress_interval_ms;  // pg_clone.log_progress_interval: a progress line in the log
extern int stall_timeout_ms;          // pg_clone.stall_timeout: a copy that moves no byte for this long fails
extern int maintenance_work_mem_kb;  // pg_clone.maintenance_work_mem: of a target session building indexes
extern bool build_indexes_after;      // pg_clone.build_indexes_after: bulk-build indexes of big tables
extern bool copy_freeze;              // pg_clone.copy_freeze: COPY ... FREEZE into tables truncated by the clone
extern int delete_max_size_kb;        // pg_clone.delete_max_size: smaller target tables are emptied by DELETE
extern int split_min_size_kb;         // pg_clone.split_min_size: bigger tables are read by several streams
extern int max_rate_kb;               // pg_clone.max_rate: bytes read per second by a clone (0: no limit)

enum TwoPhase { two_phase_auto, two_phase_on, two_phase_off };
extern int two_phase;        // pg_clone.two_phase: a TwoPhase
extern char *test_pause_at;  // pg_clone.test_pause_at: for tests, a commit round step to wait at

// max_workers, clamped to the background worker slots that can exist besides the launcher.
int effective_max_workers();

}  // namespace pg::settings
