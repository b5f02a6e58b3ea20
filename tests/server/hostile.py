#!/usr/bin/env python3
"""Hostile clients against the real `logdaemon serve` (issue #5): random bytes, truncated frames, a 4 GiB
length, invalid UTF-8, 10 000-deep nesting, 1 MiB strings, thousands of connections opened and dropped,
clients that never read their replies, and SIGTERM while such clients (or idle and half-frame ones) are
connected. After each one a normal client still gets OK; at the end the daemon stops with exit 0 (no
sanitizer report) and has stored exactly the logs it counted as accepted.

    tests/server/hostile.py --logdaemon build/logdaemon --source-dir . --interop tests/interop \
        --backend epoll [--sanitized] [--only NAME]
"""

import os
import random
import select
import socket
import struct
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon import (TIMESTAMP, Context, Daemon, Suite, check, check_eq, check_stored_rows, frame, frames,  # noqa: E402
                    log_json, poll_until)

ctx = Context(__doc__)
suite = Suite(ctx, "server.hostile")

MIB = 1 << 20
TS = b'"timestamp":"' + TIMESTAMP.encode() + b'"'


def well_formed(reply, what):
    check(reply == "OK" or reply.startswith("ERROR: "), f"{what}: malformed reply {reply!r}")


class HostileDaemon(Daemon):
    """A daemon whose stop also checks that every log it counted as accepted is stored. `open_clients`:
    the client connections still open when it is stopped."""

    open_clients = 0

    def stop(self):
        if self.stopped_rc is None and self.alive():
            m = self.settled_metrics(self.open_clients)
            accepted = int(m.require("logdaemon_logs_accepted_total"))
            super().stop()
            check_stored_rows(self.ctx, self.storage, accepted, "logs accepted during the hostile test")
        else:
            super().stop()


def hostile(fn):
    """A check that runs a hostile client against a fresh daemon, then a normal client, then stops it."""

    def run(ctx):
        with HostileDaemon(ctx) as d:
            what = fn(ctx, d)
            d.wait_metric("log_daemon_active_connections", 0, what=f"connections left after {fn.__name__}")
            d.check_serves(f"after {fn.__name__}")
        return what

    run.__name__ = fn.__name__
    run.__doc__ = fn.__doc__
    return suite.check(run)


@hostile
def random_garbage(ctx, d):
    """seeded random bytes on many connections (dropped without reading), then random payloads in valid
    frames and randomly corrupted logs: every reply is OK or ERROR, the connection stays usable"""
    rng = random.Random(20260115)
    connections = ctx.scaled(300, 60)
    for _ in range(connections):
        with d.connect() as c:
            try:
                c.send(rng.randbytes(rng.randint(1, 8192)))
            except (BrokenPipeError, ConnectionResetError):
                pass  # the daemon closed on a too-large length before we finished
    replies = 0
    with d.connect() as c:
        for i in range(ctx.scaled(500, 100)):
            reply = c.request(rng.randbytes(rng.randint(1, 4096)))
            check(reply.startswith("ERROR: "), f"random payload {i}: {reply!r}")
            replies += 1
        base = log_json("corrupt me", service="svc", metadata={"a": [1, 2, {"b": "c"}]})
        for i in range(ctx.scaled(2000, 400)):
            doc = bytearray(base)
            for _ in range(rng.randint(1, 4)):
                doc[rng.randrange(len(doc))] = rng.randrange(256)
            well_formed(c.request(bytes(doc)), f"corrupted log {i}")
            replies += 1
        check_eq(c.request(log_json("after garbage")), "OK", "the same connection after the garbage")
    return f"{connections} connections of random bytes; {replies} random or corrupted frames answered"


