#!/usr/bin/env python3
"""logdaemon under systemd (issue #16), without systemd itself: socket activation through
`systemd-socket-activate` (the systemd package's tool that binds sockets and starts a program with them,
as systemd does), and the service notifications (READY=1, STATUS=, STOPPING=1, WATCHDOG=1) read from a
notify socket the test binds, as systemd would. Also the fallback (no socket passed: the daemon binds its
own) and what the daemon refuses to be passed.

    tests/server/systemd_activation.py --logdaemon build/logdaemon --source-dir . --interop tests/interop \
        --backend epoll [--sanitized] [--only NAME]
"""

import fcntl
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon import (SANITIZER_REPORTS, CheckFailed, Conn, Context, Metrics, Suite, check,  # noqa: E402
                    check_eq, free_loopback_port, http_get, log_json, parquet_files, poll_until, _libc,
                    _PR_SET_PDEATHSIG)

ctx = Context(__doc__)
suite = Suite(ctx, "server.systemd_activation")

SOCKET_ACTIVATE = shutil.which("systemd-socket-activate")


class Notifications:
    """The notify socket (NOTIFY_SOCKET): every datagram the daemon sends, as a list of KEY=VALUE lines."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.messages = []

    def close(self):
        self.sock.close()

    def wait_for(self, key, timeout, what):
        """The first message (since the start) with a line starting with `key`; CheckFailed otherwise."""
        deadline = time.monotonic() + timeout
        while True:
            for message in self.messages:
                if any(line.startswith(key) for line in message):
                    return message
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise CheckFailed(f"{what}: no {key} within {timeout:.0f} s; got {self.messages}")
            self.sock.settimeout(remaining)
            try:
                self.messages.append(self.sock.recv(4096).decode("utf-8", "replace").split("\n"))
            except socket.timeout:
                pass

    def count(self, key):
        return sum(1 for m in self.messages for line in m if line.startswith(key))

    def drain(self, seconds):
        """Collects what arrives during `seconds`."""
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            self.sock.settimeout(remaining)
            try:
                self.messages.append(self.sock.recv(4096).decode("utf-8", "replace").split("\n"))
            except socket.timeout:
                pass


class Service:
    """`logdaemon serve` started as systemd would start it: through systemd-socket-activate (`listen`:
    its -l addresses) or directly with a prepared environment, with NOTIFY_SOCKET pointing at the test's
    notify socket. Killed on failure; its temporary directory removed."""

    def __init__(self, flags, listen=(), env=None, activate=True):
        self.workdir = tempfile.mkdtemp(prefix="ld-systemd-test-")
        self.socket_path = os.path.join(self.workdir, "activated.sock")
        self.own_socket = os.path.join(self.workdir, "own.sock")  # --socket: only used without activation
        self.storage = os.path.join(self.workdir, "logs")
        self.notify = Notifications(os.path.join(self.workdir, "notify.sock"))
        self.stderr_path = os.path.join(self.workdir, "stderr.log")
        serve = [ctx.logdaemon, "serve", "--socket", self.own_socket, "--storage", self.storage,
                 "--io-backend", ctx.backend] + [str(f) for f in flags]
        environment = dict(os.environ, NOTIFY_SOCKET=self.notify.path, **(env or {}))
        if activate:
            command = [SOCKET_ACTIVATE, "-l", self.socket_path]
            for address in listen:
                command += ["-l", address]
            command += ["--fdname=" + ":".join(["ingest"] + ["http"] * len(listen))]
            for name in ("NOTIFY_SOCKET",) + tuple((env or {}).keys()):
                command += ["-E", f"{name}={environment[name]}"]
            command += serve
        else:
            command = serve
        with open(self.stderr_path, "ab") as err:
            self.proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=err, stderr=err,
                                         env=environment,
                                         preexec_fn=lambda: _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0))

    def stderr(self):
        with open(self.stderr_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stderr_tail(self, lines=30):
        return "\n".join("    | " + line for line in self.stderr().splitlines()[-lines:])

    def wait_socket(self, path):
        poll_until(lambda: os.path.exists(path) or self.proc.poll() is not None, ctx.timeout,
                   f"{path} to appear")
        check(self.proc.poll() is None, f"exited {self.proc.poll()}:\n{self.stderr_tail()}")

    def stop(self):
        """SIGTERM; checks exit 0, STOPPING=1 sent, and a stderr free of sanitizer reports."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=3 * ctx.timeout)
        except subprocess.TimeoutExpired:
            raise CheckFailed(f"no exit within {3 * ctx.timeout:.0f} s of SIGTERM:\n{self.stderr_tail()}")
        check_eq(rc, 0, "exit code after SIGTERM")
        self.notify.wait_for("STOPPING=1", ctx.timeout, "after SIGTERM")
        text = self.stderr()
        for marker in SANITIZER_REPORTS:
            check(marker not in text, f"stderr has '{marker}':\n{self.stderr_tail(60)}")

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)
        self.notify.close()
        if not ctx.keep:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            print(f"  the daemon's stderr (last lines):\n{self.stderr_tail()}", file=sys.stderr)
        self.close()
        return False


