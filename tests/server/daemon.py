"""Shared helpers of the daemon's end-to-end tests (tests/server/*.py, issue #5).

What is here:
- Context: the command line every test script takes (the logdaemon binary, the source tree, tests/interop,
  the I/O backend, --sanitized) and the scale of counts and timeouts derived from it.
- Daemon: starts `logdaemon serve` on its own temporary socket, storage directory and loopback metrics
  port, waits until the socket accepts, and stops it with SIGTERM, checking that it exits 0 and that its
  stderr has no sanitizer report. On any failure it is killed (SIGKILL) and its files are removed; it is
  also killed if the test process dies (PR_SET_PDEATHSIG), so a ctest timeout leaves no daemon behind.
- Conn: one client connection speaking the wire protocol (u32 big-endian length + JSON; one reply line per
  frame). Every socket operation has a timeout, so a daemon bug cannot hang a test.
- Metrics: scrapes and parses the Prometheus text of /metrics.
- Storage checks: rows counted by `logdaemon inspect --json` and by DuckDB (tests/server/duckdb_query.mjs
  with the npm packages of tests/interop).
- Suite: runs a script's checks, prints what each one checked, and ends with "N passed, N failed".

Thread-safety: a Daemon must be started and stopped from the main thread (PR_SET_PDEATHSIG fires when the
thread that started the child exits). A Conn belongs to one thread, except that one thread may send while
another reads (Conn.pipeline does so).
"""

import argparse
import ctypes
import json
import os
import re
import resource
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.request

# The time field of the tests' logs: when the test started, in UTC. The daemon refuses logs outside its
# time window (--max-age, by default 30 days back; --max-future, 1 h ahead), and these logs are not about
# dates; the checks whose dates matter pass their own --max-age.
TIMESTAMP = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


# A log of the default schema, with the text that varies between logs in `message`.


def log_json(message, level="info", **extra):
    """One valid log of the default schema, as compact JSON bytes."""
    doc = {"timestamp": TIMESTAMP, "level": level, "message": message}
    doc.update(extra)
    return json.dumps(doc, separators=(",", ":")).encode()


def frame(payload):
    """One frame: the payload's length as a u32 big endian, then the payload."""
    return struct.pack(">I", len(payload)) + payload


def frames(payloads):
    return b"".join(frame(p) for p in payloads)


SANITIZER_REPORTS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "LeakSanitizer", "runtime error:",
                     "ThreadSanitizer", "UndefinedBehaviorSanitizer")


class CheckFailed(AssertionError):
    pass


def check(condition, message):
    if not condition:
        raise CheckFailed(message)


def check_eq(got, want, what):
    if got != want:
        raise CheckFailed(f"{what}: got {got!r}, want {want!r}")


class Context:
    """The command line of every test script, and the scale it implies."""

    def __init__(self, description):
        parser = argparse.ArgumentParser(description=description)
        parser.add_argument("--logdaemon", required=True, help="the logdaemon binary")
        parser.add_argument("--source-dir", required=True, help="the project's source tree")
        parser.add_argument("--interop", required=True, help="tests/interop (its node_modules has DuckDB)")
        parser.add_argument("--backend", required=True, choices=["uring", "epoll", "auto"],
                            help="passed to serve --io-backend")
        parser.add_argument("--sanitized", action="store_true",
                            help="the binary is built with ASan/UBSan: fewer logs, longer timeouts")
        parser.add_argument("--only", action="append", default=[],
                            help="run only the checks whose name contains this text (repeatable)")
        parser.add_argument("--keep", action="store_true", help="keep the temporary directories")
        args = parser.parse_args()
        self.logdaemon = os.path.abspath(args.logdaemon)
        self.source_dir = os.path.abspath(args.source_dir)
        self.interop = os.path.abspath(args.interop)
        self.backend = args.backend
        self.sanitized = args.sanitized
        self.only = args.only
        self.keep = args.keep
        # Sanitized builds run 3-5x slower: fewer logs, longer waits.
        self.timeout = 60.0 if args.sanitized else 20.0

    def scaled(self, count, sanitized_count=None):
        """`count` in Release; `sanitized_count` (default count / 5) under the sanitizers."""
        if not self.sanitized:
            return count
        return sanitized_count if sanitized_count is not None else max(1, count // 5)


# ---- the daemon process ---------------------------------------------------------------------------------

_PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True)


