#!/usr/bin/env python3
"""The query API end to end (issue #17) against the real `logdaemon serve`: a storage with known logs
(sent over NDJSON, flushed), then every parameter of GET /api/v1/query, /histogram and /fields checked
against answers computed here from the logs sent (and the default query against DuckDB on the same
files); bad parameters answered 400 with the parser's error and, for `where`, its position; the tail (Server-
Sent Events) sending each log published after it started exactly once, only those that match, with a
backlog when asked; tails cancelled when their client goes away (the slot is free again, and
logdaemon_http_queries_cancelled_total counts it); the token on every query path; the UI's files under a
strict Content-Security-Policy.

    tests/server/query_api.py --logdaemon build/logdaemon --source-dir . --interop tests/interop \
        --backend epoll [--sanitized] [--only NAME]
"""

import calendar
import contextlib
import http.client
import json
import os
import socket
import sys
import threading
import time
import urllib.parse

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon import CheckFailed, Context, Daemon, DuckDB, Suite, check, check_eq, poll_until  # noqa: E402

ctx = Context(__doc__)
suite = Suite(ctx, "server.query_api")

LEVELS = ["info", "debug", "warn", "info", "error", "info", "fatal", "trace"]
SERVICES = ["api", "web", "worker", None]
# The known logs: one every 7 s from BASE (a whole minute 40 minutes ago), distinct times.
BASE = (int(time.time()) // 60 - 40) * 60
COUNT = 240


def rfc3339(seconds):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def known_log(i):
    log = {"timestamp": rfc3339(BASE + 7 * i), "level": LEVELS[i % len(LEVELS)],
           "message": f"request {i} " + ("Timeout" if i % 10 == 0 else "timeout" if i % 5 == 0 else "ok")}
    if SERVICES[i % 4] is not None:
        log["service"] = SERVICES[i % 4]
    log["metadata"] = {"status": 200 + 100 * (i % 4), "user": {"id": i % 10}}
    if i % 3 == 0:
        log["region"] = "eu" if i % 2 == 0 else "us"  # not in the schema: stored in _extra
    return log


LOGS = [known_log(i) for i in range(COUNT)]


def newest_first(logs):
    return sorted(logs, key=lambda log: log["timestamp"], reverse=True)


# ---- clients ------------------------------------------------------------------------------------------------


def get(port, path, params=None, headers=None):
    """GET path?params: (status, headers by lower-case name, body bytes)."""
    query = "?" + urllib.parse.urlencode(params, doseq=True) if params else ""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=ctx.timeout)
    try:
        conn.request("GET", path + query, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read(), response
    finally:
        conn.close()


def query(port, params=None):
    status, _, body, _ = get(port, "/api/v1/query", params)
    check_eq(status, 200, f"GET /api/v1/query {params}: {body[:300]!r}")
    return [json.loads(line) for line in body.decode().splitlines()]


def api_json(port, path, params=None, want=200):
    status, _, body, _ = get(port, path, params)
    check_eq(status, want, f"GET {path} {params}: {body[:300]!r}")
    return json.loads(body)


def post_ndjson(port, logs):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=ctx.timeout)
    try:
        body = "".join(json.dumps(log) + "\n" for log in logs).encode()
        conn.request("POST", "/api/v1/ingest", body=body, headers={"Content-Type": "application/x-ndjson"})
        reply = json.loads(conn.getresponse().read())
        check_eq((reply["accepted"], reply["rejected"]), (len(logs), 0), f"ingest of {len(logs)} logs: {reply}")
    finally:
        conn.close()


