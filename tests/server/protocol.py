#!/usr/bin/env python3
"""The wire protocol, row by row (DESIGN.md §2), against the real `logdaemon serve` (issue #5).

Each check starts its own daemon with the flags its rule needs, speaks the protocol over the Unix socket
and stops the daemon with SIGTERM (exit 0, no sanitizer report). Storage is checked where a rule says
what is stored (overflow: every OK is stored, no dropped log is).

    tests/server/protocol.py --logdaemon build/logdaemon --source-dir . --interop tests/interop \
        --backend epoll [--sanitized] [--only NAME]
"""

import os
import random
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon import (TIMESTAMP, Context, Daemon, Suite, check, check_eq, check_stored_rows, frame, frames,  # noqa: E402
                    log_json, poll_until)

ctx = Context(__doc__)
suite = Suite(ctx, "server.protocol")

TS = '"timestamp":"' + TIMESTAMP + '"'


def check_error(reply, prefix, what):
    check(reply.startswith(prefix), f"{what}: reply {reply!r} does not start with {prefix!r}")


@suite.check
def valid_log_ok_and_errors_keep_the_connection(ctx):
    """valid log -> OK; invalid JSON, invalid UTF-8, not an object (array, number, string), schema
    violations (bad level, missing field) and an empty frame -> ERROR with the documented reason, each
    followed on the same connection by a valid log answered OK"""
    cases = [
        (b'{"timestamp":"2026-01-15T19:00:00Z","level":"info","message":', "ERROR: invalid JSON: "),
        (b'{"timestamp" "2026-01-15T19:00:00Z"}', "ERROR: invalid JSON: "),
        (b'not json at all', "ERROR: invalid JSON: "),
        (b'{' + TS.encode() + b',"level":"info","message":"bad \xff\xfe bytes"}', "ERROR: invalid JSON: "),
        (b'[1,2,3]', "ERROR: not an object"),
        (b'42', "ERROR: not an object"),
        (b'"a string"', "ERROR: not an object"),
        (b'null', "ERROR: not an object"),
        (log_json("x", level="loud"), "ERROR: schema: /level: "),
        (b'{' + TS.encode() + b',"level":"info"}', "ERROR: schema: "),
        (b'{"level":"info","message":"no timestamp"}', "ERROR: schema: "),
        (log_json("x", metadata=5), "ERROR: schema: /metadata: "),
        (b'{"timestamp":"yesterday","level":"info","message":"x"}', "ERROR: schema: /timestamp: "),
        (b'', "ERROR: empty frame"),
    ]
    with Daemon(ctx) as d, d.connect() as c:
        check_eq(c.request(log_json("hello")), "OK", "a valid log")
        check_eq(c.request(log_json("with extras", service="svc", trace_id="t-1",
                                    metadata={"k": "v", "nested": {"n": 123}})), "OK",
                 "a valid log with every optional field")
        for payload, prefix in cases:
            reply = c.request(payload)
            check_error(reply, prefix, f"payload {payload[:80]!r}")
            check_eq(c.request(log_json("after an error")), "OK", f"a valid log after {payload[:60]!r}")
        # The specific texts of DESIGN.md §2 and the schema's reporting.
        reply = c.request(b'{' + TS.encode() + b',"level":"info","message":"\xc3\x28"}')
        check("UTF-8" in reply, f"invalid UTF-8 is named as such: {reply!r}")
        reply = c.request(b'{' + TS.encode() + b',"level":"info"}')
        check("required" in reply and "message" in reply, f"a missing field is named: {reply!r}")
        check_eq(c.request(b""), "ERROR: empty frame", "length 0")
    return f"{2 + 2 * len(cases) + 3} frames on one connection answered as DESIGN.md §2 says"


