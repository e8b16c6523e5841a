#include "services/kvod/server.h"

#include <google/protobuf/descriptor.h>
#include <grpc/support/log.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/support/server_interceptor.h>
#include <netdb.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "services/audit/audit_integrity.h"
#include "services/audit/audit_mac.h"
#include "services/audit/audit_retention.h"
#include "services/audit/audit_sequencer.h"
#include "services/audit/audit_service.h"
#include "services/audit/audit_watch.h"
#include "services/audit/audit_writes.h"
#include "services/audit/head_command.h"
#include "services/audit/log_verification.h"
#include "services/audit/tree_head.h"
#include "services/audit/witness.h"
#include "services/clock_control/clock_control.h"
#include "services/clock_control/clock_control_service.h"
#include "services/common/clock.h"
#include "services/common/crypto.h"
#include "services/common/data_dir_lock.h"
#include "services/common/database_health.h"
#include "services/common/db_pool.h"
#include "services/common/embedded_postgres.h"
#include "services/common/envelope.h"
#include "services/common/listen_address.h"
#include "services/common/log.h"
#include "services/common/log_writer.h"
#include "services/common/metrics.h"
#include "services/common/migrator.h"
#include "services/common/no_change_calls.h"
#include "services/common/periodic_task.h"
#include "services/common/pg_rate_limiter.h"
#include "services/common/policy_loader.h"
#include "services/common/rotating_file.h"
#include "services/common/row_seal.h"
#include "services/common/rpc_metrics.h"
#include "services/common/source_dir.h"
#include "services/common/tls_material.h"
#include "services/cycle/cycle_door_admission.h"
#include "services/cycle/cycle_letterheads.h"
#include "services/cycle/cycle_service.h"
#include "services/cycle/pg_cycle_store.h"
#include "services/cycle/schouw_photo_retention.h"
#include "services/cycle/survey_rules.h"
#include "services/donations/donation_notice.h"
#include "services/donations/donation_retention.h"
#include "services/donations/donation_service.h"
#include "services/door_web/door_web_server.h"
#include "services/gallery/expiry_sweeper.h"
#include "services/gallery/gallery_card_sink.h"
#include "services/gallery/gallery_service.h"
#include "services/gallery/gallery_subject_photos.h"
#include "services/gallery/gallery_versions.h"
#include "services/identity/access_control.h"
#include "services/identity/authenticator.h"
#include "services/identity/identity_service.h"
#include "services/identity/pg_identity_store.h"
#include "services/identity/rpc_guard.h"
#include "services/keystore/pg_key_store.h"
#include "services/kvod/metrics_http.h"
#include "services/photos/photo_intake.h"
#include "services/privacy/audit_access_history.h"
#include "services/privacy/privacy_service.h"
#include "services/privacy/subject_request_holds.h"
#include "services/registry/key_ring.h"
#include "services/registry/key_service.h"
#include "services/registry/pg_registry_store.h"
#include "services/registry/registry_claim_parties.h"
#include "services/registry/registry_retention.h"
#include "services/registry/registry_service.h"
#include "services/registry/registry_subjects.h"
#include "services/reports/cycle_contribution.h"
#include "services/reports/donation_contribution.h"
#include "services/reports/report_service.h"
#include "services/retention/retention_job.h"
#include "services/retention/retention_service.h"

namespace kvo::kvod {
namespace {

namespace fs = std::filesystem;
using common::LogInfo;

constexpr int kMaxReceiveBytes = 4 * 1024 * 1024;  // upload chunks are 1 MiB
constexpr int kMaxSendBytes = 16 * 1024 * 1024;    // a full photo fits
constexpr auto kShutdownGrace = std::chrono::seconds(10);
constexpr absl::string_view kDatabaseName = "kvo";
// The key store's database in the embedded cluster: apart from the data, so
// a dump of the data never holds a key.
constexpr absl::string_view kKeyStoreName = "kvo_keys";
// How long a checked session token is trusted before the database is asked
// again: a suspension ends access within this.
constexpr auto kTokenCacheTtl = std::chrono::seconds(1);
constexpr auto kSequencerInterval = std::chrono::milliseconds(500);
// How often cards that ended are purged from the galleries (and photos no
// longer needed deleted) when no device syncs to notice first.
constexpr auto kExpirySweepInterval = std::chrono::seconds(30);
// How often the retention job deletes what fell due.
constexpr absl::Duration kRetentionInterval = absl::Minutes(5);
// How often each kvod looks for data keys a rotation left to rewrap.
constexpr std::chrono::seconds kKeyRewrapInterval(10);
// How often the key store's tables are rewritten after a data key was
// deleted, so an erased key's dead row is gone from the table's pages
// within this (plus the rewrite's own few hundred milliseconds).
constexpr std::chrono::seconds kKeyCompactionInterval(10);
// How often kvod asks the databases whether they answer (health).
constexpr std::chrono::milliseconds kDatabaseProbeInterval(250);
// How often the calls that changed nothing (door syncs) are summed up in
// one log line.
constexpr std::chrono::seconds kNoChangeSummaryInterval(60);
// How often kvod analyses tables (of the data and of the key store) whose
// rows changed by half since their last ANALYZE. Autovacuum does it too,
// but only after its naptime (a minute): until then a table loaded from
// empty keeps the plans made when it was empty (a sequential scan of every
// card for one person's history), and ANALYZE is what makes each
// connection plan those statements again. Each look is one read of the
// statistics view; PostgreSQL's counters move about once a second.
constexpr std::chrono::seconds kStatisticsInterval(1);

// One log line per RPC: method, status, duration. Never request contents.
// A call its handler marked as changing nothing (common::MarkNoChange) is
// counted in `no_change` instead, for the periodic summary line. Every call
// is counted in `metrics` by method and code, with its duration.
class RpcLogInterceptor final : public grpc::experimental::Interceptor {
 public:
  RpcLogInterceptor(grpc::experimental::ServerRpcInfo* info,
                    common::NoChangeCounter* no_change,
                    const common::RpcMetrics* metrics)
      : info_(info),
        no_change_(no_change),
        metrics_(metrics),
        method_(metrics->Find(info->method())),
        start_(std::chrono::steady_clock::now()) {}

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      const double ms = std::chrono::duration<double, std::milli>(
                            std::chrono::steady_clock::now() - start_)
                            .count();
      metrics_->Record(method_, status.error_code(), ms / 1000);
      const bool no_change =
          common::TakeNoChangeMark(*methods->GetSendTrailingMetadata());
      if (no_change && status.ok()) {
        no_change_->Note(ms);
        methods->Proceed();
        return;
      }
      common::Log("info", "rpc",
                  {{"method", info_->method()},
                   {"code", std::to_string(status.error_code())},
                   {"ms", absl::StrFormat("%.3f", ms)}});
    }
    methods->Proceed();
  }

