#!/usr/bin/env python3
"""kill -9 under load (issue #12, DESIGN.md §1 step 6, §5 invariant 2): with `--ack durable` (the default)
every log answered OK is stored exactly once after any number of crashes; with `--ack memory` acknowledged
logs may be lost, but none is ever stored twice.

Each round starts the daemon on the same storage directory (--flush-interval 1, --rotation-mb 1 so that
compaction merges often, --wal-segment-mb 1 so that segments roll and are trimmed often), lets 3 clients
pipeline logs with unique ids ("crash r<round> c<connection> n<i>") while reading their replies, and
SIGKILLs it at a random moment: after a random time, or as soon as a flush file or a merge is being written
(seen in .tmp/) or a write-ahead log segment has just been trimmed (one left wal/). Each start runs 1 to 3
io threads, so streams of earlier runs may have no writer now. Every 5th round is preceded by a kill
during start-up, while the write-ahead log is being replayed. Each client records which of its logs were
answered OK, ERROR, or not at all. Each start-up's replay (its stderr line and
logdaemon_wal_replayed_logs_total) is counted. At the end a last start is stopped with SIGTERM (exit 0,
clean stderr), and DuckDB compares the stored ids with the replies: every acknowledged log stored once,
no log stored twice, no refused log stored, nothing stored that was not sent.

    tests/server/crash.py --logdaemon build/logdaemon --source-dir . --interop tests/interop \
        --backend epoll [--sanitized] [--only NAME] [--keep] [--seed N]

--seed N replays a run's choices (kinds of round and kill delays; the timing of the daemon itself
varies); every check prints the seed it used.
"""

import os
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon import (TIMESTAMP, CheckFailed, Context, Daemon, DuckDB, Suite, check, check_eq,  # noqa: E402
                    free_loopback_port, parquet_files, tmp_files)


def take_seed_flag():
    """Removes `--seed N` from the command line (Context does not know it); returns N or None."""
    argv = sys.argv
    for i, arg in enumerate(argv):
        if arg == "--seed" and i + 1 < len(argv):
            value = argv[i + 1]
            del argv[i:i + 2]
            return int(value)
        if arg.startswith("--seed="):
            del argv[i]
            return int(arg.split("=", 1)[1])
    return None


SEED = take_seed_flag()
ctx = Context(__doc__)
suite = Suite(ctx, "server.crash")

CLIENTS = 3
FLAGS = ["--flush-interval", "1", "--rotation-mb", "1", "--wal-segment-mb", "1"]

# What a client learnt of each log it sent.
UNANSWERED, OK, REFUSED = 0, 1, 2
STATUS_NAMES = {UNANSWERED: "unanswered", OK: "ok", REFUSED: "error"}

PREFIX = b'{"timestamp":"' + TIMESTAMP.encode() + b'","level":"info","message":"crash '
SUFFIX = b'","service":"crash"}'

REPLAYED_LINE = re.compile(r"write-ahead log: (\d+) acknowledged logs of (\d+) were not in any file yet")
TORN_LINE = re.compile(r"write-ahead log: .*(cut at byte|set aside)")


def crash_frame(round_no, conn, i):
    payload = PREFIX + f"r{round_no} c{conn} n{i}".encode() + SUFFIX
    return struct.pack(">I", len(payload)) + payload


class CrashClient:
    """One connection pipelining logs with unique ids until the daemon dies: a writer thread sends batches,
    a reader thread records each reply against its log (replies come in order). status[i] is UNANSWERED,
    OK or REFUSED for log n<i>; every log in status was (at least partly) sent."""

    BATCH = 100

    def __init__(self, d, round_no, k):
        self.round_no = round_no
        self.k = k
        self.conn = d.connect()
        self.status = bytearray()  # grown by the writer before the bytes go out, so a reply finds its log
        self.failure = None
        self.stop = threading.Event()
        self.writer = threading.Thread(target=self._write)
        self.reader = threading.Thread(target=self._read)

    def start(self):
        self.writer.start()
        self.reader.start()

    def _write(self):
        seq = 0
        try:
            while not self.stop.is_set():
                data = b"".join(crash_frame(self.round_no, self.k, seq + i) for i in range(self.BATCH))
                self.status.extend(bytes(self.BATCH))
                seq += self.BATCH
                self.conn.sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError, socket.timeout, OSError):
            pass  # the daemon died (or the test gave up)

    def _read(self):
        replies = 0
        try:
            while True:
                line = self.conn.read_line()
                if replies >= len(self.status):
                    self.failure = f"connection {self.k}: a reply {line!r} to log {replies}, which was not sent"
                    return
                if line == "OK":
                    self.status[replies] = OK
                elif line.startswith("ERROR: "):
                    self.status[replies] = REFUSED
                else:
                    self.failure = f"connection {self.k}: unexpected reply {line!r}"
                    return
                replies += 1
        except (CheckFailed, ConnectionResetError):
            pass  # the daemon died: the end of the replies
        except socket.timeout as e:
            self.failure = f"connection {self.k}: {e!r} after {replies} replies"
        except OSError as e:
            if not self.stop.is_set():
                self.failure = f"connection {self.k}: {e!r} after {replies} replies"

    def join(self):
        self.stop.set()
        self.reader.join()
        try:
            self.conn.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.writer.join()
        self.conn.close()

    def count(self, status):
        return self.status.count(status)


