#include <string>
#include <vector>

#include "pg/guard.hpp"
#include "pg/spi.hpp"

extern "C" {
#include "access/xact.h"
#include "catalog/pg_type_d.h"
#include "executor/spi.h"
#include "pgstat.h"
#include "utils/builtins.h"
#include "utils/snapmgr.h"
}

namespace pg {

void transaction(const std::function<void()> &body) {
    call([] {
        SetCurrentStatementStartTimestamp();
        StartTransactionCommand();
        if (SPI_connect() != SPI_OK_CONNECT)
            elog(ERROR, "pg_clone: SPI_connect failed");
        PushActiveSnapshot(GetTransactionSnapshot());
    });
    try {
        body();
        call([] {
            SPI_finish();
            PopActiveSnapshot();
            CommitTransactionCommand();
            pgstat_report_stat(false);
            pgstat_report_activity(STATE_IDLE, NULL);
        });
    } catch (...) {
        // Releases SPI, snapshots and locks; never raises by itself.
        AbortCurrentTransaction();
        throw;
    }
}

std::vector<Row> query(const std::string &sql, const std::vector<Value> &params) {
    std::vector<Row> rows;
    call([&] {
        int nargs = static_cast<int>(params.size());
        Oid *types = static_cast<Oid *>(palloc0(sizeof(Oid) * (nargs + 1)));
        Datum *values = static_cast<Datum *>(palloc0(sizeof(Datum) * (nargs + 1)));
        char *nulls = static_cast<char *>(palloc0(nargs + 1));
        for (int i = 0; i < nargs; i++) {
            types[i] = TEXTOID;
            nulls[i] = params[i] ? ' ' : 'n';
            values[i] = params[i] ? CStringGetTextDatum(params[i]->c_str()) : (Datum)0;
        }
        pgstat_report_activity(STATE_RUNNING, sql.c_str());
        int rc = SPI_execute_with_args(sql.c_str(), nargs, types, values, nulls, false, 0);
        if (rc < 0)
            elog(ERROR, "pg_clone: SPI_execute_with_args failed: %s", SPI_result_code_string(rc));
        if (SPI_tuptable == NULL)
            return;
        TupleDesc desc = SPI_tuptable->tupdesc;
        for (uint64 r = 0; r < SPI_processed; r++) {
            rows.emplace_back();
            for (int c = 1; c <= desc->natts; c++) {
                char *text = SPI_getvalue(SPI_tuptable->vals[r], desc, c);
                rows.back().push_back(text ? Value(text) : Value());
            }
        }
    });
    return rows;
}

}  // namespace pg
