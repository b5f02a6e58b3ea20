#!/usr/bin/env python3
"""`make deb` (CPack's DEB generator on the already-built tree, issue #16): the logdaemon and logdaemon-dev
packages; Depends computed from what the binary links (every linked library's package, and nothing else
but adduser and init-system-helpers); the files, modes and owners of the unpacked tree; the conffile; the
maintainer scripts create the logdaemon user and group and enable or start nothing; lintian finds no
error; `systemd-analyze verify` accepts the installed units and `systemd-analyze security` scores the
service (the score is printed, and must stay at most MAX_EXPOSURE).

    tests/packaging/deb_test.py --build-dir build
"""

import argparse
import glob
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from support import Daemon, Failed, check, run, security_score, verify_units  # noqa: E402

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--build-dir", required=True)
parser.add_argument("--keep", action="store_true")
args = parser.parse_args()
BUILD = os.path.abspath(args.build_dir)

# systemd-analyze security's scale: 0 (locked down) to 10 (unprotected); the units score 1.1 ("OK").
MAX_EXPOSURE = 2.0
# Depends that no linked library explains: what the maintainer scripts run.
SCRIPT_DEPENDS = {"adduser", "init-system-helpers"}

# path in the logdaemon package -> mode (owner root:root for all).
RUNTIME_FILES = {
    "./usr/bin/logdaemon": 0o755,
    "./etc/logdaemon/logdaemon.toml": 0o644,
    "./lib/systemd/system/logdaemon.socket": 0o644,
    "./lib/systemd/system/logdaemon.service": 0o644,
    "./usr/share/man/man1/logdaemon.1.gz": 0o644,
    "./usr/share/man/man1/logdaemon-serve.1.gz": 0o644,
    "./usr/share/man/man5/logdaemon.toml.5.gz": 0o644,
    "./usr/share/bash-completion/completions/logdaemon": 0o644,
    "./usr/share/doc/logdaemon/copyright": 0o644,
    "./usr/share/doc/logdaemon/changelog.Debian.gz": 0o644,
    "./usr/share/doc/logdaemon/examples/logdaemon.toml": 0o644,
}
DEV_FILES = {
    "./usr/include/logdaemon/client.h": 0o644,
    "./usr/lib/liblogdaemon_client.a": 0o644,
    "./usr/lib/cmake/logdaemon/logdaemonConfig.cmake": 0o644,
    "./usr/lib/pkgconfig/logdaemon-client.pc": 0o644,
    "./usr/share/doc/logdaemon-dev/copyright": 0o644,
}


def contents(deb):
    """{path: (mode, owner)} from dpkg-deb --contents."""
    entries = {}
    for line in run(["dpkg-deb", "--contents", deb]).stdout.splitlines():
        fields = line.split()
        perms, owner, path = fields[0], fields[1], fields[5]
        mode = 0
        for i, c in enumerate(perms[1:10]):
            if c != "-":
                mode |= 1 << (8 - i)
        entries[path] = (mode, owner)
    return entries


def check_contents(deb, expected):
    entries = contents(deb)
    for path, mode in expected.items():
        check(path in entries, f"{os.path.basename(deb)} lacks {path}")
        check(entries[path] == (mode, "root/root"),
              f"{path}: {oct(entries[path][0])} {entries[path][1]}, want {oct(mode)} root/root")
    strays = [p for p in entries if p.startswith("./usr/local") or p.startswith("./home")]
    check(not strays, f"{os.path.basename(deb)} installs outside the system's paths: {strays}")
    return len(entries)


def variants(path):
    """The names one library file has on a merged-/usr system (dpkg knows only the one it unpacked)."""
    real = os.path.realpath(path)
    names = set()
    for p in (path, real):
        names |= {p, re.sub(r"^/usr/lib/", "/lib/", p), re.sub(r"^/lib/", "/usr/lib/", p)}
    return names


