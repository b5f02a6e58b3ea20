// The OpenTelemetry JS SDK against logdaemon's POST /v1/logs (tests/server/http_clients.py runs it):
//   node otel_sdk.mjs PLAN.json
// PLAN.json: {"url": "http://127.0.0.1:PORT/v1/logs", "exporter": "proto" | "json", "compression":
// "gzip" | "none", "processor": "batch" | "simple", "max_export_batch_size": N, "resource": {attributes},
// "scope": {"name", "version"}, "records": [{"timestamp": [s, ns], "observed": [s, ns], "severity_number",
// "severity_text", "body", "attributes", "trace_id", "span_id", "trace_flags", "event_name"}, ...]}
// (every record key but "body" optional).
//
// A LoggerProvider with the resource, a logger of the scope, the processor and the exporter of the plan:
// emits every record, then forceFlush() and shutdown(). The exporter is wrapped so that the result of
// every export call is seen (the processors swallow them), and the SDK's diagnostics (partial success
// warnings, "could not deserialize response") are captured. Prints one JSON object:
//   {"exports": [{"records": N, "code": 0 (SUCCESS) | 1 (FAILED), "error": "..."}, ...],
//    "warnings": ["..."], "errors": ["..."]}
// Exit status 0 once that is printed (the caller judges it), 1 if the SDK threw.
import fs from 'node:fs';

import api from '@opentelemetry/api';
import sdkLogs from '@opentelemetry/sdk-logs';
import resources from '@opentelemetry/resources';
import protoExporter from '@opentelemetry/exporter-logs-otlp-proto';
import httpExporter from '@opentelemetry/exporter-logs-otlp-http';

const plan = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));

const warnings = [];
const errors = [];
const text = (args) =>
  args.map((a) => (typeof a === 'string' ? a : a instanceof Error ? a.stack : JSON.stringify(a))).join(' ');
api.diag.setLogger(
  {
    error: (...args) => errors.push(text(args)),
    warn: (...args) => warnings.push(text(args)),
    info: () => {},
    debug: () => {},
    verbose: () => {},
  },
  api.DiagLogLevel.WARN,
);

const Exporter = plan.exporter === 'proto' ? protoExporter.OTLPLogExporter : httpExporter.OTLPLogExporter;
const inner = new Exporter({
  url: plan.url,
  compression: plan.compression ?? 'none',
  timeoutMillis: plan.timeout_ms ?? 10000,
});

// The exporter as the processor sees it, recording each export's result.
const exports = [];
const exporter = {
  export(records, done) {
    inner.export(records, (result) => {
      exports.push({
        records: records.length,
        code: result.code,
        error: result.error ? String(result.error.stack ?? result.error) : undefined,
      });
      done(result);
    });
  },
  forceFlush: () => inner.forceFlush(),
  shutdown: () => inner.shutdown(),
};

const processor =
  plan.processor === 'simple'
    ? new sdkLogs.SimpleLogRecordProcessor({ exporter })
    : new sdkLogs.BatchLogRecordProcessor({
        exporter,
        maxExportBatchSize: plan.max_export_batch_size ?? 512,
        maxQueueSize: Math.max(2048, plan.records.length),
        scheduledDelayMillis: 60000, // exports happen when a batch is full, and at forceFlush
        exportTimeoutMillis: plan.timeout_ms ?? 10000,
      });

const provider = new sdkLogs.LoggerProvider({
  resource: resources.resourceFromAttributes(plan.resource),
  processors: [processor],
});
const logger = provider.getLogger(plan.scope.name, plan.scope.version);

for (const r of plan.records) {
  let context = api.ROOT_CONTEXT;
  if (r.trace_id) {
    context = api.trace.setSpanContext(context, {
      traceId: r.trace_id,
      spanId: r.span_id,
      traceFlags: r.trace_flags ?? api.TraceFlags.SAMPLED,
      isRemote: true,
    });
  }
  logger.emit({
    timestamp: r.timestamp,
    observedTimestamp: r.observed,
    severityNumber: r.severity_number,
    severityText: r.severity_text,
    body: r.body,
    attributes: r.attributes,
    eventName: r.event_name,
    context,
  });
}

await provider.forceFlush();
await provider.shutdown();
process.stdout.write(JSON.stringify({ exports, warnings, errors }) + '\n');