@hostile
def truncated_frames(ctx, d):
    """connections closed after half a header, a header only, half a payload: no reply, nothing stored,
    the connections are cleaned up (active connections back to 0)"""
    payload = log_json("truncated")
    cuts = [b"\x00\x00", frame(payload)[:4], frame(payload)[:4 + len(payload) // 2],
            frame(payload)[:-1], frames([log_json("complete")]) + frame(payload)[:10]]
    for k in range(ctx.scaled(50, 20)):
        for cut in cuts:
            with d.connect() as c:
                c.send(cut)
    # The complete frame before a truncated one is answered: read it this time.
    with d.connect() as c:
        c.send(frames([log_json("complete")]) + frame(payload)[:10])
        check_eq(c.read_line(), "OK", "the complete frame before a truncated one")
        c.sock.shutdown(socket.SHUT_WR)
        check_eq(c.read_until_closed(), [], "after the client's half-close with half a frame")
    return f"{ctx.scaled(50, 20) * len(cuts)} truncated connections"


@hostile
def four_gib_length(ctx, d):
    """a 0xFFFFFFFF length header -> "ERROR: frame too large (4294967295 > 1048576)" and closed, alone and
    after valid frames, with and without bytes after it"""
    with d.connect() as c:
        c.send(b"\xff\xff\xff\xff")
        check_eq(c.read_until_closed(), ["ERROR: frame too large (4294967295 > 1048576)"], "header alone")
    with d.connect() as c:
        try:
            c.send(frames([log_json("before")]) + b"\xff\xff\xff\xff" + os.urandom(100_000))
        except (BrokenPipeError, ConnectionResetError):
            pass
        lines = c.read_until_closed()
        check_eq(lines, ["OK", "ERROR: frame too large (4294967295 > 1048576)"], "after a valid frame")
    with d.connect() as c:
        c.send(struct.pack(">I", MIB + 1))
        check_eq(c.read_until_closed(), [f"ERROR: frame too large ({MIB + 1} > {MIB})"], "1 MiB + 1")
    return "refused with the exact text and closed"


@hostile
def invalid_utf8_in_strings(ctx, d):
    """invalid UTF-8 inside a string (lone continuation, overlong, surrogate, truncated sequence, 0xFF, in a
    key, in metadata) -> ERROR naming UTF-8; escaped lone surrogates are answered too; the connection stays
    usable"""
    bad = [b"\x80", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf0\x9f\x98", b"\xff", b"\xf4\x90\x80\x80", b"a\xe2\x82"]
    with d.connect() as c:
        for seq in bad:
            for doc in (b'{' + TS + b',"level":"info","message":"x' + seq + b'y"}',
                        b'{' + TS + b',"level":"info","message":"x","metadata":{"k' + seq + b'":1}}',
                        b'{' + TS + b',"level":"info","message":"x","service":"' + seq + b'"}'):
                reply = c.request(doc)
                check(reply.startswith("ERROR: ") and "UTF-8" in reply, f"{doc!r}: {reply!r}")
            check_eq(c.request(log_json("after bad UTF-8")), "OK", "the connection after bad UTF-8")
        # Escapes: valid JSON text; whether a lone surrogate escape is accepted is the parser's call.
        for esc in (b"\\ud800", b"\\udc00x", b"\\ud83d\\ude00", b"\\u0000"):
            doc = b'{' + TS + b',"level":"info","message":"' + esc + b'"}'
            well_formed(c.request(doc), f"escape {esc!r}")
        check_eq(c.request(log_json("after escapes")), "OK", "the connection after escapes")
    return f"{3 * len(bad)} invalid UTF-8 logs refused naming UTF-8"


@hostile
def deep_nesting(ctx, d):
    """10 000-deep [[[...]]] and {"a":{"a":...}} as the document and inside metadata, and 100 000-deep:
    a well-formed reply for each, the connection usable after"""
    with d.connect() as c:
        for depth in (10_000, 100_000):
            arrays = b"[" * depth + b"]" * depth
            objects = b'{"a":' * depth + b"1" + b"}" * depth
            check(c.request(arrays).startswith("ERROR: "), f"{depth}-deep array as the document")
            well_formed(c.request(objects), f"{depth}-deep object as the document")
            for inner in (arrays, objects):
                doc = b'{' + TS + b',"level":"info","message":"deep","metadata":{"d":' + inner + b'}}'
                well_formed(c.request(doc), f"{depth}-deep value in metadata")
                doc = b'{' + TS + b',"level":"info","message":"deep","extra":' + inner + b'}'
                well_formed(c.request(doc), f"{depth}-deep undeclared property")
            check_eq(c.request(log_json("after deep nesting")), "OK", "the connection after deep nesting")
    return "10 000- and 100 000-deep arrays and objects answered"


@hostile
def megabyte_strings(ctx, d):
    """a message of 1 MiB - 200 bytes (a frame just under the default --max-message-bytes) and one of exactly
    1 MiB: OK or a clean ERROR; a few of them pipelined; one byte more: frame too large"""
    with d.connect() as c:
        base = log_json("")
        near = log_json("m" * (MIB - 200 - len(base)))
        well_formed(c.request(near), "a log of 1 MiB - 200 bytes")
        exact = log_json("e" * (MIB - len(base)))
        check_eq(len(exact), MIB, "test setup")
        well_formed(c.request(exact), "a log of exactly 1 MiB")
        for i, reply in enumerate(c.pipeline(frames([near, log_json("small"), exact, near]), 4)):
            well_formed(reply, f"pipelined big log {i}")
        check_eq(c.request(log_json("after big logs")), "OK", "the connection after big logs")
    with d.connect() as c:
        try:
            c.send(frame(exact + b" "))
        except (BrokenPipeError, ConnectionResetError):
            pass
        check_eq(c.read_until_closed(), [f"ERROR: frame too large ({MIB + 1} > {MIB})"], "1 MiB + 1 byte")
    return "1 MiB logs answered; 1 MiB + 1 refused"


def serves_eventually(d, what):
    """A valid log is answered OK once the daemon has caught up with the connections dropped before (until
    then a new connection may be refused as one too many, which is the rule, not a failure)."""

    def attempt():
        with d.connect() as c:
            try:
                reply = c.request(log_json("health check"))
            except (BrokenPipeError, ConnectionResetError):
                reply = c.read_line()  # refused and closed before our frame went out: read why
        if reply == "ERROR: too many connections":
            return False
        check_eq(reply, "OK", f"{what}: reply to a valid log")
        return True

    poll_until(attempt, d.ctx.timeout, f"{what}: a connection served")


@hostile
def connection_churn(ctx, d):
    """thousands of connections opened and dropped at once (a third after 2 bytes of a header, a third
    after a full frame they never read the reply of): the daemon keeps serving and the active count
    returns to 0"""
    count = ctx.scaled(5000, 1000)
    one = frame(log_json("churn"))
    for i in range(count):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(ctx.timeout)
        try:
            s.connect(d.socket_path)
            if i % 3 == 1:
                s.sendall(b"\x00\x00")
            elif i % 3 == 2:
                s.sendall(one)
        finally:
            s.close()
        if i % 1000 == 999:
            serves_eventually(d, f"after {i + 1} dropped connections")
    return f"{count} connections opened and dropped"


def fill_until_stalled(path, frame_bytes, total, timeout):
    """Connects and pipelines `total` copies of frame_bytes without ever reading a reply, until the socket
    stays unwritable for 2 s (the daemon stopped reading from us). Returns (socket, frames sent, whether
    it stalled); the caller closes the socket."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(path)
    s.setblocking(False)
    sent_frames = 0
    pending = b""
    chunk = frame_bytes * 1000
    stalled = 0.0
    while True:
        if not pending:
            if sent_frames >= total:
                return s, sent_frames, False
            pending = chunk
            sent_frames += 1000
        try:
            pending = pending[s.send(pending):]
            stalled = 0.0
        except BlockingIOError:
            t0 = time.monotonic()
            _, writable, _ = select.select([], [s], [], 0.5)
            if not writable:
                stalled += time.monotonic() - t0
                if stalled >= 2.0:
                    return s, sent_frames - len(pending) // len(frame_bytes), True


def never_reading_clients(d, count, total):
    """`count` clients filling their connections at once (threads); returns [(socket, sent, stalled)]."""
    one = frame(log_json("never read"))
    results = [None] * count
    errors = []

    def run(k):
        try:
            results[k] = fill_until_stalled(d.socket_path, one, total, d.ctx.timeout)
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        for r in results:
            if r:
                r[0].close()
        raise errors[0]
    return results


@hostile
def clients_that_never_read(ctx, d):
    """8 clients pipelining up to 200 000 frames each without reading: the daemon stops reading from each
    (every sender blocks before sending them all), its memory stays bounded (VmRSS), and other clients are
    served meanwhile; then the clients close"""
    total = 200_000
    limit = (1500 if ctx.sanitized else 200) * MIB
    rss_before = d.rss_bytes()
    clients = never_reading_clients(d, 8, total)
    try:
        for k, (_, sent, stalled) in enumerate(clients):
            check(stalled, f"client {k}: all {total} frames went out without reading a reply: the daemon "
                           f"never stopped reading from it")
        rss = d.rss_bytes()
        check(rss < limit, f"the daemon's VmRSS is {rss // MIB} MiB (was {rss_before // MIB} MiB) with 8 "
                           f"clients that never read, over the {limit // MIB} MiB bound")
        d.check_serves("while 8 clients never read")
        d.wait_metric("log_daemon_active_connections", 8, what="the never-reading clients still connected")
        check(d.metrics().require("logdaemon_reads_paused_total") >= 8, "logdaemon_reads_paused_total < 8")
    finally:
        for s, _, _ in clients:
            s.close()
    most = max(sent for _, sent, _ in clients)
    return (f"every sender blocked (at most ~{most} of {total} frames sent); VmRSS {rss // MIB} MiB "
            f"(before {rss_before // MIB} MiB); others served")


@suite.check
def sigterm_with_clients_that_never_read(ctx):
    """SIGTERM while 4 clients that never read hold the daemon's reply buffers full: it still exits 0 (it
    cannot deliver those replies and must not wait for them) and stores exactly what it accepted"""
    with HostileDaemon(ctx) as d:
        clients = never_reading_clients(d, 4, 200_000)
        try:
            check(all(stalled for _, _, stalled in clients), "a never-reading client was not held back")
            d.open_clients = len(clients)
            d.stop()  # exit 0 within the timeout, and the accepted logs stored
        finally:
            for s, _, _ in clients:
                s.close()
    return "exit 0 with 4 stalled clients; accepted logs stored"


@suite.check
def sigterm_with_idle_and_half_frame_clients(ctx):
    """SIGTERM while clients sit idle, hold half a frame or half of a 1 MiB frame, or have replies in flight:
    the daemon answers the complete frames, closes every connection and exits 0, storing what it accepted"""
    with HostileDaemon(ctx) as d:
        idle = d.connect()
        half = d.connect()
        big_half = d.connect()
        answered = d.connect()
        try:
            half.send(frame(log_json("half"))[:30])
            big = frame(log_json("b" * (MIB - 200)))
            big_half.send(big[:len(big) // 2])
            # Replies in flight: frames the daemon has read and answered (counted) but the client has not
            # read the replies of yet. Frames it has not read when SIGTERM comes may go unanswered.
            answered.send(frames([log_json(f"in flight {i}") for i in range(300)]))
            d.wait_metric("log_daemon_ingest_count", 300, what="the 300 frames read")
            d.open_clients = 4
            t0 = time.monotonic()
            d.stop()
            took = time.monotonic() - t0
            for name, c in (("idle", idle), ("half a frame", half), ("half of 1 MiB", big_half)):
                check_eq(c.read_until_closed(), [], f"the {name} connection at shutdown")
            rest = answered.read_until_closed()
            check_eq(rest, ["OK"] * 300, "the replies to the frames read before SIGTERM")
        finally:
            for c in (idle, half, big_half, answered):
                c.close()
    return f"exit 0 after {took:.2f} s; complete frames answered, the rest closed"


suite.run()
