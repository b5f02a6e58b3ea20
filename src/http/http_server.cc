// The libmicrohttpd glue of the HTTP front door (http_server.h): routing, authentication, the body's
// bounds, and the answer. The endpoints themselves are in *_endpoint.cc.
//
// libmicrohttpd calls the access handler several times per request: first with the request head
// (*request_state is null: route, authenticate, check the declared length, set up the body reader), then
// once per chunk of body received, and last with no data: the body is complete, the endpoint runs and the
// response is queued. A response queued before the body was read makes libmicrohttpd close the
// connection after it (the rest of the body is never read).
#include "http/http_server.h"

#include <microhttpd.h>
#include <strings.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "http/body_reader.h"
#include "http/endpoints.h"
#include "http/otlp_any_value.h"  // DecodeBase64
#include "http/query_api.h"
#include "http/query_runner.h"
#include "http/ui_assets.h"
#include "storage/engine.h"

namespace logdaemon::http {

namespace {

struct Route {
  Endpoint endpoint = Endpoint::kOther;
  bool method_allowed = false;
  const char* allow = "";  // for 405
  bool takes_body = false;
  EsProbe probe = EsProbe::kRoot;  // Endpoint::kEsProbe
  std::string url_index;           // /{index}/_bulk
  std::string ui_path;             // Endpoint::kUi: the path
};

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// The Elasticsearch paths shippers call before their first bulk (es_probe.h): index templates, data
// streams, ILM policies exist (GET, HEAD) and are "created" (PUT) as far as they can tell.
bool IsEsManagementPath(std::string_view url) {
  return StartsWith(url, "/_index_template/") || StartsWith(url, "/_component_template/") ||
         StartsWith(url, "/_template/") || StartsWith(url, "/_data_stream/") ||
         StartsWith(url, "/_ilm/policy/") || StartsWith(url, "/_alias/");
}

Route RouteOf(std::string_view method, std::string_view url) {
  Route route;
  const bool get = method == "GET" || method == "HEAD";
  const bool post = method == "POST";
  auto set = [&](Endpoint endpoint, bool allowed, const char* allow) {
    route.endpoint = endpoint;
    route.method_allowed = allowed;
    route.allow = allow;
  };
  if (url == "/metrics") {
    set(Endpoint::kMetrics, get, "GET, HEAD");
  } else if (url == "/") {
    set(Endpoint::kEsProbe, get, "GET, HEAD");
  } else if (url == "/api/v1/query") {
    set(Endpoint::kQuery, get, "GET, HEAD");
  } else if (url == "/api/v1/histogram") {
    set(Endpoint::kHistogram, get, "GET, HEAD");
  } else if (url == "/api/v1/fields") {
    set(Endpoint::kFields, get, "GET, HEAD");
  } else if (url == "/api/v1/tail") {
    set(Endpoint::kTail, method == "GET", "GET");
  } else if (url == "/ui" || StartsWith(url, "/ui/")) {
    set(Endpoint::kUi, get, "GET, HEAD");
    route.ui_path.assign(url);
  } else if (url == "/v1/logs") {
    set(Endpoint::kOtlp, post, "POST");
  } else if (url == "/api/v1/ingest") {
    set(Endpoint::kNdjson, post, "POST");
  } else if (url == "/_bulk" ||
             (url.ends_with("/_bulk") && url.size() > 7 && url.find('/', 1) == url.size() - 6)) {
    set(Endpoint::kBulk, post || method == "PUT", "POST, PUT");  // Elasticsearch takes both
    if (url != "/_bulk") route.url_index.assign(url.substr(1, url.size() - 7));
  } else if (url == "/_license" || url == "/_xpack") {
    set(Endpoint::kEsProbe, get, "GET, HEAD");
    route.probe = EsProbe::kLicense;
  } else if (url == "/_cluster/health") {
    set(Endpoint::kEsProbe, get, "GET, HEAD");
    route.probe = EsProbe::kHealth;
  } else if (IsEsManagementPath(url)) {
    set(Endpoint::kEsProbe, get || method == "PUT", "GET, HEAD, PUT");
    route.probe = EsProbe::kAcknowledged;
  } else if (method == "HEAD" && url.size() > 1 && url[1] != '_' &&
             url.find('/', 1) == std::string_view::npos) {
    // HEAD /{index or alias}: Logstash asks whether its alias exists.
    set(Endpoint::kEsProbe, true, "HEAD");
    route.probe = EsProbe::kAcknowledged;
  }
  route.takes_body =
      route.method_allowed && (route.endpoint == Endpoint::kOtlp || route.endpoint == Endpoint::kNdjson ||
                               route.endpoint == Endpoint::kBulk);
  return route;
}

// Compares without an early exit, so the time taken says nothing about how much of a token was right.
bool SameSecret(std::string_view given, std::string_view expected) {
  unsigned char difference = given.size() == expected.size() ? 0 : 1;
  for (size_t i = 0; i < given.size(); ++i)
    difference |= static_cast<unsigned char>(given[i] ^ expected[i % std::max<size_t>(expected.size(), 1)]);
  return difference == 0;
}

// `Authorization: Bearer <token>`, or Basic with the token as the password (any user name): the form
// Fluent Bit's and Filebeat's Elasticsearch outputs can send.
bool Authorized(const char* header, const std::string& token) {
  if (token.empty()) return true;
  if (header == nullptr) return false;
  std::string_view value(header);
  if (value.size() > 7 && ::strncasecmp(value.data(), "Bearer ", 7) == 0)
    return SameSecret(value.substr(7), token);
  if (value.size() > 6 && ::strncasecmp(value.data(), "Basic ", 6) == 0) {
    std::string decoded;
    if (!DecodeBase64(value.substr(6), &decoded)) return false;
    const size_t colon = decoded.find(':');
    return colon != std::string::npos && SameSecret(std::string_view(decoded).substr(colon + 1), token);
  }
  return false;
}

std::string_view HeaderOf(MHD_Connection* connection, const char* name) {
  const char* value = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, name);
  return value == nullptr ? std::string_view() : std::string_view(value);
}

}  // namespace

