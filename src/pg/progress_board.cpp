#include "pg/progress_board.hpp"

#include <cstring>

#include "pg/guard.hpp"

extern "C" {
#include "access/xact.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/condition_variable.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

PG_FUNCTION_INFO_V1(pg_clone_progress);
PG_FUNCTION_INFO_V1(pg_clone_ended);
PG_FUNCTION_INFO_V1(pg_clone_end_generation);
PG_FUNCTION_INFO_V1(pg_clone_wait_for_end);
PG_FUNCTION_INFO_V1(pg_clone_is_current_transaction);
}

namespace pg {

namespace {

constexpr int slot_count = 4096;  // tables x targets of all running clones

struct ProgressArea {
    LWLock *lock;  // taken to claim and release slots (the counters need no lock)
    // Counts the clones that ended (committed), and wakes bucardo.clone_wait() when one does.
    pg_atomic_uint64 ends;
    ConditionVariable ended;
    pgclone::ProgressSlot slots[slot_count];
};

ProgressArea *area = nullptr;
shmem_request_hook_type previous_request = nullptr;
shmem_startup_hook_type previous_startup = nullptr;

void request_shmem() {
    if (previous_request)
        previous_request();
    RequestAddinShmemSpace(MAXALIGN(sizeof(ProgressArea)));
    RequestNamedLWLockTranche("pg_clone", 1);
}

void startup_shmem() {
    if (previous_startup)
        previous_startup();
    LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
    bool found = false;
    area = static_cast<ProgressArea *>(ShmemInitStruct("pg_clone progress", sizeof(ProgressArea), &found));
    if (!found) {
        new (area) ProgressArea();
        area->lock = &(GetNamedLWLockTranche("pg_clone"))->lock;
        pg_atomic_init_u64(&area->ends, 0);
        ConditionVariableInit(&area->ended);
    }
    LWLockRelease(AddinShmemInitLock);
}

// Frees every slot that this process claimed: at the end of a clone, and when the worker exits.
void release_mine(int, Datum) {
    if (!area)
        return;
    LWLockAcquire(area->lock, LW_EXCLUSIVE);
    for (pgclone::ProgressSlot &slot : area->slots) {
        if (slot.clone_id != 0 && slot.owner_pid == MyProcPid) {
            slot.changecount.fetch_add(1);
            slot.clone_id = 0;
            slot.owner_pid = 0;
            slot.changecount.fetch_add(1);
        }
    }
    LWLockRelease(area->lock);
}

void copy_name(char *to, size_t size, const std::string &from) {
    size_t n = std::min(from.size(), size - 1);
    std::memcpy(to, from.data(), n);
    to[n] = '\0';
}

TimestampTz from_unix_us(int64_t us) {
    return us - static_cast<int64_t>(POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY;
}

const char *phase_name(uint32_t phase) {
    switch (static_cast<pgclone::ProgressPhase>(phase)) {
    case pgclone::ProgressPhase::Waiting:
        return "waiting";
    case pgclone::ProgressPhase::Emptying:
        return "emptying";
    case pgclone::ProgressPhase::Copying:
        return "copying";
    case pgclone::ProgressPhase::Done:
        return "done";
    case pgclone::ProgressPhase::Skipped:
        return "skipped";
    }
    return "unknown";
}

}  // namespace

void progress_init() {
    previous_request = shmem_request_hook;
    shmem_request_hook = request_shmem;
    previous_startup = shmem_startup_hook;
    shmem_startup_hook = startup_shmem;
}

ProgressBoard::ProgressBoard(int64_t clone_id) : clone_id_(clone_id), started_us_(pgclone::now_us()) {
    call([] { before_shmem_exit(release_mine, 0); });
}

ProgressBoard::~ProgressBoard() {
    try {
        call([] {
            release_mine(0, 0);
            cancel_before_shmem_exit(release_mine, 0);
        });
    } catch (...) {
        // The exit callback frees them all the same.
    }
}

pgclone::ProgressSlot *ProgressBoard::claim(const std::string &table, const std::string &source,
                                            const std::string &target, int64_t estimated_rows,
                                            int64_t estimated_bytes) {
    pgclone::ProgressSlot *claimed = nullptr;
    call([&] {
        if (!area)
            return;
        LWLockAcquire(area->lock, LW_EXCLUSIVE);
        for (pgclone::ProgressSlot &slot : area->slots) {
            if (slot.clone_id != 0)
                continue;
            slot.changecount.fetch_add(1);
            slot.clone_id = clone_id_;
            slot.owner_pid = MyProcPid;
            copy_name(slot.source, sizeof(slot.source), source);
            copy_name(slot.target, sizeof(slot.target), target);
            copy_name(slot.table, sizeof(slot.table), table);
            slot.estimated_rows = estimated_rows;
            slot.estimated_bytes = estimated_bytes;
            slot.clone_started_us = started_us_;
            slot.phase.store(static_cast<uint32_t>(pgclone::ProgressPhase::Waiting));
            slot.rows.store(0);
            slot.bytes.store(0);
            slot.copy_started_us.store(0);
            slot.updated_us.store(0);
            slot.changecount.fetch_add(1);
            claimed = &slot;
            break;
        }
        LWLockRelease(area->lock);
        if (!claimed && !warned_) {
            warned_ = true;
            ereport(LOG,
                    (errmsg("pg_clone: clone " INT64_FORMAT " runs without progress: all %d progress slots "
                            "are taken",
                            clone_id_, slot_count)));
        }
    });
    return claimed;
}

}  // namespace pg

// bucardo._clone_progress(): one row per claimed slot, each read consistently (a slot being claimed or
// released is read again).
extern "C" Datum pg_clone_progress(PG_FUNCTION_ARGS) {
    InitMaterializedSRF(fcinfo, 0);
    ReturnSetInfo *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
    if (!pg::area)
        return (Datum)0;
    for (pgclone::ProgressSlot &slot : pg::area->slots) {
        pgclone::ProgressSlot copy;
        bool consistent = false;
        for (int attempt = 0; attempt < 100 && !consistent; attempt++) {
            uint32_t before = slot.changecount.load(std::memory_order_acquire);
            if (before & 1)
                continue;
            copy.clone_id = slot.clone_id;
            std::memcpy(copy.source, slot.source, sizeof(copy.source));
            std::memcpy(copy.target, slot.target, sizeof(copy.target));
            std::memcpy(copy.table, slot.table, sizeof(copy.table));
            copy.estimated_rows = slot.estimated_rows;
            copy.estimated_bytes = slot.estimated_bytes;
            copy.clone_started_us = slot.clone_started_us;
            std::atomic_thread_fence(std::memory_order_acquire);
            consistent = slot.changecount.load(std::memory_order_acquire) == before;
        }
        if (!consistent || copy.clone_id == 0)
            continue;
        Datum values[12];
        bool nulls[12] = {};
        values[0] = Int64GetDatum(copy.clone_id);
        values[1] = CStringGetTextDatum(copy.source);
        values[2] = CStringGetTextDatum(copy.target);
        values[3] = CStringGetTextDatum(copy.table);
        values[4] = CStringGetTextDatum(pg::phase_name(slot.phase.load()));
        values[5] = Int64GetDatum(slot.rows.load());
        values[6] = Int64GetDatum(slot.bytes.load());
        values[7] = Int64GetDatum(copy.estimated_rows);
        nulls[7] = copy.estimated_rows < 0;
        values[8] = Int64GetDatum(copy.estimated_bytes);
        values[9] = TimestampTzGetDatum(pg::from_unix_us(copy.clone_started_us));
        int64_t copy_started = slot.copy_started_us.load();
        values[10] = TimestampTzGetDatum(pg::from_unix_us(copy_started));
        nulls[10] = copy_started == 0;
        int64_t updated = slot.updated_us.load();
        values[11] = TimestampTzGetDatum(pg::from_unix_us(updated));
        nulls[11] = updated == 0;
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
    }
    return (Datum)0;
}

namespace {

bool end_pending = false;  // this transaction ended a clone: wake the waiters once it commits
bool callback_registered = false;

void wake_waiters_at_commit(XactEvent event, void *) {
    if (event == XACT_EVENT_COMMIT && end_pending && pg::area) {
        pg_atomic_fetch_add_u64(&pg::area->ends, 1);
        ConditionVariableBroadcast(&pg::area->ended);
    }
    if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_COMMIT ||
        event == XACT_EVENT_PARALLEL_ABORT || event == XACT_EVENT_PREPARE)
        end_pending = false;
}

}  // namespace

