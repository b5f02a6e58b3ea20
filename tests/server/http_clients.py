#!/usr/bin/env python3
"""Real HTTP clients against `logdaemon serve`'s HTTP front door (issue #14): the OpenTelemetry JS SDK
(LoggerProvider, the OTLP/HTTP protobuf and JSON exporters) on POST /v1/logs, and the official
Elasticsearch JavaScript client (v8: client.info() and its bulk helper) on GET / and POST /_bulk. The
clients are the npm packages of tests/http/clients (scripts/install-deps.sh installs them from the lock
file); each runs as a node process driven by a plan this script writes (tests/http/clients/*.mjs), is
killed if it outlives its timeout or this script, and prints what the client saw. After a graceful stop
DuckDB reads the stored Parquet back and the values are compared exactly.

    tests/server/http_clients.py --logdaemon build/logdaemon --source-dir . --interop tests/interop \
        --backend epoll [--sanitized] [--only NAME] [--keep]
"""

import datetime
import json
import os
import re
import signal
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon import (_PR_SET_PDEATHSIG, CheckFailed, Context, Daemon, DuckDB, Suite, _libc, check,  # noqa: E402
                    check_eq)

ctx = Context(__doc__)
suite = Suite(ctx, "server.http_clients")

CLIENTS = os.path.join(ctx.source_dir, "tests", "http", "clients")

# The logs carry fixed dates (exact values to compare), older than the default --max-age of 30 days.
DAEMON_FLAGS = ("--max-age", "off")


# ---- running a client -----------------------------------------------------------------------------------


def _node_preexec():
    # The client dies with this script (a ctest timeout kills the script, not its children).
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def run_client(script, plan, what):
    """Runs `node tests/http/clients/<script> PLAN.json`; returns the JSON object it prints last. The
    process is killed on a timeout or any failure here; a non-zero exit or no JSON fails the check."""
    check(os.path.isdir(os.path.join(CLIENTS, "node_modules")),
          f"{CLIENTS}/node_modules is missing: run scripts/install-deps.sh")
    # The SDK reads OTEL_* variables (endpoint, headers, timeouts): none of the caller's may apply.
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    env["NODE_NO_WARNINGS"] = "1"
    with tempfile.NamedTemporaryFile("w", suffix=".json", prefix="ld-http-client-plan-", delete=False) as f:
        json.dump(plan, f)
        plan_path = f.name
    proc = None
    try:
        proc = subprocess.Popen(["node", os.path.join(CLIENTS, script), plan_path], cwd=CLIENTS, env=env,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                preexec_fn=_node_preexec)
        try:
            out, err = proc.communicate(timeout=2 * ctx.timeout)
        except subprocess.TimeoutExpired:
            raise CheckFailed(f"{what}: node {script} did not finish within {2 * ctx.timeout:.0f} s")
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        os.unlink(plan_path)
    err_text = err.decode("utf-8", "replace")[-3000:]
    check(proc.returncode == 0, f"{what}: node {script} exited {proc.returncode}:\n{err_text}")
    lines = out.decode().strip().splitlines()
    check(lines, f"{what}: node {script} printed nothing:\n{err_text}")
    return json.loads(lines[-1])


# ---- what DuckDB reads back ---------------------------------------------------------------------------


def stored_rows(storage):
    """The stored rows (ordered by time, then message) with every mapped column, timestamps as UTC text
    with microseconds; metadata and _extra as their JSON text."""
    duck = DuckDB(ctx)
    return duck.query(
        "SELECT strftime(timestamp AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%f') AS ts, level, message, service, "
        "trace_id, CAST(metadata AS VARCHAR) AS metadata, CAST(_extra AS VARCHAR) AS extra "
        f"FROM {duck.glob(storage)} ORDER BY ts, message")


def count_by(rows, column):
    counts = {}
    for row in rows:
        counts[row[column]] = counts.get(row[column], 0) + 1
    return counts


def check_rows(got, want, what):
    """Compares rows column by column; `extra` as parsed JSON (its key order is the mapping's business)."""
    check_eq(len(got), len(want), f"{what}: rows")
    for i, (g, w) in enumerate(zip(got, want)):
        g = dict(g)
        g["extra"] = json.loads(g["extra"]) if g["extra"] is not None else None
        for key in w:
            check_eq(g[key], w[key], f"{what}: row {i} ({w['message']!r}) column {key}")