 private:
  grpc::experimental::ServerRpcInfo* info_;
  common::NoChangeCounter* no_change_;
  const common::RpcMetrics* metrics_;
  const common::RpcMetrics::Method* method_;
  std::chrono::steady_clock::time_point start_;
};

class RpcLogInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  RpcLogInterceptorFactory(common::NoChangeCounter* no_change,
                           const common::RpcMetrics* metrics)
      : no_change_(no_change), metrics_(metrics) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new RpcLogInterceptor(info, no_change_, metrics_);
  }

 private:
  common::NoChangeCounter* no_change_;
  const common::RpcMetrics* metrics_;
};

// The full names ("/kvo.v1.GalleryService/SyncGallery") of the methods of
// the services named, from their descriptors, and of gRPC's health check:
// the metrics' method labels.
std::vector<std::string> MethodNames(
    const std::vector<const char*>& service_names) {
  std::vector<std::string> out = {"/grpc.health.v1.Health/Check",
                                  "/grpc.health.v1.Health/Watch"};
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  for (const char* name : service_names) {
    const auto* service = pool->FindServiceByName(name);
    if (service == nullptr) continue;
    for (int i = 0; i < service->method_count(); ++i) {
      out.push_back(absl::StrCat("/", name, "/", service->method(i)->name()));
    }
  }
  return out;
}

// The log's writer thread, to stderr or to --log-file.
absl::Status StartLog(const KvodConfig& config) {
  if (config.log_file.empty()) {
    common::StartLogWriter(std::make_unique<common::StderrSink>());
    return absl::OkStatus();
  }
  auto file = common::RotatingFile::Open(config.log_file, config.log_max_bytes,
                                         config.log_keep);
  if (!file.ok()) return file.status();
  common::StartLogWriter(std::move(*file));
  return absl::OkStatus();
}

// Writes what is queued on every way out of RunKvod.
struct LogWriterScope {
  ~LogWriterScope() { common::StopLogWriter(); }
};

int Fail(absl::string_view message) {
  // The lines logged before the failure come before its line.
  common::FlushLog();
  std::cerr << "kvod: " << message << std::endl;
  return kExitStartupError;
}

// migrations/, policy/ and data/ relative to the working directory, else the
// source tree this kvod was built from.
fs::path ResolveDefault(const std::string& given, const fs::path& relative) {
  if (!given.empty()) return given;
  if (fs::exists(relative)) return relative;
  return fs::path(KVO_SOURCE_DIR) / relative;
}

// Fails early (before anything is created) when the port is taken. `flag`
// names the option in the message (--listen, --http-listen).
absl::Status CheckListenAddress(const std::string& listen,
                                absl::string_view flag,
                                absl::string_view example) {
  auto address = common::ParseListenAddress(listen, flag, example);
  if (!address.ok()) return address.status();
  const std::string& host = address->host;
  const int port = address->port;
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res) !=
      0) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, " ", listen, ": unknown host '", host, "'"));
  }
  absl::Status status;
  for (addrinfo* ai = res; ai != nullptr && port != 0; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd < 0) continue;
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
      status = absl::UnavailableError(absl::StrCat(
          flag, ": cannot listen on ", listen, ": ", std::strerror(errno)));
    }
    ::close(fd);
    if (!status.ok()) break;
  }
  freeaddrinfo(res);
  return status;
}

// Creates the data directory if needed; reports whether this run made it,
// so a failed first start can remove what it created.
absl::StatusOr<bool> PrepareDataDir(const fs::path& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot use data directory ", dir.string(), ": not a directory"));
    }
    if (::access(dir.c_str(), R_OK | W_OK | X_OK) != 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot use data directory ", dir.string(), ": ",
                       std::strerror(errno)));
    }
    return false;
  }
  fs::create_directories(
      dir.parent_path().empty() ? fs::path(".") : dir.parent_path(), ec);
  if (::mkdir(dir.c_str(), 0700) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create data directory ", dir.string(), ": ",
                     std::strerror(errno)));
  }
  return true;
}

// What the generated server certificate covers: --tls-san, the host kvod
// listens on and this machine's name. A default that is no host name or
// address (a wildcard, a name with '_') is left out rather than fatal.
std::vector<std::string> TlsNames(const KvodConfig& config) {
  std::vector<std::string> names = config.tls_sans;
  std::vector<std::string> defaults;
  for (const std::string* listen : {&config.listen, &config.http_listen}) {
    if (auto colon = listen->rfind(':'); colon != std::string::npos) {
      defaults.push_back(listen->substr(0, colon));
    }
  }
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0) defaults.emplace_back(host);
  for (const std::string& name : defaults) {
    if (name == "0.0.0.0" || name == "[::]" || name == "::") continue;
    if (common::ServerSubjectAltNames({name}).ok()) names.push_back(name);
  }
  return names;
}

absl::StatusOr<common::TlsMaterial> PrepareTls(const KvodConfig& config,
                                               const fs::path& data_dir) {
  if (!config.tls_cert.empty()) {
    return common::LoadTlsMaterial(config.tls_cert, config.tls_key);
  }
  const std::vector<std::string> names = TlsNames(config);
  auto tls = common::EnsureTlsMaterial(data_dir / "tls", names);
  if (tls.ok() && tls->reissued) {
    std::string list;
    for (const std::string& n : names) list += (list.empty() ? "" : ",") + n;
    common::LogInfo("server certificate re-issued from the existing CA",
                    {{"names", list}});
  }
  return tls;
}

// The payment provider's secret: --donations-secret-file (0600), else
// KVO_DONATIONS_SECRET, else none (provider events refused).
absl::StatusOr<donations::ProviderConfig> ProviderSecret(
    const KvodConfig& config) {
  donations::ProviderConfig out;
  if (!config.donations_secret_file.empty()) {
    auto secret = common::ReadSecretFile(config.donations_secret_file,
                                         "--donations-secret-file");
    if (!secret.ok()) return secret.status();
    out.secret = std::move(*secret);
  } else if (const char* env = std::getenv("KVO_DONATIONS_SECRET");
             env != nullptr) {
    out.secret = env;
  }
  return out;
}

// The parts that live for the whole run, torn down in reverse order.
struct Runtime {
  std::unique_ptr<common::EmbeddedPostgres> postgres;
  std::string conninfo;
  // Door calls in flight; `pool` yields to them (declared first: it
  // outlives the pools).
  std::unique_ptr<common::ForegroundCalls> door_calls;
  std::unique_ptr<common::DbPool> pool;
  // The door's own reads (full syncs, photo views, licence checks): never
  // behind `pool`'s queue.
  std::unique_ptr<common::DbPool> door_pool;
  std::unique_ptr<common::DbPool> keystore_pool;
  // The gallery's version keeping (sequencer, listener's re-reads) on its
  // own connections: a door sync that waits for a version round must not
  // wait behind the writers queueing for `pool`.
  std::unique_ptr<common::DbPool> gallery_pool;
  // Session checks on their own connections too: every call's first step
  // must not queue behind the write transactions holding `pool`.
  std::unique_ptr<common::DbPool> session_pool;
};

