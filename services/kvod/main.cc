// kvod: the KVO Registry service. Flags have KVO_* environment equivalents.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "services/kvod/server.h"

int main(int argc, char** argv) {
  // Blocked before any thread exists so every thread inherits the mask and
  // RunKvod can sigwait() for a graceful shutdown.
  sigset_t shutdown_signals;
  sigemptyset(&shutdown_signals);
  sigaddset(&shutdown_signals, SIGINT);
  sigaddset(&shutdown_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &shutdown_signals, nullptr);

  kvo::kvod::KvodConfig config;
  CLI::App app{"kvod: the KVO Registry service", "kvod"};
  app.add_option("--listen", config.listen,
                 "address:port to serve gRPC over TLS on (port 0 picks one)")
      ->envname("KVO_LISTEN")
      ->capture_default_str();
  // An empty value ("--http-listen=") is the usual way to say "none": the
  // option takes 0 or 1 values and, with no default string, an empty one
  // reaches the config as "" rather than as CLI11's "1 required TEXT
  // missing" or the default address.
  app.add_option("--http-listen", config.http_listen,
                 "address:port to serve the door page on over HTTPS, with "
                 "the gRPC certificate (default " +
                     config.http_listen +
                     "; port 0 picks one; --http-listen= serves no page)")
      ->envname("KVO_HTTP_LISTEN")
      ->expected(0, 1);
  app.add_option("--metrics-listen", config.metrics_listen,
                 "address:port to serve Prometheus metrics on (GET /metrics, "
                 "plain HTTP without TLS or login: for a private network or "
                 "127.0.0.1 only; no personal data; port 0 picks one; "
                 "default: off)")
      ->envname("KVO_METRICS_LISTEN");
  app.add_option("--http-poll-seconds", config.http_poll_seconds,
                 "how often the door page asks for changes, in seconds")
      ->envname("KVO_HTTP_POLL_SECONDS")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app.add_option("--page-threads", config.page_threads,
                 "door page requests served at once; idle and slow "
                 "connections wait apart and take none")
      ->envname("KVO_PAGE_THREADS")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  app.add_option("--page-keep-alive", config.page_keep_alive_seconds,
                 "seconds the door page keeps an idle connection open for "
                 "the browser's next request")
      ->envname("KVO_PAGE_KEEP_ALIVE")
      ->check(CLI::Range(1, 600))
      ->capture_default_str();
  app.add_option("--trusted-proxy", config.trusted_proxies,
                 "address range (CIDR, comma-separated or repeated) of "
                 "proxies in front of the door page, such as HAProxy in "
                 "HTTP mode, whose X-Forwarded-For names the browser's "
                 "address for login limits and the audit log (default: "
                 "none; the header is ignored)")
      ->envname("KVO_TRUSTED_PROXY")
      ->delimiter(',');
  app.add_option("--shutdown-drain", config.shutdown_drain_seconds,
                 "seconds kvod goes on answering calls after SIGTERM while "
                 "/ready (--metrics-listen) and gRPC health already say it "
                 "is stopping, so a load balancer such as HAProxy takes it "
                 "out first; a second SIGTERM stops it at once")
      ->envname("KVO_SHUTDOWN_DRAIN")
      ->check(CLI::Range(0, 60))
      ->capture_default_str();
  app.add_option("--data-dir", config.data_dir,
                 "directory for keys, certificates and the embedded database")
      ->envname("KVO_DATA_DIR")
      ->capture_default_str();
  app.add_option("--database-url", config.database_url,
                 "libpq URL of an external PostgreSQL (default: embedded)")
      ->envname("KVO_DATABASE_URL");
  app.add_option("--keystore-url", config.keystore_url,
                 "libpq URL of the key store, another database than "
                 "--database-url and backed up apart from it (required with "
                 "--database-url; default: embedded)")
      ->envname("KVO_KEYSTORE_URL");
  app.add_option("--policy", config.policy_path,
                 "policy file (default policy/default.textproto)")
      ->envname("KVO_POLICY");
  app.add_option("--questionnaire", config.questionnaire_path,
                 "the safety analysis's questionnaire, a text-format "
                 "kvo.v1.Questionnaire (default "
                 "data/questionnaire/kvo_nl.textproto)")
      ->envname("KVO_QUESTIONNAIRE");
  app.add_option("--migrations-dir", config.migrations_dir,
                 "directory of V###__name.sql files (default migrations/)")
      ->envname("KVO_MIGRATIONS_DIR");
  app.add_option("--tls-cert", config.tls_cert,
                 "server certificate PEM (default: generated in data dir)")
      ->envname("KVO_TLS_CERT");
  app.add_option("--tls-key", config.tls_key, "server private key PEM")
      ->envname("KVO_TLS_KEY");
  app.add_option("--tls-san", config.tls_sans,
                 "host name or IP address the generated server certificate "
                 "also covers (repeatable; the listen host and this "
                 "machine's name are always included)")
      ->envname("KVO_TLS_SAN")
      ->delimiter(',');
  app.add_option("--db-pool-size", config.db_pool_size,
                 "database connections per kvod")
      ->envname("KVO_DB_POOL_SIZE")
      ->check(CLI::Range(1, 200))
      ->capture_default_str();
  app.add_option("--door-priority-slots", config.door_priority_slots,
                 "while door checks (gallery syncs, photo views) are in "
                 "flight, every other call shares at most this many database "
                 "connections, so the door does not wait behind writers; 0: "
                 "no priority (default: the number of CPU cores, at least 2)")
      ->envname("KVO_DOOR_PRIORITY_SLOTS")
      ->check(CLI::Range(0, 200));
  app.add_option("--audit-head-command", config.audit_head_command,
                 "shell command run for every signed audit tree head, with "
                 "KVO_HEAD_SIZE, KVO_HEAD_ROOT, ... in its environment (e.g. "
                 "to send heads to syslog or another organisation)")
      ->envname("KVO_AUDIT_HEAD_COMMAND");
  app.add_option("--clock-offset-days", config.clock_offset_days,
                 "tests and demos only: run kvod's clock this many days "
                 "ahead (needs testing { clock_control: true } in the policy)")
      ->envname("KVO_CLOCK_OFFSET_DAYS")
      ->check(CLI::Range(-36500, 36500));
  app.add_option("--log-file", config.log_file,
                 "write the log to this file (mode 0600, rotated by size) "
                 "instead of stderr")
      ->envname("KVO_LOG_FILE");
  app.add_option("--log-max-bytes", config.log_max_bytes,
                 "size at which the log file is rotated: FILE becomes "
                 "FILE.1, FILE.1 becomes FILE.2, ...")
      ->envname("KVO_LOG_MAX_BYTES")
      ->check(CLI::Range(int64_t{1024}, int64_t{1} << 40))
      ->capture_default_str();
  app.add_option("--log-keep", config.log_keep,
                 "rotated log files kept (FILE.1 to FILE.N; 0 keeps none)")
      ->envname("KVO_LOG_KEEP")
      ->check(CLI::Range(0, 1000))
      ->capture_default_str();
  app.add_option("--donations-secret-file", config.donations_secret_file,
                 "file (mode 0600) with the payment provider's shared secret "
                 "for signed payment events (else $KVO_DONATIONS_SECRET; "
                 "neither: provider events are refused)")
      ->envname("KVO_DONATIONS_SECRET_FILE");
  app.add_option("--pg-nice", config.pg_nice,
                 "niceness added to the embedded PostgreSQL's processes, so "
                 "that under load the door's in-memory syncs run before the "
                 "database's write work (0 = none)")
      ->envname("KVO_PG_NICE")
      ->check(CLI::Range(0, 19))
      ->capture_default_str();
  app.add_option("--pg-setting", config.pg_settings,
                 "name=value setting for the embedded PostgreSQL (repeatable)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "kvod: " << e.what() << " (see kvod --help)" << std::endl;
    return kvo::kvod::kExitStartupError;
  }
  if (config.tls_cert.empty() != config.tls_key.empty()) {
    std::cerr << "kvod: --tls-cert and --tls-key go together" << std::endl;
    return kvo::kvod::kExitStartupError;
  }
  return kvo::kvod::RunKvod(config);
}