class Tail:
    """GET /api/v1/tail as a raw socket: a thread parses its Server-Sent Events into (event, data) pairs."""

    def __init__(self, port, params=None):
        query = "?" + urllib.parse.urlencode(params, doseq=True) if params else ""
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=ctx.timeout)
        self.sock.sendall(f"GET /api/v1/tail{query} HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n"
                          .encode())
        self.events = []
        self.head = b""
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        buffer = b""
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return
                buffer += chunk
                if not self.head and b"\r\n\r\n" in buffer:
                    self.head, buffer = buffer.split(b"\r\n\r\n", 1)
                # Chunked transfer coding: the events are read from the de-chunked text.
                text = dechunk(buffer)
                if text is None:
                    continue
                events = parse_events(text)
                with self.lock:
                    self.events = events
        except OSError:
            return

    def messages(self):
        with self.lock:
            return [json.loads(data) for event, data in self.events if event == "message"]

    def saw(self, name):
        with self.lock:
            return any(event == name for event, _ in self.events)

    def close(self):
        # shutdown first: a close alone would not end the reader thread's recv, nor send the FIN.
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


def dechunk(data):
    """The payload of complete chunks so far (HTTP/1.1 chunked coding)."""
    out = b""
    while True:
        line_end = data.find(b"\r\n")
        if line_end < 0:
            return out
        size = int(data[:line_end].split(b";")[0] or b"0", 16)
        if size == 0 or len(data) < line_end + 2 + size + 2:
            return out
        out += data[line_end + 2:line_end + 2 + size]
        data = data[line_end + 2 + size + 2:]


def parse_events(data):
    events = []
    for block in data.decode().split("\n\n")[:-1]:
        event, lines = "message", []
        for line in block.split("\n"):
            if line.startswith(":"):
                continue
            field, _, value = line.partition(": ")
            if field == "event":
                event = value
            elif field == "data":
                lines.append(value)
        if lines:
            events.append((event, "\n".join(lines)))
    return events


@contextlib.contextmanager
def daemon_with_known_logs():
    """A daemon (flushing every second) whose storage holds LOGS, queryable."""
    with Daemon(ctx, "--flush-interval", "1") as d:
        post_ndjson(d.metrics_port, LOGS)
        poll_until(lambda: len(query(d.metrics_port, {"limit": "10000"})) == COUNT, ctx.timeout,
                   "the known logs flushed and queryable")
        yield d


# ---- checks -------------------------------------------------------------------------------------------------


