// http_load: the HTTP front door's load generator for bench/http.sh. Sends N logs to a running daemon (or
// bench/httpsink) as fast as it takes them, in requests of B logs over C keep-alive HTTP/1.1 connections,
// and reports logs/s acknowledged and request latency:
//
//   http_load HOST:PORT N --corpus FILE [--format ndjson|otlp] [--batch B] [--connections C] [--json]
//
// The logs are the lines of an NDJSON corpus (the benches' Loghub corpus, default schema), cut into bodies
// of B lines, all built before the clock starts and cycled:
//   ndjson   POST /api/v1/ingest, Content-Type application/x-ndjson: the lines as they are;
//   otlp     POST /v1/logs, Content-Type application/x-protobuf: one ExportLogsServiceRequest per body,
//            encoded once with the generated classes, as an OpenTelemetry SDK would send the same logs —
//            a ResourceLogs per service (resource attribute service.name), one scope, and per line a
//            LogRecord: time_unix_nano (= observed_time_unix_nano) from `timestamp`, severity_number and
//            severity_text from `level`, body from `message`, trace_id (16 bytes) from `trace_id`, the
//            members of `metadata` as attributes.
// A request counts its logs as acknowledged from its answer: 200 with {"accepted":N,...} (NDJSON), 200
// with an empty ExportLogsServiceResponse (all B) or one with partial_success (B minus the rejected). Any
// other status counts the request's logs as errors, by status; the run goes on.
//
// Each connection is one thread with one request in flight (what the HTTP clients and shippers do: the
// answer of a request decides about its logs). The client's own CPU time is reported (client_cpu_s), so
// that a run can show the client was not the bottleneck. Exit status: 0 when every request was answered,
// 1 when a connection failed, 2 on a usage error.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "http/otlp/logs.pb.h"

namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kMaxCorpusLines = 200'000;  // distinct logs kept (cycled)
constexpr int kIoTimeoutSeconds = 60;

struct Args {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  uint64_t total = 0;
  std::string corpus;
  bool otlp = false;
  size_t batch = 1000;
  size_t connections = 2;
  bool json = false;
};

int Usage(const char* why) {
  if (why != nullptr) std::fprintf(stderr, "http_load: %s\n", why);
  std::fprintf(stderr,
               "usage: http_load HOST:PORT N --corpus FILE [--format ndjson|otlp] [--batch B] "
               "[--connections C] [--json]\n"
               "  N              logs to send in total (rounded up to whole requests)\n"
               "  --corpus       NDJSON file of logs (default schema), cycled\n"
               "  --format       ndjson (POST /api/v1/ingest, default) or otlp (POST /v1/logs, protobuf)\n"
               "  --batch        logs per request, default 1000\n"
               "  --connections  keep-alive connections (threads), default 2\n"
               "  --json         print the results as one JSON object\n");
  return 2;
}

bool ParseCount(const char* text, uint64_t min, uint64_t max, uint64_t* out) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || text[0] == '-' || v < min || v > max) return false;
  *out = v;
  return true;
}

// ---- the bodies ----------------------------------------------------------------------------------------

struct Body {
  std::string bytes;
  size_t logs = 0;
};

bool ReadCorpus(const std::string& path, std::vector<std::string>* lines) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "http_load: %s: cannot open: %s\n", path.c_str(), std::strerror(errno));
    return false;
  }
  std::string line;
  while (lines->size() < kMaxCorpusLines && std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) lines->push_back(line);
  }
  if (lines->empty()) {
    std::fprintf(stderr, "http_load: %s: no logs\n", path.c_str());
    return false;
  }
  return true;
}

// "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+hh:mm|-hh:mm)" -> nanoseconds since the epoch; 0 if it is not one.
uint64_t ParseRfc3339(std::string_view text) {
  auto digits = [&](size_t at, size_t n, int* out) {
    if (at + n > text.size()) return false;
    int v = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      v = v * 10 + (text[i] - '0');
    }
    *out = v;
    return true;
  };
  std::tm tm{};
  int year, month, day, hour, minute, second;
  if (!digits(0, 4, &year) || !digits(5, 2, &month) || !digits(8, 2, &day) || !digits(11, 2, &hour) ||
      !digits(14, 2, &minute) || !digits(17, 2, &second))
    return 0;
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  int64_t nanos = static_cast<int64_t>(::timegm(&tm)) * 1'000'000'000;
  size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    int64_t scale = 100'000'000;
    for (++pos; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos) {
      nanos += (text[pos] - '0') * scale;
      scale /= 10;
    }
  }
  if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int oh, om;
    if (!digits(pos + 1, 2, &oh) || !digits(pos + 4, 2, &om)) return 0;
    const int64_t offset = (static_cast<int64_t>(oh) * 3600 + om * 60) * 1'000'000'000;
    nanos += text[pos] == '+' ? -offset : offset;
  }
  return static_cast<uint64_t>(nanos);
}

