#!/usr/bin/env python3
"""`cmake --install` of the built tree into a temporary prefix (issue #16): the expected files and modes;
a consumer project (tests/packaging/consumer) configured with find_package(logdaemon) builds, its client
sends a log to the installed daemon (OK) and its embedding check stores one; the same client built with
pkg-config (logdaemon-client) sends one too; the man pages render without warnings and name every flag
--help shows; the bash completion offers every subcommand and flag.

    tests/packaging/install_test.py --build-dir build --source-dir .
"""

import argparse
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
from support import Daemon, Failed, check, run  # noqa: E402

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--build-dir", required=True)
parser.add_argument("--source-dir", required=True)
parser.add_argument("--sanitized", action="store_true",
                    help="the libraries are built with ASan/UBSan: so is the consumer")
parser.add_argument("--keep", action="store_true")
args = parser.parse_args()
BUILD = os.path.abspath(args.build_dir)
SOURCE = os.path.abspath(args.source_dir)
CONSUMER = os.path.join(SOURCE, "tests", "packaging", "consumer")
# Instrumented static libraries need the sanitizer runtimes in whatever links them.
SANITIZE_FLAGS = ["-fsanitize=address,undefined"] if args.sanitized else []

# (path under the prefix, mode): what `cmake --install` must put there.
EXPECTED = [
    ("bin/logdaemon", 0o755),
    ("etc/logdaemon/logdaemon.toml", 0o644),
    ("lib/systemd/system/logdaemon.socket", 0o644),
    ("lib/systemd/system/logdaemon.service", 0o644),
    ("include/logdaemon/client.h", 0o644),
    ("include/logdaemon/server.h", 0o644),
    ("include/logdaemon/storage.h", 0o644),
    ("include/logdaemon/schema.h", 0o644),
    ("include/logdaemon/status.h", 0o644),
    ("lib/liblogdaemon_client.a", 0o644),
    ("lib/cmake/logdaemon/logdaemonConfig.cmake", 0o644),
    ("lib/cmake/logdaemon/logdaemonConfigVersion.cmake", 0o644),
    ("lib/cmake/logdaemon/logdaemonTargets.cmake", 0o644),
    ("lib/pkgconfig/logdaemon-client.pc", 0o644),
    ("share/man/man1/logdaemon.1.gz", 0o644),
    ("share/man/man5/logdaemon.toml.5.gz", 0o644),
    ("share/bash-completion/completions/logdaemon", 0o644),
    ("share/doc/logdaemon/examples/logdaemon.toml", 0o644),
    ("share/doc/logdaemon/examples/default_schema.json", 0o644),
    ("share/doc/logdaemon/copyright", 0o644),
]


def subcommands(binary):
    """The subcommands `logdaemon --help` lists."""
    text = run([binary, "--help"]).stdout
    section = text.split("Subcommands:", 1)[1]
    return [line.split()[0] for line in section.splitlines() if line.startswith("  ") and line.split()]


def help_flags(binary, command):
    """Every flag `logdaemon COMMAND --help` shows: "-s", "--socket", "--no-compaction", …"""
    text = run([binary, command, "--help"]).stdout
    flags = set()
    for line in text.splitlines():
        first = line.strip().split("  ")[0]
        if not first.startswith("-"):
            continue
        for name in first.split(" ")[0].split(","):
            name = re.sub(r"\{[^}]*\}$", "", name.split("=")[0]).lstrip("!")  # "--no-x{false}"
            if re.fullmatch(r"--?[a-z][a-z0-9-]*", name):
                flags.add(name)
    return flags


def check_files(prefix):
    for path, mode in EXPECTED:
        full = os.path.join(prefix, path)
        check(os.path.isfile(full), f"cmake --install did not install {path}")
        got = stat.S_IMODE(os.stat(full).st_mode)
        check(got == mode, f"{path}: mode {got:o}, want {mode:o}")
    return len(EXPECTED)


def check_consumer_with_find_package(prefix, work, socket_path):
    build = os.path.join(work, "consumer-build")
    configure = ["cmake", "-S", CONSUMER, "-B", build, "-G", "Ninja", f"-DCMAKE_PREFIX_PATH={prefix}",
                 "-DCMAKE_BUILD_TYPE=Release", "-DCMAKE_CXX_FLAGS=" + " ".join(SANITIZE_FLAGS)]
    if shutil.which("ccache"):
        configure.append("-DCMAKE_CXX_COMPILER_LAUNCHER=ccache")
    run(configure)
    run(["cmake", "--build", build, "-j2"], timeout=300)
    reply = run([os.path.join(build, "send_log"), socket_path, "from find_package"]).stdout.strip()
    check(reply == "OK", f"the find_package consumer's log: {reply!r}, want OK")
    stored = run([os.path.join(build, "embed_check"), os.path.join(work, "embedded")]).stdout.strip()
    check(stored == "stored", f"the embedding API consumer: {stored!r}")