@suite.check
def query_parameters(ctx):
    """every parameter of /api/v1/query, against the logs sent (and the default answer against DuckDB)"""
    with daemon_with_known_logs() as d:
        port = d.metrics_port
        # Default: the 100 newest, whole, newest first; what was sent comes back (undeclared fields merged).
        got = query(port)
        check_eq(got, newest_first(LOGS)[:100], "the default answer: the 100 newest logs as sent")
        duck = DuckDB(ctx).query(
            f"SELECT message FROM {DuckDB.glob(d.storage)} ORDER BY timestamp DESC LIMIT 100")
        check_eq([log["message"] for log in got], [row["message"] for row in duck], "the same 100 by DuckDB")

        def expect(params, keep, what, limit=100):
            want = [log for log in newest_first(LOGS) if keep(log)][:limit]
            check_eq([log["message"] for log in query(port, params)], [log["message"] for log in want], what)

        expect({"level": "error,warn"}, lambda log: log["level"] in ("error", "warn"), "level=error,warn")
        expect([("level", "error"), ("level", "warn")], lambda log: log["level"] in ("error", "warn"),
               "level given twice")
        expect({"service": "api", "level": "info"},
               lambda log: log.get("service") == "api" and log["level"] == "info", "service and level")
        since, until = rfc3339(BASE + 7 * 50), rfc3339(BASE + 7 * 80)
        expect({"since": since, "until": until}, lambda log: since <= log["timestamp"] < until,
               "since (inclusive) and until (exclusive)")
        # A relative since: the logs of the last M minutes, M chosen so that no log lies within 2 s of the
        # edge (the daemon's "now" is a moment later than this one).
        times = [calendar.timegm(time.strptime(log["timestamp"], "%Y-%m-%dT%H:%M:%SZ")) for log in LOGS]
        minutes = next(m for m in range(20, 30) if all(abs(t - (time.time() - 60 * m)) > 2 for t in times))
        edge = rfc3339(int(time.time()) - 60 * minutes + 1)
        expect({"since": f"{minutes}m", "limit": "10000"}, lambda log: log["timestamp"] >= edge,
               f"a relative since ({minutes}m)", limit=10000)
        expect({"grep": "timeout"}, lambda log: "timeout" in log["message"], "grep (case-sensitive)")
        expect({"grep": "TIMEOUT", "ignore_case": "true"}, lambda log: "timeout" in log["message"].lower(),
               "grep with ignore_case")
        expect({"where": "metadata.status >= 400 AND service = 'web'"},
               lambda log: log["metadata"]["status"] >= 400 and log.get("service") == "web", "where on JSON paths")
        expect({"where": "_extra.region = 'eu'"}, lambda log: log.get("region") == "eu", "where on _extra")
        expect({"where": "service IS NULL", "limit": "7"}, lambda log: "service" not in log, "limit", limit=7)
        oldest = query(port, {"order": "asc", "limit": "5"})
        check_eq([log["message"] for log in oldest], [log["message"] for log in LOGS[:5]], "order=asc")
        fields = query(port, {"fields": "message,level", "limit": "3"})
        check_eq(fields, [{"message": log["message"], "level": log["level"]} for log in newest_first(LOGS)[:3]],
                 "fields")
        status, headers, body, _ = get(port, "/api/v1/query", {"format": "json", "limit": "4"})
        check_eq((status, headers["content-type"]), (200, "application/json"), "format=json")
        check_eq(json.loads(body), newest_first(LOGS)[:4], "format=json: an array of the same objects")
        status, headers, body, _ = get(port, "/api/v1/query", {"where": "level = 'nothing'"})
        check_eq((status, body, headers["content-type"]), (200, b"", "application/x-ndjson"), "no match: empty")
    return "level, service, since/until, grep, ignore_case, where, fields, limit, order, format"


