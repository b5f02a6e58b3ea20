#!/usr/bin/env python3
"""The memory budget (--memory-limit, DESIGN.md §2-3). Against hostile clients (issue #12 item 8): partial
frames, reply buffers and parser capacity share the ingest quarter; past it the daemon stops reading, and
the bytes wait in the kernel, charged to the senders. At full load (issue #13): ingest, the writer's flush
files, compaction and the queue each keep to their share, so the whole daemon's peak RSS stays within the
limit plus a stated allowance at any number of logs, any row width and any number of columns.

    tests/server/memory.py --logdaemon build/logdaemon --source-dir . --interop tests/interop \
        --backend epoll [--sanitized] [--only NAME]
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone

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


def push_until_sent(holders, timeout):
    """Round-robin sends until every holder has sent all its data, or `timeout` passes (then the caller's
    checks say who is short). Not "until quiet": a loaded machine may take seconds to see hundreds of
    connections close and hand their reservations on, and a quiet second says nothing then."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        progress = sum(h.push(len(h.data)) for h in holders)
        if all(h.sent == len(h.data) for h in holders):
            return
        if not progress:
            time.sleep(0.05)


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
            push_until_sent(keep, 4 * ctx.timeout)
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


# At full load, beyond --memory-limit: what the daemon had resident once started (code and libraries, in
# hwm_start) and this — the io, writer, compactor, publisher and sync threads' stacks as far as they are
# touched, malloc's per-thread arenas and the fragmentation between them, and the parsers' documents at
# their base size. Measured: ~72 MiB peak at 64 MiB with ~7.5 MiB at start; the allowance leaves room for
# a different allocation order, not for a part that outgrows its share (which costs tens of MiB).
FULL_LOAD_ALLOWANCE = 16 * MIB
# Growth with the number of logs: 10x the logs must not leave the daemon holding more memory than 1x. What it
# holds is read once it is quiet (every log written, merges done) and has given back what work freed
# (cli/idle_memory.h: on the first quiet second after a busy one, the engine frees its spare batches and
# flush buffers, and malloc_trim returns the free pages): the resident memory then is what is live, not the
# high-water mark of the heap or of the pools, and logdaemon_heap_allocated_bytes is the live heap itself.
# Measured after 500 k and then 5 M logs (8 runs, two at once, both backends): resident 18.4-19.1, then
# 19.0-19.8 MiB (+0.4 to +1.1); heap allocated 1.38-1.43, then 1.51-1.91 MiB (+0.1 to +0.5). The bounds
# are four times those: over the 4.5 M logs between the readings, under a byte a log of resident memory and
# under half a byte a log of heap.
# History. A separate 1x run's VmHWM was compared with the 10x run's until 2026-12-06 (morning): a 500 k-log
# run often ends before the writer's and the compactor's biggest moments coincide, so that failed 1 run in
# 5 with no growth at all. Then maxima, then medians, of the 10x run's sampled RSS over the two halves of the
# load (within 8 MiB): peaks moved by up to +9.9 MiB, medians by -0.4 to +6.8 MiB, for the same reason — a
# stretch of compactor lag (bigger flush files) fills part of one window. Quiet readings before the engine
# freed its spares moved by +0.9 to +4.7 MiB: the spare row batches (up to 4 MiB) fill during lag.
QUIET_GROWTH = 4 * MIB
# A tick of the idle trimmer is a second: this long without a merge means it has seen a whole quiet tick.
QUIET_SECONDS = 2.5
HEAP_GROWTH = 2 * MIB
# What `serve` and `import` (one binary) have resident before their first log: code and libraries, as
# measured at start by the checks above (7.5-8.2 MiB).
IMPORT_AT_START = 9 * MIB


def load_test(ctx):
    path = os.path.join(os.path.dirname(ctx.logdaemon), "examples", "load_test")
    check(os.path.isfile(path), f"{path} does not exist")
    return path


