#!/usr/bin/env python3
"""Operating the real `logdaemon serve` (issue #5): SIGUSR1 statistics, the /metrics exposition and its
values, SIGINT, a restart on the same storage, the values DuckDB reads back, the socket file (stale one
replaced, live one never taken over, removed on exit), the storage directory's lock, and bad flags (exit 2
naming the flag).

    tests/server/lifecycle.py --logdaemon build/logdaemon --source-dir . --interop tests/interop \
        --backend epoll [--sanitized] [--only NAME]
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon import (SANITIZER_REPORTS, CheckFailed, Context, Daemon, DuckDB, Suite, check,  # noqa: E402
                    check_eq, check_stored_rows, free_loopback_port, frames, http_get, log_json, poll_until)

ctx = Context(__doc__)
suite = Suite(ctx, "server.lifecycle")

# Rejected logs of each kind (the ones every reading of "a log received" counts: no empty frames).
REJECTED = [
    b'{"timestamp":',                                                    # invalid JSON
    b'{"level":}',                                                       # invalid JSON
    b'{"timestamp":"2026-01-15T19:00:00Z","level":"info","message":"\xff"}',  # invalid UTF-8
    b'[1]',                                                              # not an object
    b'"text"',                                                           # not an object
    log_json("x", level="loud"),                                         # schema
    b'{"level":"info","message":"no time"}',                             # schema
    log_json("x", metadata=[1]),                                         # schema
]


def send_mix(conn, accepted, tag):
    """Sends `accepted` valid logs and every REJECTED one, interleaved; checks the replies."""
    payloads = [log_json(f"{tag} {i}") for i in range(accepted)]
    want = ["OK"] * accepted
    for i, bad in enumerate(REJECTED):
        payloads.insert(2 * i, bad)
        want.insert(2 * i, None)
    replies = conn.pipeline(frames(payloads), len(payloads))
    for i, (r, w) in enumerate(zip(replies, want)):
        if w is None:
            check(r.startswith("ERROR: "), f"reply {i} to {payloads[i][:50]!r}: {r!r}, want an ERROR")
        else:
            check_eq(r, w, f"reply {i}")


STATS_LINE = re.compile(r"\bok=\d+")


def stats_lines(d):
    return [line for line in d.stderr().splitlines() if STATS_LINE.search(line)]


def stats(line):
    return dict(re.findall(r"([A-Za-z_][A-Za-z0-9_.]*)=(\S+)", line))


@suite.check
def sigusr1_prints_statistics(ctx):
    """SIGUSR1 writes one key=value statistics line to stderr with the counts so far (ok=, rejected=);
    a second SIGUSR1 another, with the new counts; the daemon keeps serving"""
    with Daemon(ctx) as d, d.connect() as c:
        send_mix(c, 10, "usr1")
        check_eq(stats_lines(d), [], "statistics lines before any SIGUSR1")
        # The io threads publish their counts at the end of a loop turn: wait until they have.
        d.wait_metric("logdaemon_logs_accepted_total", 10)
        d.wait_metric("logdaemon_logs_rejected_total", len(REJECTED))
        d.signal(signal.SIGUSR1)
        first = poll_until(lambda: stats_lines(d), ctx.timeout, "a statistics line after SIGUSR1")
        check_eq(len(first), 1, "statistics lines after one SIGUSR1")
        s = stats(first[0])
        check_eq(s.get("ok"), "10", f"ok= in {first[0]!r}")
        check_eq(s.get("rejected"), str(len(REJECTED)), f"rejected= in {first[0]!r}")
        if "received" in s:
            check_eq(s["received"], str(10 + len(REJECTED)), f"received= in {first[0]!r}")
        check_eq(c.request(log_json("after SIGUSR1")), "OK", "a log after SIGUSR1")
        d.wait_metric("logdaemon_logs_accepted_total", 11)
        d.signal(signal.SIGUSR1)
        lines = poll_until(lambda: len(stats_lines(d)) >= 2 and stats_lines(d), ctx.timeout,
                           "a second statistics line")
        check_eq(len(lines), 2, "statistics lines after two SIGUSR1")
        check_eq(stats(lines[1]).get("ok"), "11", f"ok= in {lines[1]!r}")
    return f"one line per SIGUSR1: {first[0].strip()[:160]}"


TYPES = {
    "log_daemon_ingest_count": "counter",
    "log_daemon_bytes_processed": "counter",
    "log_daemon_dropped_messages": "counter",
    "log_daemon_write_latency_ms": "histogram",
    "log_daemon_active_connections": "gauge",
    "logdaemon_logs_accepted_total": "counter",
    "logdaemon_logs_rejected_total": "counter",
    # The process metrics every official Prometheus client library exports, with their types.
    "process_cpu_seconds_total": "counter",
    "process_open_fds": "gauge",
    "process_max_fds": "gauge",
    "process_virtual_memory_bytes": "gauge",
    "process_resident_memory_bytes": "gauge",
    "process_start_time_seconds": "gauge",
}


def check_process_metrics(m, d, started):
    """The process_* values of a daemon started at `started` (Unix time) against what its /proc says."""
    rss = m.require("process_resident_memory_bytes")
    check(rss > 0, f"process_resident_memory_bytes is {rss}")
    vsize = m.require("process_virtual_memory_bytes")
    check(vsize >= rss, f"process_virtual_memory_bytes {vsize} < process_resident_memory_bytes {rss}")
    cpu = m.require("process_cpu_seconds_total")
    check(cpu >= 0, f"process_cpu_seconds_total is {cpu}")
    open_fds, max_fds = m.require("process_open_fds"), m.require("process_max_fds")
    check(3 <= open_fds <= max_fds, f"process_open_fds {open_fds}, process_max_fds {max_fds}")
    with open(f"/proc/{d.proc.pid}/limits") as f:
        soft = next(line.split()[3] for line in f if line.startswith("Max open files"))
    check_eq(max_fds, float(2**64 - 1) if soft == "unlimited" else float(soft),
             "process_max_fds against the daemon's soft limit of open files")
    start = m.require("process_start_time_seconds")
    # Whole-second btime and tick-rounded starttime make it read early by up to a second or so.
    check(started - 2 <= start <= time.time() + 1,
          f"process_start_time_seconds {start} is not between the start ({started:.2f}) and now")


def check_histogram(m, name):
    buckets = m.series(name + "_bucket")
    check(len(buckets) >= 2, f"{name}: {len(buckets)} _bucket series")
    bounds = []
    for labels, value in buckets:
        check("le" in labels, f"{name}_bucket without an le label: {labels}")
        bounds.append((float(labels["le"]), value))
    check_eq([b for b, _ in bounds], sorted(b for b, _ in bounds), f"{name}: le bounds in increasing order")
    check_eq(bounds[-1][0], float("inf"), f"{name}: the last bucket")
    values = [v for _, v in bounds]
    check_eq(values, sorted(values), f"{name}: cumulative bucket counts")
    count = m.require(name + "_count")
    check_eq(bounds[-1][1], count, f"{name}: the +Inf bucket against _count")
    check(m.require(name + "_sum") >= 0, f"{name}_sum is negative")
    return count


@suite.check
def metrics_exposition(ctx):
    """/metrics: the spec's five metrics, the accepted/rejected counters and the six process_* metrics with
    their # TYPE, the process_* values plausible against the daemon's /proc; after A valid and R invalid
    logs: accepted == A, sum of rejected{reason} == R, ingest_count == A + R; the write-latency histogram
    and bytes written move once a flush happened; active connections follow the open client connections;
    other paths answer 404"""
    accepted = 50
    started = time.time()
    with Daemon(ctx, "--flush-interval", "1") as d:
        m = d.metrics()
        for name, kind in TYPES.items():
            check_eq(m.types.get(name), kind, f"# TYPE of {name}")
        for name in TYPES:
            if TYPES[name] == "histogram":
                check_histogram(m, name)
            elif name != "logdaemon_logs_rejected_total":  # may have no series before a rejection
                m.require(name)
        check_process_metrics(m, d, started)
        d.wait_idle()
        with d.connect() as c:
            send_mix(c, accepted, "metrics")
            # Polled: an io thread publishes its counts at the end of a loop turn, just after the replies.
            d.wait_metric("logdaemon_logs_accepted_total", accepted)
            d.wait_metric("logdaemon_logs_rejected_total", len(REJECTED),
                          what="sum of logdaemon_logs_rejected_total")
            d.wait_metric("log_daemon_ingest_count", accepted + len(REJECTED))
            m = d.metrics()
            rejected = m.series("logdaemon_logs_rejected_total")
            check(all("reason" in labels for labels, _ in rejected),
                  f"rejected series without reason: {rejected}")
            check(len([v for _, v in rejected if v > 0]) >= 3,
                  f"rejections of 3 kinds counted under at least 3 reasons: {rejected}")
            check_eq(m.require("log_daemon_dropped_messages"), 0, "log_daemon_dropped_messages")
            check_eq(m.require("log_daemon_active_connections"), 1, "log_daemon_active_connections, 1 open")
            # A flush within --flush-interval 1: the histogram counts it and bytes reach the disk.
            poll_until(lambda: d.metrics().value("log_daemon_write_latency_ms_count") >= 1, 3 * ctx.timeout,
                       "a flush counted in log_daemon_write_latency_ms")
            m = d.metrics()
            flushes = check_histogram(m, "log_daemon_write_latency_ms")
            check(m.require("log_daemon_bytes_processed") > 0, "log_daemon_bytes_processed after a flush")
            others = [d.connect() for _ in range(3)]
            try:
                for o in others:
                    check_eq(o.request(log_json("another")), "OK", "another connection")
                d.wait_metric("log_daemon_active_connections", 4, what="4 open connections")
                others.pop().close()
                others.pop().close()
                d.wait_metric("log_daemon_active_connections", 2, what="2 open connections")
            finally:
                for o in others:
                    o.close()
        d.wait_metric("log_daemon_active_connections", 0, what="all closed")
        try:
            http_get(d.metrics_port, "/nothing-here", ctx.timeout)
            raise CheckFailed("GET /nothing-here did not answer 404")
        except urllib.error.HTTPError as e:
            check_eq(e.code, 404, "GET /nothing-here")
    return (f"{len(TYPES)} families typed right, process_* plausible; counts exact; {flushes:.0f} flush(es) "
            f"in the histogram; gauge 1 -> 4 -> 2 -> 0")


@suite.check
def sigint_is_graceful_and_restart_appends(ctx):
    """SIGINT stops the daemon like SIGTERM (exit 0, everything stored); a second daemon on the same storage
    directory adds its logs to the first one's"""
    workdir = tempfile.mkdtemp(prefix="ld-server-test-")
    try:
        storage = os.path.join(workdir, "logs")
        with Daemon(ctx, storage=storage) as d, d.connect() as c:
            replies = c.pipeline(frames(log_json(f"first {i}") for i in range(300)), 300)
            check_eq(replies, ["OK"] * 300, "replies of the first run")
            c.close()
            d.signal(signal.SIGINT)
            d.wait_exit()
        check_stored_rows(ctx, storage, 300, "after SIGINT")
        with Daemon(ctx, storage=storage) as d, d.connect() as c:
            replies = c.pipeline(frames(log_json(f"second {i}") for i in range(200)), 200)
            check_eq(replies, ["OK"] * 200, "replies of the second run")
        check_stored_rows(ctx, storage, 500, "after the restart")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return "SIGINT: exit 0, 300 rows; restart on the same directory: 500 rows"