bool IsQueryEndpoint(Endpoint endpoint) {
  return endpoint == Endpoint::kQuery || endpoint == Endpoint::kHistogram || endpoint == Endpoint::kFields ||
         endpoint == Endpoint::kTail;
}

// One request's state, from its head to its answer.
struct RequestState {
  Route route;
  std::optional<BodyReader> body;
  std::optional<Response> early;  // answered before the body (the connection then closes)
  uint64_t dropped = 0;           // body bytes received after the body was refused
  std::shared_ptr<QueryJob> job;  // the query API: the query running for this request
};

// The web UI's page may load only its own files and talk only to this server.
constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

class HttpServer::Impl {
 public:
  Impl(HttpServerOptions options, HttpContext context, int listen_fd)
      : options_(std::move(options)),
        context_(std::move(context)),
        listen_fd_(listen_fd),
        budget_(options_.body_budget_bytes > 0 ? options_.body_budget_bytes
                                               : BodyReader::LargestCharge(options_.max_body_bytes)) {
    if (context_.engine != nullptr && context_.schema != nullptr) {
      pool_ = std::make_unique<AdmitterPool>(*context_.schema, *context_.engine);
      ingest_.pool = pool_.get();
      const TableLayout& layout = context_.schema->layout();
      if (layout.time_column >= 0) {
        ingest_.otlp.time_field = layout.columns[layout.time_column].name;
        ingest_.bulk.time_field = ingest_.otlp.time_field;
      }
      for (size_t i = 0; i < layout.columns.size(); ++i) {
        if (static_cast<int>(i) != layout.extra_column)
          ingest_.otlp.declared_properties.push_back(layout.columns[i].name);
      }
    }
    ingest_.retry_after_seconds = options_.retry_after_seconds;
    ingest_.bulk.timestamp_source = options_.es_timestamp_field;
    if (!context_.storage_dir.empty()) {
      queries_.storage_dir = context_.storage_dir;
      queries_.timeout = options_.query_timeout;
      queries_.tail_relist_interval = options_.tail_relist_interval;
      queries_.scan_threads = std::clamp(std::thread::hardware_concurrency(), 1u, 2u);
      runner_ = std::make_unique<QueryRunner>(options_.query_threads, options_.max_waiting_queries,
                                              options_.max_tails);
    }
  }

