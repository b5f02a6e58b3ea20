#!/usr/bin/env python3
"""Volume against the real `logdaemon serve` (issue #5): 100 000 pipelined logs on one connection and
spread over several, all stored (counted by DuckDB and by `logdaemon inspect`); 1 000 concurrent
connections; SIGTERM under load loses no acknowledged log and stores none twice.

    tests/server/bulk.py --logdaemon build/logdaemon --source-dir . --interop tests/interop \
        --backend epoll [--sanitized] [--only NAME]
"""

import os
import signal
import socket
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon import (TIMESTAMP, CheckFailed, Context, Daemon, DuckDB, Suite, check, check_eq,  # noqa: E402
                    check_stored_rows, frames, poll_until, raise_nofile_limit)

ctx = Context(__doc__)
suite = Suite(ctx, "server.bulk")

# The logs of these checks, preformatted (json.dumps per log would dominate the client's time).
PREFIX = b'{"timestamp":"' + TIMESTAMP.encode() + b'","level":"info","message":"'


def bulk_log(text):
    return PREFIX + text.encode() + b'","service":"bulk"}'


def pipeline_all_ok(d, connection_count, per_connection, tag):
    """Pipelines per_connection logs on each of connection_count connections at once; checks every reply
    is OK."""
    errors = []

    def client(k):
        try:
            with d.connect() as c:
                replies = c.pipeline(frames(bulk_log(f"{tag} {k} {i}") for i in range(per_connection)),
                                     per_connection)
            bad = [(i, r) for i, r in enumerate(replies) if r != "OK"]
            check(not bad, f"connection {k}: {len(bad)} replies other than OK, first {bad[:3]}")
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(connection_count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


@suite.check
def hundred_thousand_logs_stored(ctx):
    """100 000 logs pipelined on one connection, then 100 000 over 4 connections at once: every reply OK;
    after SIGTERM (exit 0) DuckDB and logdaemon inspect count exactly 200 000 rows"""
    n = ctx.scaled(100_000, 20_000)
    # --overflow block: a burst faster than the disk is held back instead of answered "overloaded", so every
    # log is acknowledged and the count is exact (the drop policy is checked in protocol.py).
    with Daemon(ctx, "--overflow", "block") as d:
        t0 = time.monotonic()
        pipeline_all_ok(d, 1, n, "one")
        t1 = time.monotonic()
        pipeline_all_ok(d, 4, n // 4, "four")
        t2 = time.monotonic()
        check_eq(d.settled_metrics().require("logdaemon_logs_accepted_total"), 2 * n,
                 "logdaemon_logs_accepted_total")
        d.stop()
        check_stored_rows(ctx, d.storage, 2 * n, "bulk")
        duck = DuckDB(ctx)
        got = duck.query(f"SELECT count(DISTINCT message) AS n, min(service) AS s "
                         f"FROM {duck.glob(d.storage)}")[0]
        check_eq(int(got["n"]), 2 * n, "distinct messages stored")
        check_eq(got["s"], "bulk", "the service column")
    return (f"{n} logs on 1 connection ({t1 - t0:.1f} s) and {n} on 4 ({t2 - t1:.1f} s): all OK, "
            f"{2 * n} rows stored, each once")


@suite.check
def thousand_concurrent_connections(ctx):
    """1 000 connections open at once (the default --max-connections), 3 logs each, all OK;
    log_daemon_active_connections reaches 1000, the 1001st is refused, and 0 after they close"""
    count, per = 1000, 3
    limit = raise_nofile_limit()
    check(limit >= count + 100, f"RLIMIT_NOFILE hard limit {limit} is too low for {count} connections")
    conns = []
    with Daemon(ctx, nofile=limit) as d:
        try:
            d.wait_idle()
            for _ in range(count):
                conns.append(d.connect())
            for k, c in enumerate(conns):
                c.send_frames(bulk_log(f"conn {k} log {i}") for i in range(per))
            for k, c in enumerate(conns):
                check_eq(c.read_lines(per), ["OK"] * per, f"connection {k}")
            d.wait_metric("log_daemon_active_connections", count, what=f"{count} open connections")
            with d.connect() as extra:
                check_eq(extra.read_until_closed(), ["ERROR: too many connections"],
                         f"connection {count + 1}")
            for c in conns:
                c.close()
            conns.clear()
            d.wait_metric("log_daemon_active_connections", 0, what="after closing them all")
        finally:
            for c in conns:
                c.close()
        d.stop()
        check_stored_rows(ctx, d.storage, count * per, "1000 connections")
    return (f"{count} concurrent connections x {per} logs: all OK, gauge {count} then 0, "
            f"{count * per} rows stored")


class LoadClient:
    """One connection pipelining logs with unique ids until the daemon closes it: a writer thread sends
    batches, a reader thread matches each reply to its log (replies come in order)."""

    BATCH = 200

    def __init__(self, d, k):
        self.k = k
        self.conn = d.connect()
        self.sent = []  # ids in the order sent; appended before the bytes go out, so a reply finds its id
        self.acked = []
        self.refused = []
        self.failure = None
        self.writer = threading.Thread(target=self._write)
        self.reader = threading.Thread(target=self._read)

    def start(self):
        self.writer.start()
        self.reader.start()

    def _write(self):
        seq = 0
        try:
            while True:
                ids = [f"load-{self.k}-{seq + i}" for i in range(self.BATCH)]
                seq += self.BATCH
                self.sent.extend(ids)
                self.conn.sock.sendall(frames(bulk_log(i) for i in ids))
        except (BrokenPipeError, ConnectionResetError, socket.timeout, OSError):
            pass  # the daemon stopped reading and closed the connection (or the test gave up)

    def _read(self):
        replies = 0
        try:
            while True:
                line = self.conn.read_line()
                if line == "OK":
                    self.acked.append(self.sent[replies])
                elif line.startswith("ERROR: "):
                    self.refused.append(self.sent[replies])
                else:
                    self.failure = f"connection {self.k}: unexpected reply {line!r}"
                    return
                replies += 1
        except (CheckFailed, ConnectionResetError):
            pass  # closed by the daemon (a reset if it closed with our frames unread): the end of the replies
        except socket.timeout as e:
            self.failure = f"connection {self.k}: {e!r} after {replies} replies"

    def join(self):
        self.reader.join()
        try:
            self.conn.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.writer.join()
        self.conn.close()


def sigterm_under_load(ctx, flags, clients_count):
    """Runs clients_count LoadClients against a daemon started with `flags`, sends SIGTERM once a number of
    replies came back, and checks what was stored against what was answered."""
    threshold = ctx.scaled(60_000, 10_000)
    with Daemon(ctx, *flags) as d:
        clients = [LoadClient(d, k) for k in range(clients_count)]
        for c in clients:
            c.start()
        try:
            poll_until(lambda: sum(len(c.acked) + len(c.refused) for c in clients) >= threshold,
                       3 * ctx.timeout, f"{threshold} replies under load")
            d.signal(signal.SIGTERM)
            d.wait_exit()
        finally:
            for c in clients:
                c.join()
        for c in clients:
            check(c.failure is None, c.failure)
        d.check_clean_exit()
        acked = [i for c in clients for i in c.acked]
        refused = [i for c in clients for i in c.refused]
        sent = sum(len(c.sent) for c in clients)
        duck = DuckDB(ctx)
        stored = duck.query_lines(f"SELECT message FROM {duck.glob(d.storage)}")
        stored_set = set(stored)
        check_eq(len(stored), len(stored_set), "rows stored (duplicates would make these differ)")
        lost = [i for i in acked if i not in stored_set]
        check(not lost, f"{len(lost)} acknowledged logs are not stored, e.g. {lost[:5]}")
        wrongly = [i for i in refused if i in stored_set]
        check(not wrongly, f"{len(wrongly)} logs answered ERROR are stored, e.g. {wrongly[:5]}")
        check(len(acked) > 0, "no log was acknowledged")
    return (f"{sent} sent, {len(acked)} OK, {len(refused)} refused before SIGTERM stopped it; "
            f"{len(stored)} stored: every OK one, once, no refused one")


@suite.check
def sigterm_under_load_loses_nothing_acked(ctx):
    """4 clients pipelining continuously (--overflow drop, --queue-capacity 2000, so some are refused as
    overloaded); SIGTERM mid-way: exit 0, every log answered OK is stored, no log answered ERROR is stored,
    and no log is stored twice"""
    return sigterm_under_load(ctx, ["--queue-capacity", "2000"], 4)


@suite.check
def sigterm_under_load_with_backpressure(ctx):
    """the same with --overflow block and --queue-capacity 100: SIGTERM while clients are held back by
    backpressure still ends the daemon (exit 0) with every acknowledged log stored once"""
    return sigterm_under_load(ctx, ["--overflow", "block", "--queue-capacity", "100"], 4)


suite.run()
