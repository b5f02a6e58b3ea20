// A minimal HTTP/1.1 server for Prometheus scrapes: GET /metrics answers 200 with the text the render
// callback returns (Content-Type: text/plain; version=0.0.4); GET / a tiny HTML page linking to /metrics;
// other paths 404, methods other than GET and HEAD 405, a malformed request 400, an oversized one 431.
// One request per connection (every response says `Connection: close`). One thread, poll(2),
// non-blocking sockets, a bounded request size (8 KiB) and a per-connection deadline, so a slow or hostile
// scraper cannot stall or grow it; at most 64 connections at once.
//
// Thread-safety: the render callback runs on the exporter's thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "logdaemon/status.h"

namespace logdaemon::metrics {

struct ListenAddress {
  std::string host;  // an IPv4 or IPv6 literal, or "localhost"
  uint16_t port = 0;
};
// "127.0.0.1:9100", "[::1]:9100", "localhost:9100", ":9100" (all interfaces); port 0 picks a free one.
// InvalidArgument naming what is wrong ("--metrics-addr" is added by the caller).
Result<ListenAddress> ParseListenAddress(std::string_view text);

// The bounds that keep a slow or hostile scraper from holding the exporter. Tests shrink them.
struct HttpExporterLimits {
  size_t max_request_bytes = 8 << 10;  // request line + headers; beyond: 431 and close
  size_t max_connections = 64;         // connections beyond it are closed as soon as accepted
  // From accept to the last byte of the response: a client that has not sent its request (or read the
  // response) by then is dropped.
  std::chrono::milliseconds deadline{5000};
};

class HttpExporter {
 public:
  using Render = std::function<std::string()>;
  // Binds and listens (errors name the address and errno text), then serves on its own thread.
  static Result<std::unique_ptr<HttpExporter>> Start(const ListenAddress& address, Render render,
                                                     HttpExporterLimits limits = {});
  ~HttpExporter();  // stops the thread and closes every socket
  HttpExporter(const HttpExporter&) = delete;
  HttpExporter& operator=(const HttpExporter&) = delete;

  uint16_t port() const;  // the bound port (useful with port 0)

 private:
  class Impl;
  explicit HttpExporter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace logdaemon::metrics