def run_load(ctx, d, n, connections, corpus=None):
    """load_test sends n logs over `connections` connections; returns its JSON result (every log OK)."""
    cmd = [load_test(ctx), d.socket_path, str(n), "--connections", str(connections), "--json"]
    if corpus:
        cmd += ["--corpus", corpus]
    run = subprocess.run(cmd, capture_output=True, timeout=30 * ctx.timeout)
    check(run.returncode == 0, f"load_test exited {run.returncode}: {run.stderr.decode()[-500:]}")
    result = json.loads(run.stdout)
    check_eq(result["ok"], n, f"logs answered OK (errors: {result.get('errors_by_reason')})")
    return result


def peak_under_load(ctx, n, connections, *flags, corpus=None):
    """A fresh daemon (default settings, --overflow block so that every log is stored) takes n logs; returns
    (VmHWM at start, VmHWM at the end, logs stored, compactions) once every log is flushed."""
    with Daemon(ctx, "--overflow", "block", *flags) as d:
        pid = d.proc.pid
        hwm_start = status_kib(pid, "VmHWM") * KIB
        result = run_load(ctx, d, n, connections, corpus)
        d.wait_metric("logdaemon_rows_written_total", n, what="every log written", timeout=10 * ctx.timeout)
        hwm = status_kib(pid, "VmHWM") * KIB
        m = d.metrics()
        compactions = m.require("logdaemon_compactions_total")
        for part in ("ingest", "writer", "compaction"):
            check(m.require("logdaemon_memory_limit_bytes", {"part": part}) > 0,
                  f"logdaemon_memory_limit_bytes{{part=\"{part}\"}} is set")
    return hwm_start, hwm, result, compactions


def check_peak(ctx, what, hwm_start, hwm, limit=MEMORY_LIMIT):
    bound = hwm_start + limit + FULL_LOAD_ALLOWANCE
    print(f"  {what}: VmHWM {hwm / MIB:.1f} MiB (at start {hwm_start / MIB:.1f} MiB, bound {bound / MIB:.1f} MiB)",
          flush=True)
    if ctx.sanitized:
        # AddressSanitizer's shadow memory and quarantine (freed blocks held back to catch use after free)
        # make RSS follow allocation churn, not live memory: the bound is checked in Release builds only.
        print("  SKIPPED the VmHWM bound under the sanitizers (RSS there counts ASan's quarantine)", flush=True)
        return bound
    check(hwm <= bound, f"{what}: VmHWM {hwm / MIB:.1f} MiB over {bound / MIB:.1f} MiB (at start "
                        f"{hwm_start / MIB:.1f} MiB + --memory-limit {limit // MIB} MiB + "
                        f"{FULL_LOAD_ALLOWANCE // MIB} MiB allowance)")
    return bound