int SeverityNumber(std::string_view level) {
  if (level == "trace") return 1;
  if (level == "debug") return 5;
  if (level == "info") return 9;
  if (level == "warn") return 13;
  if (level == "error") return 17;
  if (level == "fatal") return 21;
  return 0;
}

void SetAnyValue(simdjson::dom::element value, logdaemon::otlp::AnyValue* out) {
  switch (value.type()) {
    case simdjson::dom::element_type::STRING:
      out->set_string_value(std::string(std::string_view(value.get_string())));
      break;
    case simdjson::dom::element_type::INT64:
      out->set_int_value(int64_t(value.get_int64()));
      break;
    case simdjson::dom::element_type::UINT64:
      out->set_double_value(static_cast<double>(uint64_t(value.get_uint64())));
      break;
    case simdjson::dom::element_type::DOUBLE:
      out->set_double_value(double(value.get_double()));
      break;
    case simdjson::dom::element_type::BOOL:
      out->set_bool_value(bool(value.get_bool()));
      break;
    case simdjson::dom::element_type::ARRAY:
      for (simdjson::dom::element item : value.get_array())
        SetAnyValue(item, out->mutable_array_value()->add_values());
      break;
    case simdjson::dom::element_type::OBJECT:
      for (auto field : value.get_object()) {
        logdaemon::otlp::KeyValue* kv = out->mutable_kvlist_value()->add_values();
        kv->set_key(std::string(field.key));
        SetAnyValue(field.value, kv->mutable_value());
      }
      break;
    case simdjson::dom::element_type::NULL_VALUE:
      break;  // an AnyValue with no value
  }
}

bool HexBytes(std::string_view hex, std::string* out) {
  if (hex.size() != 32) return false;
  out->clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    auto nibble = [](char c) {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    const int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi << 4 | lo));
  }
  return true;
}

// One ExportLogsServiceRequest of the lines [begin, end).
bool EncodeOtlp(const std::vector<std::string>& lines, size_t begin, size_t end,
                simdjson::dom::parser& parser, std::string* out) {
  logdaemon::otlp::ExportLogsServiceRequest request;
  std::map<std::string, logdaemon::otlp::ScopeLogs*> by_service;
  for (size_t i = begin; i < end; ++i) {
    simdjson::dom::element log;
    if (parser.parse(lines[i]).get(log) != simdjson::SUCCESS || !log.is_object()) {
      std::fprintf(stderr, "http_load: corpus line %zu is not a JSON object\n", i + 1);
      return false;
    }
    std::string_view service;
    if (log["service"].get(service) != simdjson::SUCCESS) service = {};
    logdaemon::otlp::ScopeLogs*& scope = by_service[std::string(service)];
    if (scope == nullptr) {
      logdaemon::otlp::ResourceLogs* resource = request.add_resource_logs();
      if (!service.empty()) {
        logdaemon::otlp::KeyValue* name = resource->mutable_resource()->add_attributes();
        name->set_key("service.name");
        name->mutable_value()->set_string_value(std::string(service));
      }
      scope = resource->add_scope_logs();
      scope->mutable_scope()->set_name("http_load");
      scope->mutable_scope()->set_version("1");
    }
    logdaemon::otlp::LogRecord* record = scope->add_log_records();
    std::string_view text;
    if (log["timestamp"].get(text) == simdjson::SUCCESS) {
      record->set_time_unix_nano(ParseRfc3339(text));
      record->set_observed_time_unix_nano(record->time_unix_nano());
    }
    if (log["level"].get(text) == simdjson::SUCCESS) {
      record->set_severity_number(static_cast<logdaemon::otlp::SeverityNumber>(SeverityNumber(text)));
      std::string upper(text);
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      record->set_severity_text(upper);
    }
    if (log["message"].get(text) == simdjson::SUCCESS)
      record->mutable_body()->set_string_value(std::string(text));
    std::string trace;
    if (log["trace_id"].get(text) == simdjson::SUCCESS && HexBytes(text, &trace)) record->set_trace_id(trace);
    simdjson::dom::object metadata;
    if (log["metadata"].get(metadata) == simdjson::SUCCESS) {
      for (auto field : metadata) {
        logdaemon::otlp::KeyValue* kv = record->add_attributes();
        kv->set_key(std::string(field.key));
        SetAnyValue(field.value, kv->mutable_value());
      }
    }
  }
  return request.SerializeToString(out);
}

