// The official Elasticsearch JavaScript client (v8) against logdaemon's Elasticsearch endpoints
// (tests/server/http_clients.py runs it):
//   node es_client.mjs PLAN.json
// PLAN.json: {"node": "http://127.0.0.1:PORT", "index": "...", "flush_bytes": N, "compression": bool,
// "documents": [{...}, ...]} (distinct documents)
//
// client.ping() (HEAD /), client.info() (GET /, with the client's product check on the answer), then
// client.helpers.bulk() over the documents (even positions as `create` actions, odd ones as `index`, into
// the plan's index), with retries off so that every refusal reaches onDrop. Prints one JSON object:
//   {"ping": bool, "info": <the body of client.info()>, "stats": <the helper's result>,
//    "dropped": [{"position": i, "action", "status": N, "error_type", "reason", "retried": bool}, ...],
//    "succeeded": [{"position": i, "action", "status": N, "result", "index", "id"}, ...],
//    "requests": N (bulk requests the helper sent)}
// Exit status 0 once that is printed (the caller judges it), 1 if the client threw (a failed product
// check, a connection error).
import fs from 'node:fs';

import elasticsearch from '@elastic/elasticsearch';

const plan = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));

const client = new elasticsearch.Client({
  node: plan.node,
  requestTimeout: plan.timeout_ms ?? 10000,
  maxRetries: 0,
  compression: plan.compression ?? false, // true: gzip request bodies (Content-Encoding: gzip)
});

let requests = 0;
client.diagnostic.on('request', (err, meta) => {
  if (meta?.meta?.request?.params?.path?.endsWith('/_bulk')) requests += 1;
});

try {
  const ping = await client.ping();
  const info = await client.info();

  // The documents are distinct: their JSON text says which one onDrop and onSuccess were given (the helper
  // hands them a copy, parsed from the request body).
  const positions = new Map(plan.documents.map((doc, i) => [JSON.stringify(doc), i]));
  const position = (doc) => positions.get(JSON.stringify(doc)) ?? -1;
  const dropped = [];
  const succeeded = [];
  const stats = await client.helpers.bulk({
    datasource: plan.documents,
    onDocument(doc) {
      return position(doc) % 2 === 0 ? { create: { _index: plan.index } } : { index: { _index: plan.index } };
    },
    onDrop(item) {
      dropped.push({
        position: position(item.document),
        action: Object.keys(item.operation)[0],
        status: item.status,
        error_type: item.error?.type,
        reason: item.error?.reason,
        retried: item.retried,
      });
    },
    onSuccess({ result, document }) {
      const action = Object.keys(result)[0];
      succeeded.push({ position: position(document), action, status: result[action].status,
                       result: result[action].result, index: result[action]._index, id: result[action]._id });
    },
    flushBytes: plan.flush_bytes ?? 5000000,
    concurrency: 2,
    retries: 0,
    wait: 100,
  });
  dropped.sort((a, b) => a.position - b.position);
  succeeded.sort((a, b) => a.position - b.position);
  process.stdout.write(JSON.stringify({ ping, info, stats, dropped, succeeded, requests }) + '\n');
} finally {
  await client.close();
}
