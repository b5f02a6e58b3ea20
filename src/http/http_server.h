// HttpServer: the HTTP front door (DESIGN.md §2b) on libmicrohttpd — /metrics, OTLP/HTTP logs
// (`POST /v1/logs`), NDJSON (`POST /api/v1/ingest`), the Elasticsearch bulk API (`POST /_bulk`,
// `POST /{index}/_bulk`, and `GET /`, the version probe shippers send first).
//
// Every ingest endpoint admits its logs through the path every front door shares (LogAdmitter, via
// AdmitterPool), so a 2xx means what the socket's `OK` means: durable in durable mode.
//
// Bounds, so that no client can hold the server or grow its memory: connections (beyond: not accepted until
// one closes), a per-connection inactivity timeout, the request head's size (libmicrohttpd's per-connection
// memory pool: 431, or 414 for a request line, beyond it), the body after decompression (413), the gzip ratio
// (413), and the bytes all bodies hold at once (503 with Retry-After). A bind to anything but loopback
// requires a token (401).
//
// Threads: libmicrohttpd's own pool (`threads`); a request is handled start to end on one of them,
// including its group commit's wait (a few ms), so each thread serves its other connections between
// requests. The query API's requests are the exception: their connection is suspended and the query runs
// on the query threads (query_runner.h), so that no query delays ingest.
//
// Also served: the query API (`GET /api/v1/query`, `/histogram`, `/fields`, `/tail`; query_api.h) and the
// web UI's files under `/ui/` (ui_assets.h); `GET /` redirects browsers there.
//
// Thread-safety: Start and the destructor from one thread; Stats() from any.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "http/http_stats.h"
#include "http/listen_address.h"
#include "logdaemon/schema.h"
#include "logdaemon/server.h"
#include "logdaemon/status.h"

namespace logdaemon::storage {
class Engine;
}

namespace logdaemon::http {

struct HttpServerOptions {
  ListenAddress address{"127.0.0.1", 9100};
  // A listening TCP socket to serve on instead of binding `address` (socket activation); the server owns
  // it from Start on, and `address` becomes the one it listens on. -1: bind `address`.
  int listen_fd = -1;
  // Required (non-empty) when the address is not loopback: requests must carry
  // `Authorization: Bearer <token>` (or Basic with the token as password, for shippers that only do that).
  std::string token;
  size_t max_body_bytes = 20 << 20;  // after decompression
  // All request bodies held at once; 0: room for one body of max_body_bytes (BodyReader::LargestCharge),
  // or many smaller.
  size_t body_budget_bytes = 0;
  size_t max_connections = 256;
  std::chrono::seconds connection_timeout{30};  // no byte for this long: closed
  size_t connection_memory_bytes = 32 << 10;    // per connection: the request head and read buffer
  unsigned threads = 2;
  int retry_after_seconds = 1;                    // in 429 and 503 answers
  std::string es_timestamp_field = "@timestamp";  // the bulk API's documents: renamed to the time field
  // The query API (query_runner.h, query_api.h): threads for one-shot queries, how many may wait, how many
  // tails may stream at once, and each one-shot query's time limit.
  unsigned query_threads = 2;
  size_t max_waiting_queries = 16;
  size_t max_tails = 8;
  std::chrono::milliseconds query_timeout{10000};
  std::chrono::milliseconds tail_relist_interval{1000};
};

// What the endpoints need from the daemon. Without `engine` (a metrics-only server), the ingest endpoints
// answer 503.
struct HttpContext {
  const SchemaValidator* schema = nullptr;
  storage::Engine* engine = nullptr;
  // The /metrics page, given the server's own counts; runs on a server thread per scrape.
  std::function<std::string(const HttpStats&)> render_metrics;
  // The storage directory the query API (query_api.h) and the web UI read; empty: they answer 503.
  std::string storage_dir;
};

class HttpServer {
 public:
  // Binds (errors name the address and the reason), or adopts options.listen_fd, then serves on
  // libmicrohttpd's threads.
  static Result<std::unique_ptr<HttpServer>> Start(HttpServerOptions options, HttpContext context);
  // Stops accepting, lets requests in progress finish (their logs are committed), closes every connection,
  // then hands over what the admitters hold. Destroy before the storage engine closes.
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  uint16_t port() const;
  // The address it listens on, with the port bound (port 0 picks one; a passed socket has its own).
  ListenAddress address() const;
  HttpStats Stats() const;

  class Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  // Serves on `listen_fd` (owned from here on: closed on failure).
  static Result<std::unique_ptr<HttpServer>> StartOn(HttpServerOptions options, HttpContext context,
                                                     int listen_fd);
  std::unique_ptr<Impl> impl_;
};

}  // namespace logdaemon::http