@suite.check
def stored_values_round_trip(ctx):
    """logs sent to the daemon come back from DuckDB with their values: timestamps normalised to UTC
    (offsets, fractions), strings with escapes and non-ASCII text, optional fields as NULL when absent,
    metadata as minified JSON, an undeclared property in _extra, the dt= partition of the UTC date"""
    logs = [
        {"timestamp": "2026-01-15T19:00:00Z", "level": "info", "message": "a plain log"},
        {"timestamp": "2026-01-15T20:30:00.123456+01:00", "level": "error", "message": "b every field",
         "service": "api", "trace_id": "t-9", "metadata": {"k": "v", "nested": {"n": 123}}, "user": "u1"},
        {"timestamp": "2026-01-16T00:00:01-00:30", "level": "debug",
         "message": "c \u00fcn\u00efc\u00f6d\u00e9 \u2713 \"quoted\" \\ back\nslash"},
    ]
    want = [
        {"message": "a plain log", "level": "info", "ts": "2026-01-15 19:00:00", "service": None,
         "trace_id": None, "metadata": None, "extra": None, "dt": "2026-01-15"},
        {"message": "b every field", "level": "error", "ts": "2026-01-15 19:30:00.123456", "service": "api",
         "trace_id": "t-9", "metadata": '{"k":"v","nested":{"n":123}}', "extra": '{"user":"u1"}',
         "dt": "2026-01-15"},
        {"message": "c \u00fcn\u00efc\u00f6d\u00e9 \u2713 \"quoted\" \\ back\nslash", "level": "debug",
         "ts": "2026-01-16 00:30:01", "service": None, "trace_id": None, "metadata": None, "extra": None,
         "dt": "2026-01-16"},
    ]
    # These fixed dates are the point (offsets moving a log across midnight into the next dt= partition),
    # and they are older than the default --max-age of 30 days: this daemon accepts any age.
    with Daemon(ctx, "--max-age", "off") as d:
        with d.connect() as c:
            replies = c.pipeline(frames(json.dumps(doc, ensure_ascii=False).encode() for doc in logs),
                                 len(logs))
            check_eq(replies, ["OK"] * len(logs), "replies")
        d.stop()
        duck = DuckDB(ctx)
        got = duck.query(
            "SELECT message, level, strftime(timestamp AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S.%f') AS ts, "
            "service, trace_id, CAST(metadata AS VARCHAR) AS metadata, CAST(_extra AS VARCHAR) AS extra, "
            f"CAST(dt AS VARCHAR) AS dt FROM {duck.glob(d.storage)} ORDER BY message")
        for row in got:  # strftime's %f always has 6 digits; the expectations omit a zero fraction
            if row["ts"].endswith(".000000"):
                row["ts"] = row["ts"][:-7]
        check_eq(got, want, "the rows DuckDB reads")
    return "3 logs: every value as sent, timestamps in UTC, metadata and _extra as JSON, dt= partitions"


