#!/usr/bin/env python3
"""The HTTP front door end to end (issue #14) against the real `logdaemon serve`, with Python's http.client,
raw sockets and the real curl binary: NDJSON answered line by line as the Unix socket answers the same
lines, gzip bodies (and truncated ones, other encodings, a gzip bomb), bodies over --http-max-body-mb by
Content-Length and chunked, OTLP/HTTP (malformed protobuf, 10 000-deep JSON, wrong Content-Type, the
mapped columns in DuckDB), the Elasticsearch bulk API and its probes, slow-body and idle clients, the
token, an HTTP 200 surviving kill -9 with --ack durable, and /metrics counting it all. Each check starts
its own daemon (on its own socket, storage and loopback HTTP port) and stops it with SIGTERM (exit 0, no
sanitizer report); where it stored logs, DuckDB and `logdaemon inspect` count exactly the accepted ones.

    tests/server/http_front_door.py --logdaemon build/logdaemon --source-dir . --interop tests/interop \
        --backend epoll [--sanitized] [--only NAME]

The daemon's HTTP port is Daemon.metrics_port (--metrics-addr is --http-addr's alias).
"""

import gzip
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import zlib

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon import (TIMESTAMP, CheckFailed, Context, Daemon, DuckDB, Suite, check, check_eq,  # noqa: E402
                    check_stored_rows, log_json, poll_until, raise_nofile_limit)

ctx = Context(__doc__)
suite = Suite(ctx, "server.http_front_door")

MIB = 1 << 20
HTTP_TIMEOUT_DEFAULT = 30  # --http-timeout's default, in seconds
NDJSON = {"Content-Type": "application/x-ndjson"}
CURL = shutil.which("curl")


# ---- clients ------------------------------------------------------------------------------------------------


class Reply:
    """An HTTP answer: status (0 when none came), headers by lower-case name, body bytes."""

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name):
        return self.headers.get(name.lower())

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            raise CheckFailed(f"the answer ({self.status}) is not JSON: {self.body[:300]!r}")

    def __repr__(self):
        return f"Reply({self.status}, {self.body[:300]!r})"