  Status Start() {
    // poll(), not epoll: libmicrohttpd's epoll loop (0.9.75, and upstream since) takes events 128 at a
    // time and, after a batch of exactly 128, waits for more with the full timeout; a thread whose 128
    // connections all became ready at once (the default limit, 256 over 2 threads, is 128 each) left them
    // unprocessed, and its listening socket out of its set, for up to --http-timeout. A thread holds at
    // most --http-max-connections / --http-threads connections, so poll's cost per wake-up stays small.
    // Suspend/resume: the query API's connections wait, off libmicrohttpd's threads, for their query.
    const unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_ALLOW_SUSPEND_RESUME;
    daemon_ = MHD_start_daemon(flags, 0, nullptr, nullptr, &Impl::AccessHandler, this,
                               MHD_OPTION_LISTEN_SOCKET, listen_fd_, MHD_OPTION_NOTIFY_COMPLETED,
                               &Impl::RequestCompleted, this, MHD_OPTION_CONNECTION_LIMIT,
                               static_cast<unsigned>(options_.max_connections), MHD_OPTION_CONNECTION_TIMEOUT,
                               static_cast<unsigned>(options_.connection_timeout.count()),
                               MHD_OPTION_CONNECTION_MEMORY_LIMIT, options_.connection_memory_bytes,
                               MHD_OPTION_THREAD_POOL_SIZE, std::max(options_.threads, 1u), MHD_OPTION_END);
    if (daemon_ == nullptr) {
      ::close(listen_fd_);
      return Status::Unavailable("the HTTP server (libmicrohttpd) did not start on " +
                                 DescribeAddress(options_.address));
    }
    port_ = BoundPort(listen_fd_);
    return Status::OK();
  }

  ~Impl() {
    // Queries first: each is cancelled and its suspended connection resumed (libmicrohttpd must not stop
    // with a connection suspended).
    if (runner_) runner_->Shutdown();
    // Stops the threads (requests in progress finish: their admitters commit) and closes the listener.
    if (daemon_ != nullptr) MHD_stop_daemon(daemon_);
    pool_.reset();  // hands over what the admitters hold, before the caller closes the storage engine
  }

  uint16_t port() const { return port_; }
  ListenAddress address() const { return ListenAddress{options_.address.host, port_}; }
  HttpStats Stats() const {
    HttpStats stats = counters_.Read();
    stats.body_bytes_in_flight = budget_.used();
    stats.body_bytes_limit = budget_.limit();
    if (runner_) {
      stats.queries_running = runner_->running();
      stats.queries_cancelled = runner_->cancelled_by_client();
    }
    return stats;
  }

 private:
  static MHD_Result AccessHandler(void* self, MHD_Connection* connection, const char* url, const char* method,
                                  const char* /*version*/, const char* upload_data, size_t* upload_data_size,
                                  void** request_state) {
    auto* impl = static_cast<Impl*>(self);
    auto* state = static_cast<RequestState*>(*request_state);
    if (state == nullptr) {
      state = new RequestState;
      *request_state = state;
      impl->BeginRequest(connection, url, method, state);
      // A request refused on its head is answered now: libmicrohttpd then sends no "100 Continue", never
      // reads the body, and closes the connection after the answer.
      if (state->early) return impl->Answer(connection, state);
      return MHD_YES;
    }
    if (*upload_data_size > 0) {
      const size_t size = *upload_data_size;
      *upload_data_size = 0;
      if (state->body && !state->early && state->body->state() == BodyReader::State::kReading) {
        state->body->Feed(std::string_view(upload_data, size));
        return MHD_YES;
      }
      // A refused body (chunked past the bound: libmicrohttpd lets an answer be queued only on the head or
      // once the body has ended) is read and dropped so that its sender gets the 413; but a body that goes
      // on for more than three times the bound more is cut: the connection closes without an answer, so
      // that an endless chunked body cannot hold it for ever.
      state->dropped += size;
      if (state->dropped > 3 * impl->options_.max_body_bytes) {
        impl->counters_.CountCutBody();
        return MHD_NO;
      }
      return MHD_YES;
    }
    return impl->Answer(connection, state);
  }

  static void RequestCompleted(void* /*self*/, MHD_Connection* /*connection*/, void** request_state,
                               MHD_RequestTerminationCode /*code*/) {
    auto* state = static_cast<RequestState*>(*request_state);
    if (state != nullptr && state->job) state->job->Detach();  // its query stops; the connection is gone
    delete state;
    *request_state = nullptr;
  }