def quiet_rss(ctx, d, logs, trims_before):
    """Once all `logs` are written and the daemon has gone quiet and given back what work freed: the median
    of 9 VmRSS readings over ~0.2 s, and logdaemon_heap_allocated_bytes. Quiet: no merge finished or
    running (logdaemon_memory_bytes{part="compaction"} is 0 between merges) for QUIET_SECONDS, so that the
    daemon has had a whole quiet tick since its last work, and trimmed on it (cli/idle_memory.h counts a
    running merge as work); and it has trimmed at least once since `trims_before`."""
    d.wait_metric("logdaemon_rows_written_total", logs, what="every log written", timeout=10 * ctx.timeout)
    state = {"merges": None, "since": 0.0}

    def quiet():
        m = d.metrics()
        now = time.monotonic()
        merges = m.require("logdaemon_compactions_total")
        merging = m.require("logdaemon_memory_bytes", {"part": "compaction"}) > 0
        if merging or merges != state["merges"]:
            state.update(merges=merges, since=now)
            return False
        return (now - state["since"] >= QUIET_SECONDS and
                m.require("logdaemon_memory_trims_total") > trims_before)

    # A partition's last merge (its quiet repack, 30 s after its last file) may start while the memory is
    # read: then the reading is not of a quiet daemon, and it is taken again once that merge is over.
    for _ in range(3):
        # Every 0.25 s: each scrape takes the daemon's heap locks (mallinfo2) while the compactor catches up.
        poll_until(quiet, 6 * ctx.timeout, "the daemon quiet (no merge for a while) and trimmed", interval=0.25)
        readings = []
        for _ in range(9):
            readings.append(status_kib(d.proc.pid, "VmRSS") * KIB)
            time.sleep(0.025)
        m = d.metrics()
        if (m.require("logdaemon_compactions_total") == state["merges"] and
                m.require("logdaemon_memory_bytes", {"part": "compaction"}) == 0):
            return sorted(readings)[len(readings) // 2], m.require("logdaemon_heap_allocated_bytes")
        state.update(merges=None)
    raise CheckFailed("a merge ran each of three times the quiet daemon's memory was read")


@suite.check
def full_load_within_the_budget(ctx):
    """The default settings at full load with compaction running, one daemon: 2 connections send 500 k logs
    (1x), then 4.5 M more (10x in all). Its peak stays within --memory-limit plus the stated allowance, and
    10x the logs do not leave it holding more memory than 1x: quiet (everything written, merges done,
    spares and freed memory given back), its resident memory and its live heap after 10x are within
    QUIET_GROWTH and HEAP_GROWTH of what they were after 1x.
    --rotation-mb 8, so that the load fills files of the rotation size and goes through every kind of merge,
    up to full-size ones"""
    small = ctx.scaled(500_000, 100_000)
    with Daemon(ctx, "--overflow", "block", "--rotation-mb", "8") as d:
        pid = d.proc.pid
        hwm_start = status_kib(pid, "VmHWM") * KIB
        r1 = run_load(ctx, d, small, 2)
        quiet1, heap1 = quiet_rss(ctx, d, small, 0)
        hwm1 = status_kib(pid, "VmHWM") * KIB
        trims1 = d.metrics().require("logdaemon_memory_trims_total")
        r10 = run_load(ctx, d, 9 * small, 2)
        quiet10, heap10 = quiet_rss(ctx, d, 10 * small, trims1)
        hwm10 = status_kib(pid, "VmHWM") * KIB
        m = d.metrics()
        compactions = m.require("logdaemon_compactions_total")
        returned = m.require("logdaemon_memory_returned_bytes_total")
        for part in ("ingest", "writer", "compaction"):
            check(m.require("logdaemon_memory_limit_bytes", {"part": part}) > 0,
                  f"logdaemon_memory_limit_bytes{{part=\"{part}\"}} is set")
    print(f"  after {small} logs: VmHWM {hwm1 / MIB:.1f} MiB", flush=True)
    check_peak(ctx, f"{10 * small} logs", hwm_start, hwm10)
    check(compactions > 0, "no merge ran: compaction's memory was not tested")
    print(f"  quiet: {quiet1 / MIB:.1f} MiB resident after {small} logs, {quiet10 / MIB:.1f} MiB after "
          f"{10 * small} ({returned / MIB:.1f} MiB given back by the trims); heap allocated {heap1 / MIB:.2f} and {heap10 / MIB:.2f} MiB", flush=True)
    if ctx.sanitized:
        print("  SKIPPED the quiet-memory bounds under the sanitizers (RSS there counts ASan's quarantine, "
              "which malloc_trim does not empty, and ASan's malloc keeps no mallinfo2)", flush=True)
    else:
        check(heap10 <= heap1 + HEAP_GROWTH,
              f"quiet, the daemon's heap held {heap10 / MIB:.2f} MiB after {10 * small} logs against "
              f"{heap1 / MIB:.2f} MiB after {small}: memory grows with the logs (bound +{HEAP_GROWTH // MIB} MiB)")
        check(quiet10 <= quiet1 + QUIET_GROWTH,
              f"quiet, the daemon held {quiet10 / MIB:.1f} MiB resident after {10 * small} logs against "
              f"{quiet1 / MIB:.1f} MiB after {small}: memory grows with the logs (bound +{QUIET_GROWTH // MIB} MiB)")
    return (f"VmHWM {hwm1 / MIB:.1f} MiB after {small} logs at {r1['logs_per_s']:.0f} logs/s, "
            f"{hwm10 / MIB:.1f} MiB after {10 * small} at {r10['logs_per_s']:.0f} logs/s, {compactions:.0f} "
            f"merges; quiet {quiet1 / MIB:.1f} and {quiet10 / MIB:.1f} MiB")


def wide_schema(path, columns):
    properties = {"timestamp": {"type": "string", "format": "date-time"}, "level": {"type": "string"},
                  "message": {"type": "string"}}
    for i in range(columns - 3):
        properties[f"f{i:03d}"] = {"type": "string"}
    with open(path, "w") as f:
        json.dump({"type": "object", "properties": properties, "required": ["timestamp", "message"]}, f)


@suite.check
def wide_rows_and_many_columns(ctx):
    """A 200-column schema and logs of ~100 KB (every column ~500 bytes): 2 000 such logs (200 MB) under
    the default budget stay within it — the queue counts them by size, flush files and merged row groups
    are cut by bytes — and every one is stored"""
    n = ctx.scaled(2_000, 400)
    workdir = tempfile.mkdtemp(prefix="ld-memory-test-")
    try:
        return wide_rows_in(ctx, n, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def wide_rows_in(ctx, n, workdir):
    schema = os.path.join(workdir, "wide.json")
    corpus = os.path.join(workdir, "wide.ndjson")
    wide_schema(schema, 200)
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    with open(corpus, "w") as f:
        for k in range(50):  # distinct rows, so that dictionaries do not make them small
            row = {"timestamp": now, "level": "info", "message": f"wide row {k} " + os.urandom(200).hex()}
            for i in range(197):
                row[f"f{i:03d}"] = os.urandom(250).hex()
            f.write(json.dumps(row) + "\n")
    start, hwm, result, _ = peak_under_load(ctx, n, 2, "--schema", schema, corpus=corpus)
    bound = check_peak(ctx, f"{n} logs of ~100 KB, 200 columns", start, hwm)
    return (f"{n} logs of {os.path.getsize(corpus) // 50 // KIB} KiB over 200 columns: VmHWM {hwm / MIB:.1f} MiB "
            f"(bound {bound / MIB:.1f} MiB), {result['logs_per_s']:.0f} logs/s")


IMPORT_PEAK_SCRIPT = """
import resource, subprocess, sys
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
sys.stderr.write(rc.stderr.decode()[-2000:])
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(rc.returncode)
"""


def checked_import(ctx, what, storage, path, *flags):
    """`logdaemon import --quiet FLAGS PATH` into STORAGE: it must succeed and, in Release builds, peak
    within the import's RSS at start + --memory-limit + the allowance. Returns (peak RSS, seconds)."""
    start = time.monotonic()
    run = subprocess.run([sys.executable, "-c", IMPORT_PEAK_SCRIPT, ctx.logdaemon, "import", "--storage",
                          storage, "--quiet", *flags, path], capture_output=True, timeout=60 * ctx.timeout)
    elapsed = time.monotonic() - start
    check(run.returncode == 0, f"import exited {run.returncode}: {run.stderr.decode()[-500:]}")
    peak = int(run.stdout.split()[-1]) * KIB
    # Import's resident memory at start is that of serve (the same binary): IMPORT_AT_START.
    bound = IMPORT_AT_START + MEMORY_LIMIT + FULL_LOAD_ALLOWANCE
    print(f"  {what} in {elapsed:.1f} s: peak RSS {peak / MIB:.1f} MiB (bound {bound / MIB:.1f} MiB)", flush=True)
    if ctx.sanitized:
        print("  SKIPPED the peak RSS bound under the sanitizers (RSS there counts ASan's quarantine)", flush=True)
    else:
        check(peak <= bound, f"import peaked at {peak / MIB:.1f} MiB, over {bound / MIB:.1f} MiB")
    return peak, elapsed


@suite.check
def import_of_a_gigabyte(ctx):
    """`logdaemon import` of a 1 GB NDJSON file (200 MB under the sanitizers) — flushing and compacting
    as it goes, then the final Compact() — peaks within --memory-limit plus the stated allowance, and
    stores every line"""
    target = ctx.scaled(1000, 200) * MIB
    workdir = tempfile.mkdtemp(prefix="ld-memory-import-")
    try:
        path = os.path.join(workdir, "big.ndjson")
        now = datetime.now(timezone.utc)
        block = []
        for k in range(4096):  # distinct lines, repeated: the file's size is what matters here
            stamp = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{k % 1000000:06d}Z"
            block.append(json.dumps({"timestamp": stamp, "level": ("info", "warn", "error")[k % 3],
                                     "message": f"request {k} served in {k % 977} ms " + os.urandom(48).hex(),
                                     "service": f"svc-{k % 12}", "metadata": {"k": k}}) + "\n")
        chunk = "".join(block).encode()
        lines = 0
        with open(path, "wb") as f:
            while f.tell() < target:
                f.write(chunk)
                lines += len(block)
        size = os.path.getsize(path)
        storage = os.path.join(workdir, "logs")
        peak, elapsed = checked_import(ctx, f"import of {size / MIB:.0f} MiB ({lines} logs)", storage, path)
        stored = count_rows(ctx, storage)
        check_eq(stored, lines, "rows stored by the import")
        os.remove(path)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return f"{size / MIB:.0f} MiB, {lines} logs in {elapsed:.1f} s ({lines / elapsed:.0f} logs/s): peak RSS {peak / MIB:.1f} MiB"


@suite.check
def import_with_a_slow_writer(ctx):
    """`logdaemon import -c zstd --compression-level 9` of ~4 KB logs: the writer compresses several times
    slower than the import reads, so the queue between them stays full. It holds what serve's ingest share
    would (16 MiB), and zstd's context its capped tables: the peak stays within the same bound as the
    gigabyte's. (With a queue of 100 000 logs it reached 152 MiB.)"""
    workdir = tempfile.mkdtemp(prefix="ld-memory-import-slow-")
    try:
        path = os.path.join(workdir, "wide.ndjson")
        now = datetime.now(timezone.utc)
        lines = ctx.scaled(40_000, 5_000)
        with open(path, "w") as f:
            for k in range(lines):
                stamp = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{k % 1000000:06d}Z"
                f.write(json.dumps({"timestamp": stamp, "level": "info",
                                    "message": f"request {k} " + os.urandom(1000).hex() + " " +
                                    " ".join(f"word{(k * 7 + i) % 5000}" for i in range(200))}) + "\n")
        size = os.path.getsize(path)
        storage = os.path.join(workdir, "logs")
        peak, elapsed = checked_import(
            ctx, f"import of {size / MIB:.0f} MiB ({lines} logs of {size // lines // KIB} KiB) at zstd level 9",
            storage, path, "-c", "zstd", "--compression-level", "9")
        check_eq(count_rows(ctx, storage), lines, "rows stored by the import")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return f"{lines} logs of {size // lines // KIB} KiB in {elapsed:.1f} s at zstd level 9: peak RSS {peak / MIB:.1f} MiB"


def count_rows(ctx, storage):
    """Rows in the storage, by `logdaemon query --count`."""
    run = subprocess.run([ctx.logdaemon, "query", "--storage", storage, "--count"], capture_output=True,
                         timeout=4 * ctx.timeout)
    check(run.returncode == 0, f"query --count exited {run.returncode}: {run.stderr.decode()[-300:]}")
    return int(run.stdout.split()[-1])


suite.run()