class FinalClient:
    """The final start's one log, as the ledger sees a client."""

    def __init__(self, round_no):
        self.round_no = round_no
        self.k = 0
        self.status = bytearray()


class Ledger:
    """Every log sent in a check, as runs of equal status per (round, connection), for DuckDB."""

    def __init__(self):
        self.runs = []  # (round, connection, first n, last n, status)
        self.totals = {UNANSWERED: 0, OK: 0, REFUSED: 0}

    def add(self, client):
        for m in re.finditer(rb"\x00+|\x01+|\x02+", bytes(client.status)):
            status = m.group()[0]
            self.runs.append((client.round_no, client.k, m.start(), m.end() - 1, status))
            self.totals[status] += m.end() - m.start()

    def write_csv(self, path):
        with open(path, "w") as f:
            f.write("r,c,first,last,status\n")
            for r, c, first, last, status in self.runs:
                f.write(f"{r},{c},{first},{last},{STATUS_NAMES[status]}\n")


def sql_path(path):
    return path.replace("'", "''")


def compare_with_storage(ctx, storage, ledger, workdir):
    """Stored ids against the replies, counted by DuckDB. Returns a dict of counts and examples."""
    runs = os.path.join(workdir, "sent-runs.csv")
    ledger.write_csv(runs)
    duck = DuckDB(ctx)
    if not parquet_files(storage):
        stored_sql = "SELECT ''::VARCHAR AS message WHERE false"
    else:
        stored_sql = f"SELECT message FROM {duck.glob(storage)}"
    sql = f"""
        WITH sent AS (
          SELECT r, c, unnest(range(first, last + 1)) AS n, status
          FROM read_csv('{sql_path(runs)}', header = true,
                        columns = {{'r': 'INTEGER', 'c': 'INTEGER', 'first': 'BIGINT', 'last': 'BIGINT',
                                    'status': 'VARCHAR'}})),
        raw AS ({stored_sql}),
        parsed AS (
          SELECT regexp_extract(message, '^crash r(\\d+) c(\\d+) n(\\d+)$', ['r', 'c', 'n']) AS m FROM raw),
        stored AS (
          SELECT CAST(m.r AS INTEGER) AS r, CAST(m.c AS INTEGER) AS c, CAST(m.n AS BIGINT) AS n
          FROM parsed WHERE m.r <> ''),
        copies AS (SELECT r, c, n, count(*) AS k FROM stored GROUP BY ALL),
        joined AS (
          SELECT s.r, s.c, s.n, s.status, coalesce(copies.k, 0) AS k
          FROM sent s LEFT JOIN copies USING (r, c, n)),
        lost AS (SELECT r, c, n FROM joined WHERE status = 'ok' AND k = 0),
        dup AS (SELECT r, c, n, k FROM copies WHERE k > 1),
        strange AS (SELECT r, c, n FROM copies ANTI JOIN sent USING (r, c, n))
        SELECT
          (SELECT count(*) FROM raw) AS rows,
          (SELECT count(*) FROM raw) - (SELECT count(*) FROM stored) AS foreign_rows,
          (SELECT count(*) FROM copies) AS distinct_stored,
          (SELECT count(*) FROM dup) AS duplicated,
          (SELECT coalesce(sum(k - 1), 0) FROM dup) AS extra_copies,
          (SELECT count(*) FROM strange) AS never_sent,
          (SELECT count(*) FROM joined WHERE status = 'ok') AS acked,
          (SELECT count(*) FROM lost) AS lost,
          (SELECT count(*) FROM joined WHERE status = 'error') AS refused,
          (SELECT count(*) FROM joined WHERE status = 'error' AND k > 0) AS refused_stored,
          (SELECT count(*) FROM joined WHERE status = 'unanswered') AS unanswered,
          (SELECT count(*) FROM joined WHERE status = 'unanswered' AND k > 0) AS unanswered_stored,
          (SELECT count(*) FROM joined WHERE status = 'ok' AND k > 1) AS acked_duplicated,
          (SELECT string_agg(x, ', ') FROM (SELECT 'r' || r || ' c' || c || ' n' || n AS x FROM lost
                                            ORDER BY r, c, n LIMIT 8)) AS lost_examples,
          (SELECT string_agg(x, ', ') FROM (SELECT 'r' || r || ': ' || count(*) AS x FROM lost
                                            GROUP BY r ORDER BY r)) AS lost_by_round,
          (SELECT string_agg(x, ', ') FROM (SELECT 'r' || r || ' c' || c || ' n' || n || ' x' || k AS x
                                            FROM dup ORDER BY r, c, n LIMIT 8)) AS duplicated_examples,
          (SELECT string_agg(x, ', ') FROM (SELECT 'r' || r || ': ' || count(*) AS x FROM dup
                                            GROUP BY r ORDER BY r)) AS duplicated_by_round,
          (SELECT string_agg(x, ', ') FROM (SELECT 'r' || r || ' c' || c || ' n' || n AS x FROM strange
                                            ORDER BY r, c, n LIMIT 8)) AS never_sent_examples
    """
    row = duck.query(sql)[0]
    out = {}
    for key, value in row.items():
        out[key] = value if key.endswith(("examples", "by_round")) else int(value)
    # The totals DuckDB read back must be the ones the clients recorded.
    check_eq(out["acked"], ledger.totals[OK], "acknowledged logs: DuckDB's count of the ledger")
    check_eq(out["refused"], ledger.totals[REFUSED], "refused logs: DuckDB's count of the ledger")
    check_eq(out["unanswered"], ledger.totals[UNANSWERED], "unanswered logs: DuckDB's count of the ledger")
    if out["duplicated"]:
        out["duplicated_files"] = files_holding(ctx, storage, out["duplicated_examples"].split(", ")[0])
    return out