bool BuildBodies(const Args& args, std::vector<Body>* bodies) {
  std::vector<std::string> lines;
  if (!ReadCorpus(args.corpus, &lines)) return false;
  simdjson::dom::parser parser;
  // As many distinct bodies as the corpus makes (at least one, cycling lines when it is short).
  const size_t count = std::max<size_t>(1, lines.size() / args.batch);
  for (size_t b = 0; b < count; ++b) {
    Body body;
    body.logs = args.batch;
    if (args.otlp) {
      std::vector<std::string> chunk;
      for (size_t i = 0; i < args.batch; ++i) chunk.push_back(lines[(b * args.batch + i) % lines.size()]);
      if (!EncodeOtlp(chunk, 0, chunk.size(), parser, &body.bytes)) return false;
    } else {
      for (size_t i = 0; i < args.batch; ++i) {
        body.bytes += lines[(b * args.batch + i) % lines.size()];
        body.bytes += '\n';
      }
    }
    bodies->push_back(std::move(body));
  }
  return true;
}

// ---- one connection ----------------------------------------------------------------------------------

struct Tally {
  uint64_t requests = 0;
  uint64_t ok_logs = 0;
  uint64_t error_logs = 0;
  uint64_t bytes = 0;
  std::map<int, uint64_t> statuses;  // requests by status other than 200
  std::vector<double> latencies_ms;
  std::string failure;  // a connection that failed: why
};

class Connection {
 public:
  explicit Connection(const Args& args) : args_(args) {}
  ~Connection() { Close(); }

  bool Open(std::string* why) {
    Close();
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return Fail("socket", why);
    timeval tv{kIoTimeoutSeconds, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(args_.port);
    if (::inet_pton(AF_INET, args_.host.c_str(), &addr.sin_addr) != 1) {
      *why = "bad IPv4 address " + args_.host;
      return false;
    }
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) return Fail("connect", why);
    buffer_.clear();
    return true;
  }

  // Sends one request; fills *status and *answer. False: the connection failed (*why).
  bool Exchange(const std::string& head, const std::string& body, int* status, std::string* answer,
                bool* keep_alive, std::string* why) {
    iovec parts[2] = {{const_cast<char*>(head.data()), head.size()},
                      {const_cast<char*>(body.data()), body.size()}};
    size_t done = 0;
    const size_t total = head.size() + body.size();
    while (done < total) {
      iovec rest[2];
      int n = 0;
      size_t skip = done;
      for (const iovec& part : parts) {
        if (skip >= part.iov_len) {
          skip -= part.iov_len;
          continue;
        }
        rest[n++] = {static_cast<char*>(part.iov_base) + skip, part.iov_len - skip};
        skip = 0;
      }
      msghdr msg{};
      msg.msg_iov = rest;
      msg.msg_iovlen = static_cast<size_t>(n);
      const ssize_t sent = ::sendmsg(fd_, &msg, MSG_NOSIGNAL);
      if (sent < 0) {
        if (errno == EINTR) continue;
        return Fail("send", why);
      }
      done += static_cast<size_t>(sent);
    }
    // The head, then Content-Length bytes of body (libmicrohttpd answers buffers with a length).
    size_t head_end;
    while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill(why)) return false;
    }
    std::string_view response_head(buffer_.data(), head_end);
    if (response_head.size() < 12 || response_head.substr(0, 5) != "HTTP/") {
      *why = "not an HTTP answer: " + std::string(response_head.substr(0, 80));
      return false;
    }
    *status = std::atoi(std::string(response_head.substr(9, 3)).c_str());
    size_t length = 0;
    *keep_alive = true;
    size_t line = response_head.find("\r\n");
    while (line != std::string_view::npos) {
      const size_t next = response_head.find("\r\n", line + 2);
      std::string header(
          response_head.substr(line + 2, (next == std::string_view::npos ? head_end : next) - line - 2));
      for (char& c : header) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (header.rfind("content-length:", 0) == 0) length = std::strtoull(header.c_str() + 15, nullptr, 10);
      if (header.rfind("connection:", 0) == 0 && header.find("close") != std::string::npos)
        *keep_alive = false;
      line = next;
    }
    while (buffer_.size() < head_end + 4 + length) {
      if (!Fill(why)) return false;
    }
    answer->assign(buffer_, head_end + 4, length);
    buffer_.erase(0, head_end + 4 + length);
    return true;
  }

  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  bool Fill(std::string* why) {
    char chunk[16384];
    for (;;) {
      const ssize_t got = ::recv(fd_, chunk, sizeof(chunk), 0);
      if (got > 0) {
        buffer_.append(chunk, static_cast<size_t>(got));
        return true;
      }
      if (got == 0) {
        *why = "the server closed the connection";
        return false;
      }
      if (errno == EINTR) continue;
      return Fail("recv", why);
    }
  }

  bool Fail(const char* what, std::string* why) {
    *why = std::string(what) + ": " + std::strerror(errno);
    return false;
  }

  const Args& args_;
  int fd_ = -1;
  std::string buffer_;
};

