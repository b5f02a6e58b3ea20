#!/usr/bin/env python3
"""The daemon end to end: the accepted window of the time field (DESIGN.md §4, issue #12 item 7).

A log whose time field is older than --max-age (default: the retention, else 30 days) or further ahead than
--max-future (default 1 h) is answered `ERROR: timestamp <time> outside the accepted window <from> .. <to>`,
counted in logdaemon_logs_rejected_total{reason="time_out_of_range"}, and neither stored nor written to the
write-ahead log. `off` turns a side off; `logdaemon import` refuses only the future by default.
"""

import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon import (Context, Daemon, DuckDB, Suite, check, check_eq, check_stored_rows, frames,  # noqa: E402
                    parquet_files)

ctx = Context(__doc__)
suite = Suite(ctx, "server.time_window")

DAY = 86400
HOUR = 3600
REASON = {"reason": "time_out_of_range"}
YEAR_1 = "0001-01-01T00:00:00Z"
YEAR_9999 = "9999-12-31T23:59:59Z"


def rfc3339(seconds):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def log(timestamp, message):
    return (f'{{"timestamp":"{timestamp}","level":"info","message":"{message}"}}').encode()


def expected_refusals(timestamp, t0, t1, max_age, max_future):
    """Every reply the daemon may give to a log at `timestamp` sent between t0 and t1 (its clock read
    then): the window is [floor(now) - max_age, ceil(now) + max_future], None meaning no limit."""
    out = set()
    for second in range(int(t0) - 1, int(t1) + 2):
        lower = "(no limit)" if max_age is None else rfc3339(second - max_age)
        for ceil in (second, second + 1):
            upper = "(no limit)" if max_future is None else rfc3339(ceil + max_future)
            out.add(f"ERROR: timestamp {timestamp} outside the accepted window {lower} .. {upper}")
    return out


def send(d, cases):
    """Pipelines (timestamp, message) logs on one connection; returns the replies and the time span."""
    t0 = time.time()
    with d.connect() as c:
        replies = c.pipeline(frames(log(ts, msg) for ts, msg in cases), len(cases))
    return replies, t0, time.time()


def wal_bytes(storage):
    wal = os.path.join(storage, "wal")
    data = b""
    for name in sorted(os.listdir(wal)) if os.path.isdir(wal) else []:
        with open(os.path.join(wal, name), "rb") as f:
            data += f.read()
    return data


def partitions(storage):
    return sorted({os.path.relpath(os.path.dirname(p), storage) for p in parquet_files(storage)})


@suite.check
def default_window_refuses_year_1_and_9999(ctx):
    """serve's defaults (30 days back, 1 h ahead): logs dated 0001-01-01 and 9999-12-31, 31 days old and
    2 h ahead get the exact refusal and the time_out_of_range count; 29 days old, 30 min ahead and now are
    OK; only the OK logs are stored, and the refused ones are not in the write-ahead log"""
    now = time.time()
    accepted = [(rfc3339(now), "accepted now"), (rfc3339(now - 29 * DAY), "accepted 29 days old"),
                (rfc3339(now + 30 * 60), "accepted 30 minutes ahead")]
    refused = [(YEAR_1, "refused year 1"), (YEAR_9999, "refused year 9999"),
               (rfc3339(now - 31 * DAY), "refused 31 days old"), (rfc3339(now + 2 * HOUR), "refused 2 hours ahead")]
    with Daemon(ctx) as d:
        replies, t0, t1 = send(d, accepted + refused)
        check_eq(replies[:len(accepted)], ["OK"] * len(accepted), "replies to the logs inside the window")
        for (ts, msg), reply in zip(refused, replies[len(accepted):]):
            allowed = expected_refusals(ts, t0, t1, 30 * DAY, HOUR)
            check(reply in allowed, f"{msg}: reply {reply!r}, want one of {sorted(allowed)[:2]}…")
        m = d.settled_metrics()
        check_eq(m.require("logdaemon_logs_rejected_total", REASON), len(refused),
                 'logdaemon_logs_rejected_total{reason="time_out_of_range"}')
        check_eq(m.require("logdaemon_logs_accepted_total"), len(accepted), "logdaemon_logs_accepted_total")
        # Durable acks: the OK logs are in the write-ahead log now; the refused ones never were.
        wal = wal_bytes(d.storage)
        check(b"accepted now" in wal, "the accepted log is in the write-ahead log (the search works)")
        check(b"refused" not in wal, "a refused log is in the write-ahead log")
        d.stop()
        check_stored_rows(ctx, d.storage, len(accepted), "after the refusals")
        got = DuckDB(ctx).query_lines(f"SELECT message FROM {DuckDB.glob(d.storage)} ORDER BY message")
        check_eq(got, sorted(msg for _, msg in accepted), "the stored messages")
        for name in partitions(d.storage):
            check(name not in ("dt=0001-01-01", "dt=9999-12-31"), f"a partition {name} was created")
    return f"{len(refused)} refused with the exact reply and counted, {len(accepted)} stored, none in the WAL"


