#!/usr/bin/env python3
"""Shipping sealed files to object storage end to end (issue #15, DESIGN.md §5b, docs/shipping.md).

A real S3 API server (npm s3rver, tests/ship/node_modules) runs on a loopback port for the whole script;
the daemons reach it through S3Gate, a small proxy of this script's own that
- checks every request's SigV4 signature the way S3 computes it (s3rver accepts any signature, so without
  this a wrong signature would pass unnoticed), and
- plays the faults: refusing connections (the endpoint is down), answering 500/503, answering slowly.
The bucket is then listed and every object downloaded through the S3 API, and DuckDB reads the downloaded
tree with hive_partitioning: every log the daemons acknowledged is counted exactly once, `host` a column.

Checks: two daemons with different host names ship into one bucket (one of them with multipart uploads
of 1 KiB parts); kill -9 in the middle of multipart uploads, then a restart; an endpoint down at start,
then answering 503, then back (the backlog grows, then drains, and the metrics say so); a wrong access key
and a missing bucket (the server's 4xx message is logged, nothing local is deleted). No daemon's stderr
or metrics ever shows the secret key.

    tests/server/ship.py --logdaemon build/logdaemon --source-dir . --interop tests/interop \\
        --backend epoll [--sanitized] [--only NAME] [--keep]
"""

import datetime
import hashlib
import hmac
import http.client
import http.server
import os
import re
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon import (CheckFailed, Context, Daemon, DuckDB, Suite, check, check_eq, free_loopback_port,  # noqa: E402
                    frames, http_get, log_json, parquet_files, poll_until, rows_by_inspect)

ctx = Context(__doc__.splitlines()[0])
suite = Suite(ctx, "server.ship")

ACCESS_KEY = "S3RVER"  # the one account s3rver knows
SECRET_KEY = "ld-test-Secret-9fQ2xR7"  # s3rver ignores it; S3Gate checks every signature with it
BUCKET = "fleet"
REGION = "eu-test-1"


# ---- the S3 server ----------------------------------------------------------------------------------------


def start_s3rver(workdir):
    """s3rver on a free loopback port with the bucket made; returns (process, port)."""
    script = os.path.join(ctx.source_dir, "tests", "ship", "node_modules", "s3rver", "bin", "s3rver.js")
    check(os.path.isfile(script), f"{script} is missing: run scripts/install-deps.sh")
    data = os.path.join(workdir, "s3rver")
    os.makedirs(data)
    for _ in range(5):
        port = free_loopback_port()
        proc = subprocess.Popen(["node", script, "-d", data, "-a", "127.0.0.1", "-p", str(port), "--silent",
                                 "--configure-bucket", BUCKET], stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=open(os.path.join(workdir, "s3rver.log"), "ab"))
        deadline = time.monotonic() + ctx.timeout
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return proc, port
            except OSError:
                time.sleep(0.05)
        proc.kill()
        proc.wait()
    raise CheckFailed("s3rver did not start")


# ---- SigV4, as S3 checks it -------------------------------------------------------------------------------


def _encode(text):
    return urllib.parse.quote(text, safe="-_.~")