absl::Status ConnectAndMigrate(const std::string& conninfo,
                               const std::vector<common::Migration>& migrations,
                               absl::string_view external_flag) {
  // kvod writes on every call: a database that only reads (a standby, a
  // read-only one; with target_session_attrs=read-write libpq already
  // skips those hosts) is refused at once rather than served NOT_SERVING.
  const std::string read_only = absl::StrCat(
      external_flag.empty() ? "the embedded database" : external_flag,
      ": no host accepted writes (each is read-only or a standby); kvod "
      "needs the primary: name every node of the cluster with "
      "target_session_attrs=read-write, or the primary's address");
  std::unique_ptr<pqxx::connection> conn;
  try {
    conn = std::make_unique<pqxx::connection>(conninfo);
    pqxx::nontransaction tx(*conn);
    if (!tx.exec1(common::kAcceptsWritesSql)[0].as<bool>()) {
      return absl::FailedPreconditionError(read_only);
    }
  } catch (const std::exception& e) {
    std::string detail = e.what();
    if (absl::StrContains(detail, "session is read-only") ||
        absl::StrContains(detail, "server is in hot standby mode")) {
      return absl::FailedPreconditionError(read_only);
    }
    detail = detail.substr(0, detail.find('\n'));
    return absl::UnavailableError(
        absl::StrCat(external_flag.empty()
                         ? "cannot reach the embedded database: "
                         : absl::StrCat("cannot reach the database given by ",
                                        external_flag, ": "),
                     detail));
  }
  try {
    auto report = common::ApplyMigrations(*conn, migrations);
    if (!report.ok()) return report.status();
    // Plans that do not depend on luck: no query waits for autovacuum to
    // learn that a table was loaded.
    auto analyzed = common::AnalyzeStaleTables(*conn);
    if (!analyzed.ok()) return analyzed.status();
    LogInfo("schema ready",
            {{"applied_now", std::to_string(report->applied_now)},
             {"already_applied", std::to_string(report->already_applied)},
             {"analyzed", absl::StrJoin(*analyzed, ",")}});
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("database error while migrating: ", e.what()));
  }
  return absl::OkStatus();
}

absl::Status StartDatabase(const KvodConfig& config, const fs::path& data_dir,
                           const std::vector<common::Migration>& migrations,
                           const std::vector<common::Migration>& key_migrations,
                           Runtime& rt) {
  std::string conninfo = config.database_url;
  std::string keystore = config.keystore_url;
  if (conninfo.empty()) {
    common::EmbeddedPostgresOptions options;
    options.root = data_dir;
    options.settings = config.pg_settings;
    options.nice = config.pg_nice;
    const auto t0 = std::chrono::steady_clock::now();
    auto pg = common::EmbeddedPostgres::Start(options);
    if (!pg.ok()) return pg.status();
    rt.postgres = std::move(*pg);
    for (auto name : {kDatabaseName, kKeyStoreName}) {
      if (auto s = rt.postgres->CreateDatabaseIfMissing(name); !s.ok()) {
        return s;
      }
    }
    LogInfo("embedded postgres started",
            {{"initdb", rt.postgres->initialized_now() ? "yes" : "no"},
             {"ms", std::to_string(
                        std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - t0)
                            .count())}});
    conninfo = rt.postgres->ConnectionString(kDatabaseName);
    keystore = rt.postgres->ConnectionString(kKeyStoreName);
  }
  if (auto s = ConnectAndMigrate(
          conninfo, migrations,
          config.database_url.empty() ? "" : "--database-url");
      !s.ok()) {
    return s;
  }
  if (auto s = ConnectAndMigrate(
          keystore, key_migrations,
          config.keystore_url.empty() ? "" : "--keystore-url");
      !s.ok()) {
    return s;
  }
  rt.conninfo = conninfo;
  rt.pool = std::make_unique<common::DbPool>(conninfo, config.db_pool_size);
  const int slots =
      config.door_priority_slots >= 0
          ? config.door_priority_slots
          : std::max(2, static_cast<int>(std::thread::hardware_concurrency()));
  rt.door_calls = std::make_unique<common::ForegroundCalls>(slots);
  rt.pool->YieldTo(rt.door_calls.get());
  rt.door_pool = std::make_unique<common::DbPool>(conninfo, 4);
  rt.keystore_pool =
      std::make_unique<common::DbPool>(keystore, config.db_pool_size);
  rt.gallery_pool = std::make_unique<common::DbPool>(conninfo, 2);
  rt.session_pool = std::make_unique<common::DbPool>(conninfo, 2);
  return absl::OkStatus();
}

// gRPC's internal log lines (failed handshakes, for example) become
// structured lines like ours.
void LogFromGrpc(gpr_log_func_args* args) {
  const char* level = args->severity == GPR_LOG_SEVERITY_ERROR  ? "error"
                      : args->severity == GPR_LOG_SEVERITY_INFO ? "info"
                                                                : "debug";
  common::Log(level, "grpc", {{"detail", args->message}});
}

// kvod's gRPC health: SERVING only while the audit log can be trusted and
// both databases answer, and never again once shutdown began. Thread-safe:
// the audit integrity alarm, the database probes and main update it.
class ServingState final {
 public:
  ServingState(grpc::Server& server, const audit::AuditIntegrity& integrity)
      : server_(server), integrity_(integrity) {}

  void Watch(const common::DatabaseHealth* data,
             const common::DatabaseHealth* keys) {
    std::lock_guard lock(mu_);
    data_ = data;
    keys_ = keys;
  }

  void Update() {
    std::lock_guard lock(mu_);
    const bool serving = !stopping_ && integrity_.ok() &&
                         (data_ == nullptr || data_->up()) &&
                         (keys_ == nullptr || keys_->up());
    server_.GetHealthCheckService()->SetServingStatus(serving);
    serving_.store(serving, std::memory_order_release);
    ready_.store(!stopping_ && integrity_.ok(), std::memory_order_release);
  }

  void Shutdown() {
    std::lock_guard lock(mu_);
    stopping_ = true;
    server_.GetHealthCheckService()->SetServingStatus(false);
    serving_.store(false, std::memory_order_release);
    ready_.store(false, std::memory_order_release);
  }

  // What the last Update said; false until the first (start-up is done).
  bool serving() const { return serving_.load(std::memory_order_acquire); }
  // Whether a load balancer should send calls here: as serving(), but the
  // databases are not asked. Every kvod shares them, so during a failover
  // all would be taken out at once, while a door's no-change sync is
  // answered from memory (common::kOutageGrace).
  bool ready() const { return ready_.load(std::memory_order_acquire); }

