#include <cstring>
#include <string>

#include "pg/guard.hpp"

extern "C" {
#include "utils/memutils.h"
}

namespace pg {

namespace {

std::string unpack_sqlstate(int sqlerrcode) {
    std::string code(5, '0');
    for (int i = 0; i < 5; i++) {
        code[i] = static_cast<char>(PGUNSIXBIT(sqlerrcode));
        sqlerrcode >>= 6;
    }
    return code;
}

int pack_sqlstate(const std::string &code) {
    if (code.size() != 5)
        return ERRCODE_INTERNAL_ERROR;
    return MAKE_SQLSTATE(code[0], code[1], code[2], code[3], code[4]);
}

void copy_text(char *out, size_t size, const std::string &text) noexcept {
    size_t n = text.size() < size - 1 ? text.size() : size - 1;
    std::memcpy(out, text.data(), n);
    out[n] = '\0';
}

}  // namespace

pgclone::Error take_error(MemoryContext context) {
    // CopyErrorData refuses to copy into ErrorContext.
    MemoryContextSwitchTo(context == ErrorContext ? TopMemoryContext : context);
    ErrorData *data = CopyErrorData();
    FlushErrorState();
    pgclone::ErrorInfo info;
    info.sqlstate = unpack_sqlstate(data->sqlerrcode);
    info.message = data->message ? data->message : "unknown error";
    info.detail = data->detail ? data->detail : "";
    info.hint = data->hint ? data->hint : "";
    FreeErrorData(data);
    return pgclone::Error(std::move(info));
}

void capture(RaisedError &out, const pgclone::Error &error) noexcept {
    const pgclone::ErrorInfo &info = error.info();
    out.sqlerrcode = pack_sqlstate(info.sqlstate);
    copy_text(out.message, sizeof(out.message), info.message);
    copy_text(out.detail, sizeof(out.detail), info.detail);
    copy_text(out.hint, sizeof(out.hint), info.hint);
    try {
        copy_text(out.context, sizeof(out.context), error.context());
    } catch (...) {
        out.context[0] = '\0';
    }
}

void capture_current_exception(RaisedError &out) noexcept {
    out.sqlerrcode = ERRCODE_INTERNAL_ERROR;
    out.detail[0] = out.hint[0] = out.context[0] = '\0';
    try {
        throw;
    } catch (const pgclone::Error &e) {
        capture(out, e);
    } catch (const std::bad_alloc &) {
        out.sqlerrcode = ERRCODE_OUT_OF_MEMORY;
        copy_text(out.message, sizeof(out.message), "out of memory");
    } catch (const std::exception &e) {
        copy_text(out.message, sizeof(out.message), std::string("internal error: ") + e.what());
    } catch (...) {
        copy_text(out.message, sizeof(out.message), "internal error: unknown exception");
    }
}

void raise(const RaisedError &error) {
    ereport(ERROR, (errcode(error.sqlerrcode), errmsg_internal("%s", error.message),
                    error.detail[0] ? errdetail_internal("%s", error.detail) : 0,
                    error.hint[0] ? errhint("%s", error.hint) : 0,
                    error.context[0] ? errcontext("%s", error.context) : 0));
    pg_unreachable();
}

void log(int level, const std::string &message) {
    call([&] { ereport(level, (errmsg_internal("%s", message.c_str()))); });
}

void log(int level, const std::string &message, const std::string &detail, const std::string &hint,
         const std::string &context) {
    call([&] {
        ereport(level, (errmsg_internal("%s", message.c_str()),
                        detail.empty() ? 0 : errdetail_internal("%s", detail.c_str()),
                        hint.empty() ? 0 : errhint("%s", hint.c_str()),
                        context.empty() ? 0 : errcontext("%s", context.c_str())));
    });
}

}  // namespace pg