def files_holding(ctx, storage, example):
    """The files that hold the log of an example id "r1 c2 n3 x2" (for a failure message)."""
    m = re.match(r"r(\d+) c(\d+) n(\d+)", example)
    if not m:
        return ""
    duck = DuckDB(ctx)
    message = f"crash r{m.group(1)} c{m.group(2)} n{m.group(3)}"
    rows = duck.query(f"SELECT filename FROM read_parquet('{sql_path(os.path.join(storage, '**', '*.parquet'))}',"
                      f" hive_partitioning = true, filename = true) WHERE message = '{message}'")
    return ", ".join(os.path.relpath(r["filename"], storage) for r in rows)


DATA_NAME = re.compile(r"^logs_\d{8}_\d{6}_(\d+)(?:-(\d+))?(?:_(\d+)of(\d+))?\.parquet$")


def superseded_files(storage):
    """Visible files whose flush range another visible file covers (none may stay after a clean stop)."""
    ranges = []
    for path in parquet_files(storage):
        m = DATA_NAME.match(os.path.basename(path))
        if m:
            first = int(m.group(1))
            last = int(m.group(2) or first)
            ranges.append((os.path.dirname(path), first, last, path))
    out = []
    for d, first, last, path in ranges:
        for d2, f2, l2, p2 in ranges:
            if d2 == d and p2 != path and f2 <= first and last <= l2 and (f2, l2) != (first, last):
                out.append(os.path.relpath(path, storage))
                break
    return out


def replayed_at_start(text):
    """(logs replayed, records read) from a start-up's stderr; (0, 0) when nothing was replayed."""
    m = REPLAYED_LINE.search(text)
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