@suite.check
def frame_size_limit(ctx):
    """--max-message-bytes 1024: a 1024-byte log -> OK; 1025 -> "ERROR: frame too large (1025 > 1024)" and
    the connection is closed, after the replies to the frames before it (the rest is never answered)"""
    with Daemon(ctx, "--max-message-bytes", "1024") as d:
        base = log_json("")
        exact = log_json("m" * (1024 - len(base)))
        check_eq(len(exact), 1024, "test setup: payload size")
        with d.connect() as c:
            check_eq(c.request(exact), "OK", "a frame of exactly --max-message-bytes")
        # Pipelined: two valid frames, the too-large one, a valid frame after it that must not be answered.
        with d.connect() as c:
            c.send(frames([log_json("a"), log_json("b")]) + frame(exact + b" ") + frame(log_json("c")))
            lines = c.read_until_closed()
            check_eq(lines, ["OK", "OK", "ERROR: frame too large (1025 > 1024)"],
                     "replies before the close")
        # Only the header of a too-large frame: answered at once, without waiting for the payload.
        with d.connect() as c:
            c.send(b"\x00\x10\x00\x00")
            check_eq(c.read_until_closed(), ["ERROR: frame too large (1048576 > 1024)"], "header only")
        d.check_serves("after the closed connections")
    return "1024 accepted, 1025 and 1 MiB refused with the exact text and closed"


@suite.check
def max_connections(ctx):
    """--max-connections 5: 5 connections served, the 6th gets "ERROR: too many connections" and is closed;
    after one of the five closes a new connection is served"""
    with Daemon(ctx, "--max-connections", "5") as d:
        d.wait_idle()
        conns = [d.connect() for _ in range(5)]
        try:
            for i, c in enumerate(conns):
                check_eq(c.request(log_json(f"conn {i}")), "OK", f"connection {i + 1} of 5")
            with d.connect() as sixth:
                check_eq(sixth.read_until_closed(), ["ERROR: too many connections"], "the 6th connection")
            for i, c in enumerate(conns):
                check_eq(c.request(log_json(f"conn {i} again")), "OK", f"connection {i + 1} still served")
            conns.pop().close()
            d.wait_metric("log_daemon_active_connections", 4, what="after closing one")
            with d.connect() as again:
                check_eq(again.request(log_json("room again")), "OK", "a new connection after one closed")
        finally:
            for c in conns:
                c.close()
    return "5 served, 6th refused with the exact text and closed, room again after a close"


@suite.check
def idle_timeout(ctx):
    """--idle-timeout 2: an idle connection is closed (not within the first second, and without a reply);
    one that sent half a frame or half a header too; one that keeps sending every 0.2 s stays open for
    twice the timeout"""
    with Daemon(ctx, "--idle-timeout", "2") as d:
        with d.connect() as idle, d.connect() as half, d.connect() as header_only, d.connect() as busy:
            half.send(frame(log_json("half"))[:20])
            header_only.send(b"\x00\x00")
            check_eq(busy.request(log_json("busy 0")), "OK", "the busy connection")
            # Not closed before the timeout: still open 1 s after connecting.
            check(not idle.is_closed_by_peer(1.0),
                  "an idle connection was closed within 1 s of a 2 s timeout")
            # The busy one sends every 0.2 s for 4 s in all, twice the timeout: 10x slack for a loaded
            # machine before its gaps could reach the timeout.
            for i in range(1, 16):
                time.sleep(0.2)
                check_eq(busy.request(log_json(f"busy {i}")), "OK",
                         f"the busy connection after {i * 0.2 + 1:.1f} s")
            for name, c in (("idle", idle), ("half a frame", half), ("half a header", header_only)):
                check_eq(c.read_until_closed(), [], f"the {name} connection: closed without a reply")
        d.check_serves("after the timeouts")
        timed_out = d.settled_metrics().require("logdaemon_connections_timed_out_total")
        check_eq(timed_out, 3, "logdaemon_connections_timed_out_total")
    return "idle / half-frame / half-header connections closed without a reply; a busy one kept"


