#!/usr/bin/env python3
"""Runs the examples the way docs/ingest.md shows them, so that they keep working (ctest: examples.*).

client, client.py and load_test talk to a fake daemon started here: a Unix socket in a temporary
directory that answers every frame like DESIGN.md section 2 ("OK", or "ERROR: schema: ..." for a level
the default schema does not know) and records what it read. embed is the real server: it is started on
its own socket and storage directory, fed by the client example, stopped with SIGTERM, and must leave
Parquet files behind. default_schema.json must be accepted by `logdaemon validate-schema`.

usage: examples_test.py CHECK --bin DIR --src DIR [--logdaemon PATH]
  CHECK: client | client_py | load_test | embed | default_schema | all
Exit status 0 when the check passed, 1 otherwise (the reason on stderr).
"""
import argparse
import datetime
import json
import os
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

TIMEOUT = 120  # seconds; a guard against hangs, never a performance assertion


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


class FakeDaemon:
    """Serves each connection on its own thread until close()."""

    def __init__(self, directory):
        self.path = os.path.join(directory, "fake.sock")
        self.logs = []
        self.connections = 0
        self._lock = threading.Lock()
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(self.path)
        self._listener.listen(64)
        self._listener.settimeout(0.05)
        self._stop = False
        self._threads = []
        self._acceptor = threading.Thread(target=self._accept)
        self._acceptor.start()

    def close(self):
        self._stop = True
        self._acceptor.join()
        for t in self._threads:
            t.join()
        self._listener.close()
        os.unlink(self.path)

    def _accept(self):
        while not self._stop:
            try:
                conn, _ = self._listener.accept()
            except socket.timeout:
                continue
            with self._lock:
                self.connections += 1
            t = threading.Thread(target=self._serve, args=(conn,))
            t.start()
            self._threads.append(t)

    @staticmethod
    def answer(log):
        if not log:
            return b"ERROR: empty frame\n"
        try:
            doc = json.loads(log)
        except ValueError:
            return b"ERROR: invalid JSON: at byte 0\n"
        level = doc.get("level") if isinstance(doc, dict) else None
        if level not in ("trace", "debug", "info", "warn", "error", "fatal"):
            return ('ERROR: schema: /level: enum: "%s" is not one of trace, debug, info, warn, error, fatal\n'
                    % level).encode()
        return b"OK\n"

    def _serve(self, conn):
        conn.settimeout(0.05)
        buffer = b""
        with conn:
            while not self._stop:
                try:
                    data = conn.recv(65536)
                except socket.timeout:
                    continue
                except OSError:
                    return
                if not data:
                    return
                buffer += data
                replies = []
                while len(buffer) >= 4:
                    (length,) = struct.unpack(">I", buffer[:4])
                    if len(buffer) < 4 + length:
                        break
                    log = buffer[4:4 + length]
                    buffer = buffer[4 + length:]
                    with self._lock:
                        self.logs.append(log)
                    replies.append(self.answer(log))
                if replies:
                    conn.settimeout(None)
                    conn.sendall(b"".join(replies))
                    conn.settimeout(0.05)


def run(argv, **kwargs):
    return subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT, **kwargs)


def check_client(args, work):
    daemon = FakeDaemon(work)
    try:
        r = run([os.path.join(args.bin, "client"), daemon.path])
    finally:
        daemon.close()
    check(r.returncode == 0, "client exited %d: %s" % (r.returncode, r.stderr))
    check(r.stdout.count("reply: OK\n") == 3, "client: not 3 OK replies:\n" + r.stdout)
    check('reply: ERROR: schema: /level: enum: "verbose"' in r.stdout, "client: no ERROR reply:\n" + r.stdout)
    check(len(daemon.logs) == 4, "the fake daemon read %d logs, not 4" % len(daemon.logs))
    for log in daemon.logs:
        json.loads(log)

    # No daemon: a clear error, exit 1.
    r = run([os.path.join(args.bin, "client"), os.path.join(work, "nobody.sock")])
    check(r.returncode == 1, "client without a daemon exited %d" % r.returncode)
    check("no such socket" in r.stderr, "client without a daemon: " + r.stderr)