class Rounds:
    """The crash rounds of one check, on one storage directory."""

    def __init__(self, ctx, name, flags, durable):
        self.ctx = ctx
        # The moments a round may aim at: mid-WAL-trim only where there is a write-ahead log.
        self.kinds_weights = {"time": 4, "flush": 2, "merge": 2, "trim": 2} if durable else \
            {"time": 4, "flush": 2, "merge": 2}
        self.start_seconds = 0.1  # how long the last start took, spawn to accepting (start-up kills aim inside)
        self.flags = flags
        self.durable = durable
        self.seed = SEED if SEED is not None else random.SystemRandom().randrange(1 << 32)
        self.rng = random.Random(self.seed)
        self.workdir = tempfile.mkdtemp(prefix=f"ld-crash-{name}-")
        self.storage = os.path.join(self.workdir, "logs")
        self.ledger = Ledger()
        self.replayed = 0       # logs replayed at start-up, summed over every start (stderr)
        self.replay_starts = 0  # starts that replayed something
        self.torn = 0           # torn tails or set-aside segments reported at start-up
        self.kinds = {}
        self.spare_rounds = 0   # kills that left recycled segments' spares behind (recycling in play)
        self.startup_kills = 0
        self.starts = 0
        print(f"  {name}: seed {self.seed} (--seed {self.seed} to replay these choices), storage "
              f"{self.storage}", flush=True)

    def cleanup(self):
        if self.ctx.keep:
            print(f"  kept {self.workdir}", flush=True)
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def daemon(self, label, *extra):
        # Each start picks its number of io threads, so write-ahead log streams of earlier runs may have
        # no writer now (trimmed only after their replay is stored, closed off by markers).
        threads = self.rng.choice([1, 2, 3])
        d = Daemon(self.ctx, *self.flags, "--io-threads", threads, *extra, storage=self.storage,
                   workdir=self.workdir)
        d.io_threads = threads
        d.stderr_path = os.path.join(self.workdir, f"stderr-{label}.log")
        return d

    def note_start(self, d, label):
        """Counts what a start-up reported replaying (a start killed mid-replay reports it, and the next
        start replays the same logs again) and the torn tails it cut; returns (replayed, records read)."""
        text = d.stderr()
        replayed, records = replayed_at_start(text)
        self.replayed += replayed
        self.replay_starts += 1 if replayed else 0
        self.torn += len(TORN_LINE.findall(text))
        self.starts += 1
        return replayed, records

    def check_metric(self, d, replayed, label):
        m = d.metrics()
        got = m.require("logdaemon_wal_replayed_logs_total")
        check_eq(got, replayed, f"{label}: logdaemon_wal_replayed_logs_total against the start-up's stderr line")

    def kill_during_startup(self, round_no):
        """Starts the daemon and SIGKILLs it a moment later, usually while it recovers (no clients)."""
        label = f"r{round_no:02d}-startup"
        d = self.daemon(label)
        delay = self.rng.uniform(0.0, 1.2 * self.start_seconds)
        try:
            with open(d.stderr_path, "ab") as err:
                d.proc = subprocess.Popen(d.command(free_loopback_port()), stdin=subprocess.DEVNULL, stdout=err,
                                          stderr=err, preexec_fn=d._preexec)
            time.sleep(delay)
            rc = d.proc.poll()
            check(rc is None, f"{label}: the daemon exited {rc} during start-up:\n{d.stderr_tail()}")
            d.kill()
            d.check_no_sanitizer_report()
            replayed, _ = self.note_start(d, label)
        finally:
            d.cleanup()
        self.startup_kills += 1
        return f"killed {delay * 1000:.0f} ms after spawn (replay reported: {replayed})"

    def wait_for(self, kind, d, deadline):
        """Returns once the moment of `kind` has come (or the deadline has passed): what happened."""
        tmp = os.path.join(self.storage, ".tmp")
        wal = os.path.join(self.storage, "wal")
        previous = None
        while time.monotonic() < deadline:
            if kind in ("flush", "merge"):
                try:
                    names = os.listdir(tmp)
                except FileNotFoundError:
                    names = []
                merges = [n for n in names if n.startswith("merge-")]
                if kind == "merge" and merges:
                    return "a merge in .tmp/"
                if kind == "flush" and len(names) > len(merges):
                    return "a flush file in .tmp/"
            elif kind == "trim":
                try:
                    names = {n for n in os.listdir(wal) if n.endswith(".wal")}
                except FileNotFoundError:
                    names = set()
                if previous is not None and previous - names:
                    return f"{len(previous - names)} segment(s) just trimmed"
                previous = names
            if not d.alive():
                raise CheckFailed(f"the daemon died under load (exit {d.proc.poll()}):\n{d.stderr_tail()}")
            time.sleep(0.0005)
        return "not seen in time"

    def load_round(self, round_no):
        """Starts the daemon, loads it with CLIENTS clients, SIGKILLs it at the round's moment."""
        kind = self.rng.choices(list(self.kinds_weights), weights=list(self.kinds_weights.values()))[0]
        delay = self.rng.uniform(0.05, 1.0)
        label = f"r{round_no:02d}-{kind}"
        d = self.daemon(label)
        clients = []
        try:
            spawned = time.monotonic()
            d.start()
            self.start_seconds = time.monotonic() - spawned
            replayed, records = self.note_start(d, label)
            if self.durable:
                self.check_metric(d, replayed, label)
            clients = [CrashClient(d, round_no, k) for k in range(CLIENTS)]
            t0 = time.monotonic()
            for c in clients:
                c.start()
            if kind == "time":
                while time.monotonic() - t0 < delay:
                    check(d.alive(), f"the daemon died under load (exit {d.proc.poll()}):\n{d.stderr_tail()}")
                    time.sleep(0.005)
                seen = f"{delay:.2f} s"
            else:
                # Some load first, then the first such moment (at most 2 s in).
                time.sleep(delay / 2)
                seen = self.wait_for(kind, d, t0 + 2.0)
            elapsed = time.monotonic() - t0
            check(d.alive(), f"the daemon died under load (exit {d.proc.poll()}):\n{d.stderr_tail()}")
            d.proc.send_signal(signal.SIGKILL)
            d.proc.wait(timeout=30)
        finally:
            for c in clients:
                c.join()
            d.cleanup()
        for c in clients:
            check(c.failure is None, c.failure)
        d.check_no_sanitizer_report()
        for c in clients:
            self.ledger.add(c)
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        wal = os.path.join(self.storage, "wal")
        if os.path.isdir(wal) and any(name.endswith(".spare") for name in os.listdir(wal)):
            self.spare_rounds += 1
        sent = sum(len(c.status) for c in clients)
        ok = sum(c.count(OK) for c in clients)
        err = sum(c.count(REFUSED) for c in clients)
        check(sent > 0, f"round {round_no}: nothing was sent")
        return (f"[{kind}, {d.io_threads} io threads] killed at {elapsed:.2f} s ({seen}): sent {sent}, OK {ok}, "
                f"ERROR {err}, unanswered {sent - ok - err}; start-up replayed {replayed} of {records}")

    def run(self, rounds, startup_every=0):
        self.rounds = rounds
        for r in range(1, rounds + 1):
            if startup_every and r % startup_every == 0:
                print(f"  round {r:2d} start-up: {self.kill_during_startup(r)}", flush=True)
            print(f"  round {r:2d} {self.load_round(r)}", flush=True)

    def final_start(self):
        """A last start (replaying what the last kill left), a clean SIGTERM; returns what it replayed."""
        d = self.daemon("final")
        try:
            d.start()
            replayed, records = self.note_start(d, "final")
            if self.durable:
                self.check_metric(d, replayed, "the final start")
            # One more log, acknowledged by a daemon that is then stopped gracefully.
            check(d.alive(), f"the final start died (exit {d.proc.poll()}):\n{d.stderr_tail()}")
            client = FinalClient(self.rounds + 1)
            with d.connect() as c:
                try:
                    reply = c.request(crash_frame(client.round_no, 0, 0)[4:])
                except socket.timeout:
                    raise CheckFailed(f"the final start did not answer a log within {self.ctx.timeout:.0f} s")
                check_eq(reply, "OK", "the final start's reply to a log")
            client.status.append(OK)
            self.ledger.add(client)
            d.stop()
        except BaseException:
            print(f"  the daemon's stderr (last lines):\n{d.stderr_tail()}", file=sys.stderr)
            raise
        finally:
            d.cleanup()
        check_eq(tmp_files(self.storage), [], "files left in .tmp/ after a graceful stop")
        check_eq(superseded_files(self.storage), [], "superseded files still visible after a graceful stop")
        return replayed, records