  void BeginRequest(MHD_Connection* connection, const char* url, const char* method, RequestState* state) {
    state->route = RouteOf(method, url);
    if (!Authorized(MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION),
                    options_.token)) {
      Response response = JsonError(401, "missing or wrong token (Authorization: Bearer <token>)");
      // Browsers (the web UI) ask for Basic credentials: any user name, the token as the password.
      response.headers.emplace_back("WWW-Authenticate", "Basic realm=\"logdaemon\", charset=\"UTF-8\"");
      response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"logdaemon\"");
      state->early = std::move(response);
      return;
    }
    if (state->route.endpoint == Endpoint::kOther) {
      state->early = JsonError(404, std::string("no such endpoint: ").append(url));
      return;
    }
    if (!state->route.method_allowed) {
      Response response = JsonError(405, std::string(method).append(" is not allowed on ").append(url));
      response.headers.emplace_back("Allow", state->route.allow);
      state->early = std::move(response);
      return;
    }
    if (!state->route.takes_body) return;
    if (pool_ == nullptr) {
      state->early = JsonError(503, "this server does not take logs", options_.retry_after_seconds);
      return;
    }
    std::string_view length = HeaderOf(connection, MHD_HTTP_HEADER_CONTENT_LENGTH);
    uint64_t declared = 0;
    if (!length.empty() &&
        std::from_chars(length.data(), length.data() + length.size(), declared).ec == std::errc() &&
        declared > options_.max_body_bytes) {
      state->early = JsonError(413, "request body of " + std::to_string(declared) + " bytes is over the " +
                                        std::to_string(options_.max_body_bytes) + "-byte limit");
      return;
    }
    state->body.emplace(HeaderOf(connection, MHD_HTTP_HEADER_CONTENT_ENCODING), options_.max_body_bytes,
                        &budget_);
    if (state->body->state() != BodyReader::State::kReading) {
      state->early =
          JsonError(state->body->status_code(), state->body->error(), options_.retry_after_seconds);
    }
  }

  Response Dispatch(MHD_Connection* connection, RequestState* state, ingest::CounterValues* logs) {
    switch (state->route.endpoint) {
      case Endpoint::kMetrics: {
        Response response;
        response.content_type = "text/plain; version=0.0.4; charset=utf-8";
        response.body = context_.render_metrics ? context_.render_metrics(Stats()) : std::string();
        return response;
      }
      case Endpoint::kEsProbe:
        if (state->route.probe == EsProbe::kRoot &&
            HeaderOf(connection, MHD_HTTP_HEADER_ACCEPT).find("text/html") != std::string_view::npos)
          return RedirectToUi();
        return HandleEsProbe(state->route.probe);
      case Endpoint::kUi:
        return UiFile(state->route);
      default:
        break;
    }
    BodyReader& body = *state->body;
    if (!body.Finish()) return JsonError(body.status_code(), body.error(), options_.retry_after_seconds);
    switch (state->route.endpoint) {
      case Endpoint::kNdjson: {
        LogBatch batch;
        const size_t size = body.body().size();
        batch.AdoptBuffer(std::move(body.buffer()));
        return HandleNdjson(&batch, std::string_view(batch.buffer()).substr(0, size), ingest_, logs);
      }
      case Endpoint::kOtlp:
        return HandleOtlp(HeaderOf(connection, MHD_HTTP_HEADER_CONTENT_TYPE), body.body(), ingest_, logs);
      case Endpoint::kBulk: {
        // ParseBulk reads the documents in place (the batch adopts the body) and may append rewritten
        // ones after it.
        LogBatch batch;
        const size_t size = body.body().size();
        batch.AdoptBuffer(std::move(body.buffer()));
        return HandleBulk(&batch, std::string_view(batch.buffer()).substr(0, size), state->route.url_index,
                          ingest_, logs);
      }
      default:
        return JsonError(404, "no such endpoint");
    }
  }

  // Browsers asking for `/` get the web UI.
  static Response RedirectToUi() {
    Response response;
    response.status = 302;
    response.content_type = "text/html; charset=utf-8";
    response.headers.emplace_back("Location", "/ui/");
    response.body = "<!doctype html><title>logdaemon</title><a href=\"/ui/\">logdaemon</a>\n";
    return response;
  }

  Response UiFile(const Route& route) const {
    if (route.ui_path == "/ui") {
      Response response = RedirectToUi();
      return response;
    }
    const UiAsset* asset = FindUiAsset(route.ui_path == "/ui/" ? "index.html" : route.ui_path.substr(4));
    if (asset == nullptr) return JsonError(404, "no such file: " + route.ui_path);
    Response response;
    response.content_type = asset->content_type;
    response.body.assign(asset->data, asset->size);
    response.headers.emplace_back("Content-Security-Policy", kContentSecurityPolicy);
    response.headers.emplace_back("Cache-Control", "no-cache");
    response.headers.emplace_back("Referrer-Policy", "no-referrer");
    return response;
  }

  // The query API. First call: the parameters are checked (400 at once when wrong), the query handed to
  // the query threads and the connection suspended. Called again when the job resumes it: the answer (or,
  // for the tail, the stream) is queued.
  MHD_Result AnswerQuery(MHD_Connection* connection, RequestState* state) {
    const Endpoint endpoint = state->route.endpoint;
    if (state->job) {
      if (std::optional<Response> response = state->job->TakeResponse())
        return Finish(connection, state, *response);
      if (endpoint == Endpoint::kTail) return StartStream(connection, state);
      if (state->job->cancelled())
        return Finish(connection, state, JsonError(503, "the query was cancelled (the server is stopping)"));
      state->job->SuspendConnection();  // woken early: wait on
      return MHD_YES;
    }
    if (runner_ == nullptr)
      return Finish(connection, state, JsonError(503, "this server has no storage to query"));
    std::vector<std::pair<std::string, std::string>> args;
    MHD_get_connection_values(
        connection, MHD_GET_ARGUMENT_KIND,
        [](void* into, MHD_ValueKind, const char* key, const char* value) {
          static_cast<std::vector<std::pair<std::string, std::string>>*>(into)->emplace_back(
              key, value == nullptr ? "" : value);
          return MHD_YES;
        },
        &args);
    const int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    auto [params, error] = ParseQueryParams(endpoint, args, now);
    if (error) {
      Response response;
      response.status = 400;
      response.body = ParamErrorJson(*error);
      return Finish(connection, state, response);
    }
    const MHD_ConnectionInfo* info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    auto job = std::make_shared<QueryJob>(connection, info != nullptr ? info->connect_fd : -1, 256 << 10);
    state->job = job;
    if (endpoint == Endpoint::kTail) {
      const QueryApiContext& queries = queries_;
      if (!runner_->StartTail(job, [&queries, job, p = std::move(params)]() mutable {
            RunTailRequest(queries, std::move(p), *job);
          })) {
        state->job.reset();
        return Finish(
            connection, state,
            JsonError(503, "too many tails stream at once (" + std::to_string(options_.max_tails) + ")",
                      options_.retry_after_seconds));
      }
      return StartStream(connection, state);
    }
    auto run = [&queries = queries_, job, endpoint, p = std::move(params)]() mutable {
      Response response;
      try {
        if (endpoint == Endpoint::kQuery) {
          response = RunQueryRequest(queries, std::move(p), *job);
        } else if (endpoint == Endpoint::kHistogram) {
          response = RunHistogramRequest(queries, std::move(p), *job);
        } else {
          response = RunFieldsRequest(queries, std::move(p), *job);
        }
      } catch (const std::exception& e) {
        response = JsonError(500, std::string("internal error: ").append(e.what()));
      }
      job->Finish(std::move(response));
    };
    // The job's lock orders a quick Finish after the suspension (SuspendConnection does nothing once the
    // answer is there; the handler is then called again and finds it).
    if (!runner_->Submit(job, std::move(run))) {
      state->job.reset();
      return Finish(connection, state,
                    JsonError(503, "too many queries are waiting; try again", options_.retry_after_seconds));
    }
    job->SuspendConnection();
    return MHD_YES;
  }

  // The tail's answer: Server-Sent Events, read from the job as its thread appends them.
  MHD_Result StartStream(MHD_Connection* connection, RequestState* state) {
    auto* job = new std::shared_ptr<QueryJob>(state->job);
    MHD_Response* reply = MHD_create_response_from_callback(
        MHD_SIZE_UNKNOWN, 16 << 10,
        [](void* cls, uint64_t, char* buffer, size_t max) -> ssize_t {
          const long n = (*static_cast<std::shared_ptr<QueryJob>*>(cls))->Read(buffer, max);
          if (n == -1) return MHD_CONTENT_READER_END_OF_STREAM;
          if (n < 0) return MHD_CONTENT_READER_END_WITH_ERROR;
          return static_cast<ssize_t>(n);
        },
        job,
        [](void* cls) {
          auto* held = static_cast<std::shared_ptr<QueryJob>*>(cls);
          (*held)->Detach();
          delete held;
        });
    if (reply == nullptr) {
      delete job;
      return MHD_NO;
    }
    state->job->MarkStreaming();
    MHD_add_response_header(reply, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream; charset=utf-8");
    MHD_add_response_header(reply, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    MHD_add_response_header(reply, "X-Content-Type-Options", "nosniff");
    const MHD_Result queued = MHD_queue_response(connection, 200, reply);
    MHD_destroy_response(reply);
    counters_.AddRequest(state->route.endpoint, 200, 0, {});
    return queued;
  }

  MHD_Result Finish(MHD_Connection* connection, RequestState* state, const Response& response) {
    counters_.AddRequest(state->route.endpoint, response.status, 0, {});
    return Send(connection, response);
  }

  MHD_Result Answer(MHD_Connection* connection, RequestState* state) {
    if (!state->early && IsQueryEndpoint(state->route.endpoint)) {
      try {
        return AnswerQuery(connection, state);
      } catch (const std::exception& e) {
        return Finish(connection, state, JsonError(500, std::string("internal error: ").append(e.what())));
      }
    }
    ingest::CounterValues logs;
    Response response;
    if (state->early) {
      response = std::move(*state->early);
    } else if (state->body && state->body->state() != BodyReader::State::kReading) {
      response = JsonError(state->body->status_code(), state->body->error(), options_.retry_after_seconds);
    } else {
      // An exception must not cross libmicrohttpd's C frames (that would end the daemon): a failing
      // request is a 500, and the next one is served.
      try {
        response = Dispatch(connection, state, &logs);
      } catch (const std::exception& e) {
        response = JsonError(500, std::string("internal error: ").append(e.what()));
      }
    }
    counters_.AddRequest(state->route.endpoint, response.status,
                         state->body ? state->body->compressed_bytes() : 0, logs);
    state->body.reset();  // the body's memory goes back before the answer is sent
    return Send(connection, response);
  }

  // libmicrohttpd answers HEAD with the headers of the same response (Content-Length included) and no body.
  static MHD_Result Send(MHD_Connection* connection, const Response& response) {
    MHD_Response* reply = MHD_create_response_from_buffer(
        response.body.size(), const_cast<char*>(response.body.data()), MHD_RESPMEM_MUST_COPY);
    if (reply == nullptr) return MHD_NO;
    MHD_add_response_header(reply, MHD_HTTP_HEADER_CONTENT_TYPE, response.content_type.c_str());
    MHD_add_response_header(reply, "X-Content-Type-Options", "nosniff");
    for (const auto& [name, value] : response.headers)
      MHD_add_response_header(reply, name.c_str(), value.c_str());
    const MHD_Result queued = MHD_queue_response(connection, static_cast<unsigned>(response.status), reply);
    MHD_destroy_response(reply);
    return queued;
  }

  HttpServerOptions options_;
  HttpContext context_;
  int listen_fd_;
  uint16_t port_ = 0;
  MHD_Daemon* daemon_ = nullptr;
  BodyBudget budget_;
  std::unique_ptr<AdmitterPool> pool_;
  IngestContext ingest_;
  HttpCounters counters_;
  QueryApiContext queries_;
  std::unique_ptr<QueryRunner> runner_;  // null without a storage directory
};

namespace {

// A server other hosts can reach must ask for a token.
Status CheckToken(const ListenAddress& address, const std::string& token) {
  if (IsLoopback(address) || !token.empty()) return Status::OK();
  return Status::InvalidArgument(DescribeAddress(address) +
                                 " is reachable from other hosts: give a token (--http-token-file), or "
                                 "bind to 127.0.0.1");
}

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::Start(HttpServerOptions options, HttpContext context) {
  if (options.listen_fd >= 0) {
    const int fd = std::exchange(options.listen_fd, -1);
    Result<ListenAddress> adopted = AdoptListener(fd);
    const Status refused = adopted.ok() ? CheckToken(*adopted, options.token) : adopted.status();
    if (!refused.ok()) {
      ::close(fd);
      return refused;
    }
    options.address = *adopted;
    return StartOn(std::move(options), std::move(context), fd);
  }
  if (Status st = CheckToken(options.address, options.token); !st.ok()) return st;
  Result<int> listener = BindListener(options.address);
  if (!listener.ok()) return listener.status();
  return StartOn(std::move(options), std::move(context), *listener);
}

Result<std::unique_ptr<HttpServer>> HttpServer::StartOn(HttpServerOptions options, HttpContext context,
                                                        int listen_fd) {
  auto impl = std::make_unique<Impl>(std::move(options), std::move(context), listen_fd);
  if (Status st = impl->Start(); !st.ok()) return st;
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() = default;
uint16_t HttpServer::port() const {
  return impl_->port();
}
ListenAddress HttpServer::address() const {
  return impl_->address();
}
HttpStats HttpServer::Stats() const {
  return impl_->Stats();
}

}  // namespace logdaemon::http