def packages_of(paths):
    """{path: the Debian package that owns it} (one dpkg -S for all of them), and each package's names:
    itself and the virtual packages it provides (a shlibs file may name one of those: libspdlog1.10
    provides libspdlog1.10-fmt9)."""
    candidates = sorted({v for p in paths for v in variants(p)})
    owner_of = {}
    for line in run(["dpkg", "-S"] + candidates, ok=False).stdout.splitlines():
        package, _, owned = line.partition(": ")
        owner_of[owned.strip()] = package.split(":")[0]
    owners = {}
    for path in paths:
        found = [owner_of[v] for v in variants(path) if v in owner_of]
        check(found, f"no package owns {path}")
        owners[path] = found[0]
    names = {}
    listing = run(["dpkg-query", "-W", "-f=${Package}\t${Provides}\n"] + sorted(set(owners.values()))).stdout
    for line in listing.splitlines():
        package, _, provides = line.partition("\t")
        names[package] = {package} | {p.strip().split()[0] for p in provides.split(",") if p.strip()}
    return owners, names


def check_depends(deb, binary):
    """Depends names exactly the packages of the libraries the binary links directly (its NEEDED entries,
    found where ldd finds them), plus SCRIPT_DEPENDS."""
    depends = run(["dpkg-deb", "--field", deb, "Depends"]).stdout
    named = {d.strip().split()[0] for d in depends.split(",") if d.strip()}
    needed = re.findall(r"NEEDED\s+(\S+)", run(["objdump", "-p", binary]).stdout)
    check(needed, f"objdump -p {binary}: no NEEDED entries")
    paths = dict(re.findall(r"^\s*(\S+) => (/\S+)", run(["ldd", binary]).stdout, re.M))
    for library in needed:
        check(library in paths, f"ldd does not resolve {library}")
    owners, names = packages_of([paths[library] for library in needed])
    missing = set()
    explained = set()
    for library in needed:
        package = owners[paths[library]]
        if names[package] & named:
            explained |= names[package] & named
        else:
            missing.add(f"{library} ({package})")
    extra = named - explained - SCRIPT_DEPENDS
    check(not missing, f"Depends lacks the packages of linked libraries: {sorted(missing)} ({depends})")
    check(not extra, f"Depends names packages the binary does not link: {sorted(extra)}")
    check(SCRIPT_DEPENDS <= named, f"Depends lacks {sorted(SCRIPT_DEPENDS - named)}: {depends}")
    for versioned in ("libsystemd0", "libidn2-0", "libc6"):
        check(re.search(versioned + r" \(>= [^)]+\)", depends), f"Depends has no versioned {versioned}: {depends}")
    return len(named)


STUB = """#!/bin/sh
echo "$(basename "$0") $*" >> "{log}"
{body}
"""


def run_postinst(control, work, arguments, users_exist):
    """Runs the package's postinst with getent, addgroup, adduser, systemctl and deb-systemd-invoke replaced
    by stubs that record their calls; returns the calls."""
    stubs = os.path.join(work, "stubs")
    os.makedirs(stubs, exist_ok=True)
    log = os.path.join(work, "calls.log")
    if os.path.exists(log):
        os.remove(log)
    bodies = {"getent": "exit 0" if users_exist else "exit 2", "addgroup": "exit 0", "adduser": "exit 0",
              "systemctl": "exit 0", "deb-systemd-invoke": "exit 0", "deb-systemd-helper": "exit 0"}
    for name, body in bodies.items():
        path = os.path.join(stubs, name)
        with open(path, "w") as f:
            f.write(STUB.format(log=log, body=body))
        os.chmod(path, 0o755)
    env = dict(os.environ, PATH=stubs + ":/usr/bin:/bin")
    run([os.path.join(control, "postinst")] + arguments, env=env)
    if not os.path.exists(log):
        return []
    with open(log) as f:
        return [line.strip() for line in f]


def check_maintainer_scripts(deb, work):
    control = os.path.join(work, "control")
    run(["dpkg-deb", "--control", deb, control])
    for script in ("postinst", "prerm", "postrm"):
        path = os.path.join(control, script)
        check(os.path.isfile(path) and stat.S_IMODE(os.stat(path).st_mode) == 0o755, f"{script}: missing or not 0755")
        run(["sh", "-n", path])
    with open(os.path.join(control, "conffiles")) as f:
        check(f.read().split() == ["/etc/logdaemon/logdaemon.toml"], "conffiles is not /etc/logdaemon/logdaemon.toml")

    calls = run_postinst(control, work, ["configure"], users_exist=False)
    check(any(c.startswith("addgroup --system") and c.endswith("logdaemon") for c in calls),
          f"a fresh install does not create the logdaemon group: {calls}")
    check(any(c.startswith("adduser --system") and "--ingroup logdaemon" in c and c.endswith("logdaemon")
              for c in calls), f"a fresh install does not create the logdaemon system user: {calls}")
    starts = [c for c in calls if re.search(r"\b(start|enable|restart)\b", c)]
    check(not starts, f"a fresh install enables or starts units: {starts}")
    calls = run_postinst(control, work, ["configure", "0.0.9-1"], users_exist=True)
    check(not any(c.startswith(("addgroup", "adduser")) for c in calls), f"an upgrade re-creates the user: {calls}")
    check(not any(re.search(r"\b(start|enable)\b", c) and "try-restart" not in c for c in calls),
          f"an upgrade starts or enables units: {calls}")