def check_consumer_with_pkg_config(prefix, work, socket_path):
    env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(prefix, "lib", "pkgconfig"))
    flags = run(["pkg-config", "--cflags", "--libs", "logdaemon-client"], env=env).stdout.split()
    binary = os.path.join(work, "send_log_pkg_config")
    run(["c++", "-std=c++20", "-O1"] + SANITIZE_FLAGS + [os.path.join(CONSUMER, "send_log.cc"), "-o", binary] + flags,
        timeout=300)
    reply = run([binary, socket_path, "from pkg-config"]).stdout.strip()
    check(reply == "OK", f"the pkg-config consumer's log: {reply!r}, want OK")


def check_man_pages(prefix, binary):
    """Each page renders without a groff warning, and names every flag of its subcommand's --help."""
    man1 = os.path.join(prefix, "share", "man", "man1")
    pages = {"logdaemon.1.gz": None}
    pages.update({f"logdaemon-{c}.1.gz": c for c in subcommands(binary)})
    check(sorted(os.listdir(man1)) == sorted(pages), f"man1 has {sorted(os.listdir(man1))}, want {sorted(pages)}")
    pages_checked = 0
    for page, command in list(pages.items()) + [("../man5/logdaemon.toml.5.gz", "serve")]:
        path = os.path.normpath(os.path.join(man1, page))
        env = dict(os.environ, MANWIDTH="200", LC_ALL="C.UTF-8")
        rendered = run(["man", "--warnings=all", "-l", path], env=env)
        check(not rendered.stderr.strip(), f"{page}: groff warnings:\n{rendered.stderr}")
        text = re.sub(r".\x08", "", rendered.stdout).replace("\u2010", "-").replace("\u2212", "-")
        want = help_flags(binary, command) if command else {"--help", "--version"}
        if page.endswith(".5.gz"):  # the config file: every key but --config (a flag only)
            want = {f.lstrip("-") + " =" for f in want if f.startswith("--") and f not in (
                "--help", "--config") and not f.startswith("--no-")}
        missing = sorted(f for f in want if f not in text)
        check(not missing, f"{page} does not mention {missing}")
        pages_checked += 1
    return pages_checked


def complete(script, words):
    """What the completion script offers for the command line `words` (the last one being completed)."""
    quoted = " ".join("'" + w + "'" for w in words)
    program = (f"source '{script}'; COMP_WORDS=({quoted}); COMP_CWORD={len(words) - 1}; _logdaemon; "
               "printf '%s\\n' \"${COMPREPLY[@]}\"")
    return set(run(["bash", "-c", program]).stdout.split())


def check_completion(prefix, binary):
    script = os.path.join(prefix, "share", "bash-completion", "completions", "logdaemon")
    commands = subcommands(binary)
    check(complete(script, ["logdaemon", ""]) == set(commands),
          f"completing a subcommand: {complete(script, ['logdaemon', ''])}, want {commands}")
    for command in commands:
        want = {f for f in help_flags(binary, command) if f.startswith("--")}
        got = complete(script, ["logdaemon", command, "--"])
        check(got == want, f"logdaemon {command} --<TAB>: missing {sorted(want - got)}, extra {sorted(got - want)}")
    # A flag's value completes to file names, not flags.
    got = complete(script, ["logdaemon", "serve", "--config", os.path.join(SOURCE, "examples", "logdaemon.t")])
    check(got == {os.path.join(SOURCE, "examples", "logdaemon.toml")}, f"--config <TAB>: {got}")
    return len(commands)


def main():
    started = time.monotonic()
    work = tempfile.mkdtemp(prefix="ld-install-test-")
    daemon = None
    try:
        prefix = os.path.join(work, "prefix")
        run(["cmake", "--install", BUILD, "--prefix", prefix])
        files = check_files(prefix)
        binary = os.path.join(prefix, "bin", "logdaemon")
        pages = check_man_pages(prefix, binary)
        commands = check_completion(prefix, binary)
        daemon = Daemon(binary, work)
        check_consumer_with_find_package(prefix, work, daemon.socket_path)
        check_consumer_with_pkg_config(prefix, work, daemon.socket_path)
        daemon.stop()
        print(f"PASS: {files} installed files with their modes, {pages} man pages, completion of {commands} "
              f"subcommands, find_package and pkg-config consumers got OK ({time.monotonic() - started:.1f} s)")
        return 0
    except (Failed, subprocess.TimeoutExpired) as e:
        print(f"FAIL: {e}")
        return 1
    finally:
        if daemon is not None:
            daemon.kill()
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