# ---- the OpenTelemetry JS SDK -----------------------------------------------------------------------------

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
SPAN_ID = "b7ad6b7169203331"
BASE = 1_795_000_000  # 2026-11-18T11:06:40Z
FILLERS = 300


def iso(seconds, nanos=0):
    """RFC 3339 in UTC with 9 fraction digits, without the Z."""
    t = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{nanos:09d}"


def otel_plan(port, exporter, service):
    """The records the SDK emits, and what each must become (the rows DuckDB must read, in order)."""
    scope = {"name": "logdaemon-http-clients", "version": "1.2.3"}
    resource = {"service.name": service, "deployment.environment": "ci", "host.cpus": 2}
    extra_common = {"scope": scope, "resource": {"deployment.environment": "ci", "host.cpus": 2}}
    records, want = [], []

    def add(record, row, extra):
        records.append(record)
        if row is not None:
            row["service"] = service
            row["extra"] = dict(extra_common, **extra)
            want.append(row)

    # Every attribute type; the trace context of a sampled span.
    add({"timestamp": [BASE, 123_456_789], "observed": [BASE + 1, 0], "severity_number": 9,
         "severity_text": "INFO", "body": "user logged in",
         "attributes": {"user.id": "u-42", "http.status_code": 200, "retry": False, "ratio": 0.25,
                        "request": {"method": "GET", "path": "/cart", "tags": ["a", "b"]}},
         "trace_id": TRACE_ID, "span_id": SPAN_ID, "trace_flags": 1},
        {"ts": iso(BASE)[:20] + "123456", "level": "info",
         "message": "user logged in", "trace_id": TRACE_ID,
         "metadata": '{"user.id":"u-42","http.status_code":200,"retry":false,"ratio":0.25,'
                     '"request":{"method":"GET","path":"/cart","tags":["a","b"]}}'},
        {"span_id": SPAN_ID, "flags": 1, "severity_number": 9,
         "observed_timestamp": iso(BASE + 1) + "Z"})
    # severity_number decides the level; 5 µs exactly; no trace context.
    add({"timestamp": [BASE + 2, 5_000], "observed": [BASE + 2, 5_000], "severity_number": 17,
         "severity_text": "ERROR", "body": "payment failed", "attributes": {"error.type": "timeout"}},
        {"ts": iso(BASE + 2)[:20] + "000005", "level": "error", "message": "payment failed", "trace_id": None,
         "metadata": '{"error.type":"timeout"}'},
        {"severity_number": 17})
    # No severity_number: the text decides ("Warning" -> warn); no attributes: no metadata.
    add({"timestamp": [BASE + 3, 0], "observed": [BASE + 3, 0], "severity_text": "Warning",
         "body": "disk almost full"},
        {"ts": iso(BASE + 3)[:20] + "000000", "level": "warn", "message": "disk almost full", "trace_id": None,
         "metadata": None},
        {})
    # A structured body becomes its JSON text; an event name; severity 21 -> fatal.
    add({"timestamp": [BASE + 4, 999_999_999], "observed": [BASE + 4, 999_999_999], "severity_number": 21,
         "body": {"k": "v", "n": 1}, "event_name": "app.crash"},
        {"ts": iso(BASE + 4)[:20] + "999999", "level": "fatal", "message": '{"k":"v","n":1}', "trace_id": None,
         "metadata": None},
        {"severity_number": 21, "event_name": "app.crash"})
    # Refused by the schema (level "loud" is not in its enum): a partial success, not stored.
    add({"timestamp": [BASE + 5, 0], "observed": [BASE + 5, 0], "severity_text": "loud", "body": "too loud"},
        None, {})
    # Enough records for several exports.
    for i in range(FILLERS):
        add({"timestamp": [BASE + 10 + i, 0], "observed": [BASE + 10 + i, 0], "severity_number": 5,
             "body": f"filler {i:03d}", "attributes": {"i": i}},
            {"ts": iso(BASE + 10 + i)[:20] + "000000", "level": "debug", "message": f"filler {i:03d}",
             "trace_id": None, "metadata": f'{{"i":{i}}}'},
            {"severity_number": 5})
    plan = {"url": f"http://127.0.0.1:{port}/v1/logs", "exporter": exporter, "scope": scope,
            "resource": resource, "records": records, "timeout_ms": int(ctx.timeout * 1000)}
    return plan, want


