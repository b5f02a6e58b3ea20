#include "cli/serve_command.h"

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "cli/allocator.h"
#include "cli/idle_memory.h"
#include "cli/serve_shipping.h"
#include "cli/service_manager.h"
#include "http/http_server.h"
#include "ingest/server_metrics.h"
#include "ingest/signals.h"
#include "logdaemon/schema.h"
#include "logdaemon/server.h"
#include "logdaemon/storage.h"
#include "metrics/process_metrics.h"

namespace logdaemon::cli {

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// Descriptors the daemon needs besides one per connection: storage files, the listening socket, the
// metrics endpoint and its scrapers, eventfds and io_uring rings.
constexpr rlim_t kDescriptorsBesideConnections = 128;

int Fail(std::string_view message) {
  std::cerr << "logdaemon serve: " << message << "\n";
  return kExitFailure;
}

spdlog::level::level_enum SpdlogLevel(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace:
      return spdlog::level::trace;
    case LogLevel::kDebug:
      return spdlog::level::debug;
    case LogLevel::kInfo:
      return spdlog::level::info;
    case LogLevel::kWarn:
      return spdlog::level::warn;
    case LogLevel::kError:
      return spdlog::level::err;
    case LogLevel::kCritical:
      return spdlog::level::critical;
    case LogLevel::kOff:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

// The daemon's own log: stderr (journald or the terminal), one line per event, with the time and level.
// Not registered globally: it is handed to what needs it.
std::shared_ptr<spdlog::logger> MakeLogger(LogLevel level) {
  auto logger =
      std::make_shared<spdlog::logger>("logdaemon", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z [%l] %v");
  logger->set_level(SpdlogLevel(level));
  logger->flush_on(spdlog::level::trace);
  return logger;
}

const char* SignalName(int signal) {
  switch (signal) {
    case SIGTERM:
      return "SIGTERM";
    case SIGINT:
      return "SIGINT";
    case SIGUSR1:
      return "SIGUSR1";
    case SIGHUP:
      return "SIGHUP";
  }
  return "a signal";
}

// "none", "30 days", "2048 MB", "30 days or 2048 MB".
std::string RetentionText(const ServeSettings& settings) {
  std::string out;
  if (settings.retention_days > 0) out.append(std::to_string(settings.retention_days)).append(" days");
  if (settings.retention_mb > 0) {
    if (!out.empty()) out.append(" or ");
    out.append(std::to_string(settings.retention_mb)).append(" MB");
  }
  return out.empty() ? std::string("none") : out;
}

void LogStart(spdlog::logger& log, const ServeSettings& settings, const SchemaValidator& schema,
              const LogServer& server, const http::HttpServer* http_server) {
  log.info("logdaemon {} (build {}) starting, pid {}{}{}", LOGDAEMON_VERSION, LOGDAEMON_GIT_SHA, ::getpid(),
           settings.config_file.empty() ? "" : ", config ", settings.config_file);
  log.info("socket {} (mode {:04o}{}{}), up to {} connections, frames up to {} bytes, idle timeout {} s",
           settings.socket, settings.socket_mode, settings.socket_group.empty() ? "" : ", group ",
           settings.socket_group, settings.max_connections, settings.max_message_bytes,
           settings.idle_timeout.count());
  const TableLayout& layout = schema.layout();
  log.info("schema {}: {} columns, time field {}", settings.schema.empty() ? "built-in" : settings.schema,
           layout.columns.size(), layout.time_column >= 0 ? layout.columns[layout.time_column].name : "none");
  log.info(
      "storage {}: {} compression, flush every {} logs or {} s, files up to {} MB{}, partitions by {}, queue "
      "{} "
      "logs (overflow: {}), acks: {}, retention: {}",
      settings.storage, CompressionName(settings.compression), settings.batch_size,
      settings.flush_interval.count(), settings.rotation_mb,
      settings.compaction ? fmt::format(" (merging {} flush files at a time)", settings.merge_min_files)
                          : std::string(" (compaction off)"),
      settings.partition == Partitioning::kDay    ? "day"
      : settings.partition == Partitioning::kHour ? "hour"
                                                  : "none",
      settings.queue_capacity, settings.overflow == OverflowPolicy::kDrop ? "drop" : "block",
      AckModeName(settings.ack), RetentionText(settings));
  log.info(
      "time window: max age {}, max future {} (older or later logs are refused); up to {} open partitions",
      TimeLimitText(settings.EffectiveMaxAge()), TimeLimitText(settings.max_future),
      settings.max_open_partitions);
  log.info("io: {} backend, {} threads", IoBackendName(server.backend()),
           ResolveIoThreads(settings.ToServerOptions()));
  if (http_server != nullptr) {
    log.info(
        "http: http://{} (POST /v1/logs, /api/v1/ingest, /_bulk; GET /metrics, /api/v1/query, the web UI at "
        "/){}",
        HttpAddressText(http_server->address()), settings.http_token.empty() ? "" : ", token required");
  } else {
    log.info("http: off (no metrics, no HTTP ingest)");
  }
}

// Connections beyond the open-file limit would fail to be accepted; the server raises the soft limit to the
// hard one, and when even that is short the operator should hear it at start rather than under load.
void WarnAboutFileLimit(spdlog::logger& log, const ServeSettings& settings) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return;
  const rlim_t needed = static_cast<rlim_t>(settings.max_connections) + kDescriptorsBesideConnections;
  if (limit.rlim_cur < needed) {
    log.warn(
        "the open-file limit ({}) is below --max-connections ({}) plus what the daemon needs itself; "
        "raise it (ulimit -n, or LimitNOFILE= in a systemd unit) or lower --max-connections",
        static_cast<uint64_t>(limit.rlim_cur), settings.max_connections);
  }
}

// The HTTP front door, its /metrics page rendering both front doors' counts.
Result<std::unique_ptr<http::HttpServer>> StartHttp(const ServeSettings& settings,
                                                    const SchemaValidator& schema, StorageEngine& storage,
                                                    const LogServer& server,
                                                    std::shared_ptr<spdlog::logger> log, int activated_fd,
                                                    const ServeShipping* shipping,
                                                    const IdleMemoryReturner* idle_memory) {
  http::HttpServerOptions options;
  options.address = *settings.http_address;
  options.listen_fd = activated_fd;
  options.token = settings.http_token;
  options.max_body_bytes = settings.http_max_body_mb << 20;
  options.max_connections = settings.http_max_connections;
  options.connection_timeout = settings.http_timeout;
  options.threads = settings.http_threads;
  options.es_timestamp_field = settings.es_timestamp_field;

  http::HttpContext context;
  context.schema = &schema;
  context.engine = &storage.engine();
  context.storage_dir = settings.storage;  // the query API and the web UI read it
  ingest::BuildInfo build{LOGDAEMON_VERSION, LOGDAEMON_GIT_SHA, IoBackendName(server.backend())};
  // Runs on a server thread, once per scrape, with the server's own counts. Process metrics that cannot
  // be read (no /proc) are left out of the page; the first such failure is logged.
  context.render_metrics = [&server, &storage, build, log, shipping, idle_memory,
                            process_failure_logged = false](const http::HttpStats& http_stats) mutable {
    Result<metrics::ProcessMetrics> process = metrics::ReadProcessMetrics();
    if (!process.ok() && !process_failure_logged) {
      log->warn("metrics: process_* metrics left out: {}", process.status().ToString());
      process_failure_logged = true;
    }
    ServerStats server_stats = server.Stats();
    http_stats.AddLogsTo(&server_stats);
    std::string page = ingest::RenderMetrics(server_stats, storage.Stats(), build,
                                             process.ok() ? std::optional(*process) : std::nullopt);
    http::AppendHttpMetrics(http_stats, &page);
    if (shipping != nullptr) shipping->AppendMetrics(&page);
    idle_memory->AppendMetrics(&page);
    return page;
  };
  return http::HttpServer::Start(std::move(options), std::move(context));
}

}  // namespace

int RunServe(const ServeSettings& settings) {
  TuneAllocatorForBoundedMemory();  // before any thread: arenas are made as threads first allocate
  // First, before any thread exists: every thread started later (the storage engine's, the server's, the
  // HTTP server's) inherits this mask, so these signals reach only the signal thread.
  if (Status st = ingest::BlockSignals({SIGTERM, SIGINT, SIGUSR1, SIGHUP}); !st.ok())
    return Fail(st.message());
  // A client that hangs up before reading its replies must be an EPIPE for its connection, not the end of
  // the daemon.
  ::signal(SIGPIPE, SIG_IGN);

  std::shared_ptr<spdlog::logger> log = MakeLogger(settings.log_level);

  // Before any thread: it edits the environment. Sockets systemd passed replace the ones bound here.
  Result<ActivatedSockets> activated = TakeActivatedSockets();
  if (!activated.ok()) return Fail(activated.status().message());
  if (activated->http_fd >= 0 && !settings.http_address) {
    ::close(activated->http_fd);
    if (activated->unix_fd >= 0) ::close(activated->unix_fd);
    return Fail("socket activation passed an HTTP socket, but --http-addr is off");
  }

  Result<SchemaValidator> schema =
      settings.schema.empty() ? SchemaValidator::DefaultSchema(settings.ToSchemaOptions())
                              : SchemaValidator::FromFile(settings.schema, settings.ToSchemaOptions());
  if (!schema.ok()) return Fail(std::string("schema: ").append(schema.status().message()));

  StorageOptions storage_options = settings.ToStorageOptions();
  // Write errors are retried by the engine until they succeed; each failed attempt is worth a line.
  storage_options.on_error = [log](const Status& error) { log->warn("storage: {}", error.message()); };
  storage_options.on_notice = [log](const std::string& line) { log->info("storage: {}", line); };
  // Shipping (off without --ship-url) holds the files it ships out of compaction: made before the engine.
  Result<std::unique_ptr<ServeShipping>> shipping = ServeShipping::Prepare(settings, &storage_options, log);
  if (!shipping.ok()) return Fail(std::string("shipping: ").append(shipping.status().message()));
  Result<std::unique_ptr<StorageEngine>> opened = StorageEngine::Open(std::move(storage_options), *schema);
  if (!opened.ok()) return Fail(opened.status().message());
  StorageEngine& storage = **opened;
  if (*shipping) (*shipping)->Start();

  // Declared after the storage engine and destroyed before it: on every early return below, the server
  // stops (answering and storing what it read) before the engine closes (flushing it).
  ServerOptions server_options = settings.ToServerOptions();
  server_options.listen_fd = activated->unix_fd;
  LogServer server(std::move(server_options), *schema);
  if (Status st = server.Start(storage); !st.ok()) {
    storage.Close();
    return Fail(st.message());
  }

  // Gives back what bursts freed once the daemon goes quiet; after the server and the engine, before
  // the HTTP server (whose metrics read it), so that it stops before any of them.
  IdleMemoryReturner idle_memory(
      [&server, &storage] {
        const StorageStats stats = storage.Stats();
        return IdleMemoryReturner::Activity{server.Stats().frames_received + stats.rows_written,
                                            stats.compactions, stats.compaction_memory_bytes > 0};
      },
      [&storage] { storage.ReleaseSpareMemory(); });

  std::unique_ptr<http::HttpServer> http_server;
  if (settings.http_address) {
    Result<std::unique_ptr<http::HttpServer>> started =
        StartHttp(settings, *schema, storage, server, log, activated->http_fd, shipping->get(), &idle_memory);
    if (!started.ok()) {
      server.Shutdown();
      server.Wait();
      idle_memory.Stop();
      storage.Close();
      return Fail(std::string("--http-addr: ")
                      .append(started.status().message())
                      .append(started.status().code() == Status::Code::kInvalidArgument
                                  ? ""
                                  : " (choose another address, or 'off')"));
    }
    http_server = std::move(*started);
  }

  // Both front doors' counts, for the stats line (SIGUSR1 on the signal thread, and the last line). The
  // HTTP server's are kept once it has stopped; the mutex orders that with a SIGUSR1.
  std::mutex http_mutex;
  std::optional<http::HttpStats> final_http_stats;
  auto totals = [&]() {
    ServerStats stats = server.Stats();
    std::lock_guard lock(http_mutex);
    if (http_server) {
      http_server->Stats().AddLogsTo(&stats);
    } else if (final_http_stats) {
      final_http_stats->AddLogsTo(&stats);
    }
    return stats;
  };

  // systemd (Type=notify): READY=1 once serving, the stats line as STATUS=, WATCHDOG=1 while the server
  // and the storage engine answer.
  ServiceNotifier service([&] { return ingest::StatsLine(totals(), storage.Stats()); },
                          [&] {
                            (void)totals();
                            (void)storage.Stats();
                            return true;
                          });

  // The handler runs on the signal thread, one signal at a time; it may log and lock.
  int shutdown_signals = 0;
  auto on_signal = [&](int signal) {
    switch (signal) {
      case SIGTERM:
      case SIGINT:
        if (shutdown_signals++ == 0) {
          log->info("{}: shutting down (no new connections; answering, storing and flushing what was read)",
                    SignalName(signal));
          service.Stopping("shutting down: flushing what was read");
          server.Shutdown();
        } else {
          log->warn(
              "{}: shutdown already in progress, still flushing to disk (nothing acknowledged is dropped)",
              SignalName(signal));
        }
        break;
      case SIGUSR1: {
        const std::string line = ingest::StatsLine(totals(), storage.Stats()) +
                                 (*shipping ? (*shipping)->StatsLine() : std::string());
        log->info("stats: {}", line);
        service.Status(line);
        break;
      }
      case SIGHUP:
        log->info("SIGHUP: ignored (settings are read at start only; restart the daemon to change them)");
        break;
    }
  };
  auto signals = ingest::SignalThread::Start({SIGTERM, SIGINT, SIGUSR1, SIGHUP}, on_signal);
  if (!signals.ok()) {
    http_server.reset();
    server.Shutdown();
    server.Wait();
    idle_memory.Stop();
    storage.Close();
    return Fail(signals.status().message());
  }

  LogStart(*log, settings, *schema, server, http_server.get());
  WarnAboutFileLimit(*log, settings);
  if (!activated->description.empty()) log->info("socket activation: {}", activated->description);
  log->info("ready: listening on {}",
            activated->unix_fd >= 0 ? "the socket systemd passed" : settings.socket);
  service.Ready("ready: " + ingest::StatsLine(totals(), storage.Stats()));

  int exit_code = kExitOk;
  if (Status st = server.Wait(); !st.ok()) {
    log->error("server: {}", st.message());
    exit_code = kExitFailure;
  }
  {
    std::lock_guard lock(http_mutex);
    if (http_server) final_http_stats = http_server->Stats();
    http_server.reset();  // requests in progress finish and their logs are handed over first
  }
  if (*shipping) (*shipping)->Stop();  // what is not shipped yet is shipped at the next start
  idle_memory.Stop();                  // its callbacks read the engine
  log->info("closing the storage (flushing every buffered log)");
  if (Status st = storage.Close(); !st.ok()) {
    log->error("storage: final flush failed: {}", st.message());
    exit_code = kExitFailure;
  }
  log->info("final stats: {}{}", ingest::StatsLine(totals(), storage.Stats()),
            *shipping ? (*shipping)->StatsLine() : std::string());
  // The signal thread goes before the server and the storage its handler uses; a signal from now on stays
  // pending and dies with the process.
  signals->reset();
  log->info("stopped");
  return exit_code;
}

int RunServeCommand(const ServeCommandLine& command_line) {
  Result<ServeSettings> settings = command_line.Resolve();
  if (!settings.ok()) {
    std::cerr << "logdaemon serve: " << settings.status().message() << "\n";
    return kExitUsage;
  }
  return RunServe(*settings);
}

}  // namespace logdaemon::cli