def expected_histogram(since, until, buckets, keep):
    """The buckets docs/http.md promises: the smallest round width whose buckets, from a multiple of it,
    cover [since, until) in at most `buckets`; the counts per level computed from LOGS."""
    widths = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400]
    width = next(w for w in widths if -(-(until - since // w * w) // w) <= buckets)
    start = since // width * width
    count = -(-(until - start) // width)
    counts = {}
    for log in LOGS:
        t = calendar.timegm(time.strptime(log["timestamp"], "%Y-%m-%dT%H:%M:%SZ"))
        if keep(log) and since <= t < until:
            counts.setdefault(log["level"], [0] * count)[(t - start) // width] += 1
    return width, start, count, counts


@suite.check
def histogram(ctx):
    """/api/v1/histogram: counts per round bucket and level, against the logs sent"""
    with daemon_with_known_logs() as d:
        port = d.metrics_port
        for since, until, buckets, params, keep in (
                (BASE, BASE + 1800, 6, {}, lambda log: True),
                (BASE + 100, BASE + 1000, 10, {"level": "error,info"}, lambda log: log["level"] in ("error", "info")),
                (BASE, BASE + 7 * COUNT, 60, {"where": "metadata.user.id < 3"},
                 lambda log: log["metadata"]["user"]["id"] < 3)):
            got = api_json(port, "/api/v1/histogram",
                           {**params, "since": rfc3339(since), "until": rfc3339(until), "buckets": str(buckets)})
            width, start, count, counts = expected_histogram(since, until, buckets, keep)
            what = f"histogram {params} over {until - since} s in {buckets} buckets"
            check_eq(got["bucket_ms"], width * 1000, f"{what}: bucket width")
            check_eq(got["times"], [(start + i * width) * 1000 for i in range(count)], f"{what}: bucket starts")
            check_eq(got["counts"], counts, f"{what}: counts per level")
            check_eq(got["total"], sum(map(sum, counts.values())), f"{what}: total")
            order = ["trace", "debug", "info", "warn", "error", "fatal"]
            check_eq(got["levels"], [level for level in order if level in counts], f"{what}: levels by severity")
        # Without a range: the data's.
        whole = api_json(port, "/api/v1/histogram", {"buckets": "30"})
        check_eq((whole["total"], whole["from"], whole["to"]), (COUNT, BASE * 1000, (BASE + 7 * (COUNT - 1)) * 1000 + 1),
                 "no range: the data's first and last instants")
    return "three ranges and filters; the default range"


@suite.check
def fields(ctx):
    """/api/v1/fields: the columns, and the most frequent values of the facets asked for (or the
    dictionary-encoded ones)"""
    with daemon_with_known_logs() as d:
        port = d.metrics_port
        got = api_json(port, "/api/v1/fields", {"facets": "level,service", "top": "2", "since": rfc3339(BASE)})
        check_eq([(c["name"], c["type"]) for c in got["columns"]],
                 [("timestamp", "timestamp"), ("level", "string"), ("message", "string"), ("service", "string"),
                  ("trace_id", "string"), ("metadata", "json"), ("_extra", "json")], "the columns")
        check_eq(got["total"], COUNT, "logs counted")
        for facet in ("level", "service"):
            counts = {}
            for log in LOGS:
                counts[log.get(facet)] = counts.get(log.get(facet), 0) + 1
            top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] is None, kv[0] or ""))[:2]
            check_eq([(v["value"], v["count"]) for v in got["facets"][facet]["values"]], top, f"top 2 of {facet}")
            check_eq(got["facets"][facet]["distinct"], len(counts), f"distinct values of {facet}")
        filtered = api_json(port, "/api/v1/fields", {"facets": "level", "service": "web"})
        check_eq(sum(v["count"] for v in filtered["facets"]["level"]["values"]),
                 sum(1 for log in LOGS if log.get("service") == "web"), "facets under a filter")
        default = api_json(port, "/api/v1/fields")
        check("level" in default["facets"] and "service" in default["facets"],
              f"the default facets include level and service: {sorted(default['facets'])}")
    return "columns and types, top values with counts, distinct counts, under filters"


BAD = [
    ("/api/v1/query", {"where": "level = AND x"}, "where", 9, "where: column 9: expected a value after '=', got AND"),
    ("/api/v1/query", {"where": "nosuch = 1"}, "where", 1, "where: column 1: unknown column 'nosuch'"),
    ("/api/v1/query", {"where": "level = 'a' AND (message"}, "where", None, "where: column "),
    ("/api/v1/histogram", {"where": "level >"}, "where", None, "where: column 8: "),
    ("/api/v1/query", {"fields": "message,nosuch"}, "fields", None, "fields: no column named nosuch"),
    ("/api/v1/query", {"limit": "0"}, "limit", None, "limit: \"0\" is not a whole number from 1 to 10000"),
    ("/api/v1/query", {"limit": "1e3"}, "limit", None, "limit: \"1e3\" is not"),
    ("/api/v1/query", [("limit", "1"), ("limit", "2")], "limit", None, "limit: given more than once"),
    ("/api/v1/query", {"order": "random"}, "order", None, "order: \"random\" is not an order (asc, desc)"),
    ("/api/v1/query", {"format": "csv"}, "format", None, "format: \"csv\" is not a format (ndjson, json)"),
    ("/api/v1/query", {"since": "yesterday"}, "since", None, "since: \"yesterday\" is not a time"),
    ("/api/v1/query", {"until": "2026-13-45"}, "until", None, "until: "),
    ("/api/v1/query", {"ignore_case": "true"}, "ignore_case", None, "ignore_case needs grep"),
    ("/api/v1/query", {"bucket": "5"}, "bucket", None, "unknown parameter \"bucket\""),
    ("/api/v1/histogram", {"buckets": "100000"}, "buckets", None, "buckets: \"100000\" is not"),
    ("/api/v1/fields", {"top": "-3"}, "top", None, "top: \"-3\" is not"),
    ("/api/v1/fields", {"facets": "metadata"}, "facets", None, "facets: metadata is a JSON column"),
    ("/api/v1/fields", {"facets": "nosuch"}, "facets", None, "facets: nosuch is not a column"),
    ("/api/v1/tail", {"backlog": "5000"}, "backlog", None, "backlog: \"5000\" is not"),
    ("/api/v1/tail", {"where": "a ="}, "where", 4, "where: column 4: "),
]


@suite.check
def bad_parameters(ctx):
    """each bad parameter is a 400 with the parser's words, naming the parameter (and where, for `where`)"""
    with daemon_with_known_logs() as d:
        for path, params, parameter, position, message in BAD:
            status, _, body, _ = get(d.metrics_port, path, params)
            what = f"GET {path} {params}"
            check_eq(status, 400, f"{what}: {body[:300]!r}")
            error = json.loads(body)
            check_eq(error["parameter"], parameter, f"{what}: the parameter named")
            check(error["error"].startswith(message), f"{what}: {error['error']!r} does not start with {message!r}")
            if position is not None:
                check_eq(error.get("position"), position, f"{what}: the position")
        for method, path in (("POST", "/api/v1/query"), ("DELETE", "/api/v1/histogram"), ("HEAD", "/api/v1/tail")):
            conn = http.client.HTTPConnection("127.0.0.1", d.metrics_port, timeout=ctx.timeout)
            conn.request(method, path, body=b"" if method == "POST" else None)
            check_eq(conn.getresponse().status, 405, f"{method} {path}")
            conn.close()
        # A daemon that answered all that still answers queries.
        check_eq(len(query(d.metrics_port, {"limit": "3"})), 3, "queries after the bad ones")
    return f"{len(BAD)} bad parameters, 3 wrong methods"


@suite.check
def tail_sends_each_new_log_once(ctx):
    """/api/v1/tail: after `ready`, every log published that matches comes once, in batches over several
    flushes; logs stored before it started are not sent (backlog=0); backlog=N sends the N newest first"""
    with daemon_with_known_logs() as d:
        port = d.metrics_port
        tail = Tail(port, {"level": "error,warn"})
        everything = Tail(port, {"backlog": "3"})
        try:
            poll_until(lambda: tail.saw("ready") and everything.saw("ready"), ctx.timeout, "the tails' ready events")
            check(b"text/event-stream" in tail.head, f"the content type: {tail.head!r}")
            sent = []
            for batch in range(4):
                logs = [{"timestamp": rfc3339(int(time.time())), "level": ["error", "info", "warn"][i % 3],
                         "message": f"new {batch}-{i}"} for i in range(30)]
                post_ndjson(port, logs)
                sent += logs
                time.sleep(0.4)
            want = [log["message"] for log in sent if log["level"] in ("error", "warn")]
            poll_until(lambda: len(tail.messages()) >= len(want), ctx.timeout, f"{len(want)} logs on the tail")
            poll_until(lambda: len(everything.messages()) >= 3 + len(sent), ctx.timeout, "every log on the other")
            time.sleep(2.5)  # two more flush intervals: nothing else comes
            check_eq(sorted(log["message"] for log in tail.messages()), sorted(want),
                     "the filtered tail: each matching new log, once")
            got = [log["message"] for log in everything.messages()]
            check_eq(got[:3], [log["message"] for log in LOGS[-3:]], "backlog=3: the 3 newest stored logs first")
            check_eq(sorted(got[3:]), sorted(log["message"] for log in sent), "then each new log, once")
        finally:
            tail.close()
            everything.close()
    return "4 batches of 30 logs over 1.6 s: 80 matching logs once each, and the backlog"


def metric(d, name):
    return d.metrics().value(name)


@suite.check
def tails_are_cancelled_when_their_client_goes(ctx):
    """a tail whose client hangs up ends (its slot is free again, counted as cancelled); at most 8 tails
    stream at once (a 9th is 503); a daemon with tails open stops at once on SIGTERM"""
    with daemon_with_known_logs() as d:
        port = d.metrics_port
        tails = [Tail(port) for _ in range(8)]
        poll_until(lambda: all(t.saw("ready") for t in tails), ctx.timeout, "8 tails ready")
        status, headers, body, _ = get(port, "/api/v1/tail")
        check_eq((status, headers.get("retry-after")), (503, "1"), f"a 9th tail: {body!r}")
        check_eq(metric(d, "logdaemon_http_queries_running"), 8, "queries running")
        for t in tails[:3]:
            t.close()
        poll_until(lambda: metric(d, "logdaemon_http_queries_running") == 5, 5, "3 tails cancelled")
        check_eq(metric(d, "logdaemon_http_queries_cancelled_total"), 3, "cancelled by their clients")
        again = Tail(port)
        poll_until(lambda: again.saw("ready"), ctx.timeout, "a new tail in a freed slot")
        started = time.monotonic()
        d.stop()
        check(time.monotonic() - started < 5, f"SIGTERM with 6 tails open took {time.monotonic() - started:.1f} s")
        for t in tails[3:] + [again]:
            t.close()
    return "3 of 8 tails closed: running 5, cancelled 3, a new one admitted; a clean stop"


@suite.check
def token_and_ui(ctx):
    """with a token, every query path and the UI need it (401 asks browsers for Basic credentials); the UI's
    files come with a strict Content-Security-Policy"""
    d = Daemon(ctx)
    d.flags += ["--http-token-file", os.path.join(d.workdir, "token")]
    with open(os.path.join(d.workdir, "token"), "w") as f:
        f.write("s3cret\n")
    d.http_token = "s3cret"
    with d:
        port = d.metrics_port
        for path in ("/api/v1/query", "/api/v1/histogram", "/api/v1/fields", "/api/v1/tail", "/ui/"):
            status, _, _, response = get(port, path)
            check_eq(status, 401, f"{path} without the token")
            challenges = [v for k, v in response.getheaders() if k.lower() == "www-authenticate"]
            check(any(c.startswith("Basic ") for c in challenges), f"{path}: a Basic challenge: {challenges}")
        status, _, body, _ = get(port, "/api/v1/query", headers={"Authorization": "Bearer s3cret"})
        check_eq(status, 200, f"with the token: {body[:200]!r}")
        status, headers, body, _ = get(port, "/ui/", headers={"Authorization": "Basic dXNlcjpzM2NyZXQ="})
        check_eq((status, headers["content-type"]), (200, "text/html; charset=utf-8"), "the page (Basic)")
        csp = headers.get("content-security-policy", "")
        for directive in ("default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"):
            check(directive in csp, f"CSP {csp!r} lacks {directive!r}")
        check(b"<script src=\"app.js\"" in body and b"://" not in body,
              "the page loads its own script and nothing from elsewhere")
        for name, kind in (("app.js", "text/javascript"), ("uPlot.iife.min.js", "text/javascript"),
                           ("app.css", "text/css"), ("uPlot.min.css", "text/css")):
            status, headers, body, _ = get(port, f"/ui/{name}", headers={"Authorization": "Bearer s3cret"})
            check_eq((status, headers["content-type"].split(";")[0]), (200, kind), f"/ui/{name}")
        status, _, _, _ = get(port, "/ui/../metrics", headers={"Authorization": "Bearer s3cret"})
        check(status in (400, 404), f"/ui/../metrics: {status}")
        status, _, _, _ = get(port, "/ui/nosuch.js", headers={"Authorization": "Bearer s3cret"})
        check_eq(status, 404, "/ui/nosuch.js")
    return "401 with a Basic challenge on 5 paths; the UI's 5 files; CSP"


suite.run()