def wal_records_left(storage):
    """Segments in wal/ that still hold a record (a clean stop stores everything: none may)."""
    wal = os.path.join(storage, "wal")
    left = []
    for name in sorted(os.listdir(wal)) if os.path.isdir(wal) else []:
        if not name.endswith(".wal"):
            continue
        with open(os.path.join(wal, name), "rb") as f:
            data = f.read()
        if len(data) < 12:
            continue
        header = struct.unpack_from("<I", data, 8)[0]
        if len(data) >= header + 16 and data[header:header + 16] != bytes(16):
            left.append(name)
    return left


def describe(result):
    return (f"acked {result['acked']}, stored {result['distinct_stored']} distinct in {result['rows']} rows, "
            f"lost {result['lost']}, duplicated {result['duplicated']}, unacked-but-stored "
            f"{result['unanswered_stored']} of {result['unanswered']} unanswered, refused {result['refused']} "
            f"(stored: {result['refused_stored']})")


@suite.check
def durable_acks_survive_kill_9(ctx):
    """--ack durable: 50 SIGKILLs under load (10 under the sanitizers) at random moments, some of them
    mid-flush, mid-merge and just after a WAL trim, plus one during start-up every 5 rounds; after a last
    clean start and SIGTERM, every log answered OK is stored exactly once, no log is stored twice, no log
    answered ERROR is stored, nothing stored was not sent; each start-up's replay agrees with
    logdaemon_wal_replayed_logs_total"""
    rounds = Rounds(ctx, "durable", FLAGS + ["--ack", "durable"], durable=True)
    ok = False
    try:
        rounds.run(ctx.scaled(50, 10), startup_every=5)
        final_replayed, _ = rounds.final_start()
        left = wal_records_left(rounds.storage)
        check_eq(left, [], "write-ahead log segments still holding records after a graceful stop")
        result = compare_with_storage(ctx, rounds.storage, rounds.ledger, rounds.workdir)
        print(f"  durable: {describe(result)}", flush=True)
        check_eq(result["foreign_rows"], 0, "stored rows that are not this test's logs")
        check(result["lost"] == 0,
              f"{result['lost']} acknowledged logs are not stored (by round: {result['lost_by_round']}), "
              f"e.g. {result['lost_examples']}")
        check(result["duplicated"] == 0,
              f"{result['duplicated']} logs are stored more than once ({result['extra_copies']} extra rows; "
              f"{result['acked_duplicated']} of them acknowledged; by round: {result['duplicated_by_round']}), "
              f"e.g. {result['duplicated_examples']}, the first in {result.get('duplicated_files')}")
        check_eq(result["refused_stored"], 0, "logs answered ERROR that are stored")
        check(result["never_sent"] == 0,
              f"{result['never_sent']} stored ids were never sent, e.g. {result['never_sent_examples']}")
        check(result["acked"] > 0, "no log was acknowledged")
        ok = True
    finally:
        if not ok and not ctx.keep:
            print(f"  (run with --keep --seed {rounds.seed} to keep the storage directory)", flush=True)
        rounds.cleanup()
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(rounds.kinds.items()))
    return (f"seed {rounds.seed}: {sum(rounds.kinds.values())} kills under load ({kinds}) and "
            f"{rounds.startup_kills} during start-up; {describe(result)}; replayed at start-up: "
            f"{rounds.replayed} logs over {rounds.replay_starts} of {rounds.starts} starts (final start: "
            f"{final_replayed}); torn tails cut: {rounds.torn}; kills with spare segments in wal/: "
            f"{rounds.spare_rounds}")