// Logs acknowledged by a 200 answer.
uint64_t AcceptedLogs(const Args& args, const Body& body, const std::string& answer) {
  if (args.otlp) {
    if (answer.empty()) return body.logs;
    logdaemon::otlp::ExportLogsServiceResponse response;
    if (!response.ParseFromString(answer)) return 0;
    const auto rejected = static_cast<uint64_t>(response.partial_success().rejected_log_records());
    return rejected >= body.logs ? 0 : body.logs - rejected;
  }
  const size_t at = answer.find("\"accepted\":");
  return at == std::string::npos ? 0 : std::strtoull(answer.c_str() + at + 11, nullptr, 10);
}

void RunConnection(const Args& args, const std::vector<Body>& bodies, const std::vector<std::string>& heads,
                   uint64_t requests, std::atomic<uint64_t>* next, Tally* tally) {
  Connection connection(args);
  if (!connection.Open(&tally->failure)) return;
  std::string answer;
  for (;;) {
    const uint64_t index = next->fetch_add(1, std::memory_order_relaxed);
    if (index >= requests) break;
    const size_t b = index % bodies.size();
    int status = 0;
    bool keep_alive = true;
    const auto start = Clock::now();
    if (!connection.Exchange(heads[b], bodies[b].bytes, &status, &answer, &keep_alive, &tally->failure))
      return;
    tally->latencies_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    ++tally->requests;
    tally->bytes += heads[b].size() + bodies[b].bytes.size();
    const uint64_t accepted = status == 200 ? AcceptedLogs(args, bodies[b], answer) : 0;
    tally->ok_logs += accepted;
    tally->error_logs += bodies[b].logs - accepted;
    if (status != 200) ++tally->statuses[status];
    if (!keep_alive && !connection.Open(&tally->failure)) return;
  }
}

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

double CpuSeconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (argc < 3) return Usage(nullptr);
  {
    const std::string address = argv[1];
    const size_t colon = address.rfind(':');
    uint64_t port = 0;
    if (colon == std::string::npos || !ParseCount(address.c_str() + colon + 1, 1, 65535, &port))
      return Usage("HOST:PORT expected");
    args.host = address.substr(0, colon);
    args.port = static_cast<uint16_t>(port);
  }
  if (!ParseCount(argv[2], 1, uint64_t{1} << 40, &args.total)) return Usage("N must be a positive count");
  for (int i = 3; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const bool has_value = i + 1 < argc;
    uint64_t v = 0;
    if (arg == "--json") {
      args.json = true;
    } else if (arg == "--corpus" && has_value) {
      args.corpus = argv[++i];
    } else if (arg == "--format" && has_value) {
      const std::string_view format = argv[++i];
      if (format != "ndjson" && format != "otlp") return Usage("--format is ndjson or otlp");
      args.otlp = format == "otlp";
    } else if (arg == "--batch" && has_value) {
      if (!ParseCount(argv[++i], 1, 1'000'000, &v)) return Usage("bad --batch");
      args.batch = v;
    } else if (arg == "--connections" && has_value) {
      if (!ParseCount(argv[++i], 1, 10'000, &v)) return Usage("bad --connections");
      args.connections = v;
    } else {
      return Usage(("unknown argument " + std::string(arg)).c_str());
    }
  }
  if (args.corpus.empty()) return Usage("--corpus is required");

  std::vector<Body> bodies;
  if (!BuildBodies(args, &bodies)) return 1;
  std::vector<std::string> heads;
  for (const Body& body : bodies) {
    heads.push_back(std::string("POST ") + (args.otlp ? "/v1/logs" : "/api/v1/ingest") +
                    " HTTP/1.1\r\nHost: " + args.host + ":" + std::to_string(args.port) +
                    "\r\nUser-Agent: http_load\r\nContent-Type: " +
                    (args.otlp ? "application/x-protobuf" : "application/x-ndjson") +
                    "\r\nContent-Length: " + std::to_string(body.bytes.size()) + "\r\n\r\n");
  }
  const uint64_t requests = (args.total + args.batch - 1) / args.batch;

  std::atomic<uint64_t> next{0};
  std::vector<Tally> tallies(args.connections);
  std::vector<std::thread> threads;
  const double cpu_start = CpuSeconds();
  const auto start = Clock::now();
  for (size_t c = 0; c < args.connections; ++c)
    threads.emplace_back(RunConnection, std::cref(args), std::cref(bodies), std::cref(heads), requests, &next,
                         &tallies[c]);
  for (std::thread& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  const double cpu = CpuSeconds() - cpu_start;

  Tally all;
  for (Tally& t : tallies) {
    all.requests += t.requests;
    all.ok_logs += t.ok_logs;
    all.error_logs += t.error_logs;
    all.bytes += t.bytes;
    for (const auto& [status, n] : t.statuses) all.statuses[status] += n;
    all.latencies_ms.insert(all.latencies_ms.end(), t.latencies_ms.begin(), t.latencies_ms.end());
    if (!t.failure.empty() && all.failure.empty()) all.failure = t.failure;
  }
  const double p50 = Percentile(all.latencies_ms, 0.50);
  const double p99 = Percentile(all.latencies_ms, 0.99);
  size_t body_bytes = 0;
  for (const Body& body : bodies) body_bytes += body.bytes.size();
  std::string failure;  // for JSON: no quotes or backslashes
  for (char c : all.failure)
    failure.push_back(c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20 ? '?' : c);
  std::string statuses;
  for (const auto& [status, n] : all.statuses)
    statuses += (statuses.empty() ? "" : ",") + ("\"" + std::to_string(status) + "\":" + std::to_string(n));
  if (args.json) {
    std::printf("{\"format\":\"%s\",\"connections\":%zu,\"batch\":%zu,\"requests\":%" PRIu64
                ",\"ok\":%" PRIu64 ",\"errors\":%" PRIu64
                ",\"errors_by_status\":{%s},\"elapsed_s\":%.3f,\"logs_per_s\":%.0f,"
                "\"mb_per_s\":%.1f,\"latency_p50_ms\":%.3f,\"latency_p99_ms\":%.3f,\"client_cpu_s\":%.3f,"
                "\"avg_body_bytes\":%.0f,\"failure\":\"%s\"}\n",
                args.otlp ? "otlp" : "ndjson", args.connections, args.batch, all.requests, all.ok_logs,
                all.error_logs, statuses.c_str(), elapsed, static_cast<double>(all.ok_logs) / elapsed,
                static_cast<double>(all.bytes) / elapsed / 1e6, p50, p99, cpu,
                static_cast<double>(body_bytes) / static_cast<double>(bodies.size()), failure.c_str());
  } else {
    std::printf("%s: %" PRIu64 " requests of %zu logs over %zu connections in %.3f s\n",
                args.otlp ? "OTLP protobuf" : "NDJSON", all.requests, args.batch, args.connections, elapsed);
    std::printf("  %.0f logs/s acknowledged, %.1f MB/s, request latency p50 %.3f ms, p99 %.3f ms\n",
                static_cast<double>(all.ok_logs) / elapsed, static_cast<double>(all.bytes) / elapsed / 1e6,
                p50, p99);
    std::printf("  ok %" PRIu64 ", errors %" PRIu64 " {%s}; client CPU %.2f s (%.0f%% of one core)\n",
                all.ok_logs, all.error_logs, statuses.c_str(), cpu, 100 * cpu / elapsed);
    if (!all.failure.empty()) std::printf("  connection failure: %s\n", all.failure.c_str());
  }
  return all.failure.empty() ? 0 : 1;
}