def connect_passed(path):
    """A connection to the socket systemd-socket-activate made. Its file appears at bind(), a moment before
    listen(), and a connect() in between is refused (a 2-core CI machine once scheduled the test there):
    refused connects are tried again, for up to ctx.timeout."""
    deadline = time.monotonic() + ctx.timeout
    while True:
        try:
            return Conn(path, ctx.timeout)
        except ConnectionRefusedError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.01)


def status_of(message):
    return next((line[len("STATUS="):] for line in message if line.startswith("STATUS=")), None)


@suite.check
def passed_unix_socket_serves_and_notifies(ctx):
    """systemd-socket-activate binds the socket and starts the daemon at the first connection; that
    client's log is answered OK on the passed socket (--socket is not bound); READY=1 with the stats line as
    STATUS=, SIGUSR1 refreshes STATUS=, SIGTERM sends STOPPING=1 and the passed socket's file stays"""
    with Service(["--http-addr", "off"]) as service:
        service.wait_socket(service.socket_path)
        # The daemon starts when this connection arrives; the connection waits in the backlog meanwhile.
        with connect_passed(service.socket_path) as conn:
            check_eq(conn.request(log_json("first, activating")), "OK", "the activating client's log")
            ready = service.notify.wait_for("READY=1", ctx.timeout, "after start")
            check("ok=" in (status_of(ready) or ""), f"READY=1 without the stats line as STATUS=: {ready}")
            check_eq(conn.request(log_json("second")), "OK", "a second log")
        check(not os.path.exists(service.own_socket), "--socket was bound although a socket was passed")
        check("socket activation: Unix socket " + service.socket_path + " (fd 3 (ingest))" in service.stderr(),
              f"the start log does not name the passed socket:\n{service.stderr_tail()}")
        before = len(service.notify.messages)
        service.proc.send_signal(signal.SIGUSR1)
        poll_until(lambda: (service.notify.drain(0.05), any(
            "ok=2" in (status_of(m) or "") for m in service.notify.messages[before:]))[1], ctx.timeout,
            "STATUS= with ok=2 after SIGUSR1")
        service.stop()
        check(os.path.exists(service.socket_path), "the daemon removed the socket file systemd owns")
        check(len(parquet_files(service.storage)) >= 1, "no Parquet file written")
    return "OK on the passed socket, READY=1 + STATUS=, STOPPING=1"


@suite.check
def passed_http_socket_serves_metrics(ctx):
    """A TCP socket passed beside the Unix socket becomes the HTTP front door, whatever --http-addr says"""
    passed_port = free_loopback_port()
    flag_port = free_loopback_port()
    with Service(["--http-addr", f"127.0.0.1:{flag_port}"], listen=[f"127.0.0.1:{passed_port}"]) as service:
        service.wait_socket(service.socket_path)
        with connect_passed(service.socket_path) as conn:
            check_eq(conn.request(log_json("over the socket")), "OK", "a log")
        service.notify.wait_for("READY=1", ctx.timeout, "after start")
        accepted = Metrics(http_get(passed_port, "/metrics", ctx.timeout)).value(
            "logdaemon_connections_accepted_total")
        check(accepted is not None and accepted >= 1,
              f"/metrics on the passed port: logdaemon_connections_accepted_total {accepted}, want >= 1")
        try:
            http_get(flag_port, "/metrics", 2)
            raise CheckFailed(f"--http-addr's port {flag_port} was bound too")
        except (urllib.error.URLError, ConnectionError):
            pass
        check(f"HTTP socket 127.0.0.1:{passed_port} (fd 4 (http))" in service.stderr(),
              f"the start log does not name the passed HTTP socket:\n{service.stderr_tail()}")
        check(f"http: http://127.0.0.1:{passed_port} " in service.stderr(),
              f"the start log's http line does not show the passed port:\n{service.stderr_tail()}")
        service.stop()
    return f"/metrics served on the passed port {passed_port}, not on --http-addr"