def run_serve_expecting_failure(ctx, args, what):
    """Runs `logdaemon serve ARGS` in a temporary directory; it must exit (not serve) within the timeout.
    Returns (exit code, stderr)."""
    workdir = tempfile.mkdtemp(prefix="ld-server-test-")
    try:
        try:
            run = subprocess.run([ctx.logdaemon, "serve"] + args, cwd=workdir, capture_output=True,
                                 stdin=subprocess.DEVNULL, timeout=ctx.timeout)
        except subprocess.TimeoutExpired:
            raise CheckFailed(f"{what}: logdaemon serve {' '.join(args)} kept running instead of refusing")
        err = run.stderr.decode("utf-8", "replace")
        for marker in SANITIZER_REPORTS:
            check(marker not in err, f"{what}: stderr has '{marker}':\n{err[-3000:]}")
        return run.returncode, err
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@suite.check
def stale_socket_file_is_replaced(ctx):
    """a socket file left by a dead process (bound, then closed) is replaced: the daemon starts and serves;
    on a graceful stop it removes its socket file"""
    d = Daemon(ctx)
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(d.socket_path)
    stale.close()
    check(os.path.exists(d.socket_path), "test setup: the stale socket file exists")
    with d:
        d.check_serves("a daemon started over a stale socket file")
        d.stop()
        check(not os.path.exists(d.socket_path), f"{d.socket_path} still exists after the daemon stopped")
    return "started over a stale socket file; socket file removed on exit"