@suite.check
def max_age_defaults_to_the_retention(ctx):
    """--retention-days 7 without --max-age: 8 days old is refused, 6 days old is OK"""
    now = time.time()
    with Daemon(ctx, "--retention-days", "7") as d:
        eight, six = rfc3339(now - 8 * DAY), rfc3339(now - 6 * DAY)
        replies, t0, t1 = send(d, [(eight, "eight days"), (six, "six days")])
        check(replies[0] in expected_refusals(eight, t0, t1, 7 * DAY, HOUR), f"8 days old: {replies[0]!r}")
        check_eq(replies[1], "OK", "6 days old")
        d.wait_metric("logdaemon_logs_rejected_total", 1, REASON)
    return "the window follows --retention-days 7"


@suite.check
def explicit_limits_and_their_boundaries(ctx):
    """--max-age 1h --max-future 10m: a minute inside either bound is OK, a minute outside is refused"""
    now = time.time()
    cases = [(rfc3339(now - 59 * 60), "in"), (rfc3339(now + 9 * 60), "in"),
             (rfc3339(now - 61 * 60), "out"), (rfc3339(now + 11 * 60), "out")]
    with Daemon(ctx, "--max-age", "1h", "--max-future", "10m") as d:
        replies, t0, t1 = send(d, cases)
        for (ts, where), reply in zip(cases, replies):
            if where == "in":
                check_eq(reply, "OK", f"{ts}, inside the window")
            else:
                check(reply in expected_refusals(ts, t0, t1, HOUR, 600), f"{ts}, outside: {reply!r}")
        d.wait_metric("logdaemon_logs_rejected_total", 2, REASON)
    return "59 min back and 9 min ahead OK; 61 min back and 11 min ahead refused"


@suite.check
def off_accepts_any_time(ctx):
    """--max-age off --max-future off: year 1 and year 9999 are stored, each in its own partition; with
    only --max-age off the refusal says the lower side has no limit"""
    with Daemon(ctx, "--max-age", "off", "--max-future", "off") as d:
        replies, _, _ = send(d, [(YEAR_1, "year 1"), (YEAR_9999, "year 9999")])
        check_eq(replies, ["OK", "OK"], "replies with the window off")
        d.wait_metric("logdaemon_logs_rejected_total", 0, REASON)
        d.stop()
        check_stored_rows(ctx, d.storage, 2, "with the window off")
        check_eq(partitions(d.storage), ["dt=0001-01-01", "dt=9999-12-31"], "partitions")
    with Daemon(ctx, "--max-age", "off") as d:
        replies, t0, t1 = send(d, [(YEAR_1, "year 1"), (YEAR_9999, "year 9999")])
        check_eq(replies[0], "OK", "year 1 with --max-age off")
        check(replies[1] in expected_refusals(YEAR_9999, t0, t1, None, HOUR), f"year 9999: {replies[1]!r}")
    return "off: both extremes stored; one side off: '(no limit)' in the reply"


@suite.check
def import_refuses_only_the_future_by_default(ctx):
    """logdaemon import loads history: year 1 is imported, year 9999 rejected by reason; with --max-age 30d
    the old one is rejected too"""
    with tempfile.TemporaryDirectory(prefix="ld-server-test-") as work:
        source = os.path.join(work, "logs.ndjson")
        with open(source, "wb") as f:
            f.write(log(YEAR_1, "year 1") + b"\n" + log(YEAR_9999, "year 9999") + b"\n")
        runs = {}
        for name, flags in (("default", []), ("max-age", ["--max-age", "30d"])):
            run = subprocess.run([ctx.logdaemon, "import", "-q", "--storage", os.path.join(work, name), source]
                                 + flags, capture_output=True, timeout=5 * ctx.timeout)
            runs[name] = run
            check_eq(run.returncode, 1, f"import ({name}) exit status; stderr: {run.stderr.decode()[-500:]}")
        out, err = runs["default"].stdout.decode(), runs["default"].stderr.decode()
        check(re.search(r"^imported:\s+1$", out, re.M), f"import imported one log:\n{out}")
        check(re.search(r"^\s+1  timestamp outside the accepted window$", out, re.M),
              f"the summary counts the refusal by its reason:\n{out}")
        check(f"logs.ndjson:2: timestamp {YEAR_9999} outside the accepted window (no limit) .. " in err,
              f"the refused line is shown with its reason:\n{err}")
        check_eq(partitions(os.path.join(work, "default")), ["dt=0001-01-01"], "imported partitions")
        out = runs["max-age"].stdout.decode()
        check(re.search(r"^imported:\s+0$", out, re.M), f"--max-age 30d imported nothing:\n{out}")
        check(re.search(r"^\s+2  timestamp outside the accepted window$", out, re.M), f"two refusals:\n{out}")
    return "import: only the future refused by default; --max-age applies when given"


suite.run()
