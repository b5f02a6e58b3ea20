#!/usr/bin/env python3
"""`logdaemon query --follow` against the real daemon (issue #6): logs sent while the follower runs are
printed as the daemon flushes them, each once; when compaction merges flushes it never read (it was
stopped) with those it printed, it prints none of them and reports exactly how many it hid; --limit
prints the newest stored logs first; SIGINT and SIGTERM end it with exit 0 and nothing lost in its output
buffer; a reader that goes away (`| head`) ends it even when no log comes.

    tests/server/follow.py --logdaemon build/logdaemon --source-dir . --interop tests/interop \
        --backend epoll [--sanitized] [--only NAME]
"""

import ctypes
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon import (CheckFailed, Context, Daemon, Suite, check, check_eq, frames, log_json,  # noqa: E402
                    poll_until)

ctx = Context(__doc__)
suite = Suite(ctx, "server.follow")
_libc = ctypes.CDLL(None, use_errno=True)
MISSED = re.compile(r"; (\d+) logs of them are not shown")
MISSED_FLUSHES = re.compile(r"flushes (\S+) were merged into")
FILE_RANGE = re.compile(r"_(\d+)(?:-(\d+))?(?:_\d+of\d+)?\.parquet$")


class Follower:
    """`logdaemon query --follow --format json` as a child process; a thread collects its lines."""

    def __init__(self, ctx, storage, *flags):
        self.lines = []
        self.errors = []
        self.lock = threading.Lock()
        self.proc = subprocess.Popen(
            [ctx.logdaemon, "query", "--storage", storage, "--follow", "--format", "json", *flags],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            preexec_fn=lambda: _libc.prctl(1, signal.SIGKILL, 0, 0, 0))  # dies with the test
        self.readers = [threading.Thread(target=self._read, daemon=True),
                        threading.Thread(target=self._read_errors, daemon=True)]
        for reader in self.readers:
            reader.start()

    def _read(self):
        for line in self.proc.stdout:
            with self.lock:
                self.lines.append(json.loads(line))

    def _read_errors(self):
        for line in self.proc.stderr:
            with self.lock:
                self.errors.append(line.decode())

    def missed(self):
        """The logs it said it could not show (compaction merged their flush before it could read it)."""
        with self.lock:
            return sum(int(m) for e in self.errors for m in MISSED.findall(e))

    def messages(self):
        with self.lock:
            return [line["message"] for line in self.lines]

    def wait_for(self, count, timeout):
        poll_until(lambda: len(self.messages()) >= count, timeout, f"{count} logs printed by --follow")

    def stop(self, sig=signal.SIGINT):
        """Signals it; returns (exit status, stderr)."""
        self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout=ctx.timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise CheckFailed(f"query --follow did not exit within {ctx.timeout:.0f} s of {sig.name}")
        for reader in self.readers:
            reader.join(timeout=ctx.timeout)
        with self.lock:
            return rc, "".join(self.errors)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def send(d, messages, level="info"):
    with d.connect() as c:
        replies = c.pipeline(frames(log_json(m, level=level) for m in messages), len(messages))
    check(all(r == "OK" for r in replies), f"replies other than OK: {set(replies)}")


def flush_ranges(storage):
    """The (first, last) flush sequence numbers of the visible Parquet files, sorted."""
    ranges = []
    for root, dirs, names in os.walk(storage):
        dirs[:] = [n for n in dirs if not n.startswith(".") and n != "wal"]  # .tmp/ holds unpublished files
        for name in names:
            m = FILE_RANGE.search(name)
            if m:
                ranges.append((int(m.group(1)), int(m.group(2) or m.group(1))))
    return sorted(ranges)