def free_loopback_port():
    """A TCP port on 127.0.0.1 that was free a moment ago (another process may take it: callers retry)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def raise_nofile_limit():
    """Raises this process's RLIMIT_NOFILE soft limit to the hard limit; returns the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = 1 << 20
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


class DaemonStartError(Exception):
    pass


class Daemon:
    """`logdaemon serve` on its own socket, storage directory and metrics port.

        with Daemon(ctx, "--max-connections", "5") as d:
            with d.connect() as c: ...
        # leaving the block stops it with SIGTERM and checks exit 0 and a clean stderr

    `storage` and `socket_path` may name existing paths (a restart on the same directory, a stale socket
    file); by default both live in a fresh temporary directory that is removed at the end.
    """

    def __init__(self, ctx, *flags, storage=None, socket_path=None, nofile=None, workdir=None):
        self.ctx = ctx
        self.flags = [str(f) for f in flags]
        self.nofile = nofile
        self._own_workdir = workdir is None
        self.workdir = workdir or tempfile.mkdtemp(prefix="ld-server-test-")
        self.storage = storage or os.path.join(self.workdir, "logs")
        self.socket_path = socket_path or os.path.join(self.workdir, "daemon.sock")
        self.stderr_path = os.path.join(self.workdir, f"stderr-{id(self)}.log")
        self.metrics_port = None
        self.http_token = None  # sent as `Authorization: Bearer` by the readiness probe and metrics()
        self.proc = None
        self.stopped_rc = None

    # -- lifecycle --

    def command(self, metrics_port):
        return [self.ctx.logdaemon, "serve", "--socket", self.socket_path, "--storage", self.storage,
                "--metrics-addr", f"127.0.0.1:{metrics_port}", "--io-backend", self.ctx.backend] + self.flags

    def _preexec(self):
        # In the child, before exec: die with the test process; a higher descriptor limit if asked.
        _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if self.nofile:
            hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
            want = self.nofile if hard == resource.RLIM_INFINITY else min(self.nofile, hard)
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))

    def start(self):
        # The metrics port is picked free and then bound by the daemon: another process may take it in
        # between, so a start that fails on the metrics address is retried with another port.
        last_error = ""
        for _ in range(5):
            self.metrics_port = free_loopback_port()
            with open(self.stderr_path, "ab") as err:
                self.proc = subprocess.Popen(self.command(self.metrics_port), stdin=subprocess.DEVNULL,
                                             stdout=err, stderr=err, preexec_fn=self._preexec)
            try:
                self._wait_ready()
                return self
            except DaemonStartError as e:
                last_error = str(e)
                text = last_error.lower()
                if ("--http-addr" in text or "metrics" in text) and ("in use" in text or "bind" in text):
                    continue
                raise
        raise DaemonStartError(last_error)

    def _wait_ready(self):
        deadline = time.monotonic() + self.ctx.timeout
        socket_ready = False
        while True:
            rc = self.proc.poll()
            if rc is not None:
                raise DaemonStartError(f"logdaemon serve exited {rc} before accepting connections:\n"
                                       f"{self.stderr_tail()}")
            if not socket_ready:
                try:
                    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                        s.settimeout(self.ctx.timeout)
                        s.connect(self.socket_path)
                    socket_ready = True  # exactly one probe connection per daemon (see wait_idle)
                except (FileNotFoundError, ConnectionRefusedError):
                    pass
            if socket_ready:
                # The metrics endpoint may start a moment after the socket.
                try:
                    http_get(self.metrics_port, "/metrics", self.ctx.timeout, self.http_token)
                    return
                except (urllib.error.URLError, ConnectionError):
                    pass
            if time.monotonic() > deadline:
                self.kill()
                raise DaemonStartError(f"logdaemon serve did not accept connections within "
                                       f"{self.ctx.timeout:.0f} s:\n{self.stderr_tail()}")
            time.sleep(0.02)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig):
        check(self.alive(), f"the daemon is not running (exit {self.proc.poll()}):\n{self.stderr_tail()}")
        self.proc.send_signal(sig)

    def wait_exit(self, timeout=None):
        """Waits for the process to end; returns its exit code (kills it and fails on timeout)."""
        try:
            self.stopped_rc = self.proc.wait(timeout=timeout or 3 * self.ctx.timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise CheckFailed(f"the daemon did not exit within {timeout or 3 * self.ctx.timeout:.0f} s after "
                              f"SIGTERM:\n{self.stderr_tail()}")
        return self.stopped_rc

    def stop(self):
        """SIGTERM; checks exit 0 and a stderr free of sanitizer reports."""
        if self.stopped_rc is None:
            self.signal(signal.SIGTERM)
            self.wait_exit()
        self.check_clean_exit()

    def check_clean_exit(self):
        check(self.stopped_rc == 0, f"the daemon exited {self.stopped_rc} after SIGTERM, not 0:\n"
                                    f"{self.stderr_tail()}")
        self.check_no_sanitizer_report()

    def check_no_sanitizer_report(self):
        text = self.stderr()
        for marker in SANITIZER_REPORTS:
            check(marker not in text, f"the daemon's stderr has '{marker}':\n{self.stderr_tail(60)}")

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass

    def cleanup(self):
        self.kill()
        if self._own_workdir and not self.ctx.keep:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.cleanup()
            raise

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                self.stop()
            elif self.proc is not None:
                print(f"  the daemon's stderr (last lines):\n{self.stderr_tail()}", file=sys.stderr)
        finally:
            self.cleanup()
        return False

    # -- what it says --

    def stderr(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def stderr_tail(self, lines=30):
        return "\n".join("    | " + line for line in self.stderr().splitlines()[-lines:])

    def rss_bytes(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        raise CheckFailed("no VmRSS in /proc/PID/status")

    # -- clients --

    def connect(self, timeout=None):
        return Conn(self.socket_path, timeout or self.ctx.timeout)

    def check_serves(self, what="a normal client"):
        """A fresh connection's valid log is answered OK (and the process is alive)."""
        check(self.alive(), f"the daemon died (exit {self.proc.poll()}):\n{self.stderr_tail()}")
        with self.connect() as c:
            reply = c.request(log_json("health check"))
        check_eq(reply, "OK", f"{what}: reply to a valid log")

    # -- metrics --

    def metrics(self, path="/metrics"):
        return Metrics(http_get(self.metrics_port, path, self.ctx.timeout, self.http_token))

    def wait_idle(self):
        """Waits until the readiness probe's connection has been accepted and closed by the daemon, so
        that a test counting connections starts from zero (the probe may still sit in the backlog when
        start() returns)."""
        deadline = time.monotonic() + self.ctx.timeout
        while True:
            m = self.metrics()
            accepted = m.value("logdaemon_connections_accepted_total")
            active = m.value("log_daemon_active_connections")
            if accepted is not None and accepted >= 1 and active == 0:
                return
            if time.monotonic() > deadline:
                raise CheckFailed(f"the readiness probe's connection: accepted {accepted}, active {active}")
            time.sleep(0.02)

    def settled_metrics(self, open_connections=0):
        """A /metrics snapshot once the daemon has published everything its io threads counted. Each thread
        publishes its counters at the end of a loop turn, so a reply can reach the client a moment before
        its count reaches /metrics; once the closes of every finished connection are published (the
        active gauge is down to `open_connections`), so is everything they counted before."""
        self.wait_metric("log_daemon_active_connections", open_connections,
                         what="the finished connections' closes published")
        return self.metrics()

    def wait_metric(self, name, want, labels=None, timeout=None, what=None):
        """Polls /metrics until `name` (summed over series matching `labels`) equals want."""
        deadline = time.monotonic() + (timeout or self.ctx.timeout)
        got = None
        while True:
            got = self.metrics().value(name, labels)
            if got == want:
                return
            if time.monotonic() > deadline:
                raise CheckFailed(f"{what or name}: {name} stayed {got}, want {want}")
            time.sleep(0.02)


# ---- one client connection --------------------------------------------------------------------------------


class Conn:
    """A client connection: frames out, reply lines in. Every operation times out."""

    def __init__(self, path, timeout):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.timeout = timeout
        try:
            self.sock.connect(path)
        except BaseException:
            self.sock.close()
            raise
        self.buffer = b""
        self.eof = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def close(self):
        self.sock.close()

    def send(self, data):
        self.sock.sendall(data)

    def send_frames(self, payloads):
        self.sock.sendall(frames(payloads))

    def _fill(self):
        chunk = self.sock.recv(1 << 16)
        if not chunk:
            self.eof = True
        self.buffer += chunk
        return bool(chunk)

    def read_line(self):
        """The next reply without its newline; CheckFailed if the daemon closes first."""
        while True:
            end = self.buffer.find(b"\n")
            if end >= 0:
                line, self.buffer = self.buffer[:end], self.buffer[end + 1:]
                return line.decode("utf-8", "replace")
            if self.eof or not self._fill():
                raise CheckFailed(f"the daemon closed the connection before a reply "
                                  f"(unterminated bytes: {self.buffer[:200]!r})")

    def read_lines(self, count):
        """`count` replies. Splits whole buffers at once, so 100 000 replies read fast."""
        lines = []
        while len(lines) < count:
            if b"\n" not in self.buffer:
                if self.eof or not self._fill():
                    raise CheckFailed(f"the daemon closed the connection after {len(lines)} of {count} "
                                      f"replies")
                continue
            parts = self.buffer.split(b"\n")
            self.buffer = parts.pop()
            take = parts[:count - len(lines)]
            if len(take) < len(parts):
                self.buffer = b"\n".join(parts[len(take):]) + b"\n" + self.buffer
            lines.extend(p.decode("utf-8", "replace") for p in take)
        return lines

    def request(self, payload):
        self.send(frame(payload))
        return self.read_line()

    def pipeline(self, data, replies):
        """Sends `data` (many frames) while another thread reads `replies` reply lines; returns them."""
        result = []
        failure = []

        def reader():
            try:
                result.extend(self.read_lines(replies))
            except BaseException as e:  # reported by the caller
                failure.append(e)

        thread = threading.Thread(target=reader)
        thread.start()
        try:
            self.sock.sendall(data)
        finally:
            thread.join()
        if failure:
            raise failure[0]
        return result

    def read_until_closed(self):
        """Reads until the daemon closes the connection; returns the reply lines that came before.
        CheckFailed if it stays open for the connection's timeout."""
        try:
            while not self.eof:
                self._fill()
        except ConnectionResetError:
            pass
        except socket.timeout:
            raise CheckFailed(f"the daemon did not close the connection within {self.timeout:.0f} s")
        lines = self.buffer.split(b"\n")
        rest = lines.pop()
        check(rest == b"", f"unterminated reply before the close: {rest[:200]!r}")
        return [line.decode("utf-8", "replace") for line in lines]

    def is_closed_by_peer(self, wait):
        """True if the daemon closes the connection within `wait` seconds (bytes before it are kept)."""
        self.sock.settimeout(wait)
        try:
            while not self.eof:
                self._fill()
            return True
        except ConnectionResetError:
            return True
        except socket.timeout:
            return False
        finally:
            self.sock.settimeout(self.timeout)


# ---- metrics ----------------------------------------------------------------------------------------------

_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?[ \t]+(\S+)(?:[ \t]+-?\d+)?$')
_LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(?:,|$)')


def http_get(port, path, timeout, token=None):
    """GET http://127.0.0.1:port/path (no proxy; with `Authorization: Bearer token` when given); returns the
    body; raises urllib.error.HTTPError."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    with opener.open(request, timeout=timeout) as response:
        return response.read().decode("utf-8")


def parse_labels(text):
    labels = {}
    pos = 0
    while pos < len(text):
        m = _LABEL.match(text, pos)
        check(m is not None and m.end() > pos, f"bad label set {{{text}}}")
        labels[m.group(1)] = re.sub(r"\\(.)", lambda e: "\n" if e.group(1) == "n" else e.group(1), m.group(2))
        pos = m.end()
    return labels


class Metrics:
    """The Prometheus text exposition: # TYPE per family, and every sample as (name, labels, value)."""

    def __init__(self, text):
        self.text = text
        self.types = {}
        self.samples = []
        for line in text.splitlines():
            if not line.strip():
                continue
            if line.startswith("#"):
                parts = line.split(None, 3)
                if len(parts) >= 4 and parts[1] == "TYPE":
                    check(parts[2] not in self.types, f"# TYPE {parts[2]} given twice")
                    self.types[parts[2]] = parts[3].strip()
                continue
            m = _SAMPLE.match(line)
            check(m is not None, f"a /metrics line is not 'name{{labels}} value': {line!r}")
            value = float(m.group(3))
            self.samples.append((m.group(1), parse_labels(m.group(2) or ""), value))

    def series(self, name, labels=None):
        return [(l, v) for n, l, v in self.samples
                if n == name and all(l.get(k) == want for k, want in (labels or {}).items())]

    def value(self, name, labels=None):
        """The sum over the series of `name` matching `labels`; None if there is none."""
        found = self.series(name, labels)
        return sum(v for _, v in found) if found else None

    def require(self, name, labels=None):
        v = self.value(name, labels)
        check(v is not None, f"/metrics has no {name}{labels or ''}")
        return v


# ---- storage ---------------------------------------------------------------------------------------


def parquet_files(storage):
    """The visible Parquet files of a storage directory (not .tmp/), sorted."""
    out = []
    for root, dirs, files in os.walk(storage):
        dirs[:] = [d for d in dirs if d != ".tmp"]
        out.extend(os.path.join(root, f) for f in files if f.endswith(".parquet"))
    return sorted(out)


def tmp_files(storage):
    tmp = os.path.join(storage, ".tmp")
    return sorted(os.listdir(tmp)) if os.path.isdir(tmp) else []


def rows_by_inspect(ctx, storage):
    """Rows in the storage directory as our own reader counts them (`logdaemon inspect --json`)."""
    files = parquet_files(storage)
    if not files:
        return 0
    run = subprocess.run([ctx.logdaemon, "inspect", "--json"] + files, capture_output=True,
                         timeout=5 * ctx.timeout)
    check(run.returncode == 0, f"logdaemon inspect exited {run.returncode}: {run.stderr.decode()[-2000:]}")
    total = 0
    for line in run.stdout.decode().splitlines():
        if line.strip():
            total += int(json.loads(line)["num_rows"])
    return total


class DuckDB:
    """SQL on the storage directory through DuckDB (npm @duckdb/node-api from tests/interop)."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "duckdb_query.mjs")
        check(os.path.isdir(os.path.join(ctx.interop, "node_modules", "@duckdb", "node-api")),
              f"{ctx.interop}/node_modules is missing: run scripts/install-deps.sh")

    def query(self, sql):
        """Rows as a list of dicts (integers may come as strings: BIGINT is printed as text)."""
        run = subprocess.run(["node", self.script, self.ctx.interop, sql], capture_output=True,
                             timeout=10 * self.ctx.timeout)
        check(run.returncode == 0, f"DuckDB failed on {sql!r}: {run.stderr.decode()[-2000:]}")
        return json.loads(run.stdout)

    def query_lines(self, sql):
        """The first column of every row, one text line each (for large results such as ids)."""
        run = subprocess.run(["node", self.script, self.ctx.interop, sql, "--lines"], capture_output=True,
                             timeout=10 * self.ctx.timeout)
        check(run.returncode == 0, f"DuckDB failed on {sql!r}: {run.stderr.decode()[-2000:]}")
        return run.stdout.decode().splitlines()

    @staticmethod
    def glob(storage):
        path = os.path.join(storage, "**", "*.parquet").replace("'", "''")
        return f"read_parquet('{path}', hive_partitioning = true)"

    def count(self, storage):
        if not parquet_files(storage):
            return 0
        return int(self.query(f"SELECT count(*) AS n FROM {self.glob(storage)}")[0]["n"])


def check_stored_rows(ctx, storage, want, what):
    """After a graceful stop: nothing left in .tmp/, and both readers count `want` rows."""
    check_eq(tmp_files(storage), [], f"{what}: files left in .tmp/ after a graceful shutdown")
    by_inspect = rows_by_inspect(ctx, storage)
    check_eq(by_inspect, want, f"{what}: rows counted by logdaemon inspect")
    by_duckdb = DuckDB(ctx).count(storage)
    check_eq(by_duckdb, want, f"{what}: rows counted by DuckDB read_parquet('**/*.parquet')")
    return by_duckdb


# ---- the test runner --------------------------------------------------------------------------------


class Suite:
    """A script's checks, run in order; each prints PASS/FAIL and what it checked."""

    def __init__(self, ctx, name):
        self.ctx = ctx
        self.name = name
        self.checks = []

    def check(self, fn):
        self.checks.append(fn)
        return fn

    def run(self):
        if self.ctx.backend == "uring" and uring_disabled():
            print(f"{self.name}: io_uring is disabled on this kernel (kernel.io_uring_disabled=2): skipped")
            sys.exit(77)
        passed = failed = 0
        started = time.monotonic()
        print(f"{self.name}: backend={self.ctx.backend}{' (sanitized)' if self.ctx.sanitized else ''}, "
              f"binary {self.ctx.logdaemon}", flush=True)
        for fn in self.checks:
            name = fn.__name__
            if self.ctx.only and not any(o in name for o in self.ctx.only):
                continue
            t0 = time.monotonic()
            try:
                what = fn(self.ctx)
                passed += 1
                print(f"PASS {name} ({time.monotonic() - t0:.1f} s): {what or (fn.__doc__ or '').strip()}",
                      flush=True)
            except CheckFailed as e:
                failed += 1
                print(f"FAIL {name} ({time.monotonic() - t0:.1f} s): {e}", flush=True)
            except Exception:
                failed += 1
                print(f"FAIL {name} ({time.monotonic() - t0:.1f} s): unexpected exception\n"
                      f"{traceback.format_exc()}", flush=True)
        print(f"{self.name} ({self.ctx.backend}): {time.monotonic() - started:.1f} s")
        print(f"{passed} passed, {failed} failed", flush=True)
        sys.exit(1 if failed else 0)


def uring_disabled():
    try:
        with open("/proc/sys/kernel/io_uring_disabled") as f:
            return f.read().strip() == "2"
    except OSError:
        return False


def poll_until(predicate, timeout, what, interval=0.02):
    """Polls predicate() every `interval` seconds until it returns a true value (returned) or `timeout`
    seconds pass (CheckFailed)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise CheckFailed(f"{what}: not within {timeout:.0f} s")
        time.sleep(interval)