@suite.check
def without_activation_binds_itself_and_feeds_the_watchdog(ctx):
    """No LISTEN_FDS: the daemon binds --socket itself (the fallback) and still notifies; with
    WATCHDOG_USEC it sends WATCHDOG=1 at half that period"""
    with Service(["--http-addr", "off"], env={"WATCHDOG_USEC": "200000"}, activate=False) as service:
        service.notify.wait_for("READY=1", ctx.timeout, "after start")
        with Conn(service.own_socket, ctx.timeout) as conn:
            check_eq(conn.request(log_json("fallback")), "OK", "a log on the daemon's own socket")
        service.notify.drain(1.0)
        pings = service.notify.count("WATCHDOG=1")
        check(pings >= 3, f"{pings} WATCHDOG=1 in 1 s with WatchdogSec=0.2s (want one per 0.1 s)")
        service.stop()
        check(not os.path.exists(service.own_socket), "the daemon's own socket file was not removed at exit")
    return f"own socket, READY=1, {pings} WATCHDOG=1 in 1 s"


def start_with_fds(sockets, flags, names=None, listen_fds=None):
    """Starts the daemon with `sockets` as fds 3, 4, … and LISTEN_FDS/LISTEN_PID set, as systemd does;
    returns (exit code, stderr) once it exits (it is expected to refuse)."""
    workdir = tempfile.mkdtemp(prefix="ld-systemd-test-")
    try:
        fds = [s.fileno() for s in sockets]

        def child():
            _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
            # Out of the way first (above 100, so that none is already 3, 4, …), then into 3, 4, …
            moved = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 100) for fd in fds]
            for i, fd in enumerate(moved):
                os.dup2(fd, 3 + i, inheritable=True)
            os.environ["LISTEN_PID"] = str(os.getpid())
            os.environ["LISTEN_FDS"] = listen_fds if listen_fds is not None else str(len(fds))
            if names:
                os.environ["LISTEN_FDNAMES"] = ":".join(names)

        command = [ctx.logdaemon, "serve", "--socket", os.path.join(workdir, "own.sock"), "--storage",
                   os.path.join(workdir, "logs"), "--io-backend", ctx.backend] + flags
        # close_fds=False: it would close 3, 4, … after child() placed them; Python's own descriptors are
        # close-on-exec anyway.
        proc = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, preexec_fn=child,
                              timeout=3 * ctx.timeout, close_fds=False)
        return proc.returncode, proc.stderr.decode("utf-8", "replace")
    finally:
        for s in sockets:
            s.close()
        shutil.rmtree(workdir, ignore_errors=True)


def listening_unix(workdir, name):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(os.path.join(workdir, name))
    s.listen(8)
    return s


@suite.check
def refuses_what_it_cannot_use(ctx):
    """A datagram socket, a Unix socket that is not listening, two Unix sockets, an HTTP socket with
    --http-addr off, an HTTP socket other hosts reach without a token, a LISTEN_FDS that is no number: exit 1,
    saying what is wrong"""
    workdir = tempfile.mkdtemp(prefix="ld-systemd-test-")
    try:
        datagram = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        datagram.bind(os.path.join(workdir, "dgram.sock"))
        not_listening = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        tcp.bind(("127.0.0.1", 0))
        tcp.listen(8)
        everywhere = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        everywhere.bind(("0.0.0.0", 0))
        everywhere.listen(8)
        cases = [
            ([datagram], ["--http-addr", "off"], ["ingest"],
             "fd 3 (ingest) is neither a listening Unix stream socket nor a listening TCP socket"),
            ([not_listening], ["--http-addr", "off"], None,
             "fd 3 is neither a listening Unix stream socket nor a listening TCP socket"),
            ([listening_unix(workdir, "a.sock"), listening_unix(workdir, "b.sock")], ["--http-addr", "off"],
             ["ingest", "other"], "fd 4 (other) is a second Unix socket"),
            ([listening_unix(workdir, "c.sock"), tcp], ["--http-addr", "off"], None,
             "socket activation passed an HTTP socket, but --http-addr is off"),
            ([listening_unix(workdir, "d.sock"), everywhere], [], None,
             f"*:{everywhere.getsockname()[1]} is reachable from other hosts: give a token"),
        ]
        # LISTEN_FDS that is not a number: an error, not a silent bind of --socket.
        cases.append(([listening_unix(workdir, "e.sock")], ["--http-addr", "off"], None,
                      "socket activation: LISTEN_FDS: "))
        for i, (sockets, flags, names, want) in enumerate(cases):
            rc, stderr = start_with_fds(sockets, flags, names, listen_fds="one" if i == len(cases) - 1 else None)
            check_eq(rc, 1, f"exit code for {want!r}")
            check(want in stderr, f"stderr does not say {want!r}:\n{stderr}")
            for marker in SANITIZER_REPORTS:
                check(marker not in stderr, f"stderr has '{marker}':\n{stderr}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return f"{len(cases)} refusals, each saying what is wrong"


if __name__ == "__main__":
    if SOCKET_ACTIVATE is None:
        print("systemd-socket-activate not found (Debian package systemd): scripts/install-deps.sh installs it")
        sys.exit(1)
    suite.run()