@suite.check
def live_socket_and_locked_storage_refused(ctx):
    """a second daemon on a live daemon's socket refuses with an error naming the socket and a non-zero
    exit, as does one on its storage directory; the first keeps serving"""
    with Daemon(ctx) as d:
        other_storage = os.path.join(d.workdir, "other-logs")
        rc, err = run_serve_expecting_failure(
            ctx, ["--socket", d.socket_path, "--storage", other_storage, "--io-backend", ctx.backend,
                  "--metrics-addr", f"127.0.0.1:{free_loopback_port()}"], "second daemon, same socket")
        check(rc != 0, "a second daemon on a live socket exited 0")
        check(d.socket_path in err, f"the error does not name the socket {d.socket_path}: {err[-500:]!r}")
        check(os.path.exists(d.socket_path), "the live daemon's socket file was removed")
        d.check_serves("the first daemon, after a second tried its socket")
        other_socket = os.path.join(d.workdir, "other.sock")
        rc2, err2 = run_serve_expecting_failure(
            ctx, ["--socket", other_socket, "--storage", d.storage, "--io-backend", ctx.backend,
                  "--metrics-addr", f"127.0.0.1:{free_loopback_port()}"], "second daemon, same storage")
        check(rc2 != 0, "a second daemon on a storage directory in use exited 0")
        check(d.storage in err2 or "lock" in err2.lower(),
              f"the error names neither the storage directory nor its lock: {err2[-500:]!r}")
        d.check_serves("the first daemon, after a second tried its storage")
    return f"same socket: exit {rc}, '{err.strip().splitlines()[-1][:120]}'; same storage: exit {rc2}"


BAD_FLAGS = [
    ("--batch-size", "0"),
    ("--compression", "lzma"),
    ("--io-backend", "foo"),
    ("--overflow", "sometimes"),
    ("--max-message-bytes", "0"),
    ("--metrics-addr", "not-an-address"),
]


@suite.check
def bad_flags_exit_2_naming_the_flag(ctx):
    """each of --batch-size 0, --compression lzma, --io-backend foo, --overflow sometimes,
    --max-message-bytes 0 and --metrics-addr not-an-address: exit 2, and stderr names the flag"""
    results = []
    for flag, value in BAD_FLAGS:
        args = ["--socket", "bad-flags.sock", "--storage", "logs", flag, value]
        if flag != "--metrics-addr":
            args += ["--metrics-addr", f"127.0.0.1:{free_loopback_port()}"]
        rc, err = run_serve_expecting_failure(ctx, args, f"{flag} {value}")
        check_eq(rc, 2, f"exit code of serve {flag} {value} (stderr {err.strip()[-300:]!r})")
        check(flag in err or flag.lstrip("-") in err,
              f"{flag} {value}: stderr does not name the flag: {err!r}")
        results.append(f"{flag} {value}")
    return f"exit 2 and the flag named for: {', '.join(results)}"


suite.run()