def expected_signature(method, target, headers, secret):
    """The SigV4 signature S3 would compute for this request (path and query as sent, decoded and
    re-encoded the way S3 canonicalises them), or raises ValueError when the request is not signed."""
    auth = headers.get("authorization", "")
    m = re.match(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/s3/aws4_request, *"
                 r"SignedHeaders=([^,]+), *Signature=([0-9a-f]{64})$", auth)
    if not m:
        raise ValueError(f"not a SigV4 Authorization header: {auth[:80]!r}")
    _key, date, region, signed, provided = m.groups()
    path, _, query = target.partition("?")
    canonical_uri = "/".join(_encode(urllib.parse.unquote(seg)) for seg in path.split("/"))
    pairs = []
    for part in query.split("&") if query else []:
        k, _, v = part.partition("=")
        pairs.append((_encode(urllib.parse.unquote(k)), _encode(urllib.parse.unquote(v))))
    canonical_query = "&".join(f"{k}={v}" for k, v in sorted(pairs))
    names = signed.split(";")
    canonical_headers = "".join(f"{n}:{' '.join(headers.get(n, '').split())}\n" for n in names)
    payload = headers.get("x-amz-content-sha256", "")
    request = "\n".join([method, canonical_uri, canonical_query, canonical_headers, signed, payload])
    scope = f"{date}/{region}/s3/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", headers.get("x-amz-date", ""), scope,
                         hashlib.sha256(request.encode()).hexdigest()])
    key = ("AWS4" + secret).encode()
    for part in (date, region, "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest(), provided, region


# ---- the proxy: signatures checked, faults played -----------------------------------------------------------


class S3Gate:
    """A loopback HTTP proxy in front of s3rver. `mode`: "pass", "refuse" (accept and close at once: the
    endpoint is down), "status:NNN" (answer NNN with an S3 error body), "slow:S" (wait S seconds, then
    pass). Counts requests by kind and the signatures that did not match."""

    def __init__(self, upstream_port):
        self.upstream_port = upstream_port
        self.mode = "pass"
        self.lock = threading.Lock()
        self.counts = {}
        self.bad_signatures = []
        gate = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def handle_one(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                gate.serve(self, body)

            do_PUT = do_POST = do_GET = do_DELETE = do_HEAD = handle_one

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True
            allow_reuse_address = True

            def handle_error(self, request, client_address):
                pass  # a daemon killed mid-request leaves a broken pipe: expected here

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def count(self, kind):
        with self.lock:
            return self.counts.get(kind, 0)

    def _kind(self, method, target):
        if "partNumber=" in target:
            return "part"
        if "uploads" in target.partition("?")[2]:
            return "create"
        if method == "POST" and "uploadId=" in target:
            return "complete"
        if method == "DELETE" and "uploadId=" in target:
            return "abort"
        return method.lower()

    def serve(self, handler, body):
        method, target = handler.command, handler.path
        headers = {k.lower(): v for k, v in handler.headers.items()}
        mode = self.mode
        with self.lock:
            kind = self._kind(method, target)
            self.counts[kind] = self.counts.get(kind, 0) + 1
        if mode == "refuse":
            handler.close_connection = True
            handler.connection.shutdown(socket.SHUT_RDWR)
            return
        if mode.startswith("status:"):
            code = int(mode.split(":")[1])
            self._answer(handler, code, {"Content-Type": "application/xml"},
                         b"<Error><Code>ServiceUnavailable</Code><Message>S3Gate plays a fault</Message></Error>")
            return
        if mode.startswith("slow:"):
            time.sleep(float(mode.split(":")[1]))
        # Requests of another access key go on unchecked: s3rver answers them (InvalidAccessKeyId).
        try:
            want, provided, region = expected_signature(method, target, headers, SECRET_KEY)
            ok = (hmac.compare_digest(want, provided) and region == REGION) or \
                f"Credential={ACCESS_KEY}/" not in headers.get("authorization", "")
        except ValueError:
            ok = False
        if not ok:
            with self.lock:
                self.bad_signatures.append(f"{method} {target}")
            self._answer(handler, 403, {"Content-Type": "application/xml"},
                         b"<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we "
                         b"calculated does not match the signature you provided.</Message></Error>")
            return
        conn = http.client.HTTPConnection("127.0.0.1", self.upstream_port, timeout=ctx.timeout)
        forwarded = {k: v for k, v in handler.headers.items() if k.lower() not in ("host", "connection")}
        conn.request(method, target, body=body, headers=forwarded)
        answer = conn.getresponse()
        data = answer.read()
        out = {k: v for k, v in answer.getheaders()
               if k.lower() not in ("connection", "keep-alive", "transfer-encoding", "content-length")}
        conn.close()
        self._answer(handler, answer.status, out, data)

    @staticmethod
    def _answer(handler, code, headers, body):
        handler.send_response(code)
        for k, v in headers.items():
            handler.send_header(k, v)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


# ---- the bucket, read back ----------------------------------------------------------------------------------


def list_keys(port, prefix=""):
    keys, token = [], None
    while True:
        query = {"list-type": "2", "prefix": prefix}
        if token:
            query["continuation-token"] = token
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=ctx.timeout)
        conn.request("GET", f"/{BUCKET}?{urllib.parse.urlencode(query)}")
        answer = conn.getresponse()
        text = answer.read().decode()
        conn.close()
        check_eq(answer.status, 200, f"listing the bucket: {text[:300]}")
        keys += [k.replace("&amp;", "&") for k in re.findall(r"<Key>(.*?)</Key>", text)]
        m = re.search(r"<NextContinuationToken>(.*?)</NextContinuationToken>", text)
        if "<IsTruncated>true</IsTruncated>" not in text or not m:
            return keys
        token = m.group(1)


def download_bucket(port, into, prefix=""):
    """Every object under `prefix`, downloaded through the S3 API to into/<key>; returns the keys."""
    keys = list_keys(port, prefix)
    for key in keys:
        check(".." not in key and not key.startswith("/"), f"an odd key in the bucket: {key!r}")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=ctx.timeout)
        conn.request("GET", f"/{BUCKET}/{urllib.parse.quote(key)}")
        answer = conn.getresponse()
        data = answer.read()
        conn.close()
        check_eq(answer.status, 200, f"GET {key}")
        check(data[:4] == b"PAR1" and data[-4:] == b"PAR1", f"{key}: not a whole Parquet file ({len(data)} bytes)")
        path = os.path.join(into, key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    return keys


def count_by_host(directory):
    """DuckDB over the downloaded tree: {host: rows}, and the number of distinct messages."""
    glob = os.path.join(directory, "**", "*.parquet").replace("'", "''")
    source = f"read_parquet('{glob}', hive_partitioning = true, union_by_name = true)"
    db = DuckDB(ctx)
    rows = db.query(f"SELECT host, count(*) AS n, count(DISTINCT message) AS d FROM {source} GROUP BY host "
                    f"ORDER BY host")
    return {r["host"]: (int(r["n"]), int(r["d"])) for r in rows}


# ---- helpers ------------------------------------------------------------------------------------------------


def ship_flags(gate, host, prefix, *extra):
    return ["--flush-interval", "1", "--ship-url", gate.url(), "--ship-bucket", BUCKET, "--ship-prefix", prefix,
            "--ship-region", REGION, "--ship-host", host, "--ship-after", "1s", *extra]


def with_credentials(key_id=ACCESS_KEY):
    os.environ["AWS_ACCESS_KEY_ID"] = key_id
    os.environ["AWS_SECRET_ACCESS_KEY"] = SECRET_KEY
    os.environ.pop("AWS_SESSION_TOKEN", None)


def send_logs(d, tag, count, batches=1):
    """`count` logs with unique messages "<tag> <i>", in `batches` pipelined bursts ~0.4 s apart (so that
    several flush files are made and compaction has work). Returns how many were answered OK."""
    ok = 0
    per = count // batches
    for b in range(batches):
        n = per if b < batches - 1 else count - per * (batches - 1)
        payloads = [log_json(f"{tag} {b * per + i}", service=tag) for i in range(n)]
        with d.connect() as c:
            replies = c.pipeline(frames(payloads), n)
        ok += sum(1 for r in replies if r == "OK")
        if b < batches - 1:
            time.sleep(0.4)
    return ok


def unshipped_files(storage):
    """The local Parquet files the manifest does not record as shipped (relative paths)."""
    shipped = set()
    try:
        with open(os.path.join(storage, ".ship", "manifest")) as f:
            shipped = {line.split()[1] for line in f if line.startswith("shipped ")}
    except FileNotFoundError:
        pass
    return [os.path.relpath(p, storage) for p in parquet_files(storage) if os.path.relpath(p, storage) not in shipped]


def wait_shipped(d, acked, what):
    """Until every acknowledged log is in a file (acked None: whatever the restart replayed) and every
    local file is recorded as shipped."""
    def done():
        m = d.metrics()
        if acked is not None and m.value("logdaemon_rows_written_total") != acked:
            return False
        return m.value("logdaemon_ship_files_total") > 0 and parquet_files(d.storage) and \
            not unshipped_files(d.storage)
    poll_until(done, 3 * ctx.timeout, f"{what}: every local file shipped (left: {unshipped_files(d.storage)})")


def check_no_secret(d, what):
    """The secret key is nowhere the daemon writes: its log, /metrics, the manifest."""
    check(SECRET_KEY not in d.stderr(), f"{what}: the secret key is in the daemon's stderr")
    check(SECRET_KEY not in http_get(d.metrics_port, "/metrics", ctx.timeout), f"{what}: the secret key in /metrics")
    manifest = os.path.join(d.storage, ".ship", "manifest")
    if os.path.exists(manifest):
        check(SECRET_KEY not in open(manifest).read(), f"{what}: the secret key is in the manifest")


class Rig:
    """s3rver and the gate for one check; removed at the end."""

    def __enter__(self):
        self.workdir = tempfile.mkdtemp(prefix="ld-ship-test-")
        self.s3rver, self.s3_port = start_s3rver(self.workdir)
        self.gate = S3Gate(self.s3_port)
        return self

    def __exit__(self, *exc):
        self.gate.close()
        self.s3rver.kill()
        self.s3rver.wait()
        if not ctx.keep:
            shutil.rmtree(self.workdir, ignore_errors=True)
        return False

    def read_bucket(self, prefix):
        into = os.path.join(self.workdir, "download-" + prefix.replace("/", "_"))
        keys = download_bucket(self.s3_port, into, prefix + "/")
        return keys, (count_by_host(into) if keys else {})


# ---- the checks ---------------------------------------------------------------------------------------------


@suite.check
def two_hosts_one_bucket_every_row_once(ctx):
    """two daemons (host=alpha with multipart uploads of 1 KiB parts, host=beta with single PUTs) ship into
    one bucket while compaction runs; DuckDB over the downloaded bucket counts each acknowledged log once,
    with host as a column; every request's SigV4 signature is what S3 computes"""
    with_credentials()
    with Rig() as rig:
        n = ctx.scaled(3000, 600)
        alpha = Daemon(ctx, *ship_flags(rig.gate, "alpha", "two", "--ship-multipart-threshold", "1KiB",
                                         "--ship-part-size", "1KiB"))
        beta = Daemon(ctx, *ship_flags(rig.gate, "beta", "two"))
        with alpha, beta:
            acked_a = send_logs(alpha, "alpha", n, batches=5)
            acked_b = send_logs(beta, "beta", n, batches=5)
            check_eq((acked_a, acked_b), (n, n), "logs acknowledged")
            wait_shipped(alpha, acked_a, "alpha")
            wait_shipped(beta, acked_b, "beta")
            parts = alpha.metrics().require("logdaemon_ship_parts_total")
            check(parts >= 2, f"alpha made no multipart upload (parts {parts})")
            check_no_secret(alpha, "alpha")
            check_no_secret(beta, "beta")
            page = http_get(alpha.metrics_port, "/metrics", ctx.timeout)
            check("logdaemon_ship_files_total" in page and SECRET_KEY not in page, "the secret key in /metrics")
        keys, counts = rig.read_bucket("two")
        check_eq(counts, {"alpha": (acked_a, acked_a), "beta": (acked_b, acked_b)},
                 "DuckDB over the bucket: {host: (rows, distinct messages)}")
        check(all(re.match(r"two/dt=\d{4}-\d\d-\d\d/host=(alpha|beta)/logs_\d{8}_\d{6}_[0-9-]+(_\d+of\d+)?\.parquet$",
                           k) for k in keys), f"keys not of the form PREFIX/dt=…/host=…/file: {keys[:5]}")
        check_eq(rig.gate.bad_signatures, [], "requests whose SigV4 signature S3 would refuse")
        check(rig.gate.count("part") >= 2 and rig.gate.count("complete") >= 1, f"requests {rig.gate.counts}")
        return (f"{len(keys)} objects, {acked_a}+{acked_b} rows once each, {int(parts)} parts, "
                f"{sum(rig.gate.counts.values())} signed requests verified")


@suite.check
def kill_9_mid_multipart_then_restart(ctx):
    """kill -9 while multipart uploads are in flight (slow answers, 1 KiB parts); after a restart on the same
    storage every acknowledged log is in the bucket exactly once and every object is a whole file; the
    upload left by the crash is aborted"""
    with_credentials()
    with Rig() as rig:
        n = ctx.scaled(2000, 400)
        workdir = tempfile.mkdtemp(prefix="ld-ship-kill-")
        storage = os.path.join(workdir, "logs")
        flags = ship_flags(rig.gate, "gamma", "kill", "--ship-multipart-threshold", "2KiB", "--ship-part-size",
                           "1KiB")
        try:
            rig.gate.mode = "slow:0.15"
            d = Daemon(ctx, *flags, storage=storage, workdir=workdir)
            d.start()
            try:
                acked = send_logs(d, "gamma", n, batches=3)
                check_eq(acked, n, "logs acknowledged")
                poll_until(lambda: rig.gate.count("part") >= 3, 3 * ctx.timeout, "parts being uploaded")
                d.proc.send_signal(signal.SIGKILL)
                d.proc.wait()
            finally:
                d.kill()
            manifest = open(os.path.join(storage, ".ship", "manifest")).read()
            check("upload " in manifest, f"no multipart upload in flight at the kill:\n{manifest}")
            rig.gate.mode = "pass"
            aborts_before = rig.gate.count("abort")
            d2 = Daemon(ctx, *flags, storage=storage, workdir=workdir)
            with d2:
                # The restart stores what the write-ahead log held a moment after it is ready: wait for
                # every acknowledged row to be in a local file, and every local file to be shipped.
                poll_until(lambda: not unshipped_files(storage) and rows_by_inspect(ctx, storage) == acked,
                           3 * ctx.timeout, "after the restart: every row local and every file shipped")
                check_no_secret(d2, "after the restart")
            check(rig.gate.count("abort") > aborts_before, "the upload left by the crash was not aborted")
            local = rows_by_inspect(ctx, storage)
            check_eq(local, acked, "rows stored locally after the restart")
            keys, counts = rig.read_bucket("kill")
            check_eq(counts, {"gamma": (acked, acked)}, "DuckDB over the bucket: {host: (rows, distinct)}")
            check_eq(rig.gate.bad_signatures, [], "requests with a bad signature")
            return f"{len(keys)} objects, {acked} rows once each after kill -9 mid-upload"
        finally:
            shutil.rmtree(workdir, ignore_errors=True)


@suite.check
def endpoint_down_then_503_then_back(ctx):
    """with the endpoint down the backlog grows and is reported (files, bytes, oldest age, connect errors),
    503s are counted as server errors, and once it answers the backlog drains into the bucket"""
    with_credentials()
    with Rig() as rig:
        rig.gate.mode = "refuse"
        n = ctx.scaled(1000, 300)
        with Daemon(ctx, *ship_flags(rig.gate, "delta", "down")) as d:
            acked = send_logs(d, "delta", n, batches=2)

            def backlog_reported():
                m = d.metrics()
                return (m.value("logdaemon_ship_backlog_files") >= 1 and m.value("logdaemon_ship_backlog_bytes") > 0
                        and m.value("logdaemon_ship_backlog_oldest_seconds") >= 1
                        and m.value("logdaemon_ship_errors_total", {"reason": "connect"}) >= 1)
            poll_until(backlog_reported, 3 * ctx.timeout, "the backlog and connect errors in /metrics")
            check_eq(d.metrics().value("logdaemon_ship_files_total"), 0, "files shipped while down")
            rig.gate.mode = "status:503"
            poll_until(lambda: d.metrics().value("logdaemon_ship_errors_total", {"reason": "server"}) >= 1,
                       3 * ctx.timeout, "503 answers counted as server errors")
            d.signal(signal.SIGUSR1)
            poll_until(lambda: "ship_backlog_files=" in d.stderr(), ctx.timeout, "the SIGUSR1 stats line")
            rig.gate.mode = "pass"
            wait_shipped(d, acked, "after the endpoint came back")
            poll_until(lambda: d.metrics().value("logdaemon_ship_backlog_bytes") == 0, ctx.timeout,
                       "the backlog's bytes back to 0")
            m = d.metrics()
            check_eq(m.value("logdaemon_ship_backlog_oldest_seconds"), 0, "the oldest unshipped file's age")
            check(m.value("logdaemon_ship_last_success_timestamp_seconds") > 0, "no last success time")
            check("503 ServiceUnavailable: S3Gate plays a fault" in d.stderr(),
                  f"the 503's message is not in the log:\n{d.stderr_tail()}")
            check_no_secret(d, "down then back")
        keys, counts = rig.read_bucket("down")
        check_eq(counts, {"delta": (acked, acked)}, "DuckDB over the bucket")
        return f"backlog reported while down, drained into {len(keys)} objects once back"


@suite.check
def client_errors_are_reported_and_nothing_is_deleted(ctx):
    """a wrong access key (403) and a missing bucket (404) are logged with the server's code and message,
    counted as client errors, and every local file stays (retention never deletes an unshipped file)"""
    with Rig() as rig:
        n = ctx.scaled(300, 100)
        outcomes = []
        for key_id, bucket, want in (
                ("NOSUCHKEY", BUCKET, "403 InvalidAccessKeyId: The AWS Access Key Id you provided does not exist "
                                      "in our records."),
                (ACCESS_KEY, "no-such-bucket", "404 NoSuchBucket: The specified bucket does not exist")):
            with_credentials(key_id)
            flags = ship_flags(rig.gate, "eps", "bad") + ["--retention-mb", "1", "--local-retention", "1s"]
            flags[flags.index("--ship-bucket") + 1] = bucket
            with Daemon(ctx, *flags) as d:
                acked = send_logs(d, "eps", n)
                poll_until(lambda: want in d.stderr(), 3 * ctx.timeout, f"'{want}' in the daemon's log")
                m = d.metrics()
                check(m.value("logdaemon_ship_errors_total", {"reason": "client"}) >= 1, "no client error counted")
                check_eq(m.value("logdaemon_ship_files_total"), 0, "files shipped")
                time.sleep(1.5)  # past --local-retention: still nothing may go
                check_eq(rows_by_inspect(ctx, d.storage), acked, "rows still on the local disk")
                check_no_secret(d, key_id)
            outcomes.append(want.split(":")[0])
        with_credentials()
        check_eq(list_keys(rig.s3_port, "bad/"), [], "objects shipped with bad credentials or bucket")
        return "; ".join(outcomes) + ": reported, local files kept"


suite.run()