def check_client_py(args, work):
    daemon = FakeDaemon(work)
    try:
        r = run([sys.executable, os.path.join(args.src, "client.py"), daemon.path])
    finally:
        daemon.close()
    check(r.returncode == 0, "client.py exited %d: %s" % (r.returncode, r.stderr))
    check(r.stdout == "OK\n\n", "client.py printed %r" % r.stdout)
    check(len(daemon.logs) == 1, "the fake daemon read %d logs, not 1" % len(daemon.logs))
    check(json.loads(daemon.logs[0])["message"] == "Hello from Python", "client.py sent %r" % daemon.logs[0])


def check_load_test(args, work):
    load_test = os.path.join(args.bin, "load_test")
    daemon = FakeDaemon(work)
    try:
        r = run([load_test, daemon.path, "5000", "--connections", "3", "--window", "16", "--json"])
    finally:
        daemon.close()
    check(r.returncode == 0, "load_test exited %d: %s" % (r.returncode, r.stderr))
    report = json.loads(r.stdout)
    for key in ("logs_per_s", "mb_per_s", "latency_p50_ms", "latency_p99_ms", "elapsed_s", "errors_by_reason"):
        check(key in report, "load_test --json lacks %s: %s" % (key, r.stdout))
    check(report["logs"] == 5000 and report["replies"] == 5000, "load_test: " + r.stdout)
    check(report["ok"] == 5000 and report["errors"] == 0, "load_test: generated logs rejected: " + r.stdout)
    check(report["connections"] == 3 and report["failed_connections"] == 0, "load_test: " + r.stdout)
    check(report["latency_p50_ms"] <= report["latency_p99_ms"], "load_test: p50 > p99: " + r.stdout)
    check(len(daemon.logs) == 5000, "the fake daemon read %d logs, not 5000" % len(daemon.logs))
    check(daemon.connections == 3, "the fake daemon saw %d connections, not 3" % daemon.connections)
    levels = set()
    for log in daemon.logs:
        doc = json.loads(log)
        check({"timestamp", "level", "message", "service", "metadata"} <= doc.keys(), "generated log: %r" % log)
        check(100 <= len(log) <= 400, "generated log of %d bytes: %r" % (len(log), log))
        levels.add(doc["level"])
    check(len(levels) >= 4, "generated logs use only the levels %s" % sorted(levels))

    # --live-time: every log carries the time it was sent (within the run), not the pool's, which repeats
    # with every cycle through it: 70 000 logs go through the 65 536-log pool more than once. Frames cut
    # between two writes keep one time (any other bytes would not be valid JSON or a valid time).
    daemon = FakeDaemon(work)
    try:
        before = datetime.datetime.now(datetime.timezone.utc)
        r = run([load_test, daemon.path, "70000", "--connections", "2", "--window", "64", "--live-time", "--json"])
        after = datetime.datetime.now(datetime.timezone.utc)
    finally:
        daemon.close()
    check(r.returncode == 0, "load_test --live-time exited %d: %s" % (r.returncode, r.stderr))
    check(json.loads(r.stdout)["ok"] == 70000, "load_test --live-time: " + r.stdout)
    stamps = set()
    for log in daemon.logs:
        stamp = json.loads(log)["timestamp"]
        check(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", stamp), "--live-time stamped %r" % stamp)
        when = datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
        check(before <= when <= after, "--live-time: %s is not within the run (%s .. %s)" % (stamp, before, after))
        stamps.add(stamp)
    check(len(stamps) > 10, "--live-time: only %d distinct times over 70 000 logs" % len(stamps))

    # A corpus, cycled; its rejections counted by reason; the text report.
    corpus = os.path.join(work, "corpus.ndjson")
    with open(corpus, "w") as f:
        f.write('{"level":"info","message":"a"}\r\n\n{"level":"verbose","message":"b"}\n{"level":"warn"}')
    daemon = FakeDaemon(work)
    try:
        r = run([load_test, daemon.path, "7", "--corpus", corpus])
    finally:
        daemon.close()
    check(r.returncode == 0, "load_test --corpus exited %d: %s" % (r.returncode, r.stderr))
    want = [b'{"level":"info","message":"a"}', b'{"level":"verbose","message":"b"}', b'{"level":"warn"}']
    check(daemon.logs == (want * 3)[:7], "load_test --corpus sent %r" % daemon.logs)
    # Logs without a timestamp of that form go as they are under --live-time too.
    daemon = FakeDaemon(work)
    try:
        r2 = run([load_test, daemon.path, "7", "--corpus", corpus, "--live-time"])
    finally:
        daemon.close()
    check(r2.returncode == 0 and daemon.logs == (want * 3)[:7], "load_test --corpus --live-time sent %r" % daemon.logs)
    for line in ("throughput:", "latency:     p50", "ok:          5", "errors:      2", "2  schema: /level: enum"):
        check(line in r.stdout, "load_test's report lacks %r:\n%s" % (line, r.stdout))

    # No daemon: exit 1. Usage errors: exit 2.
    r = run([load_test, os.path.join(work, "nobody.sock"), "10"])
    check(r.returncode == 1, "load_test without a daemon exited %d" % r.returncode)
    check("cannot connect" in r.stderr, "load_test without a daemon: " + r.stderr)
    for bad in (["x.sock"], ["x.sock", "0"], ["x.sock", "-5"], ["x.sock", "10", "--window", "0"],
                ["x.sock", "10", "--bogus"], ["x.sock", "10", "--corpus", os.path.join(work, "missing")]):
        r = run([load_test] + bad)
        check(r.returncode == 2, "load_test %s exited %d, not 2" % (bad, r.returncode))


def wait_for_socket(path, process):
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise Failure("embed exited %d before listening" % process.returncode)
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.connect(path)
                return
        except OSError:
            time.sleep(0.05)
    raise Failure("embed never listened on " + path)


def check_embed(args, work):
    sock = os.path.join(work, "embed.sock")
    storage = os.path.join(work, "logs")
    embed = subprocess.Popen([os.path.join(args.bin, "embed"), sock, storage], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        wait_for_socket(sock, embed)
        r = run([os.path.join(args.bin, "client"), sock])
        check(r.returncode == 0, "client against embed exited %d: %s" % (r.returncode, r.stderr))
        check(r.stdout.count("reply: OK\n") == 3, "client against embed:\n" + r.stdout)
        embed.send_signal(signal.SIGTERM)
        out, err = embed.communicate(timeout=TIMEOUT)
    finally:
        if embed.poll() is None:
            embed.kill()
            embed.wait()
    check(embed.returncode == 0, "embed exited %d after SIGTERM: %s" % (embed.returncode, err))
    check("3 logs accepted, 1 rejected" in out, "embed's last words: " + out)
    check(not os.path.exists(sock), "embed left its socket file behind")
    files = [f for _, _, names in os.walk(storage) for f in names if f.endswith(".parquet")]
    check(files, "embed stored no Parquet file in " + storage)


def check_default_schema(args, work):
    check(args.logdaemon, "--logdaemon is needed for this check")
    r = run([args.logdaemon, "validate-schema", os.path.join(args.src, "default_schema.json")])
    check(r.returncode == 0, "validate-schema default_schema.json exited %d: %s" % (r.returncode, r.stderr))
    check(r.stdout.startswith("ok"), "validate-schema: " + r.stdout)
    builtin = run([args.logdaemon, "validate-schema"])
    # The same columns as the built-in schema.
    check(r.stdout.split("columns:")[1] == builtin.stdout.split("columns:")[1],
          "default_schema.json maps to other columns than the built-in schema:\n" + r.stdout)


CHECKS = {
    "client": check_client,
    "client_py": check_client_py,
    "load_test": check_load_test,
    "embed": check_embed,
    "default_schema": check_default_schema,
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("check", choices=sorted(CHECKS) + ["all"])
    parser.add_argument("--bin", required=True, help="the directory of the built examples")
    parser.add_argument("--src", required=True, help="the examples' source directory")
    parser.add_argument("--logdaemon", help="the logdaemon binary")
    args = parser.parse_args()
    names = sorted(CHECKS) if args.check == "all" else [args.check]
    for name in names:
        work = tempfile.mkdtemp(prefix="logdaemon-examples-")
        try:
            CHECKS[name](args, work)
        except (Failure, subprocess.TimeoutExpired, json.JSONDecodeError) as e:
            print("examples %s: FAILED: %s" % (name, e), file=sys.stderr)
            return 1
        finally:
            shutil.rmtree(work, ignore_errors=True)
        print("examples %s: ok" % name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