@suite.check
def prints_each_log_once_and_counts_exactly_what_a_merge_hid(ctx):
    """logs sent in bursts while --follow runs are each printed once, in order; then the follower is
    stopped (SIGSTOP) while four more bursts are flushed and compaction merges them with every flush it
    had read: once continued it prints none of them, says exactly how many logs and which flushes it
    could not show, and prints the next burst; SIGINT ends it with exit 0.

    One burst is one flush file (the flush interval passes first), and the burst sizes decide what
    compaction merges (storage/compaction_policy.h: from the newest file back, while the next older one
    is no bigger than those gathered; --merge-min-files 4 files at least, so that nine flushes make the
    scene). From the second burst on, each flush is
    smaller than the one before (by 200 bytes at least), so nothing merges while the follower runs or
    during the first three bursts of the stall; the fourth is bigger than each file before it, so its
    flush gathers every file, back to the first, into one. So exactly the stall's logs are hidden."""
    stored = [f"stored {i}" for i in range(50)]
    running = [[f"run {b} {i}" for i in range(n)] for b, n in enumerate([400, 300, 200, 150])]
    stalled = [[f"stall {b} {i}" for i in range(n)] for b, n in enumerate([100, 60, 20, 200])]
    after = [f"after {i}" for i in range(30)]
    with Daemon(ctx, "--flush-interval", "1", "--merge-min-files", "4") as d:
        send(d, stored)
        poll_until(lambda: flush_ranges(d.storage) == [(1, 1)], ctx.timeout, "the first flush file")
        f = Follower(ctx, d.storage, "--fields", "message")
        try:
            f.wait_for(len(stored), ctx.timeout)
            printed = len(stored)
            for burst in running:
                send(d, burst)
                printed += len(burst)
                f.wait_for(printed, ctx.timeout)
            read = flush_ranges(d.storage)
            check_eq(read, [(s, s) for s in range(1, len(running) + 2)],
                     "flush files while the follower runs (one per burst, none merged)")
            last_read = read[-1][1]

            f.proc.send_signal(signal.SIGSTOP)
            try:
                for i, burst in enumerate(stalled[:-1]):
                    send(d, burst)
                    poll_until(lambda: flush_ranges(d.storage)[-1] == (last_read + i + 1,) * 2, ctx.timeout,
                               f"flush {last_read + i + 1}")
                check_eq(len(flush_ranges(d.storage)), last_read + len(stalled) - 1,
                         "files before the last burst of the stall (none merged)")
                send(d, stalled[-1])
                merged = (1, last_read + len(stalled))
                poll_until(lambda: flush_ranges(d.storage) == [merged], ctx.timeout,
                           f"one file merging flushes {merged[0]}-{merged[1]}")
            finally:
                f.proc.send_signal(signal.SIGCONT)

            poll_until(f.missed, ctx.timeout, "the follower's word on the logs it could not show")
            send(d, after)
            f.wait_for(printed + len(after), ctx.timeout)
            rc, err = f.stop(signal.SIGINT)
        finally:
            f.kill()
        check_eq(rc, 0, "exit status after SIGINT")
        want = stored + [m for burst in running for m in burst] + after
        got = f.messages()
        differ = next((i for i, (g, w) in enumerate(zip(got, want)) if g != w), min(len(got), len(want)))
        check(got == want, f"logs printed: {len(got)}, want {len(want)} (each once, in order, none of the "
                           f"stall's); the first difference, at {differ}: {got[differ:differ + 3]!r}, "
                           f"want {want[differ:differ + 3]!r}")
        hidden = sum(len(burst) for burst in stalled)
        check_eq(f.missed(), hidden, "logs it says it could not show")
        gaps = MISSED_FLUSHES.findall(err)
        check_eq(gaps, [f"{last_read + 1}-{last_read + len(stalled)}"],
                 f"the flushes it says it could not show, in {err!r}")
    return f"{len(want)} logs printed once; {hidden} merged unread reported, flushes {gaps[0]}"


@suite.check
def limit_prints_the_newest_stored_logs_then_new_ones(ctx):
    """--limit 5 --follow prints the 5 newest stored logs oldest first, then every new log; SIGTERM ends it
    with exit 0 and the lines still buffered written out"""
    with Daemon(ctx, "--flush-interval", "1") as d:
        send(d, [f"old {i}" for i in range(30)])
        poll_until(lambda: any(n.endswith(".parquet") for _, _, ns in os.walk(d.storage) for n in ns),
                   ctx.timeout, "the first flush file")
        f = Follower(ctx, d.storage, "--limit", "5", "--fields", "message", "--level", "warn")
        try:
            time.sleep(0.5)
            send(d, [f"new {i}" for i in range(10)], level="warn")
            f.wait_for(10, ctx.timeout)
            rc, _ = f.stop(signal.SIGTERM)
        finally:
            f.kill()
        check_eq(rc, 0, "exit status after SIGTERM")
        check_eq(f.messages(), [f"new {i}" for i in range(10)], "printed (the stored logs are info)")
        # And without the level filter: the 5 newest stored logs first.
        f = Follower(ctx, d.storage, "--limit", "5", "--fields", "message")
        try:
            f.wait_for(5, ctx.timeout)
            time.sleep(0.3)
            rc, _ = f.stop(signal.SIGINT)
        finally:
            f.kill()
        check_eq(rc, 0, "exit status after SIGINT")
        check_eq(f.messages(), [f"new {i}" for i in range(5, 10)], "the 5 newest stored logs")
    return "filters and --limit apply; SIGTERM and SIGINT exit 0"


@suite.check
def ends_when_its_reader_goes_away(ctx):
    """`query --follow | head -n 3`: once head has its lines and exits, the follower ends too (exit 0),
    though no new log comes to fail a write"""
    with Daemon(ctx, "--flush-interval", "1") as d:
        send(d, [f"log {i}" for i in range(10)])
        poll_until(lambda: any(n.endswith(".parquet") for _, _, ns in os.walk(d.storage) for n in ns),
                   ctx.timeout, "the first flush file")
        follower = subprocess.Popen(
            [ctx.logdaemon, "query", "--storage", d.storage, "--follow", "--format", "json"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
            preexec_fn=lambda: _libc.prctl(1, signal.SIGKILL, 0, 0, 0))
        try:
            head = subprocess.run(["head", "-n", "3"], stdin=follower.stdout, capture_output=True,
                                  timeout=ctx.timeout)
            follower.stdout.close()  # only head holds the read end; it has exited
            check_eq(len(head.stdout.splitlines()), 3, "lines head printed")
            try:
                rc = follower.wait(timeout=ctx.timeout)
            except subprocess.TimeoutExpired:
                raise CheckFailed("query --follow kept running after its reader went away")
        finally:
            if follower.poll() is None:
                follower.kill()
                follower.wait()
        check_eq(rc, 0, "exit status")
    return "the follower exits 0 once the pipe's reader is gone"


suite.run()
