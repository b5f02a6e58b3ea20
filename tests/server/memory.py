#!/usr/bin/env python3
"""The ingest memory budget against hostile clients (issue #12 item 8, DESIGN.md §2-3): partial frames,
reply buffers and parser capacity share one byte budget (a quarter of --memory-limit); past it the daemon
stops reading, and the bytes wait in the kernel, charged to the senders.

    tests/server/memory.py --logdaemon build/logdaemon --source-dir . --interop tests/interop \
        --backend epoll [--sanitized] [--only NAME]
"""

import os
import socket
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon import (CheckFailed, Context, Daemon, Suite, check, check_eq, frame, log_json,  # noqa: E402
                    poll_until, raise_nofile_limit)

ctx = Context(__doc__)
suite = Suite(ctx, "server.memory")

KIB = 1 << 10
MIB = 1 << 20
MEMORY_LIMIT = 64 * MIB  # the default --memory-limit
INGEST_SHARE = MEMORY_LIMIT // 4  # docs/server.md: ingest gets a quarter
# What a connection may hold without charging the budget (docs/server.md): its first receive buffer
# (FrameDecoder::kInitialCapacity, 8 KiB + 64 bytes of padding) and its first replies
# (Session::kReplyAllowance, 4 KiB); rounded up for malloc's headers and the Session object itself.
PER_CONNECTION_ALLOWANCE = 16 * KIB
# Beyond the budget and the connections' allowances: malloc arenas and fragmentation, the metrics
# scrapes, a well-behaved client's logs going through the storage engine, the io threads' parsers at their
# base size. Everything else (code, libraries, thread stacks, WAL segments' page cache is not RSS) is in
# the VmHWM measured once the daemon has started, which the bound adds.
FIXED_ALLOWANCE = 12 * MIB


def status_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise CheckFailed(f"no {field} in /proc/{pid}/status")


def budget_metrics(d):
    m = d.metrics()
    return (m.require("logdaemon_memory_bytes", {"part": "ingest"}),
            m.require("logdaemon_memory_limit_bytes", {"part": "ingest"}),
            m.require("logdaemon_reads_deferred_total"))


class Holder:
    """A hostile connection: the header of a frame of about 1 MiB and as much of its payload as the daemon
    (or the kernel's socket buffer) takes, all but the last `tail` bytes, then nothing."""

    def __init__(self, path, data, tail):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.sock.setblocking(False)
        self.data = memoryview(data)
        self.sent = 0
        self.hold_at = len(data) - tail

    def push(self, limit):
        """Sends what the socket takes, up to `limit`; returns the bytes sent."""
        before = self.sent
        while self.sent < limit:
            try:
                n = self.sock.send(self.data[self.sent:min(limit, self.sent + 256 * KIB)])
            except BlockingIOError:
                break
            self.sent += n
        return self.sent - before

    def close(self):
        self.sock.close()


def push_all(holders, limit_of, quiet_seconds, timeout):
    """Round-robin sends until a pass over every holder sends nothing for `quiet_seconds`."""
    deadline = time.monotonic() + timeout
    quiet_since = None
    while True:
        progress = sum(h.push(limit_of(h)) for h in holders)
        if progress:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= quiet_seconds:
            return
        if time.monotonic() > deadline:
            raise CheckFailed(f"the hostile senders still made progress after {timeout:.0f} s")
        if not progress:
            time.sleep(0.05)