 private:
  grpc::Server& server_;
  const audit::AuditIntegrity& integrity_;
  std::mutex mu_;
  std::atomic<bool> serving_{false};
  std::atomic<bool> ready_{false};
  bool stopping_ = false;                         // guarded by mu_
  const common::DatabaseHealth* data_ = nullptr;  // guarded by mu_
  const common::DatabaseHealth* keys_ = nullptr;  // guarded by mu_
};

// Rows older than the seals have none: they are sealed once, at the first
// start after the migration that added seals, and only while no principal
// carries a seal yet (no kvod sealed this registry before). The marker file
// beside the seal key records that this data dir has passed that point, so
// a row without a seal that appears later (put in by SQL) is refused, never
// adopted; a replica that joins a sealed registry adopts nothing.
absl::Status AdoptUnsealedRows(common::DbPool& pool, const fs::path& marker) {
  auto fits = pool.InTransaction(
      "check seal key", [&](pqxx::work& tx) -> absl::StatusOr<bool> {
        return identity::PgIdentityStore::SealKeyFits(tx);
      });
  if (!fits.ok()) return fits.status();
  if (!*fits) {
    return absl::FailedPreconditionError(
        "this database's principals were sealed with another key than "
        "identity/seal.key in --data-dir: replicas of one registry must share "
        "the file identity/seal.key (copy it from the first kvod's data dir)");
  }
  if (fs::exists(marker)) return absl::OkStatus();
  auto adopted = pool.InTransaction(
      "seal older rows", [&](pqxx::work& tx) -> absl::StatusOr<int64_t> {
        if (identity::PgIdentityStore::AnyPrincipalSealed(tx)) {
          return int64_t{-1};
        }
        return identity::PgIdentityStore::SealUnsealed(tx) +
               registry::PgRegistryStore::SealUnsealedMembers(tx) +
               cycle::PgCycleStore::SealUnsealed(tx);
      });
  if (!adopted.ok()) return adopted.status();
  LogInfo(*adopted < 0 ? "rows already sealed by another kvod; none adopted"
                       : "rows older than the seals sealed once",
          {{"rows", std::to_string(std::max<int64_t>(*adopted, 0))}});
  return common::WriteKeyFile(marker, "sealed rows adopted\n");
}

// Whether a database answers (kvo_database_up) and how often it stopped
// (kvo_database_outages_total), from DatabaseHealth's changes. It starts
// up, as DatabaseHealth does.
class DatabaseMetrics final {
 public:
  explicit DatabaseMetrics(const std::string& database)
      : up_(common::ProcessMetrics().GetGauge(
            "kvo_database_up",
            "1 while the database answers kvod's probe (every 250 ms), else "
            "0.",
            {{"database", database}})),
        outages_(common::ProcessMetrics().GetCounter(
            "kvo_database_outages_total",
            "Times the database stopped answering kvod's probe.",
            {{"database", database}})) {
    up_.Set(1);
  }

  void Note(bool up) {
    up_.Set(up ? 1 : 0);
    if (!up) outages_.Increment();
  }

 private:
  common::Gauge& up_;
  common::Counter& outages_;
};

// "kvod: <what><host of listen>:<port><path>" and a newline: where a
// page kvod serves is, with the port it took.
std::string ServedLine(absl::string_view what, const std::string& listen,
                       int port, absl::string_view path) {
  return absl::StrCat("kvod: ", what, listen.substr(0, listen.rfind(':')), ":",
                      port, path, "\n");
}

void WaitForShutdownSignal() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  int sig = 0;
  while (sigwait(&signals, &sig) != 0) {
  }
  LogInfo("shutting down", {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
}

// Keeps serving `seconds` after the shutdown signal (health already says
// "not serving"), so a load balancer has taken this kvod out before its
// connections close. A second signal ends the wait at once.
void DrainBeforeShutdown(int seconds) {
  if (seconds <= 0) return;
  LogInfo("draining before shutdown", {{"seconds", std::to_string(seconds)}});
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  const auto until =
      std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  for (;;) {
    const auto left = until - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) return;
    const auto ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
    timespec wait{};
    wait.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
    wait.tv_nsec = static_cast<long>(ns % 1'000'000'000);
    if (sigtimedwait(&signals, nullptr, &wait) > 0) {
      LogInfo("drain cut short by a second signal");
      return;
    }
    if (errno == EAGAIN) return;  // the drain is over
  }
}

}  // namespace