@suite.check
def pipelined_replies_in_order(ctx):
    """1000 frames mixing valid logs, invalid JSON, schema violations, non-objects and empty frames in one
    sendall: 1000 replies, each the right one for its frame, in order"""
    rng = random.Random(5)
    kinds = {
        "ok": (lambda i: log_json(f"pipelined {i}"), "OK"),
        "json": (lambda i: b'{"timestamp":', "ERROR: invalid JSON: "),
        "level": (lambda i: log_json(f"bad level {i}", level="nope"), "ERROR: schema: /level: "),
        "array": (lambda i: b"[%d]" % i, "ERROR: not an object"),
        "empty": (lambda i: b"", "ERROR: empty frame"),
    }
    names = list(kinds)
    plan = [rng.choice(names) for _ in range(1000)]
    with Daemon(ctx) as d, d.connect() as c:
        replies = c.pipeline(frames(kinds[k][0](i) for i, k in enumerate(plan)), len(plan))
        for i, (k, reply) in enumerate(zip(plan, replies)):
            want = kinds[k][1]
            ok = reply == want if want == "OK" else reply.startswith(want)
            check(ok, f"reply {i} (a '{k}' frame): {reply!r}, want {want!r}")
        check_eq(c.request(log_json("after the pipeline")), "OK", "the connection after the pipeline")
    return f"1000 replies in order ({plan.count('ok')} OK, {1000 - plan.count('ok')} errors)"


def burst(d, connections, per_connection):
    """Pipelines `per_connection` logs on each of `connections` connections at once; returns
    (replies per connection, ids per connection)."""
    results = [None] * connections
    errors = []

    def client(k):
        try:
            with d.connect() as c:
                ids = [f"burst {k} {i}" for i in range(per_connection)]
                results[k] = (c.pipeline(frames(log_json(m) for m in ids), per_connection), ids)
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results


@suite.check
def overflow_drop(ctx):
    """--ack memory --queue-capacity 1 --overflow drop: a pipelined burst gets OK or "ERROR: overloaded" per
    log; log_daemon_dropped_messages equals the overloaded replies; exactly the OK logs are stored (with
    durable acks a full queue sends logs to the write-ahead log instead: admission.py)"""
    n = ctx.scaled(20000)
    with Daemon(ctx, "--ack", "memory", "--queue-capacity", "1", "--overflow", "drop") as d:
        results = burst(d, 4, n // 4)
        replies = [r for rs, _ in results for r in rs]
        bad = [r for r in replies if r not in ("OK", "ERROR: overloaded")]
        check(not bad, f"replies other than OK / ERROR: overloaded: {bad[:5]}")
        ok = replies.count("OK")
        dropped = replies.count("ERROR: overloaded")
        m = d.settled_metrics()
        check_eq(m.require("log_daemon_dropped_messages"), dropped, "log_daemon_dropped_messages")
        check_eq(m.require("logdaemon_logs_accepted_total"), ok, "logdaemon_logs_accepted_total")
        d.stop()
        check_stored_rows(ctx, d.storage, ok, "--overflow drop")
    return f"{len(replies)} logs: {ok} OK, {dropped} overloaded, counted and stored exactly so"


@suite.check
def overflow_block(ctx):
    """--ack memory --queue-capacity 1 --overflow block: the same burst is answered OK for every log, all
    stored (the sockets that find the queue full wait; the loop does not)"""
    n = ctx.scaled(20000)
    with Daemon(ctx, "--ack", "memory", "--queue-capacity", "1", "--overflow", "block") as d:
        results = burst(d, 4, n // 4)
        replies = [r for rs, _ in results for r in rs]
        bad = [r for r in replies if r != "OK"]
        check(not bad, f"{len(bad)} replies other than OK under --overflow block: {bad[:5]}")
        check_eq(d.settled_metrics().require("log_daemon_dropped_messages"), 0, "log_daemon_dropped_messages")
        d.stop()
        check_stored_rows(ctx, d.storage, len(replies), "--overflow block")
    return f"{len(replies)} logs, all OK and all stored"


@suite.check
def example_python_client(ctx):
    """examples/client.py SOCKET (the spec's Python client) prints OK"""
    script = os.path.join(ctx.source_dir, "examples", "client.py")
    check(os.path.isfile(script), f"{script} does not exist")
    with Daemon(ctx) as d:
        run = subprocess.run([sys.executable, script, d.socket_path], capture_output=True,
                             timeout=ctx.timeout, stdin=subprocess.DEVNULL)
        out = run.stdout.decode()
        check(run.returncode == 0,
              f"examples/client.py exited {run.returncode}: {run.stderr.decode()[-500:]}")
        check("OK" in out, f"examples/client.py did not print OK: {out!r}")
        poll_until(lambda: d.metrics().value("logdaemon_logs_accepted_total") >= 1, ctx.timeout,
                   "the example's log counted as accepted")
    return "examples/client.py printed OK"


suite.run()