// bucardo._clone_ended(): called by the trigger that sees a clone end; its waiters wake at commit,
// when the new status is visible to them.
extern "C" Datum pg_clone_ended(PG_FUNCTION_ARGS) {
    if (!callback_registered) {
        RegisterXactCallback(wake_waiters_at_commit, NULL);
        callback_registered = true;
    }
    end_pending = true;
    PG_RETURN_VOID();
}

// bucardo._clone_end_generation(): how many clones have ended since the server started.
extern "C" Datum pg_clone_end_generation(PG_FUNCTION_ARGS) {
    PG_RETURN_INT64(pg::area ? static_cast<int64>(pg_atomic_read_u64(&pg::area->ends)) : 0);
}

// bucardo._clone_wait_for_end(generation, timeout_ms): sleeps until a clone ends after the generation
// given was read, or the timeout passes; returns the generation then. A cancel (Ctrl-C) is seen at once.
extern "C" Datum pg_clone_wait_for_end(PG_FUNCTION_ARGS) {
    uint64 seen = static_cast<uint64>(PG_GETARG_INT64(0));
    int32 timeout_ms = PG_GETARG_INT32(1);
    if (!pg::area)
        PG_RETURN_INT64(0);
    TimestampTz deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), timeout_ms);
    ConditionVariablePrepareToSleep(&pg::area->ended);
    while (pg_atomic_read_u64(&pg::area->ends) == seen) {
        long left = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), deadline);
        if (left <= 0)
            break;
        if (ConditionVariableTimedSleep(&pg::area->ended, left, PG_WAIT_EXTENSION))
            break;
    }
    ConditionVariableCancelSleep();
    PG_RETURN_INT64(static_cast<int64>(pg_atomic_read_u64(&pg::area->ends)));
}

// bucardo._is_current_transaction(xid): whether a row version with this xmin was written by the current
// transaction or one of its subtransactions. bucardo.clone_wait refuses to wait for a clone whose row this
// transaction wrote: its worker could not see the clone before the commit.
extern "C" Datum pg_clone_is_current_transaction(PG_FUNCTION_ARGS) {
    PG_RETURN_BOOL(TransactionIdIsCurrentTransactionId(DatumGetTransactionId(PG_GETARG_DATUM(0))));
}
