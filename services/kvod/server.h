#ifndef KVO_SERVICES_KVOD_SERVER_H_
#define KVO_SERVICES_KVOD_SERVER_H_

#include <cstdint>
#include <string>
#include <vector>

namespace kvo::kvod {

// Everything kvod is told at start, from flags or KVO_* variables.
struct KvodConfig {
  std::string listen = "127.0.0.1:50051";
  std::string data_dir = ".kvo";
  std::string database_url;  // empty: the embedded cluster
  // The key store's database (persons' data keys); with --database-url it
  // is required and must be another database. Empty: the embedded
  // cluster's kvo_keys.
  std::string keystore_url;
  std::string policy_path;     // empty: policy/default.textproto
  std::string migrations_dir;  // empty: migrations/
  // The survey's questionnaire; empty: data/questionnaire/kvo_nl.textproto.
  std::string questionnaire_path;
  std::string tls_cert;
  std::string tls_key;
  // Extra names and addresses for the generated server certificate (the
  // listen host and the machine's host name are added).
  std::vector<std::string> tls_sans;
  // The door page's HTTPS address (same certificate as gRPC); empty: off.
  std::string http_listen = "127.0.0.1:8443";
  // Prometheus's text format on GET /metrics, plain HTTP, for a private
  // network; empty: off.
  std::string metrics_listen;
  // How often the door page asks for changes, in seconds.
  int http_poll_seconds = 60;
  // The door page's workers (requests served at once) and how long it keeps
  // an idle connection open, in seconds.
  int page_threads = 8;
  int page_keep_alive_seconds = 5;
  // Address ranges (CIDR) of proxies whose X-Forwarded-For the door page
  // believes (HAProxy in HTTP mode); empty: none.
  std::vector<std::string> trusted_proxies;
  // After SIGTERM/SIGINT kvod keeps answering calls this many seconds while
  // /ready and gRPC health say it is going, so a load balancer sends new
  // connections elsewhere before this kvod closes its own; 0: stop at once.
  int shutdown_drain_seconds = 0;
  int db_pool_size = 8;
  // While door calls (gallery syncs, photo views) are in flight, the other
  // calls share at most this many of the db_pool_size connections; 0: no
  // priority for the door. -1: the number of CPU cores, at least 2.
  int door_priority_slots = -1;
  // Extra PostgreSQL settings for the embedded cluster ("fsync=off").
  std::vector<std::string> pg_settings;
  int pg_nice = 0;
  // Run for every signed audit tree head (see audit/head_command.h).
  std::string audit_head_command;
  // Moves kvod's clock (retention and the rules that read it) this many
  // days; refused unless the policy says testing { clock_control: true }.
  int clock_offset_days = 0;
  // Where the log lines go: empty, stderr (for a service manager); else
  // this file, mode 0600, rotated before it passes log_max_bytes into
  // PATH.1 ... PATH.<log_keep>.
  std::string log_file;
  int64_t log_max_bytes = int64_t{50} << 20;
  int log_keep = 5;
  // The payment provider's shared secret for signed events: this file
  // (mode 0600 or stricter, else kvod refuses to start), else
  // KVO_DONATIONS_SECRET; neither: provider events are refused.
  std::string donations_secret_file;
};

// Exit codes of kvod.
inline constexpr int kExitOk = 0;
inline constexpr int kExitStartupError = 2;

// Starts every part, serves until SIGINT/SIGTERM, then shuts down in order:
// in-flight RPCs finish, then the database stops. Expects SIGINT and SIGTERM
// to be blocked in every thread (main does that before anything starts).
// Returns the process exit code; start-up errors print one line on stderr.
// Log lines are written by a writer thread of their own (see
// common/log_writer.h); RunKvod flushes them before it prints "kvod: ready"
// and before it returns.
int RunKvod(const KvodConfig& config);

}  // namespace kvo::kvod

#endif  // KVO_SERVICES_KVOD_SERVER_H_