def check_otel_exports(result, records, what):
    """Every export succeeded, every record was exported, and the SDK logged exactly one warning: the
    partial success of the export that held the refused record."""
    failed = [e for e in result["exports"] if e["code"] != 0]
    check(not failed, f"{what}: exports that failed: {failed[:3]}")
    check_eq(sum(e["records"] for e in result["exports"]), records, f"{what}: records exported")
    check_eq(result["errors"], [], f"{what}: the SDK's diagnostic errors")
    check_eq(len(result["warnings"]), 1, f"{what}: the SDK's warnings ({result['warnings']})")
    prefix = "Received Partial Success response: "
    warning = result["warnings"][0]
    check(warning.startswith(prefix), f"{what}: the warning is not a partial success: {warning}")
    partial = json.loads(warning[len(prefix):])
    # JSON: int64 as a string ("1"); the protobuf decoder gives a number.
    check_eq(str(partial.get("rejectedLogRecords")), "1", f"{what}: partialSuccess.rejectedLogRecords")
    check(re.fullmatch(r'1 log record was not stored; the first \(record \d+\): schema: /level: enum: "loud" '
                       r'is not one of trace, debug, info, warn, error, fatal', partial.get("errorMessage", "")),
          f"{what}: partialSuccess.errorMessage: {partial.get('errorMessage')!r}")


def otel_check(exporter, processor, compression, batch_size):
    service = f"checkout-{exporter}"
    with Daemon(ctx, *DAEMON_FLAGS) as d:
        plan, want = otel_plan(d.metrics_port, exporter, service)
        plan.update(processor=processor, compression=compression, max_export_batch_size=batch_size)
        result = run_client("otel_sdk.mjs", plan, f"OTLP {exporter}")
        what = f"OTLP {exporter} ({processor} processor, {compression})"
        check_otel_exports(result, len(plan["records"]), what)
        m = d.metrics()
        if compression == "gzip":  # the bytes on the wire: fewer than the records' JSON in the plan
            sent = m.require("logdaemon_http_request_body_bytes_total")
            plain = len(json.dumps(plan["records"], separators=(",", ":")))
            check(sent < plain / 2, f"{what}: {sent} body bytes for records of {plain} bytes as JSON: not gzip'd")
        check_eq(m.value("logdaemon_http_requests_total", {"path": "/v1/logs", "code": "200"}),
                 len(result["exports"]), f"{what}: requests answered 200 (/metrics)")
        check_eq(m.value("logdaemon_http_logs_accepted_total", {"path": "/v1/logs"}), len(want),
                 f"{what}: logs accepted (/metrics)")
        check_eq(m.value("logdaemon_http_logs_rejected_total", {"path": "/v1/logs"}), 1,
                 f"{what}: logs rejected (/metrics)")
        d.stop()
        rows = stored_rows(d.storage)
        check_eq(count_by(rows, "service"), {service: len(want)}, f"{what}: rows per service")
        check_rows(rows, want, what)
    return (f"{len(plan['records'])} records in {len(result['exports'])} exports, all SUCCESS; one partial "
            f"success warning; {len(want)} rows with exact timestamp, level, message, service, trace_id, "
            f"metadata, _extra")


@suite.check
def opentelemetry_sdk_protobuf(ctx):
    """The OpenTelemetry JS SDK, BatchLogRecordProcessor + OTLP/HTTP protobuf exporter (128 records per
    export): every export SUCCESS, the partial success of the refused record parsed and logged by the SDK;
    DuckDB reads each record's mapped values exactly"""
    return otel_check("proto", "batch", "none", 128)


@suite.check
def opentelemetry_sdk_json_gzip(ctx):
    """The OpenTelemetry JS SDK, OTLP/HTTP JSON exporter with gzip (chunked bodies), 100 records per export:
    as for protobuf"""
    return otel_check("json", "batch", "gzip", 100)