int RunKvod(const KvodConfig& config) {
  if (auto s = StartLog(config); !s.ok()) return Fail(s.message());
  LogWriterScope log_scope;
  if (!common::InitCrypto()) return Fail("libsodium cannot initialise");
  if (!photos::InitImaging("kvod")) return Fail("libvips cannot initialise");
  const fs::path policy_path =
      ResolveDefault(config.policy_path, "policy/default.textproto");
  auto policy = common::LoadPolicyFile(policy_path);
  if (!policy.ok()) return Fail(policy.status().message());

  const fs::path questionnaire_path = ResolveDefault(
      config.questionnaire_path, "data/questionnaire/kvo_nl.textproto");
  auto questionnaire = cycle::LoadQuestionnaireFile(questionnaire_path);
  if (!questionnaire.ok()) {
    return Fail(
        absl::StrCat("--questionnaire: ", questionnaire.status().message()));
  }

  if (config.clock_offset_days != 0 && !policy->testing().clock_control()) {
    return Fail(
        "--clock-offset-days: the policy does not allow clock control (it "
        "needs testing { clock_control: true }, for tests and demos only)");
  }
  common::OffsetClock clock;
  clock.Advance(absl::Hours(24) * config.clock_offset_days);
  if (policy->testing().clock_control()) {
    common::LogWarn(
        "CLOCK CONTROL IS ON: this kvod is for tests and demos",
        {{"offset_days", std::to_string(config.clock_offset_days)}});
  }

  const fs::path migrations_dir =
      ResolveDefault(config.migrations_dir, "migrations");
  auto migrations = common::ReadMigrations(migrations_dir);
  if (!migrations.ok()) return Fail(migrations.status().message());
  auto key_migrations = common::ReadMigrations(migrations_dir / "keystore");
  if (!key_migrations.ok()) return Fail(key_migrations.status().message());
  if (auto s =
          common::CheckExpandOnly(*migrations, common::kDataExpandOnlyFrom);
      !s.ok()) {
    return Fail(s.message());
  }
  if (auto s = common::CheckExpandOnly(*key_migrations,
                                       common::kKeyStoreExpandOnlyFrom);
      !s.ok()) {
    return Fail(s.message());
  }
  if (config.database_url.empty() != config.keystore_url.empty()) {
    return Fail(
        "--database-url and --keystore-url go together: with an external "
        "database the data keys need an external key store apart from it "
        "(another database, backed up apart)");
  }
  if (!config.database_url.empty() &&
      config.database_url == config.keystore_url) {
    return Fail(
        "--keystore-url: must name another database than --database-url, so "
        "that a dump of the data never holds a key");
  }

  if (auto s = CheckListenAddress(config.listen, "--listen", "127.0.0.1:50051");
      !s.ok()) {
    return Fail(s.message());
  }
  if (!config.http_listen.empty()) {
    if (auto s = CheckListenAddress(config.http_listen, "--http-listen",
                                    "127.0.0.1:8443");
        !s.ok()) {
      return Fail(s.message());
    }
  }
  auto trusted_proxies =
      door_web::TrustedProxies::Parse(config.trusted_proxies);
  if (!trusted_proxies.ok()) return Fail(trusted_proxies.status().message());
  if (!config.metrics_listen.empty()) {
    if (auto s = CheckListenAddress(config.metrics_listen, "--metrics-listen",
                                    "127.0.0.1:9464");
        !s.ok()) {
      return Fail(s.message());
    }
  }
  if (config.database_url.empty()) {
    if (auto bin = common::FindPostgresBinDir(); !bin.ok()) {
      return Fail(bin.status().message());
    }
  }

  const fs::path data_dir = fs::absolute(config.data_dir).lexically_normal();
  auto created = PrepareDataDir(data_dir);
  if (!created.ok()) return Fail(created.status().message());
  // Before anything in the directory is read or written: another kvod may
  // run on it, and then this one leaves it as it is.
  auto data_dir_lock = common::DataDirLock::Acquire(data_dir);
  if (!data_dir_lock.ok()) return Fail(data_dir_lock.status().message());
  Runtime rt;
  // A first start that fails leaves nothing behind.
  auto fail_and_clean = [&](absl::string_view message) {
    rt.session_pool.reset();
    rt.gallery_pool.reset();
    rt.door_pool.reset();
    rt.pool.reset();
    rt.keystore_pool.reset();
    rt.postgres.reset();
    if (*created) {
      std::error_code ec;
      fs::remove_all(data_dir, ec);
    }
    return Fail(message);
  };

  auto provider = ProviderSecret(config);
  if (!provider.ok()) return fail_and_clean(provider.status().message());
  auto tls = PrepareTls(config, data_dir);
  if (!tls.ok()) return fail_and_clean(tls.status().message());
  auto signer =
      audit::TreeHeadSigner::LoadOrCreate(data_dir / "audit" / "signing.key");
  if (!signer.ok()) return fail_and_clean(signer.status().message());
  // The audit log's keys and witness live beside each other, never in the
  // database: replicas of one log share signing.key and mac.key.
  auto mac_key = common::LoadOrCreateKeyFile(data_dir / "audit" / "mac.key",
                                             "audit MAC key");
  if (!mac_key.ok()) return fail_and_clean(mac_key.status().message());
  audit::InstallProcessAuditMac(
      std::make_shared<const audit::AuditMac>(std::move(*mac_key)));
  // What grants access (sessions, principals, memberships, licences,
  // declarations) is sealed with a key beside them, shared the same way.
  auto seal_key = common::LoadOrCreateKeyFile(
      data_dir / "identity" / "seal.key", "row seal key");
  if (!seal_key.ok()) return fail_and_clean(seal_key.status().message());
  // The door page's CSRF key comes from the seal key, which every replica
  // shares (it refuses to start without it), so a page polling through a
  // load balancer that lands on another kvod is not refused with 403, even
  // when each kvod has a TLS key of its own. Kept across restarts too.
  const common::Sha256Digest door_csrf =
      common::HmacSha256(seal_key->bytes(), "kvo door page csrf v2");
  common::InstallProcessRowSeal(
      std::make_shared<const common::RowSeal>(std::move(*seal_key)));
  auto witness = audit::Witness::Open(data_dir / "audit" / "witness.log");
  if (!witness.ok()) return fail_and_clean(witness.status().message());
  const std::string audit_public_key = signer->public_key();
  const char* root_key_env = std::getenv("KVO_ROOT_KEY");
  auto root_key =
      common::LoadOrCreateRootKey(data_dir / "keys" / "root.key",
                                  root_key_env != nullptr ? root_key_env : "");
  if (!root_key.ok()) return fail_and_clean(root_key.status().message());
  if (auto s =
          StartDatabase(config, data_dir, *migrations, *key_migrations, rt);
      !s.ok()) {
    return fail_and_clean(s.message());
  }
  rt.pool->CountWaits(common::ProcessMetrics(), "main");
  rt.door_pool->CountWaits(common::ProcessMetrics(), "door");
  rt.keystore_pool->CountWaits(common::ProcessMetrics(), "key_store");
  rt.gallery_pool->CountWaits(common::ProcessMetrics(), "gallery");
  rt.session_pool->CountWaits(common::ProcessMetrics(), "session");
  keystore::PgKeyStore key_store(*rt.keystore_pool);
  if (auto s = registry::MoveKeysToKeyStore(*rt.pool, key_store); !s.ok()) {
    return fail_and_clean(s.message());
  }
  auto keys =
      registry::KeyRing::Open(*root_key, key_store,
                              root_key_env != nullptr && *root_key_env != '\0'
                                  ? fs::path()
                                  : data_dir / "keys" / "root.key");
  if (!keys.ok()) return fail_and_clean(keys.status().message());
  // Erasures the key store did not record yet (made before it kept them),
  // so a restored older dump of the data is erased again too.
  if (auto s = registry::RecordPastErasures(*rt.pool, **keys); !s.ok()) {
    return fail_and_clean(s.message());
  }
  // A kvod that stopped between deleting a key and rewriting the key
  // tables leaves the key's dead row behind: rewrite them now.
  if (auto compacted = key_store.Compact(/*always=*/true); !compacted.ok()) {
    common::LogWarn("cannot compact the key store",
                    {{"detail", compacted.status().message()}});
  }
  if (auto s = rt.pool->InTransaction("check audit keys",
                                      [&](pqxx::work& tx) {
                                        return audit::CheckLogKeys(
                                            tx, *audit::ProcessAuditMac(),
                                            audit_public_key);
                                      });
      !s.ok()) {
    return fail_and_clean(s.message());
  }
  if (auto s =
          AdoptUnsealedRows(*rt.pool, data_dir / "identity" / "seal.adopted");
      !s.ok()) {
    return fail_and_clean(s.message());
  }

  // Modules, in dependency order: audit under identity's guard.
  identity::AccessControl access(*policy);
  identity::Authenticator authenticator(*rt.session_pool, clock,
                                        kTokenCacheTtl);
  audit::AuditIntegrity audit_integrity;
  // Every audit insert of this process is confirmed and followed until it
  // is sequenced (issue 25: kvod knows what it wrote).
  audit::ProcessAuditWrites().Track(&audit_integrity);
  identity::RpcGuard guard(
      access, authenticator, *rt.pool, audit_integrity,
      policy->rate_limits()
          .unauthenticated_refusals_audited_per_address_per_minute());
  // Limits that must hold across replicas count in the database.
  common::PgRateLimiter login_limit(*rt.pool, "login",
                                    std::chrono::seconds(60));
  common::PgRateLimiter photo_limit(*rt.door_pool, "photo",
                                    std::chrono::hours(1));
  identity::Sessions sessions(*policy, *rt.pool, guard, clock, login_limit);
  identity::IdentityServiceImpl identity_service(*policy, *rt.pool, guard,
                                                 sessions, clock);
  audit::AuditTrust audit_trust;
  audit_trust.witness = witness->get();
  audit_trust.integrity = &audit_integrity;
  audit_trust.public_key = audit_public_key;
  audit_trust.max_head_age_ms =
      int64_t{policy->audit().max_head_age_seconds()} * 1000;
  audit_trust.max_unsequenced_micros =
      int64_t{policy->audit().max_unsequenced_seconds()} * 1000000;
  audit_trust.clock = &clock;
  audit_trust.audit_retention =
      absl::Hours(24) * policy->retention().audit_retention_days();
  audit_trust.anomalies = audit::ThresholdsFromPolicy(policy->privacy());
  audit::AuditServiceImpl audit_service(*rt.pool, guard, audit_trust);
  // Every module's retention rule, in the one job.
  gallery::GalleryVersions gallery_versions(*rt.gallery_pool);
  gallery::GalleryCardSink gallery_card_sink(gallery_versions);
  audit::AuditContentRetention audit_retention(
      policy->retention().audit_retention_days());
  const int card_grace_days = policy->retention().card_grace_days();
  registry::CardRetention card_retention(card_grace_days);
  // A person with a donation claim still linked stays until the claim's
  // own rule lets go; one with an open data-subject request until it is
  // closed.
  donations::ClaimPersonHolds claim_holds;
  privacy::OpenRequestHolds request_holds;
  registry::PersonRetention person_retention(
      registry::PersonRetentionPolicyOf(policy->retention()), gallery_card_sink,
      **keys, {&claim_holds, &request_holds});
  registry::IncidentLinkRetention incident_link_retention;
  registry::RestoredErasureRetention restored_erasure_retention(
      gallery_card_sink, **keys);
  // Donations reach incidents, persons and shops through the interface
  // they own; their claims' links to persons go by their own rule.
  registry::RegistryClaimParties claim_parties;
  donations::ClaimLinkRetention claim_link_retention(
      policy->donations().delete_after_payment_days(),
      policy->donations().max_retention_unpaid_days(), claim_parties);
  // A schouw finding's photo may show bystanders: kept only for a while
  // after the finding is resolved.
  cycle::SchouwPhotoRetention schouw_photo_retention(
      policy->retention().schouw_photo_days());
  retention::RetentionJob retention_job(
      *rt.pool, clock,
      {&restored_erasure_retention, &audit_retention, &card_retention,
       &person_retention, &incident_link_retention, &claim_link_retention,
       &schouw_photo_retention});
  retention::RetentionServiceImpl retention_service(guard, retention_job);
  gallery::ExpirySweeper sweeper(*rt.pool, gallery_versions, clock,
                                 policy->retention().card_grace_days(),
                                 kExpirySweepInterval);
  // Tests and the simulation move the clock while kvod runs; the time jobs
  // may then run at once at the new time (they also read the clock at each
  // round of their own, so a moved clock is acted on within an interval).
  clockctl::ClockControl clock_control(
      policy->testing().clock_control(), clock,
      [&guard](const audit::AuditRecord& r) { guard.AuditAlone(r); },
      [&sweeper, &retention_job](
          const audit::AuditRecord& who) -> absl::StatusOr<clockctl::JobsRun> {
        if (auto swept = sweeper.RunOnce(); !swept.ok()) return swept.status();
        auto run = retention_job.Run(/*dry_run=*/false, who);
        // The periodic run may hold the lock a moment: this run waits for
        // it rather than leave the new day's retention undone.
        for (int i = 0; i < 100 && run.status().code() ==
                                       absl::StatusCode::kFailedPrecondition;
             ++i) {
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
          run = retention_job.Run(/*dry_run=*/false, who);
        }
        if (!run.ok()) return run.status();
        clockctl::JobsRun done;
        for (const auto& item : run->items) {
          done.deleted[item.kind] = item.count;
          if (item.kind == "person") done.erased_persons = item.subjects;
        }
        return done;
      });
  clockctl::TestingServiceImpl testing_service(guard, clock_control);

  registry::KeyRewrap key_rewrap(**keys);
  registry::KeyServiceImpl key_service(*rt.pool, guard, **keys);
  registry::IncidentRecording incidents(*policy, *rt.pool, guard, **keys,
                                        clock);
  // The card's notice states a donation claimed for its incident; it and
  // the donation letters take their sender, objection address, payee and
  // IBAN from the area's contacts in the KVO cycle.
  donations::DonationNoticeClaims notice_claims;
  cycle::CycleLetterheads letterheads;
  registry::CardIssuing card_issuing(*policy, *rt.pool, guard, **keys,
                                     gallery_card_sink, clock);
  registry::RegistryServiceImpl registry_service(
      *policy, *rt.pool, guard, **keys, gallery_card_sink, clock, incidents,
      card_issuing, letterheads, &notice_claims);
  // Licence first: the cycle module's records decide who gets a gallery,
  // through gRPC and the door page alike.
  cycle::CycleDoorAdmission door_admission(*rt.door_pool);
  // Another replica's change to licences, participants or shop members
  // reaches this one's doors (and the door page's shops) as soon as it is
  // heard, not after their TTL.
  gallery_versions.OnAdmissionChange([&door_admission, &incidents] {
    door_admission.Forget();
    incidents.Forget();
  });
  gallery::DoorGallery door_gallery(*policy, *rt.door_pool, guard, **keys,
                                    gallery_versions, door_admission, clock,
                                    photo_limit, rt.door_calls.get());
  gallery::GalleryServiceImpl gallery_service(
      *policy, *rt.pool, guard, **keys, gallery_versions, clock, door_gallery);
  cycle::CycleUseCases cycle_use_cases(*policy, *questionnaire, *rt.pool,
                                       door_admission, **keys, clock);
  cycle::CycleServiceImpl cycle_service(guard, cycle_use_cases);
  // The privacy officer's module reaches persons, photos and the audit log
  // through the interfaces it owns.
  registry::RegistrySubjects privacy_subjects(*policy, *rt.pool, **keys,
                                              gallery_card_sink, clock);
  gallery::GallerySubjectPhotos privacy_photos(**keys);
  privacy::AuditAccessHistory privacy_accesses;
  privacy::PrivacyUseCases privacy_use_cases(*policy, *rt.pool,
                                             privacy_subjects, privacy_photos,
                                             privacy_accesses, clock);
  privacy::PrivacyServiceImpl privacy_service(guard, privacy_use_cases);
  // Coordinators' reports: the registry's counts and what the modules add
  // (the KVO cycle its police figures, survey and objectives; donations
  // their totals), wired here.
  reports::CycleContribution cycle_contribution;
  reports::DonationContribution donation_contribution;
  reports::ReductionReports reduction_reports(
      *policy, *rt.pool, guard, clock,
      {&cycle_contribution, &donation_contribution});
  reports::ReportServiceImpl report_service(*policy, guard, reduction_reports);
  donations::DonationUseCases donation_use_cases(*policy, *rt.pool,
                                                 claim_parties, letterheads,
                                                 clock, std::move(*provider));
  donations::DonationServiceImpl donation_service(guard, donation_use_cases);
  std::unique_ptr<audit::HeadCommand> head_command;
  if (!config.audit_head_command.empty()) {
    head_command =
        std::make_unique<audit::HeadCommand>(config.audit_head_command);
  }
  audit::SequencerOptions sequencer_options;
  sequencer_options.witness = witness->get();
  sequencer_options.integrity = &audit_integrity;
  sequencer_options.head_refresh =
      std::chrono::milliseconds(audit_trust.max_head_age_ms / 4);
  if (head_command != nullptr) {
    sequencer_options.on_head =
        [&head_command](const audit::StoredTreeHead& head) {
          head_command->Publish(head);
        };
  }
  audit::AuditSequencer sequencer(rt.conninfo, std::move(*signer),
                                  kSequencerInterval, sequencer_options);
  audit::AuditWatchOptions watch_options;
  watch_options.witness = witness->get();
  watch_options.integrity = &audit_integrity;
  watch_options.keystore = rt.keystore_pool.get();
  watch_options.public_key = audit_public_key;
  watch_options.max_unsequenced_micros = audit_trust.max_unsequenced_micros;
  watch_options.erasable_before_micros = [&clock, &audit_trust] {
    return audit_trust.audit_retention > absl::ZeroDuration()
               ? absl::ToUnixMicros(clock.Now() - audit_trust.audit_retention)
               : int64_t{0};
  };
  audit::AuditWatch audit_watch(*rt.pool, watch_options);

  gpr_set_log_function(LogFromGrpc);
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  grpc::SslServerCredentialsOptions ssl(
      GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY);
  ssl.pem_root_certs = tls->ca_cert_pem;
  ssl.pem_key_cert_pairs.push_back({tls->server_key_pem, tls->server_cert_pem});
  int selected_port = 0;
  builder.AddListeningPort(config.listen, grpc::SslServerCredentials(ssl),
                           &selected_port);
  builder.SetMaxReceiveMessageSize(kMaxReceiveBytes);
  builder.SetMaxSendMessageSize(kMaxSendBytes);
  builder.RegisterService(&identity_service);
  builder.RegisterService(&audit_service);
  builder.RegisterService(&registry_service);
  builder.RegisterService(&gallery_service);
  builder.RegisterService(&retention_service);
  builder.RegisterService(&key_service);
  builder.RegisterService(&privacy_service);
  builder.RegisterService(&report_service);
  builder.RegisterService(&donation_service);
  builder.RegisterService(&cycle_service);
  // Always registered, so a call under a policy without clock control is
  // refused and audited like any other, not merely unknown.
  builder.RegisterService(&testing_service);
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  // Outlives the server and so every interceptor.
  common::NoChangeCounter no_change;
  const common::RpcMetrics rpc_metrics(
      common::ProcessMetrics(),
      MethodNames({kvo::v1::IdentityService::service_full_name(),
                   kvo::v1::AuditService::service_full_name(),
                   kvo::v1::RegistryService::service_full_name(),
                   kvo::v1::GalleryService::service_full_name(),
                   kvo::v1::RetentionService::service_full_name(),
                   kvo::v1::KeyService::service_full_name(),
                   kvo::v1::PrivacyService::service_full_name(),
                   kvo::v1::ReportService::service_full_name(),
                   kvo::v1::DonationService::service_full_name(),
                   kvo::v1::CycleService::service_full_name(),
                   kvo::v1::TestingService::service_full_name()}));
  interceptors.push_back(
      std::make_unique<RpcLogInterceptorFactory>(&no_change, &rpc_metrics));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  // Persons the key store knows as erased but found here again (a restored
  // older dump of the data) are erased again before any call is served;
  // the run is audited with their count.
  {
    audit::AuditRecord system;
    system.role = "system";
    system.request_id = "start";
    auto run = retention_job.Run(/*dry_run=*/false, system,
                                 {"restored_erasure", "incident_link"});
    if (!run.ok()) {
      common::LogWarn(
          "cannot finish restored erasures at start; the "
          "retention job tries again",
          {{"detail", run.status().message()}});
    } else if (run->items[0].count > 0) {
      common::LogWarn(
          "erased persons found again in the data (a restored dump?): erased "
          "again",
          {{"count", std::to_string(run->items[0].count)}});
    }
    // Notes of data-subject requests written in plain text by an older
    // kvod: sealed with the person's key, or deleted with an erased one.
    auto notes = privacy_use_cases.SealPlainNotes();
    if (!notes.ok()) {
      return fail_and_clean(
          absl::StrCat("cannot seal the notes of data-subject requests: ",
                       notes.status().message()));
    }
    if (notes->sealed + notes->dropped > 0) {
      LogInfo(
          "data-subject request notes sealed",
          {{"sealed", std::to_string(notes->sealed)},
           {"dropped_with_erased_persons", std::to_string(notes->dropped)}});
    }
  }
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || selected_port == 0) {
    return fail_and_clean(absl::StrCat("cannot listen on ", config.listen,
                                       ": address in use or not available"));
  }
  std::unique_ptr<door_web::DoorWebServer> door_web;
  int door_port = 0;
  if (!config.http_listen.empty()) {
    door_web::DoorWebOptions web;
    web.listen = config.http_listen;
    web.poll_seconds = config.http_poll_seconds;
    web.threads = config.page_threads;
    web.keep_alive_seconds = config.page_keep_alive_seconds;
    web.trusted_proxies = *trusted_proxies;
    web.no_change = &no_change;  // declared before, outlives the page
    web.csrf_key.assign(door_csrf.begin(), door_csrf.end());
    // Tokens of the key kvod took from its TLS key before (a page open
    // across the upgrade to this kvod, or served by a replica not yet
    // upgraded) are still accepted.
    const common::Sha256Digest before =
        common::HmacSha256(tls->server_key_pem, "kvo door page csrf v1");
    web.csrf_also_accepted.assign(before.begin(), before.end());
    door_web = std::make_unique<door_web::DoorWebServer>(
        *policy, guard, sessions, door_gallery, incidents, *tls, web);
    auto port = door_web->Start();
    if (!port.ok()) {
      server->Shutdown();
      return fail_and_clean(port.status().message());
    }
    door_port = *port;
  }
  ServingState serving(*server, audit_integrity);
  std::unique_ptr<MetricsHttpServer> metrics_http;
  int metrics_port = 0;
  if (!config.metrics_listen.empty()) {
    metrics_http = std::make_unique<MetricsHttpServer>(
        config.metrics_listen, common::ProcessMetrics(),
        [&serving] { return serving.ready(); });
    auto port = metrics_http->Start();
    if (!port.ok()) {
      if (door_web != nullptr) door_web->Stop();
      server->Shutdown();
      return fail_and_clean(port.status().message());
    }
    metrics_port = *port;
  }
  audit_integrity.SetListener(
      [&serving](absl::string_view) { serving.Update(); });
  // Health follows the databases; after an outage every pooled connection
  // is stale, so the first calls after it get fresh ones.
  DatabaseMetrics data_metrics("data");
  DatabaseMetrics keys_metrics("key_store");
  common::DatabaseHealth data_health("data", rt.conninfo,
                                     kDatabaseProbeInterval,
                                     [&rt, &serving, &data_metrics](bool up) {
                                       data_metrics.Note(up);
                                       rt.pool->DiscardAll();
                                       rt.door_pool->DiscardAll();
                                       rt.gallery_pool->DiscardAll();
                                       rt.session_pool->DiscardAll();
                                       serving.Update();
                                     });
  common::DatabaseHealth keys_health("key store", rt.keystore_pool->conninfo(),
                                     kDatabaseProbeInterval,
                                     [&rt, &serving, &keys_metrics](bool up) {
                                       keys_metrics.Note(up);
                                       rt.keystore_pool->DiscardAll();
                                       serving.Update();
                                     });
  serving.Watch(&data_health, &keys_health);
  data_health.Start();
  keys_health.Start();
  if (rt.postgres != nullptr) {
    // A dead postmaster is known at once, long before a probe times out.
    rt.postgres->Supervise([&data_health, &keys_health](bool running) {
      if (running) {
        data_health.Poke();
        keys_health.Poke();
      } else {
        data_health.MarkDown();
        keys_health.MarkDown();
      }
    });
  }
  sequencer.Start();
  audit_watch.Start();  // checks for hidden machinery before serving
  gallery_versions.Start();
  if (!gallery_versions.WaitUntilTrusted(absl::Seconds(10))) {
    // Not fatal: syncs read the database until the listener catches up.
    common::LogWarn("gallery versions not loaded yet");
  }
  sweeper.Start();
  retention_job.Start(kRetentionInterval);
  key_rewrap.Start(kKeyRewrapInterval);
  common::PeriodicTask key_compaction;
  key_compaction.Start(
      kKeyCompactionInterval,
      [&key_store] {
        auto compacted = key_store.Compact(/*always=*/false);
        if (!compacted.ok()) {
          common::LogWarn("cannot compact the key store; trying again",
                          {{"detail", compacted.status().message()}});
        } else if (*compacted) {
          LogInfo("key store compacted");
        }
      },
      /*run_first=*/false);
  common::PeriodicTask statistics;
  statistics.Start(
      kStatisticsInterval,
      [&rt] {
        // The key store too: a person's every read looks up their data key,
        // and until data_keys grown from empty is analysed again each
        // lookup scans the whole table (issue 28).
        for (auto [pool, name] : {std::pair{rt.pool.get(), "data"},
                                  std::pair{rt.keystore_pool.get(), "keys"}}) {
          auto lease = pool->Acquire();
          if (!lease.ok()) continue;  // health reports the outage
          try {
            auto analyzed = common::AnalyzeStaleTables(lease->conn());
            if (analyzed.ok() && !analyzed->empty()) {
              LogInfo("statistics refreshed",
                      {{"database", name},
                       {"analyzed", absl::StrJoin(*analyzed, ",")}});
            }
          } catch (const std::exception& e) {
            (void)common::DbPool::TranslateError(e, "analyze", &*lease);
          }
        }
      },
      /*run_first=*/false);
  common::PeriodicTask no_change_summary;
  no_change_summary.Start(
      kNoChangeSummaryInterval,
      [&no_change] { common::LogNoChangeSummary(no_change.Take()); },
      /*run_first=*/false);
  auto bootstrap = identity_service.IssueBootstrapCodeIfNeeded();
  if (!bootstrap.ok()) {
    common::LogError("cannot issue a bootstrap code",
                     {{"detail", bootstrap.status().message()}});
  }
  // Not serving while the audit log cannot be trusted.
  serving.Update();

  const std::string host = config.listen.substr(0, config.listen.rfind(':'));
  std::cout << "kvod: listening on " << host << ":" << selected_port << "\n"
            << (door_web != nullptr
                    ? ServedLine("door page on https://", config.http_listen,
                                 door_port, "/")
                    : "")
            << (metrics_http != nullptr
                    ? ServedLine("metrics on http://", config.metrics_listen,
                                 metrics_port, "/metrics")
                    : "")
            << "kvod: CA certificate: "
            << fs::absolute(tls->ca_cert_path).string() << "\n"
            << "kvod: policy " << policy->profile() << " from "
            << policy_path.string() << "\n";
  if (bootstrap.ok() && bootstrap->has_value()) {
    std::cout << "kvod: bootstrap code: " << **bootstrap << " (valid "
              << policy->identity().bootstrap_code_lifetime_hours()
              << " h, works once: kvo bootstrap CODE)\n";
  }
  // Whoever waits for "ready" finds the start-up lines in the log.
  common::FlushLog();
  std::cout << "kvod: ready" << std::endl;
  LogInfo("serving", {{"port", std::to_string(selected_port)}});

  WaitForShutdownSignal();
  serving.Shutdown();
  DrainBeforeShutdown(config.shutdown_drain_seconds);
  server->Shutdown(std::chrono::system_clock::now() + kShutdownGrace);
  server->Wait();
  if (door_web != nullptr) door_web->Stop();  // before the use cases go
  if (metrics_http != nullptr) metrics_http->Stop();
  no_change_summary.Stop();
  statistics.Stop();
  key_compaction.Stop();
  common::LogNoChangeSummary(no_change.Take());  // what the last minute owes
  guard.StopAndFlush();  // refusal counts still owed, before the pool goes
  audit_watch.Stop();
  sequencer.Stop();  // signs what the last RPCs logged
  sweeper.Stop();
  retention_job.Stop();
  key_rewrap.Stop();
  gallery_versions.Stop();
  data_health.Stop();
  keys_health.Stop();
  if (rt.postgres != nullptr) {
    // No restarts from here on; the health callbacks outlive no one.
    if (auto s = rt.postgres->Stop(); !s.ok()) {
      common::LogWarn("postgres stop", {{"detail", s.message()}});
    }
  }
  rt.session_pool.reset();
  rt.gallery_pool.reset();
  rt.door_pool.reset();
  rt.pool.reset();
  rt.keystore_pool.reset();
  LogInfo("stopped");
  return kExitOk;
}

}  // namespace kvo::kvod