@suite.check
def memory_acks_may_lose_but_never_duplicate(ctx):
    """--ack memory: 12 SIGKILLs under load (5 under the sanitizers); acknowledged logs may be lost (the
    count is reported), but no log is stored twice, no log answered ERROR is stored, nothing stored was
    not sent"""
    rounds = Rounds(ctx, "memory", FLAGS + ["--ack", "memory"], durable=False)
    ok = False
    try:
        rounds.run(ctx.scaled(12, 5))
        rounds.final_start()
        result = compare_with_storage(ctx, rounds.storage, rounds.ledger, rounds.workdir)
        print(f"  memory: {describe(result)}", flush=True)
        check_eq(result["foreign_rows"], 0, "stored rows that are not this test's logs")
        check(result["duplicated"] == 0,
              f"{result['duplicated']} logs are stored more than once (by round: "
              f"{result['duplicated_by_round']}), e.g. {result['duplicated_examples']}, the first in "
              f"{result.get('duplicated_files')}")
        check_eq(result["refused_stored"], 0, "logs answered ERROR that are stored")
        check(result["never_sent"] == 0,
              f"{result['never_sent']} stored ids were never sent, e.g. {result['never_sent_examples']}")
        check_eq(rounds.replayed, 0, "logs replayed from a write-ahead log in memory mode")
        check(result["acked"] > 0, "no log was acknowledged")
        ok = True
    finally:
        if not ok and not ctx.keep:
            print(f"  (run with --keep --seed {rounds.seed} to keep the storage directory)", flush=True)
        rounds.cleanup()
    pct = 100.0 * result["lost"] / result["acked"] if result["acked"] else 0.0
    return (f"seed {rounds.seed}: {sum(rounds.kinds.values())} kills; {describe(result)}: {result['lost']} "
            f"acknowledged logs lost ({pct:.1f} %, allowed in memory mode), none duplicated")


suite.run()
