#!/usr/bin/env python3
"""`logdaemon query --follow` against the real daemon (issue #6): logs sent while the follower runs are
printed as the daemon flushes them, each once, while compaction merges the flush files under it; --limit
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


@suite.check
def prints_new_logs_once_while_compaction_merges(ctx):
    """logs sent in 12 bursts while --follow runs (1 s flushes, so the daemon merges flush files under
    it): every log printed once, in order; SIGINT ends it with exit 0"""
    bursts = 12
    per_burst = ctx.scaled(200, 50)
    with Daemon(ctx, "--flush-interval", "1", "--batch-size", "100") as d:
        send(d, [f"stored {i}" for i in range(50)])
        poll_until(lambda: any(n.endswith(".parquet") for _, _, ns in os.walk(d.storage) for n in ns),
                   ctx.timeout, "the first flush file")
        f = Follower(ctx, d.storage, "--fields", "message")
        try:
            f.wait_for(50, ctx.timeout)
            sent = [f"stored {i}" for i in range(50)]
            for b in range(bursts):
                batch = [f"burst {b} {i}" for i in range(per_burst)]
                send(d, batch)
                sent += batch
                time.sleep(0.3)
            poll_until(lambda: len(f.messages()) + f.missed() >= len(sent), ctx.timeout * 2,
                       f"{len(sent)} logs printed")
            rc, err = f.stop(signal.SIGINT)
        finally:
            f.kill()
        printed = f.messages()
        check_eq(rc, 0, "exit status after SIGINT")
        check_eq(len(set(printed)), len(printed), "distinct logs printed (none twice)")
        lost = f.missed()
        check_eq(len(printed) + lost, len(sent), "logs printed, plus those it says it could not show")
        check(printed == [m for m in sent if m in set(printed)], "logs printed out of order")
        merged = [n for _, _, ns in os.walk(d.storage) for n in ns if re.search(r"_\d+-\d+", n)]
    return f"{len(printed)} of {len(sent)} printed once ({lost} reported missed), {len(merged)} merged files"


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