@suite.check
def opentelemetry_sdk_simple_processor(ctx):
    """The OpenTelemetry JS SDK, SimpleLogRecordProcessor (one request per record) with the protobuf
    exporter and gzip: every export SUCCESS, the records stored"""
    with Daemon(ctx, *DAEMON_FLAGS) as d:
        plan, want = otel_plan(d.metrics_port, "proto", "checkout-simple")
        plan["records"] = plan["records"][:25]
        want = want[:24]
        plan.update(processor="simple", compression="gzip")
        result = run_client("otel_sdk.mjs", plan, "OTLP simple")
        check_otel_exports(result, 25, "OTLP simple")
        check_eq(len(result["exports"]), 25, "OTLP simple: exports (one per record)")
        d.stop()
        check_rows(stored_rows(d.storage), want, "OTLP simple")
    return "25 records, 25 exports, all SUCCESS; 24 rows as sent (one refused by the schema)"


# ---- the Elasticsearch JavaScript client ------------------------------------------------------------------

ES_BASE = 1_795_100_000  # 2026-11-19T14:53:20Z
ES_DOCUMENTS = 60


def es_plan(port, service, compression):
    """Documents as Filebeat-like shippers send them (@timestamp, some with ECS log.level), mixed with
    documents the schema refuses (a level outside the enum, no message, a time that is no date-time,
    metadata that is no object). Returns (plan, the rows DuckDB must read, the positions of the invalid
    documents)."""
    docs, want, invalid = [], [], []
    for i in range(ES_DOCUMENTS):
        ts = iso(ES_BASE + i)[:19] + f".{i:03d}Z"
        message = f"{service} {i:02d}"
        kind = i % 10
        if kind == 3:
            docs.append({"@timestamp": ts, "level": "loud", "message": message, "service": service})
            invalid.append(i)
        elif kind == 5:
            docs.append({"@timestamp": ts, "level": "info", "service": service})
            invalid.append(i)
        elif kind == 7:
            docs.append({"@timestamp": f"yesterday {i}", "level": "info", "message": message, "service": service})
            invalid.append(i)
        elif kind == 9:
            docs.append({"@timestamp": ts, "level": "info", "message": message, "service": service,
                         "metadata": f"m{i}"})
            invalid.append(i)
        elif kind == 1:
            # ECS: log.level, no level; the daemon maps it (WARNING -> warn) and keeps `log` in _extra.
            docs.append({"@timestamp": ts, "log": {"level": "WARNING", "logger": "shop.cart"},
                         "message": message, "service": service})
            want.append({"ts": ts[:-1] + "000", "level": "warn", "message": message, "service": service,
                         "trace_id": None, "metadata": None,
                         "extra": {"log": {"level": "WARNING", "logger": "shop.cart"}}})
        else:
            level = "error" if kind == 0 else "info"
            docs.append({"@timestamp": ts, "level": level, "message": message, "service": service,
                         "trace_id": f"t-{i}", "metadata": {"order": i, "paid": kind == 2}})
            want.append({"ts": ts[:-1] + "000", "level": level, "message": message, "service": service,
                         "trace_id": f"t-{i}", "metadata": f'{{"order":{i},"paid":{"true" if kind == 2 else "false"}}}',
                         "extra": None})
    plan = {"node": f"http://127.0.0.1:{port}", "index": f"logs-{service}", "flush_bytes": 1500,
            "compression": compression, "documents": docs, "timeout_ms": int(ctx.timeout * 1000)}
    return plan, want, invalid