@suite.check
def partial_megabyte_frames(ctx):
    """900 connections each send a 1 MiB frame's header and all of it but 10 bytes, then hold: the daemon's
    VmHWM stays within the ingest budget plus stated allowances, reads are deferred, a well-behaved client
    still gets OK; then most holders close, the rest complete their frames (answered OK, deferred ones
    included), and the budget's use returns to 0"""
    count = ctx.scaled(900, 200)
    complete = 20
    raise_nofile_limit()
    with Daemon(ctx, "--idle-timeout", "600", nofile=4096) as d:
        pid = d.proc.pid
        d.check_serves("before the hostile clients")
        hwm_start = status_kib(pid, "VmHWM") * KIB
        base = log_json("")
        payload = log_json("h" * (MIB - 64 - len(base)))
        data = frame(payload)
        holders = []
        try:
            for _ in range(count):
                holders.append(Holder(d.socket_path, data, 10))
            push_all(holders, lambda h: h.hold_at, 1.5, 4 * ctx.timeout)
            hwm = status_kib(pid, "VmHWM") * KIB
            print(f"  VmHWM {hwm / MIB:.1f} MiB with {count} holders (at start {hwm_start / MIB:.1f} MiB)",
                  flush=True)
            bound = hwm_start + INGEST_SHARE + count * PER_CONNECTION_ALLOWANCE + FIXED_ALLOWANCE
            check(hwm <= bound, f"VmHWM {hwm / MIB:.1f} MiB with {count} half-sent 1 MiB frames, over the bound "
                                f"{bound / MIB:.1f} MiB (at start {hwm_start / MIB:.1f} MiB + budget "
                                f"{INGEST_SHARE // MIB} MiB + {count} x {PER_CONNECTION_ALLOWANCE // KIB} KiB + "
                                f"{FIXED_ALLOWANCE // MIB} MiB)")
            used, limit, deferred = budget_metrics(d)
            check_eq(limit, INGEST_SHARE, "logdaemon_memory_limit_bytes{part=\"ingest\"}")
            check(used <= limit, f"the ingest budget's use {used} is over its limit {limit}")
            holding = sum(1 for h in holders if h.sent == h.hold_at)
            # Every frame that the daemon took whole needed its reservation: at most the budget's worth.
            check(holding <= INGEST_SHARE // len(data) + 1,
                  f"{holding} connections got their whole frame read, more than the budget holds")
            check(holding >= 1, "no hostile frame was read whole: nothing got a reservation")
            check(deferred >= count - holding,
                  f"logdaemon_reads_deferred_total {deferred} < {count - holding} connections waiting")
            for i in range(3):
                d.check_serves(f"a well-behaved client while {count} connections hold partial frames ({i})")

            # Most holders leave; the last `complete` (mostly deferred until now) send the rest of their frame.
            keep, leave = holders[-complete:], holders[:-complete]
            for h in leave:
                h.close()
            holders = keep
            deferred_before = sum(1 for h in keep if h.sent < h.hold_at)
            push_all(keep, lambda h: len(h.data), 1.0, 4 * ctx.timeout)
            for k, h in enumerate(keep):
                check(h.sent == len(h.data), f"holder {k}: {h.sent} of its {len(h.data)} bytes sent (the "
                                             f"budget's use, limit, deferred reads: {budget_metrics(d)})")
                h.sock.setblocking(True)
                h.sock.settimeout(ctx.timeout)
                reply = b""
                while not reply.endswith(b"\n"):
                    chunk = h.sock.recv(256)
                    check(chunk, f"holder {k}: closed before its reply")
                    reply += chunk
                check_eq(reply, b"OK\n", f"holder {k}: reply to its completed 1 MiB frame")
            for h in keep:
                h.close()
            holders = []
            d.wait_metric("log_daemon_active_connections", 0, what="the hostile connections closed")
            poll_until(lambda: budget_metrics(d)[0] == 0, ctx.timeout,
                       "logdaemon_memory_bytes{part=\"ingest\"} back to 0")
        finally:
            for h in holders:
                h.close()
    return (f"VmHWM {hwm / MIB:.1f} MiB with {count} holders (at start {hwm_start / MIB:.1f} MiB, bound "
            f"{bound / MIB:.1f} MiB); {holding} frames read whole, {deferred:.0f} reads deferred; "
            f"{complete} completed OK ({deferred_before} of them deferred before); budget back to 0")


suite.run()
