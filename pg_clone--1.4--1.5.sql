-- pg_clone 1.4 -> 1.5: bucardo.clone_wait refuses at once to wait for a clone that its own transaction
-- queued or changed and has not committed (SELECT bucardo.clone_wait(bucardo.clone(...)), say): the worker
-- cannot see such a clone, so the wait could only end at its timeout, or never without one.
-- See the head of pg_clone--1.2--1.3.sql for where a clone request is handled.
\echo Use "ALTER EXTENSION pg_clone UPDATE TO '1.5'" to load this file. \quit

-- Whether a row version with this xmin was written by the current transaction or one of its
-- subtransactions.
CREATE FUNCTION bucardo._is_current_transaction(xid) RETURNS boolean
LANGUAGE c STABLE STRICT AS 'MODULE_PATHNAME', 'pg_clone_is_current_transaction';
REVOKE ALL ON FUNCTION bucardo._is_current_transaction(xid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION bucardo._is_current_transaction(xid) TO pgclone_user;

CREATE OR REPLACE FUNCTION bucardo.clone_wait(id bigint, timeout interval DEFAULT NULL) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    current text;
    row_xmin xid;
    deadline timestamptz := clock_timestamp() + timeout;
    generation bigint;
    left_ms integer;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'bucardo.clone_wait needs READ COMMITTED isolation'
            USING ERRCODE = 'active_sql_transaction',
                  HINT = 'Under a snapshot isolation level the clone''s progress can never become visible.';
    END IF;
    LOOP
        -- Read before the status: a clone that ends after the read wakes the sleep below.
        generation := bucardo._clone_end_generation();
        SELECT c.status, c.xmin INTO current, row_xmin FROM bucardo.clone c WHERE c.id = clone_wait.id;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'clone % does not exist', id USING ERRCODE = 'undefined_object';
        END IF;
        EXIT WHEN current IN ('done', 'failed', 'cancelled');
        IF bucardo._is_current_transaction(row_xmin) THEN
            RAISE EXCEPTION 'bucardo.clone_wait cannot wait for clone % in the transaction that queued or changed it',
                            id
                USING ERRCODE = 'active_sql_transaction',
                      DETAIL = 'The clone is ' || current || ', and its worker sees it only once this transaction commits.',
                      HINT = 'Commit first, then wait: SELECT bucardo.clone(...) and SELECT bucardo.clone_wait(id) as two transactions.';
        END IF;
        left_ms := 1000;
        IF deadline IS NOT NULL THEN
            EXIT WHEN clock_timestamp() >= deadline;
            left_ms := least(left_ms, ceil(extract(epoch FROM deadline - clock_timestamp()) * 1000)::integer);
        END IF;
        PERFORM bucardo._clone_wait_for_end(generation, greatest(left_ms, 1));
    END LOOP;
    RETURN current;
END $$;
