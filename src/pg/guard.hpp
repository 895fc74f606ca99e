// The wall between C++ and PostgreSQL, in both directions (docs/architecture.md, "The two walls").
//
//  * pg::call(f) runs f, which calls PostgreSQL functions that may ereport(ERROR); an ERROR is caught
//    by sigsetjmp and rethrown as pgclone::Error (SQLSTATE, message, detail, hint kept). f must not own
//    C++ objects itself: a longjmp would skip their destructors.
//  * pg::entry(f) is the body of every SQL-callable function: it runs C++ code, catches any exception
//    and raises it as a PostgreSQL ERROR only after every destructor of f has run.
//
// Include this header after the standard and pure headers: it includes postgres.h.
#pragma once

#include <exception>
#include <new>
#include <string>
#include <utility>

#include "core/error.hpp"

extern "C" {
#include "postgres.h"

#include "fmgr.h"
#include "utils/elog.h"
}

namespace pg {

// Turns PostgreSQL's current error into a pgclone::Error and clears the error state.
pgclone::Error take_error(MemoryContext context);

template <typename F>
void call(F &&f) {
    MemoryContext context = CurrentMemoryContext;
    volatile bool failed = false;  // set under PG_CATCH, read after it: volatile, as sigsetjmp needs
    std::exception_ptr cpp_error;
    PG_TRY();
    {
        // A C++ exception must not unwind through sigsetjmp's frame: catch it here, rethrow it below.
        try {
            f();
        } catch (...) {
            cpp_error = std::current_exception();
        }
    }
    PG_CATCH();
    { failed = true; }
    PG_END_TRY();
    if (failed)
        throw take_error(context);
    if (cpp_error)
        std::rethrow_exception(cpp_error);
}

// Fixed-size copies of an error, so raising it needs no allocation and owns no C++ object.
struct RaisedError {
    int sqlerrcode;
    char message[2048];
    char detail[2048];
    char hint[1024];
    char context[512];  // where it happened (pgclone::Error::context), as a CONTEXT line
};

void capture(RaisedError &out, const pgclone::Error &error) noexcept;
void capture_current_exception(RaisedError &out) noexcept;
[[noreturn]] void raise(const RaisedError &error);

template <typename F>
Datum entry(F &&f) {
    RaisedError error;
    bool failed = false;
    Datum result = (Datum)0;
    try {
        result = f();
    } catch (...) {
        capture_current_exception(error);
        failed = true;
    }
    if (failed)
        raise(error);
    return result;
}

// ereport at a level below ERROR from C++ code.
void log(int level, const std::string &message);
// A line with the parts PostgreSQL gives an error: DETAIL, HINT and CONTEXT (each left out when empty).
void log(int level, const std::string &message, const std::string &detail, const std::string &hint,
         const std::string &context);

}  // namespace pg