def request(port, method, path, body=None, headers=None, token=None, timeout=None):
    """One request with http.client on a fresh connection (a bytes body goes with its Content-Length; an
    iterable of bytes, chunked)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout or ctx.timeout)
    try:
        all_headers = dict(headers or {})
        if token is not None:
            all_headers["Authorization"] = f"Bearer {token}"
        conn.request(method, path, body=body, headers=all_headers,
                     encode_chunked=body is not None and not isinstance(body, (bytes, str)))
        response = conn.getresponse()
        data = response.read()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
    finally:
        conn.close()


def post_ndjson(port, body, headers=None, token=None):
    return request(port, "POST", "/api/v1/ingest", body, {**NDJSON, **(headers or {})}, token)


def curl(port, path, *args):
    """The real curl binary (POST with --data-binary @FILE, ...): its Reply (status 0 when no answer came)
    and its exit code."""
    check(CURL is not None, "curl is not installed (scripts/install-deps.sh installs it)")
    with tempfile.TemporaryDirectory(prefix="ld-http-curl-") as tmp:
        body_path = os.path.join(tmp, "body")
        head_path = os.path.join(tmp, "head")
        run = subprocess.run([CURL, "-sS", "--noproxy", "*", "--max-time", str(int(3 * ctx.timeout)),
                              "-o", body_path, "-D", head_path, "-w", "%{http_code}", *args,
                              f"http://127.0.0.1:{port}{path}"],
                             capture_output=True, timeout=4 * ctx.timeout)
        status = int(run.stdout.decode() or "0")
        headers = {}
        if os.path.exists(head_path):
            with open(head_path, "rb") as f:
                blocks = [b for b in f.read().decode("latin-1").split("\r\n\r\n") if b.strip()]
            # The last block is the final answer (after any "100 Continue").
            for line in (blocks[-1].split("\r\n")[1:] if blocks else []):
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        body = b""
        if os.path.exists(body_path):
            with open(body_path, "rb") as f:
                body = f.read()
        return Reply(status, headers, body), run.returncode


def curl_post_file(port, path, data, *args):
    """POSTs `data` with `curl --data-binary @FILE` plus args; returns the Reply (curl must exit 0)."""
    with tempfile.NamedTemporaryFile(prefix="ld-http-body-", delete=False) as f:
        f.write(data)
    try:
        reply, rc = curl(port, path, "--data-binary", f"@{f.name}", *args)
    finally:
        os.unlink(f.name)
    check_eq(rc, 0, f"curl's exit code posting {len(data)} bytes to {path} (answer {reply})")
    return reply


def check_json_answer(reply, status, body, what):
    check_eq(reply.status, status, f"{what}: status ({reply.body[:300]!r})")
    check_eq(reply.header("Content-Type"), "application/json", f"{what}: Content-Type")
    check_eq(reply.json(), body, f"{what}: body")


def gz(data):
    return gzip.compress(data, compresslevel=6)


def gzip_of_zeros(size):
    """`size` zero bytes gzip'd, compressed a MiB at a time (the zeros are never all in memory)."""
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(MIB)
    parts = [z.compress(zeros) for _ in range(size // MIB)]
    parts.append(z.flush())
    return b"".join(parts)


def ndjson_lines(prefix, count):
    return b"".join(log_json(f"{prefix} {i}") + b"\n" for i in range(count))


def vm_hwm(d):
    """The daemon's peak RSS so far (VmHWM), in bytes."""
    with open(f"/proc/{d.proc.pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise CheckFailed("no VmHWM in /proc/PID/status")


def stored_by_message(ctx, storage, pattern):
    """{message: rows} for the stored messages LIKE pattern (DuckDB)."""
    duck = DuckDB(ctx)
    rows = duck.query(f"SELECT message, count(*) AS n FROM {duck.glob(storage)} "
                      f"WHERE message LIKE '{pattern}' GROUP BY message")
    return {r["message"]: int(r["n"]) for r in rows}


# ---- NDJSON -------------------------------------------------------------------------------------------------

TS = '"timestamp":"' + TIMESTAMP + '"'
# One line of each kind; numbered from 1 as the answer numbers them.
NDJSON_CASES = [
    log_json("ndjson valid 1"),                                        # 1 stored
    b'{"timestamp":"' + TIMESTAMP.encode() + b'","level":"info",',     # 2 invalid JSON (cut)
    log_json("ndjson bad level", level="loud"),                        # 3 schema: enum
    b"[1,2,3]",                                                        # 4 not an object
    b"",                                                               # 5 blank: skipped
    b" \t ",                                                           # 6 blank: skipped
    log_json("ndjson valid crlf") + b"\r",                             # 7 stored (CR dropped)
    b'{"level":"info","message":"ndjson no timestamp"}',               # 8 schema: required
    b"42",                                                             # 9 not an object
    b"{" + TS.encode() + b',"level":"info","message":"bad \xff utf8"}',  # 10 invalid UTF-8
    b"\r",                                                             # 11 blank (CRLF only)
    log_json("ndjson valid 2", service="svc", metadata={"k": [1, {"n": None}]}),  # 12 stored
    b'{"timestamp":"yesterday","level":"info","message":"x"}',         # 13 schema: date-time
    log_json("ndjson valid last"),                                     # 14 stored, no final newline
]
NDJSON_BODY = b"\n".join(NDJSON_CASES)
NDJSON_VALID = 4


def socket_answers(d, body):
    """What the Unix socket answers for each non-blank line of an NDJSON body, in the HTTP answer's shape:
    {"accepted", "rejected", "errors": [{"line", "error"}]} (the error is the text after "ERROR: ")."""
    accepted = 0
    errors = []
    with d.connect() as c:
        for number, line in enumerate(body.split(b"\n"), 1):
            if line.endswith(b"\r"):
                line = line[:-1]
            if not line.strip(b" \t"):
                continue
            reply = c.request(line)
            if reply == "OK":
                accepted += 1
            else:
                check(reply.startswith("ERROR: "), f"line {number}: the socket's reply {reply!r}")
                errors.append({"line": number, "error": reply[len("ERROR: "):]})
    return {"accepted": accepted, "rejected": len(errors), "errors": errors}


@suite.check
def ndjson_answers_each_line_as_the_socket_does(ctx):
    """POST /api/v1/ingest (curl --data-binary and http.client): valid lines, invalid JSON, schema errors,
    not-an-object, invalid UTF-8, blank and whitespace lines, CRLF, no final newline -> 200 with accepted/
    rejected counts and each rejected line's number and error EQUAL to the socket's replies (after
    "ERROR: ") for the same lines; DuckDB stores exactly the accepted ones"""
    with Daemon(ctx) as d:
        want = socket_answers(d, NDJSON_BODY)
        check_eq(want["accepted"], NDJSON_VALID, "the socket's OKs for the valid lines")
        check_eq([e["line"] for e in want["errors"]], [2, 3, 4, 8, 9, 10, 13], "the lines the socket refuses")
        by_curl = curl_post_file(d.metrics_port, "/api/v1/ingest", NDJSON_BODY,
                                 "-H", "Content-Type: application/x-ndjson")
        check_json_answer(by_curl, 200, want, "curl")
        by_client = post_ndjson(d.metrics_port, NDJSON_BODY)
        check_json_answer(by_client, 200, want, "http.client")
        # The reasons are the socket's own words; a few spelled out, so that both cannot be wrong alike.
        reasons = {e["line"]: e["error"] for e in want["errors"]}
        check(reasons[2].startswith("invalid JSON: "), f"line 2: {reasons[2]!r}")
        check(reasons[3].startswith("schema: /level: "), f"line 3: {reasons[3]!r}")
        check(reasons[4].startswith("not an object"), f"line 4: {reasons[4]!r}")
        check("UTF-8" in reasons[10], f"line 10: {reasons[10]!r}")
        # A body of only valid lines, newline-terminated, and an empty body.
        many = ctx.scaled(2000, 400)
        check_json_answer(post_ndjson(d.metrics_port, ndjson_lines("ndjson many", many)), 200,
                          {"accepted": many, "rejected": 0, "errors": []}, "valid lines only")
        check_json_answer(post_ndjson(d.metrics_port, b""), 200, {"accepted": 0, "rejected": 0, "errors": []},
                          "an empty body")
        d.stop()
        # Each valid line three times (the socket, curl, http.client), and the many.
        check_stored_rows(ctx, d.storage, 3 * NDJSON_VALID + many, "NDJSON and socket logs")
        stored = stored_by_message(ctx, d.storage, "ndjson valid%")
        check_eq(stored, {"ndjson valid 1": 3, "ndjson valid crlf": 3, "ndjson valid 2": 3,
                          "ndjson valid last": 3}, "the valid lines, stored once per sender")
    return (f"{len(NDJSON_CASES)} lines: {NDJSON_VALID} accepted, {len(want['errors'])} refused with the "
            f"socket's words, by curl and http.client; {many} more; DuckDB counts them exactly")


# ---- gzip and sizes -----------------------------------------------------------------------------------------


@suite.check
def gzip_bodies_truncated_unsupported_and_a_bomb(ctx):
    """gzip NDJSON (curl --data-binary @file -H 'Content-Encoding: gzip') and x-gzip -> 200, every line
    accepted; a truncated gzip -> 400; Content-Encoding: br -> 415; a gzip bomb (100 MiB of zeros in about
    100 KiB) -> 413 by the ratio cap, and the daemon's peak RSS stays far below it and it keeps serving"""
    lines = ctx.scaled(3000, 600)
    body = ndjson_lines("gzip", lines)
    with Daemon(ctx) as d:
        port = d.metrics_port
        check_json_answer(curl_post_file(port, "/api/v1/ingest", gz(body), "-H", "Content-Encoding: gzip",
                                         "-H", "Content-Type: application/x-ndjson"),
                          200, {"accepted": lines, "rejected": 0, "errors": []}, "gzip by curl")
        check_json_answer(post_ndjson(port, gz(ndjson_lines("x-gzip", 10)), {"Content-Encoding": "x-gzip"}),
                          200, {"accepted": 10, "rejected": 0, "errors": []}, "x-gzip by http.client")
        truncated = gz(body)[:-100]
        check_json_answer(curl_post_file(port, "/api/v1/ingest", truncated, "-H", "Content-Encoding: gzip"),
                          400, {"error": "gzip body is corrupt or truncated"}, "truncated gzip")
        check_json_answer(curl_post_file(port, "/api/v1/ingest", gz(body), "-H", "Content-Encoding: br"),
                          415, {"error": "unsupported Content-Encoding (gzip or identity)"}, "br")
        check_json_answer(post_ndjson(port, log_json("deflate"), {"Content-Encoding": "deflate"}), 415,
                          {"error": "unsupported Content-Encoding (gzip or identity)"}, "deflate")

        bomb = gzip_of_zeros(100 * MIB)
        check(len(bomb) < 200 << 10, f"test setup: the bomb is {len(bomb)} bytes")
        hwm_before = vm_hwm(d)
        check_json_answer(curl_post_file(port, "/api/v1/ingest", bomb, "-H", "Content-Encoding: gzip"),
                          413, {"error": "gzip body expands beyond the accepted decompression ratio"}, "bomb")
        hwm_after = vm_hwm(d)
        if not ctx.sanitized:  # ASan's shadow memory and quarantine make RSS meaningless
            check(hwm_after < 200 * MIB, f"peak RSS after the bomb: {hwm_after >> 20} MiB "
                                         f"(before it: {hwm_before >> 20} MiB)")
        d.check_serves("after the bomb")
        check_json_answer(post_ndjson(port, gz(ndjson_lines("after bomb", 5)), {"Content-Encoding": "gzip"}),
                          200, {"accepted": 5, "rejected": 0, "errors": []}, "gzip after the bomb")
        d.stop()
        check_stored_rows(ctx, d.storage, lines + 10 + 1 + 5, "gzip logs")
    return (f"{lines} gzip'd lines stored; truncated 400, br 415, a {len(bomb) >> 10} KiB bomb 413; "
            f"peak RSS {hwm_before >> 20} -> {hwm_after >> 20} MiB")


def exact_ndjson(size):
    """NDJSON of exactly `size` bytes (valid lines; the last one padded to fit)."""
    out = bytearray()
    i = 0
    while True:
        line = log_json(f"exact {i}") + b"\n"
        if len(out) + len(line) > size - 200:
            break
        out += line
        i += 1
    last = log_json("exact last") + b"\n"
    pad = size - len(out) - len(last)
    out += log_json("exact last", pad="p" * (pad - len(b',"pad":""'))) + b"\n"
    check_eq(len(out), size, "test setup: exact body size")
    return bytes(out), i + 1


def raw_exchange(port, data, timeout):
    """Sends `data` on a fresh TCP connection and reads until the daemon closes it (or `timeout`); returns
    (bytes read, whether it closed)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        received = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    return received, True
                received += chunk
        except ConnectionResetError:
            return received, True
        except socket.timeout:
            return received, False


@suite.check
def bodies_over_the_size_bound(ctx):
    """--http-max-body-mb 1: a body of exactly 1 MiB -> 200; 1 MiB + 1 by Content-Length (curl) -> 413 with
    the sizes; a head declaring 100 MiB -> 413 before any body byte is sent, then closed; chunked past
    1 MiB (curl) -> 413 once the body ends, and an endless one cut unanswered past 4 MiB; gzip inflating past 1 MiB -> 413; a gzip bomb -> 413"""
    with Daemon(ctx, "--http-max-body-mb", "1") as d:
        port = d.metrics_port
        exact, exact_lines = exact_ndjson(MIB)
        check_json_answer(curl_post_file(port, "/api/v1/ingest", exact), 200,
                          {"accepted": exact_lines, "rejected": 0, "errors": []}, "exactly 1 MiB")
        over = exact + b"\n"
        check_json_answer(curl_post_file(port, "/api/v1/ingest", over), 413,
                          {"error": f"request body of {MIB + 1} bytes is over the {MIB}-byte limit"},
                          "1 MiB + 1 by Content-Length")
        # Refused on its head: the answer comes though no body byte was sent, and the connection closes.
        head = (f"POST /api/v1/ingest HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\n"
                f"Content-Length: {100 * MIB}\r\n\r\n").encode()
        received, closed = raw_exchange(port, head, ctx.timeout)
        check(received.startswith(b"HTTP/1.1 413 "), f"a 100 MiB Content-Length, no body sent: {received[:300]!r}")
        check(closed, "the connection stays open after the early 413")
        # Chunked: no length to judge by. The body is refused once it passes 1 MiB, but libmicrohttpd (0.9.75)
        # lets an answer be queued only on the head or once the body has ended: the daemon reads the rest
        # and drops it (nothing held: the reader let its memory go at the refusal), then answers 413 and
        # closes. curl's Expect: 100-continue gets "100 Continue" first, since the head itself is fine.
        reply, rc = curl(port, "/api/v1/ingest", "-H", "Transfer-Encoding: chunked",
                         "--data-binary", "@" + write_temp(exact + exact))
        check_eq(rc, 0, f"curl's exit code for a chunked 2 MiB body ({reply})")
        check_json_answer(reply, 413, {"error": "request body too large (after decompression)"}, "chunked 2 MiB")
        # An endless chunked body is not read for ever: past three times the bound after the refusal, the
        # connection is closed without an answer (here at 4 MiB of a 16 MiB body).
        endless = raw_chunked_until_closed(port, 16 * MIB, ctx.timeout)
        check(endless < 16 * MIB, f"a 16 MiB chunked body was read to its end ({endless} bytes sent)")
        check_eq(d.metrics().value("logdaemon_http_bodies_cut_total"), 1, "bodies cut")
        # gzip that inflates past the bound (an ordinary ratio, so it is the size bound that refuses it).
        check_json_answer(curl_post_file(port, "/api/v1/ingest", gz(exact + exact), "-H",
                                         "Content-Encoding: gzip"),
                          413, {"error": "request body too large (after decompression)"}, "gzip of 2 MiB")
        # A bomb under this bound meets the size bound before the ratio cap (checked past 1 MiB only).
        check_json_answer(curl_post_file(port, "/api/v1/ingest", gzip_of_zeros(100 * MIB), "-H",
                                         "Content-Encoding: gzip"),
                          413, {"error": "request body too large (after decompression)"}, "a gzip bomb")
        check_json_answer(post_ndjson(port, ndjson_lines("after oversized", 3)), 200,
                          {"accepted": 3, "rejected": 0, "errors": []}, "a normal body after them")
        d.check_serves("after the oversized bodies")
        check_eq(d.metrics().value("logdaemon_http_body_bytes"), 0, "body bytes held after the refusals")
        d.stop()
        check_stored_rows(ctx, d.storage, exact_lines + 3 + 1, "logs of the bodies within the bound")
    return f"1 MiB ({exact_lines} logs) stored; over by length, by head, chunked, gzip and bomb: 413"


def raw_chunked_until_closed(port, total, timeout):
    """Sends a chunked NDJSON body of `total` bytes in 64 KiB chunks until the server closes the connection;
    returns how many body bytes were sent."""
    chunk = (b'{"level":"info","message":"' + b"x" * 100 + b'"}\n') * 512
    head = (b"POST /api/v1/ingest HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n")
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(head)
        try:
            while sent < total:
                s.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
                sent += len(chunk)
            s.sendall(b"0\r\n\r\n")
            s.recv(65536)
        except (BrokenPipeError, ConnectionResetError):
            pass
    return sent


_temp_files = []


def write_temp(data):
    """A temporary file holding `data` (removed when the script ends)."""
    with tempfile.NamedTemporaryFile(prefix="ld-http-body-", delete=False) as f:
        f.write(data)
    _temp_files.append(f.name)
    return f.name


# ---- OTLP ---------------------------------------------------------------------------------------------------

TRACE_ID = "5B8EFFF798038103D269B633813FC60C"
SPAN_ID = "eee19b7ec3c1b174"


def otlp_json_request(records, service="checkout"):
    return json.dumps({"resourceLogs": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": service}}]},
        "scopeLogs": [{"scope": {"name": "e2e", "version": "1.0"}, "logRecords": records}]}]}).encode()


def varint(n):
    out = bytearray()
    while True:
        if n < 0x80:
            out.append(n)
            return bytes(out)
        out.append((n & 0x7F) | 0x80)
        n >>= 7


def pb_len(field, payload):
    return varint(field << 3 | 2) + varint(len(payload)) + payload


def otlp_protobuf_request(message, ns):
    """A minimal ExportLogsServiceRequest in protobuf, by hand: one record with time, severity 9 and a
    string body, under a resource with service.name "pb"."""
    any_string = pb_len(1, message.encode())
    record = varint(1 << 3 | 1) + ns.to_bytes(8, "little") + varint(2 << 3 | 0) + varint(9) + pb_len(5, any_string)
    scope_logs = pb_len(2, pb_len(2, record))  # ResourceLogs.scope_logs { ScopeLogs.log_records }
    resource = pb_len(1, pb_len(1, b"service.name") + pb_len(2, pb_len(1, b"pb")))
    return pb_len(1, pb_len(1, resource) + scope_logs)


@suite.check
def otlp_logs(ctx):
    """POST /v1/logs: a valid OTLP/JSON record -> 200 {} and DuckDB has the mapped columns (timestamp
    from timeUnixNano, level from severityNumber, message from body, service from service.name, trace_id
    in lower-case hex, metadata from attributes, the rest in _extra); a valid protobuf record -> 200 with
    an empty body; a record the schema refuses -> partialSuccess; a malformed protobuf body -> 400 with a
    google.rpc.Status; JSON 10 000 deep (the document, and an AnyValue) -> 400; a wrong Content-Type -> 415"""
    now = int(time.time()) - 60
    ns = now * 10**9 + 123456789
    want_ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + ".123456"
    record = {"timeUnixNano": str(ns), "severityNumber": 17, "severityText": "ERROR",
              "body": {"stringValue": "otlp payment failed"}, "traceId": TRACE_ID, "spanId": SPAN_ID,
              "attributes": [{"key": "user_id", "value": {"intValue": "42"}},
                             {"key": "http.status", "value": {"intValue": 503}},
                             {"key": "tags", "value": {"arrayValue": {"values": [{"stringValue": "a"},
                                                                                 {"boolValue": True}]}}}]}
    json_headers = {"Content-Type": "application/json"}
    pb_headers = {"Content-Type": "application/x-protobuf"}
    with Daemon(ctx) as d:
        port = d.metrics_port
        ok = request(port, "POST", "/v1/logs", otlp_json_request([record]), json_headers)
        check_eq((ok.status, ok.header("Content-Type"), ok.body), (200, "application/json", b"{}"), "valid JSON")
        ok = request(port, "POST", "/v1/logs", otlp_protobuf_request("otlp protobuf", ns), pb_headers)
        check_eq((ok.status, ok.header("Content-Type"), ok.body), (200, "application/x-protobuf", b""),
                 "valid protobuf")
        bad_level = {"timeUnixNano": str(ns), "severityText": "loud", "body": {"stringValue": "otlp loud"}}
        fine = {"timeUnixNano": str(ns), "body": {"stringValue": "otlp fine"}}
        partial = request(port, "POST", "/v1/logs", otlp_json_request([fine, bad_level]), json_headers)
        check_eq(partial.status, 200, f"partial success ({partial})")
        body = partial.json()["partialSuccess"]
        check_eq(body["rejectedLogRecords"], "1", "partialSuccess.rejectedLogRecords")
        check(body["errorMessage"].startswith("1 log record was not stored; the first (record 1): schema: "
                                              "/level: "), f"partialSuccess.errorMessage: {body['errorMessage']!r}")

        malformed = request(port, "POST", "/v1/logs", b"\x0a\xff\xff\xff\xff\x0f\x01", pb_headers)
        check_eq((malformed.status, malformed.header("Content-Type")), (400, "application/x-protobuf"),
                 f"malformed protobuf ({malformed})")
        check(malformed.body.startswith(b"\x08\x03\x12"), f"a google.rpc.Status with code 3: {malformed.body!r}")
        check(b"OTLP protobuf" in malformed.body, f"the status names the decoder: {malformed.body!r}")

        deep = b"[" * 10000 + b"]" * 10000
        deep_any = ('{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":'
                    + '{"arrayValue":{"values":[' * 10000 + '{"stringValue":"x"}' + ']}}' * 10000
                    + '}]}]}]}').encode()
        for what, payload in (("a 10 000-deep document", deep), ("a 10 000-deep AnyValue", deep_any)):
            reply = request(port, "POST", "/v1/logs", payload, json_headers)
            check_eq(reply.status, 400, f"{what} ({reply})")
            status = reply.json()
            check_eq(status["code"], 3, f"{what}: google.rpc.Status code")
            check(status["message"].startswith("OTLP JSON"), f"{what}: message {status['message']!r}")

        wrong = request(port, "POST", "/v1/logs", otlp_json_request([record]), {"Content-Type": "text/plain"})
        check_json_answer(wrong, 415, {"error": "Content-Type must be application/x-protobuf or "
                                                "application/json, got 'text/plain'"}, "text/plain")
        d.check_serves("after the OTLP requests")
        d.stop()
        check_stored_rows(ctx, d.storage, 3 + 1, "OTLP records and the health check")
        duck = DuckDB(ctx)
        rows = duck.query(
            "SELECT strftime(timestamp AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%f') AS ts, level, message, "
            "service, trace_id, CAST(metadata AS VARCHAR) AS metadata, CAST(_extra AS VARCHAR) AS extra "
            f"FROM {duck.glob(d.storage)} WHERE message LIKE 'otlp%' ORDER BY message")
        check_eq([r["message"] for r in rows], ["otlp fine", "otlp payment failed", "otlp protobuf"],
                 "the stored OTLP records")
        fine_row, mapped, pb = rows
        check_eq({k: mapped[k] for k in ("ts", "level", "message", "service", "trace_id")},
                 {"ts": want_ts, "level": "error", "message": "otlp payment failed", "service": "checkout",
                  "trace_id": TRACE_ID.lower()}, "the mapped columns")
        check_eq(json.loads(mapped["metadata"]), {"user_id": 42, "http.status": 503, "tags": ["a", True]},
                 "metadata from the attributes")
        check_eq(json.loads(mapped["extra"]), {"span_id": SPAN_ID, "severity_number": 17,
                                               "scope": {"name": "e2e", "version": "1.0"}}, "_extra")
        check_eq((fine_row["level"], fine_row["service"], fine_row["metadata"]), ("info", "checkout", None),
                 "a record with no severity and no attributes")
        check_eq((pb["ts"], pb["level"], pb["service"]), (want_ts, "info", "pb"), "the protobuf record")
    return "JSON and protobuf stored with every mapped column; partial success, 400, 415 as specified"


# ---- Elasticsearch ------------------------------------------------------------------------------------------


@suite.check
def elasticsearch_bulk_and_probes(ctx):
    """POST /_bulk and /{index}/_bulk (http.client): valid, invalid (schema, not JSON) and delete items ->
    per-item 201/400 with the socket's reasons, "errors":true, X-Elastic-Product; @timestamp renamed to
    timestamp and log.level mapped to level in DuckDB; GET / (the version probe), GET /_license, HEAD
    /someindex -> 200; 404 for an unknown path, 405 with Allow for a wrong method"""
    es_ts = TIMESTAMP
    docs = [
        ({"index": {"_index": "app", "_id": "a1"}},
         {"@timestamp": es_ts, "level": "info", "message": "es ok 1", "service": "shop"}),
        ({"create": {}}, {"@timestamp": es_ts, "log.level": "WARNING", "message": "es ok 2"}),
        ({"index": {}}, {"@timestamp": es_ts, "level": "loud", "message": "es bad level"}),
        ({"index": {}}, None),  # "not json"
    ]
    body = b""
    for action, doc in docs:
        body += json.dumps(action).encode() + b"\n"
        body += (json.dumps(doc).encode() if doc is not None else b"not json") + b"\n"
    body += b'{"delete":{"_id":"x"}}\n'
    with Daemon(ctx) as d:
        port = d.metrics_port
        # The socket's words for the refused documents, as the bulk endpoint hands them over (@timestamp
        # renamed).
        with d.connect() as c:
            bad_level = c.request(json.dumps({"timestamp": es_ts, "level": "loud",
                                              "message": "es bad level"}).encode())
            not_json = c.request(b"not json")
        check(bad_level.startswith("ERROR: schema: /level: "), f"the socket's reply: {bad_level!r}")
        reply = request(port, "POST", "/_bulk", body, {"Content-Type": "application/x-ndjson"})
        check_eq(reply.status, 200, f"bulk ({reply})")
        check_eq(reply.header("X-Elastic-Product"), "Elasticsearch", "the product header")
        answer = reply.json()
        check_eq(answer["errors"], True, "errors")
        items = answer["items"]
        check_eq([(list(i)[0], list(i.values())[0]["status"]) for i in items],
                 [("index", 201), ("create", 201), ("index", 400), ("index", 400), ("delete", 400)],
                 "items' actions and statuses")
        check_eq((items[0]["index"]["_index"], items[0]["index"]["_id"], items[0]["index"]["result"]),
                 ("app", "a1", "created"), "the first item")
        check_eq(items[1]["create"]["_index"], "logdaemon", "the default index")
        check_eq(items[2]["index"]["error"]["reason"], bad_level[len("ERROR: "):], "a schema error's reason")
        check_eq(items[3]["index"]["error"]["reason"], not_json[len("ERROR: "):], "invalid JSON's reason")
        check_eq(items[2]["index"]["error"]["type"], "document_parsing_exception", "the error type")

        # The index in the URL.
        reply = request(port, "POST", "/web/_bulk",
                        b'{"index":{}}\n' + json.dumps({"@timestamp": es_ts, "level": "debug",
                                                        "message": "es ok 3"}).encode() + b"\n",
                        {"Content-Type": "application/json"})
        check_eq(reply.status, 200, f"/web/_bulk ({reply})")
        check_eq(reply.json()["errors"], False, "/web/_bulk errors")
        check_eq(reply.json()["items"][0]["index"]["_index"], "web", "the URL's index")
        # A body that is not a bulk: the whole request is refused.
        reply = request(port, "POST", "/_bulk", b"not an action\n", {"Content-Type": "application/x-ndjson"})
        check_eq((reply.status, reply.header("X-Elastic-Product")), (400, "Elasticsearch"),
                 f"a malformed bulk ({reply})")
        check_eq(reply.json()["error"]["type"], "illegal_argument_exception", "its error type")

        probe = request(port, "GET", "/")
        check_eq((probe.status, probe.header("X-Elastic-Product")), (200, "Elasticsearch"), "GET /")
        check_eq((probe.json()["version"]["number"], probe.json()["tagline"]), ("8.11.0", "You Know, for Search"),
                 "the version probe")
        license_ = request(port, "GET", "/_license")
        check_eq((license_.status, license_.json()["license"]["status"]), (200, "active"), "GET /_license")
        head = request(port, "HEAD", "/someindex")
        check_eq((head.status, head.body), (200, b""), "HEAD /someindex")
        page = request(port, "GET", "/", headers={"Accept": "text/html"})
        check_eq((page.status, page.header("Location")), (302, "/ui/"), "GET / (a browser: to the web UI)")

        missing = request(port, "GET", "/no/such/path")
        check_json_answer(missing, 404, {"error": "no such endpoint: /no/such/path"}, "an unknown path")
        for method, path, allow in (("GET", "/_bulk", "POST, PUT"), ("DELETE", "/metrics", "GET, HEAD"),
                                    ("GET", "/api/v1/ingest", "POST"), ("PUT", "/v1/logs", "POST")):
            wrong = request(port, method, path, b"" if method in ("PUT", "POST") else None)
            check_eq((wrong.status, wrong.header("Allow")), (405, allow), f"{method} {path}")
        d.stop()
        check_stored_rows(ctx, d.storage, 3, "the valid bulk documents (the socket refused its two)")
        duck = DuckDB(ctx)
        rows = duck.query(
            "SELECT message, level, strftime(timestamp AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS ts, "
            f"service, CAST(_extra AS VARCHAR) AS extra FROM {duck.glob(d.storage)} "
            "WHERE message LIKE 'es %' ORDER BY message")
        check_eq([(r["message"], r["level"], r["ts"], r["service"]) for r in rows],
                 [("es ok 1", "info", es_ts, "shop"), ("es ok 2", "warn", es_ts, None),
                  ("es ok 3", "debug", es_ts, None)], "the stored documents")
        check_eq(json.loads(rows[1]["extra"]), {"log.level": "WARNING"}, "log.level kept in _extra")
        check_eq(rows[0]["extra"], None, "no @timestamp left in _extra")
    return "per-item 201/400 with the socket's reasons, probes, 404/405; DuckDB has the renamed documents"


# ---- hostile clients ----------------------------------------------------------------------------------------


TCP_STATES = {"01": "ESTABLISHED", "02": "SYN_SENT", "03": "SYN_RECV", "04": "FIN_WAIT1", "05": "FIN_WAIT2",
              "06": "TIME_WAIT", "07": "CLOSE", "08": "CLOSE_WAIT", "09": "LAST_ACK", "0B": "CLOSING"}


def daemon_http_connections(d, states=None):
    """How many TCP connections to the HTTP port the daemon process holds (accepted: sockets among its
    descriptors; connections still in the kernel's backlog are not). With a dict `states`, counts them
    by TCP state there too (CLOSE_WAIT: the client has closed and the daemon has not noticed yet), each
    with its client end's state ("client gone": the client's kernel has forgotten the connection)."""
    fd_dir = f"/proc/{d.proc.pid}/fd"
    inodes = set()
    for name in os.listdir(fd_dir):
        try:
            link = os.readlink(os.path.join(fd_dir, name))
        except FileNotFoundError:
            continue
        if link.startswith("socket:["):
            inodes.add(int(link[len("socket:["):-1]))
    # Distinct inodes: the kernel writes /proc/net/tcp a page at a time, and a table that changes meanwhile
    # (the flood's connects) can have a row written twice.
    held = {}  # inode -> (state, the client's port)
    client_states = {}  # the client's port -> the state of its end
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                rows = f.read().splitlines()[1:]
        except FileNotFoundError:
            continue
        for row in rows:
            fields = row.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            remote_port = int(fields[2].rsplit(":", 1)[1], 16)
            state = TCP_STATES.get(fields[3], fields[3])
            inode = int(fields[9])
            if local_port == d.metrics_port and fields[3] != "0A" and inode in inodes:  # 0A: LISTEN
                held[inode] = (state, remote_port)
            elif remote_port == d.metrics_port:
                client_states[local_port] = state
    if states is not None:
        for state, client_port in held.values():
            name = f"{state} (client {client_states.get(client_port, 'gone')})"
            states[name] = states.get(name, 0) + 1
    return len(held)


@suite.check
def slow_body_client_is_dropped_while_others_are_served(ctx):
    """--http-timeout 2: a client that sends a head and half its body, then nothing, and one that sends
    nothing at all, are closed without an answer; meanwhile the Unix socket answers OK and HTTP requests
    are answered"""
    with Daemon(ctx, "--http-timeout", "2") as d:
        port = d.metrics_port
        slow = socket.create_connection(("127.0.0.1", port), timeout=ctx.timeout)
        idle = socket.create_connection(("127.0.0.1", port), timeout=ctx.timeout)
        try:
            half = ndjson_lines("slow", 20)
            slow.sendall(f"POST /api/v1/ingest HTTP/1.1\r\nHost: x\r\nContent-Length: {len(half)}\r\n\r\n".encode()
                         + half[:len(half) // 2])
            served = 0
            for i in range(3):
                d.check_serves(f"the socket while a slow-body client holds its connection ({i})")
                check_json_answer(post_ndjson(port, ndjson_lines(f"beside slow {i}", 2)), 200,
                                  {"accepted": 2, "rejected": 0, "errors": []}, "HTTP beside the slow client")
                check_eq(request(port, "GET", "/metrics").status, 200, "/metrics beside the slow client")
                served += 1
            for what, s in (("the slow-body client", slow), ("the idle client", idle)):
                received = b""
                try:
                    while True:
                        chunk = s.recv(65536)
                        if not chunk:
                            break
                        received += chunk
                except ConnectionResetError:
                    pass
                except socket.timeout:
                    raise CheckFailed(f"{what} was not closed within {ctx.timeout:.0f} s (--http-timeout 2)")
                check_eq(received, b"", f"what {what} received before the close")
        finally:
            slow.close()
            idle.close()
        d.check_serves("after the slow clients")
        check_eq(request(port, "GET", "/metrics").status, 200, "/metrics after the slow clients")
        d.stop()
        check_stored_rows(ctx, d.storage, 3 * 2 + 3 + 1, "the logs served beside the slow clients")
    return "both closed with no answer; 3 socket logs and 3 HTTP requests served meanwhile; nothing half-stored"


@suite.check
def idle_connection_flood(ctx):
    """--http-max-connections 256 and 1 000 idle TCP connections to the HTTP port: the daemon holds at most
    256 of them (libmicrohttpd stops accepting at the limit: the rest wait in the kernel's backlog, or are
    not even connected); the Unix socket answers OK throughout; once the idle clients close, /metrics
    answers again and the daemon holds none of them"""
    count = ctx.scaled(1000, 400)
    raise_nofile_limit()
    with Daemon(ctx, "--http-max-connections", "256") as d:
        port = d.metrics_port
        d.check_serves("before the flood")

        def at_the_limit():
            held = daemon_http_connections(d)
            return held if held >= 256 else None

        clients = []
        try:
            for _ in range(count):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.setblocking(False)
                s.connect_ex(("127.0.0.1", port))  # EINPROGRESS; beyond the backlog, the SYN is retried
                clients.append(s)
            most = poll_until(at_the_limit, ctx.timeout, "the daemon holding 256 HTTP connections")
            for i in range(5):
                d.check_serves(f"the socket during the flood ({i})")
                most = max(most, daemon_http_connections(d))
            check(most <= 256, f"the daemon held {most} HTTP connections, over --http-max-connections 256")
        finally:
            for s in clients:
                s.close()

        def metrics_answer():
            try:
                return request(port, "GET", "/metrics", timeout=2).status == 200
            except (OSError, http.client.HTTPException):
                return False

        poll_until(metrics_answer, 3 * ctx.timeout, "/metrics after the idle clients closed")
        # Most held connections see their client's FIN at once. A few need the daemon's idle timeout
        # (--http-timeout, 30 s by default): when the accept queue is full, the kernel drops the handshake's
        # last ACK and keeps the connection half-open; the client closes meanwhile, and a later ACK of the
        # client's (to a SYN-ACK retransmitted once the daemon has room) makes it ESTABLISHED on the daemon's
        # side without the FIN, which the client's kernel retransmits with backoff, or never if it gave up.
        try:
            poll_until(lambda: daemon_http_connections(d) == 0, HTTP_TIMEOUT_DEFAULT + ctx.timeout,
                       "the idle connections released")
        except CheckFailed as e:
            # Which connections stay, and in what state, is what tells a slow daemon from a lost event.
            states = {}
            held = daemon_http_connections(d, states)
            raise CheckFailed(f"{e}: {held} still held, by TCP state {states}") from e
        d.check_serves("after the flood")
        d.stop()
    return (f"{count} idle connections: at most {most} held (limit 256), the socket served meanwhile, "
            f"/metrics back after")


# ---- token --------------------------------------------------------------------------------------------------


@suite.check
def token_file_guards_every_request(ctx):
    """--http-token-file (a temporary file, the token with surrounding whitespace): no Authorization ->
    401 with WWW-Authenticate; a wrong Bearer -> 401; the right Bearer -> 200 on /metrics and NDJSON;
    curl with Basic (the token as the password) -> 200"""
    token = "e2e-" + os.urandom(12).hex()
    path = write_temp(f"  {token}\n".encode())
    d = Daemon(ctx, "--http-token-file", path)
    d.http_token = token  # the readiness probe and d.metrics() carry it
    with d:
        port = d.metrics_port
        none = request(port, "GET", "/metrics")
        check_eq((none.status, none.header("WWW-Authenticate")), (401, 'Bearer realm="logdaemon"'),
                 "no Authorization")
        check_eq(none.json(), {"error": "missing or wrong token (Authorization: Bearer <token>)"}, "its body")
        check_eq(request(port, "GET", "/metrics", token=token + "x").status, 401, "a wrong Bearer token")
        check_eq(post_ndjson(port, ndjson_lines("token", 2)).status, 401, "NDJSON without a token")
        check_eq(request(port, "GET", "/metrics", token=token).status, 200, "/metrics with the token")
        check_json_answer(post_ndjson(port, ndjson_lines("token", 2), token=token), 200,
                          {"accepted": 2, "rejected": 0, "errors": []}, "NDJSON with the token")
        reply, rc = curl(port, "/metrics", "-u", f"shipper:{token}")
        check_eq((rc, reply.status), (0, 200), "curl -u user:token (Basic)")
        reply, rc = curl(port, "/metrics", "-u", "shipper:wrong")
        check_eq((rc, reply.status), (0, 401), "curl -u user:wrong")
        d.stop()
        check_stored_rows(ctx, d.storage, 2, "the logs sent with the token")
    return "401 without or with a wrong token, 200 with Bearer or Basic"


# ---- durability ---------------------------------------------------------------------------------------------


@suite.check
def http_200_survives_kill_9(ctx):
    """--ack durable: NDJSON, gzip'd NDJSON, OTLP and bulk requests answered 200, then kill -9 at once; a
    restart on the same storage, stopped gracefully, stores every accepted log exactly once"""
    workdir = tempfile.mkdtemp(prefix="ld-server-test-")
    try:
        storage = os.path.join(workdir, "logs")
        n = ctx.scaled(2000, 400)
        first = Daemon(ctx, "--ack", "durable", "--flush-interval", "3600", workdir=workdir, storage=storage)
        try:
            first.start()
            port = first.metrics_port
            check_json_answer(post_ndjson(port, ndjson_lines("durable ndjson", n)), 200,
                              {"accepted": n, "rejected": 0, "errors": []}, "NDJSON")
            check_json_answer(post_ndjson(port, gz(ndjson_lines("durable gzip", n)), {"Content-Encoding": "gzip"}),
                              200, {"accepted": n, "rejected": 0, "errors": []}, "gzip NDJSON")
            now_ns = (int(time.time()) - 5) * 10**9
            records = [{"timeUnixNano": str(now_ns + i), "body": {"stringValue": f"durable otlp {i}"}}
                       for i in range(10)]
            ok = request(port, "POST", "/v1/logs", otlp_json_request(records), {"Content-Type": "application/json"})
            check_eq((ok.status, ok.body), (200, b"{}"), "OTLP")
            bulk = b"".join(b'{"create":{}}\n' + log_json(f"durable bulk {i}") + b"\n" for i in range(10))
            reply = request(port, "POST", "/_bulk", bulk, {"Content-Type": "application/x-ndjson"})
            check_eq((reply.status, reply.json()["errors"]), (200, False), "bulk")
            first.proc.kill()  # SIGKILL right after the answers: nothing was flushed (--flush-interval 3600)
            first.proc.wait(timeout=ctx.timeout)
        finally:
            first.cleanup()
        with Daemon(ctx, workdir=workdir, storage=storage) as second:
            pass  # it replays the write-ahead log; the graceful stop writes the files
        want = 2 * n + 20
        check_stored_rows(ctx, storage, want, "after kill -9 and a restart")
        duck = DuckDB(ctx)
        distinct = int(duck.query(f"SELECT count(DISTINCT message) AS n FROM {duck.glob(storage)}")[0]["n"])
        check_eq(distinct, want, "distinct messages (each stored once)")
        check(second.stopped_rc == 0, "the restarted daemon's exit")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return f"{2 * n + 20} logs answered 200 over HTTP, kill -9, restart: each stored exactly once"


# ---- metrics ------------------------------------------------------------------------------------------------


@suite.check
def metrics_count_both_front_doors(ctx):
    """after a known mix of requests, /metrics has logdaemon_http_requests_total{path,code} with the exact
    counts, the logdaemon_http_logs_*_total per path, and log_daemon_ingest_count /
    logdaemon_logs_accepted_total counting the socket's and HTTP's logs together"""
    with Daemon(ctx) as d:
        port = d.metrics_port
        with d.connect() as c:
            check_eq([c.request(log_json("socket 1")), c.request(log_json("socket 2"))], ["OK", "OK"],
                     "socket logs")
            check(c.request(b"[]").startswith("ERROR: "), "a refused socket log")
        check_eq(post_ndjson(port, ndjson_lines("m ndjson", 4) + b"{bad\n").json()["accepted"], 4, "NDJSON 1")
        check_eq(post_ndjson(port, gz(ndjson_lines("m gzip", 3)), {"Content-Encoding": "gzip"}).status, 200,
                 "NDJSON 2")
        check_eq(post_ndjson(port, b"\x1f\x8b garbage", {"Content-Encoding": "gzip"}).status, 400, "bad gzip")
        check_eq(post_ndjson(port, b"x", {"Content-Encoding": "br"}).status, 415, "br")
        now_ns = (int(time.time()) - 5) * 10**9
        check_eq(request(port, "POST", "/v1/logs", otlp_json_request([
            {"timeUnixNano": str(now_ns), "body": {"stringValue": "m otlp"}}]),
            {"Content-Type": "application/json"}).status, 200, "OTLP")
        check_eq(request(port, "POST", "/v1/logs", b"{", {"Content-Type": "application/json"}).status, 400,
                 "bad OTLP")
        bulk = (b'{"index":{}}\n' + log_json("m bulk") + b'\n{"index":{}}\n' + log_json("x", level="loud")
                + b"\n")
        check_eq(request(port, "POST", "/_bulk", bulk, {"Content-Type": "application/x-ndjson"}).status, 200,
                 "bulk")
        check_eq(request(port, "GET", "/").status, 200, "GET /")
        check_eq(request(port, "GET", "/_license").status, 200, "GET /_license")
        check_eq(request(port, "GET", "/nothing").status, 404, "404")
        check_eq(request(port, "DELETE", "/metrics").status, 405, "405")

        m = d.settled_metrics()
        requests = {(labels["path"], labels["code"]): value
                    for labels, value in m.series("logdaemon_http_requests_total")}
        scrapes = requests.pop(("/metrics", "200"), 0)
        check(scrapes >= 1, f"/metrics 200 counted: {scrapes}")  # the readiness probe's, and settled_metrics'
        check_eq(requests, {("/api/v1/ingest", "200"): 2, ("/api/v1/ingest", "400"): 1,
                            ("/api/v1/ingest", "415"): 1, ("/v1/logs", "200"): 1, ("/v1/logs", "400"): 1,
                            ("/_bulk", "200"): 1, ("/", "200"): 2, ("other", "404"): 1,
                            ("/metrics", "405"): 1}, "logdaemon_http_requests_total{path,code}")
        check_eq(m.types.get("logdaemon_http_requests_total"), "counter", "its type")
        for name, path, want in (("logdaemon_http_logs_received_total", "/api/v1/ingest", 8),
                                 ("logdaemon_http_logs_accepted_total", "/api/v1/ingest", 7),
                                 ("logdaemon_http_logs_rejected_total", "/api/v1/ingest", 1),
                                 ("logdaemon_http_logs_received_total", "/v1/logs", 1),
                                 ("logdaemon_http_logs_accepted_total", "/v1/logs", 1),
                                 ("logdaemon_http_logs_received_total", "/_bulk", 2),
                                 ("logdaemon_http_logs_accepted_total", "/_bulk", 1),
                                 ("logdaemon_http_logs_rejected_total", "/_bulk", 1)):
            check_eq(m.value(name, {"path": path}), want, f"{name}{{path={path!r}}}")
        # Both front doors: 3 socket frames (2 OK) and 11 HTTP logs (9 accepted).
        check_eq(m.value("log_daemon_ingest_count"), 3 + 11, "log_daemon_ingest_count")
        check_eq(m.value("logdaemon_http_body_bytes"), 0, "body bytes held once every request is answered")
        check_eq(m.value("logdaemon_logs_accepted_total"), 2 + 9, "logdaemon_logs_accepted_total")
        check_eq(m.value("logdaemon_logs_rejected_total"), 1 + 2, "logdaemon_logs_rejected_total")
        d.stop()
        check_stored_rows(ctx, d.storage, 2 + 9, "the accepted logs")
    return "requests by path and code, logs per endpoint, and the per-log totals of both front doors exact"


try:
    suite.run()
finally:
    for name in _temp_files:
        try:
            os.unlink(name)
        except OSError:
            pass