def check_lintian(debs):
    proc = run(["lintian", "--tag-display-limit", "0"] + debs, ok=False, timeout=300)
    lines = [line for line in proc.stdout.splitlines() if re.match(r"^[EW]: ", line)]
    errors = [line for line in lines if line.startswith("E: ")]
    check(not errors, "lintian errors:\n" + "\n".join(errors))
    check(proc.returncode == 0, f"lintian exited {proc.returncode}:\n{proc.stdout}{proc.stderr}")
    return len(lines) - len(errors)


def check_packaged_config(tree, work):
    """The packaged /etc/logdaemon/logdaemon.toml is a valid config: the packaged binary starts with it
    (socket, storage and HTTP port moved into the test's directory by flags, which win over the file; the
    logdaemon group, which only the postinst creates, replaced by this process's group in a copy)."""
    with open(os.path.join(tree, "etc", "logdaemon", "logdaemon.toml")) as f:
        text = f.read()
    check('socket-group = "logdaemon"' in text and 'storage = "/var/lib/logdaemon"' in text,
          f"the packaged config does not set the service's socket group and storage:\n{text}")
    config = os.path.join(work, "logdaemon.toml")
    with open(config, "w") as f:
        f.write(text.replace('socket-group = "logdaemon"', f'socket-group = "{os.getgid()}"'))
    daemon = Daemon(os.path.join(tree, "usr", "bin", "logdaemon"), work,
                    ["--config", config, "--http-addr", "127.0.0.1:0"])
    try:
        daemon.stop()
    finally:
        daemon.kill()


def main():
    started = time.monotonic()
    work = tempfile.mkdtemp(prefix="ld-deb-test-")
    try:
        out = os.path.join(work, "out")
        run(["cpack", "-G", "DEB", "--config", os.path.join(BUILD, "CPackConfig.cmake"), "-B", out], timeout=300)
        runtime = glob.glob(os.path.join(out, "logdaemon_*.deb"))
        dev = glob.glob(os.path.join(out, "logdaemon-dev_*.deb"))
        check(len(runtime) == 1 and len(dev) == 1, f"cpack made {os.listdir(out)}")
        runtime, dev = runtime[0], dev[0]
        entries = check_contents(runtime, RUNTIME_FILES) + check_contents(dev, DEV_FILES)

        tree = os.path.join(work, "root")
        run(["dpkg-deb", "-x", runtime, tree])
        binary = os.path.join(tree, "usr", "bin", "logdaemon")
        version = run([binary, "--version"]).stdout
        check("logdaemon version" in version, f"the packaged binary's --version: {version!r}")
        depends = check_depends(runtime, binary)
        check_packaged_config(tree, work)
        check_maintainer_scripts(runtime, work)
        warnings = check_lintian([runtime, dev])

        units = os.path.join(tree, "lib", "systemd", "system")
        verify_units(tree, units, os.path.join(tree, "usr", "share", "man"))
        score, table = security_score(os.path.join(units, "logdaemon.service"), tree)
        check(score <= MAX_EXPOSURE, f"systemd-analyze security: exposure {score}, more than {MAX_EXPOSURE}:\n{table}")
        print(f"PASS: 2 packages, {entries} entries with their modes, {depends} computed Depends, maintainer "
              f"scripts create the user and start nothing, lintian: 0 errors, {warnings} warnings, "
              f"systemd-analyze verify clean, security exposure {score} ({time.monotonic() - started:.1f} s)")
        return 0
    except (Failed, subprocess.TimeoutExpired) as e:
        print(f"FAIL: {e}")
        return 1
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
