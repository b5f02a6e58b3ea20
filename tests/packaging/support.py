"""Shared helpers of the packaging tests (tests/packaging/*.py, issue #16): running commands with a
timeout and a clear failure, starting an installed `logdaemon serve` for a client to talk to, and checking
the systemd units with systemd-analyze in a root that holds the installed files."""

import os
import shutil
import signal
import socket
import subprocess
import time


class Failed(AssertionError):
    pass


def check(condition, message):
    if not condition:
        raise Failed(message)


def run(command, timeout=120, env=None, cwd=None, ok=True):
    """Runs `command`; returns its CompletedProcess (text). With ok=True, a non-zero exit fails the test
    with the command, its exit code and its output."""
    proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, cwd=cwd)
    if ok and proc.returncode != 0:
        raise Failed(f"{' '.join(map(str, command))} exited {proc.returncode}:\n{proc.stdout[-3000:]}"
                     f"\n{proc.stderr[-3000:]}")
    return proc


class Daemon:
    """An installed `logdaemon serve` on a socket in `workdir`, HTTP off (unless `flags` say otherwise:
    they come last, and win), stopped with SIGTERM (exit 0)."""

    def __init__(self, binary, workdir, flags=()):
        self.socket_path = os.path.join(workdir, "daemon.sock")
        self.stderr_path = os.path.join(workdir, "daemon.stderr")
        with open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(
                [binary, "serve", "--socket", self.socket_path, "--storage", os.path.join(workdir, "logs"),
                 "--http-addr", "off", "--io-backend", "epoll", "--io-threads", "1"] + list(flags),
                stdin=subprocess.DEVNULL, stdout=err, stderr=err)
        deadline = time.monotonic() + 30
        while True:
            check(self.proc.poll() is None, f"logdaemon serve exited {self.proc.poll()}: {self.stderr()}")
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                    s.connect(self.socket_path)
                return
            except (FileNotFoundError, ConnectionRefusedError):
                check(time.monotonic() < deadline, f"the daemon did not listen within 30 s: {self.stderr()}")
                time.sleep(0.02)

    def stderr(self):
        with open(self.stderr_path, "rb") as f:
            return f.read().decode("utf-8", "replace")[-3000:]

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout=60)
        check(rc == 0, f"the daemon exited {rc} after SIGTERM: {self.stderr()}")

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)


def verify_units(tree, unit_dir, man_dir):
    """`systemd-analyze verify` on the units in tree/unit_dir: the commands they run must exist in `tree`
    (--root) and their Documentation= man pages in man_dir. The root also gets a copy of the system's own
    units, which ours depend on (sockets.target, sysinit.target, …)."""
    root_units = os.path.join(tree, "lib", "systemd", "system")
    os.makedirs(root_units, exist_ok=True)
    for name in os.listdir("/lib/systemd/system"):
        target = os.path.join(root_units, name)
        if not os.path.lexists(target):
            source = os.path.join("/lib/systemd/system", name)
            if os.path.islink(source):
                os.symlink(os.readlink(source), target)
            elif os.path.isfile(source):
                shutil.copyfile(source, target)
    env = dict(os.environ, MANPATH=man_dir)
    units = [os.path.join(unit_dir, u) for u in ("logdaemon.socket", "logdaemon.service")]
    proc = run(["systemd-analyze", "verify", f"--root={tree}"] + units, env=env, ok=False)
    check(proc.returncode == 0 and not proc.stderr.strip(),
          f"systemd-analyze verify: exit {proc.returncode}:\n{proc.stdout}{proc.stderr}")
    # The check itself can fail: a unit with a bad value is refused.
    broken = os.path.join(unit_dir, "logdaemon-broken.service")
    with open(os.path.join(unit_dir, "logdaemon.service")) as f:
        text = f.read()
    with open(broken, "w") as f:
        f.write(text.replace("ExecStart=/usr/bin/logdaemon", "ExecStart=/usr/bin/logdaemon-missing"))
    try:
        proc = run(["systemd-analyze", "verify", f"--root={tree}", broken], env=env, ok=False)
        check(proc.returncode != 0 and "logdaemon-missing" in proc.stderr,
              f"systemd-analyze verify accepted a unit whose command does not exist: {proc.stderr}")
    finally:
        os.remove(broken)


def security_score(unit_path, tree):
    """The exposure score `systemd-analyze security` gives the service (0 best, 10 worst), and its table."""
    proc = run(["systemd-analyze", "security", "--offline=yes", f"--root={tree}", "--no-pager", unit_path],
               ok=False)
    for line in proc.stdout.splitlines():
        if "Overall exposure level" in line:
            return float(line.split(":")[1].split()[0]), proc.stdout
    raise Failed(f"systemd-analyze security printed no score:\n{proc.stdout}{proc.stderr}")