def check_es_result(result, plan, invalid, what):
    """client.info()'s answer, and each document's fate as the bulk helper reported it."""
    check_eq(result["ping"], True, f"{what}: client.ping()")
    info = result["info"]
    check_eq(info["version"]["number"], "8.11.0", f"{what}: client.info(): version.number")
    check_eq(info["cluster_name"], "logdaemon", f"{what}: client.info(): cluster_name")
    check_eq(info["tagline"], "You Know, for Search", f"{what}: client.info(): tagline")

    dropped = result["dropped"]
    check_eq([x["position"] for x in dropped], invalid, f"{what}: onDrop: the documents dropped")
    for x in dropped:
        check_eq((x["status"], x["error_type"], x["retried"]), (400, "document_parsing_exception", False),
                 f"{what}: onDrop of document {x['position']}")
        check_eq(x["action"], "create" if x["position"] % 2 == 0 else "index",
                 f"{what}: onDrop of document {x['position']}: action")
    # The socket's words, one refusal of each kind (positions 3, 5, 7, 9); @timestamp was renamed.
    check_eq([x["reason"] for x in dropped[:4]],
             ['schema: /level: enum: "loud" is not one of trace, debug, info, warn, error, fatal',
              'schema: (root): required: missing property "message"',
              'schema: /timestamp: format: "yesterday 7" is not a valid date-time',
              'schema: /metadata: type: "m9" is string, not object'], f"{what}: onDrop reasons")
    valid = [i for i in range(len(plan["documents"])) if i not in invalid]
    succeeded = result["succeeded"]
    check_eq([x["position"] for x in succeeded], valid, f"{what}: onSuccess: the documents stored")
    for x in succeeded:
        check_eq((x["status"], x["result"], x["index"], x["action"]),
                 (201, "created", plan["index"], "create" if x["position"] % 2 == 0 else "index"),
                 f"{what}: onSuccess of document {x['position']}")
        check(isinstance(x["id"], str) and x["id"], f"{what}: onSuccess of document {x['position']}: _id")
    check_eq(len({x["id"] for x in succeeded}), len(succeeded), f"{what}: generated _ids are distinct")

    stats = result["stats"]
    check_eq({k: stats[k] for k in ("total", "successful", "failed", "retry", "noop", "aborted")},
             {"total": len(plan["documents"]), "successful": len(valid), "failed": len(invalid), "retry": 0,
              "noop": 0, "aborted": False}, f"{what}: the bulk helper's stats")
    check(result["requests"] >= 2, f"{what}: the helper sent {result['requests']} bulk requests, want several")
    return len(valid)


@suite.check
def elasticsearch_client_bulk_helper(ctx):
    """The official Elasticsearch JavaScript client, plain and with compression (gzip bodies): client.ping()
    is true, client.info() passes its product check and reads the version; helpers.bulk over 60 documents (create and index
    actions, several requests): onDrop is called exactly for the 24 invalid documents, each with status 400,
    document_parsing_exception and the schema's reason, onSuccess for the others (201 created), the stats
    say so; DuckDB reads the 36 valid ones with @timestamp as the time and log.level as the level"""
    with Daemon(ctx, *DAEMON_FLAGS) as d:
        want, requests, stored = [], 0, 0
        for service, compression in (("shop", False), ("shop-gzip", True)):
            plan, rows, invalid = es_plan(d.metrics_port, service, compression)
            what = f"Elasticsearch client ({'gzip' if compression else 'plain'})"
            before = d.metrics().require("logdaemon_http_request_body_bytes_total")
            result = run_client("es_client.mjs", plan, what)
            stored += check_es_result(result, plan, invalid, what)
            sent = d.metrics().require("logdaemon_http_request_body_bytes_total") - before
            documents = sum(len(json.dumps(doc, separators=(",", ":"))) for doc in plan["documents"])
            if compression:  # the bytes on the wire: compressed, so fewer than the documents' JSON alone
                check(sent < documents / 2, f"{what}: {sent} body bytes for {documents} bytes of documents")
            else:
                check(sent > documents, f"{what}: {sent} body bytes for {documents} bytes of documents")
            requests += result["requests"]
            want += rows
        m = d.metrics()
        check_eq(m.value("logdaemon_http_requests_total", {"path": "/_bulk", "code": "200"}), requests,
                 "bulk requests answered 200 (/metrics)")
        check_eq(m.value("logdaemon_http_logs_accepted_total", {"path": "/_bulk"}), stored,
                 "logs accepted (/metrics)")
        check_eq(m.value("logdaemon_http_logs_rejected_total", {"path": "/_bulk"}), 2 * ES_DOCUMENTS - stored,
                 "logs rejected (/metrics)")
        d.stop()
        rows = stored_rows(d.storage)
        check_eq(count_by(rows, "service"), {"shop": stored // 2, "shop-gzip": stored // 2},
                 "rows DuckDB reads per service")
        want.sort(key=lambda row: (row["ts"], row["message"]))
        check_rows(rows, want, "Elasticsearch bulk")
    return (f"info() 8.11.0; 2 x {ES_DOCUMENTS} documents in {requests} bulk requests (plain, gzip): {stored} "
            f"created, {2 * ES_DOCUMENTS - stored} dropped with 400 exactly where invalid; stats match; DuckDB "
            f"reads {stored} rows with exact values")


suite.run()
