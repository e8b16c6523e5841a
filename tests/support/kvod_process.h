#ifndef KVO_TESTS_SUPPORT_KVOD_PROCESS_H_
#define KVO_TESTS_SUPPORT_KVOD_PROCESS_H_

#include <grpcpp/grpcpp.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/subprocess.h"

namespace kvo::testing {

std::string KvodPath();
std::string KvoPath();

// kvod's command line with `args`: gRPC and the door page on free ports of
// 127.0.0.1 unless `args` name --listen or --http-listen ("--http-listen="
// for no page). Every test that starts kvod starts it through this, so no
// test takes a port another kvod (or scripts/run) may hold.
std::vector<std::string> KvodCommand(std::vector<std::string> args);

// The real kvod, started on 127.0.0.1:0 with its embedded cluster in
// `data_dir` (fsync off), ready when it printed "kvod: ready".
// libpq connection string of the embedded cluster kvod runs in `data_dir`:
// its data database, or "kvo_keys", the key store.
std::string EmbeddedConninfo(const std::filesystem::path& data_dir,
                             const std::string& dbname = "kvo");

// Copies from the data directory `from` into `to` (made if missing) the
// files every replica of one registry must share: the root key, the audit
// log's signing and MAC keys and the seal of what grants access.
void ShareReplicaKeys(const std::filesystem::path& from,
                      const std::filesystem::path& to);

// The port of a URL or address kvod printed ("https://127.0.0.1:PORT/",
// "x://127.0.0.1:PORT/"); 0 (and a test failure) when it has none.
int PortOf(const std::string& url);

// A TCP connection to 127.0.0.1:`port` (a file descriptor the caller
// closes), -1 when none.
int ConnectLoopback(int port);

class KvodProcess final {
 public:
  // nullptr (with a test failure naming kvod's stderr) when it did not start.
  static std::unique_ptr<KvodProcess> Start(
      const std::filesystem::path& data_dir,
      std::vector<std::string> extra_args = {});

  const std::string& address() const { return address_; }
  const std::string& ca_path() const { return ca_path_; }
  // "https://127.0.0.1:PORT/", empty when the page is off.
  const std::string& door_url() const { return door_url_; }
  // "http://127.0.0.1:PORT/metrics" with --metrics-listen, else empty.
  const std::string& metrics_url() const { return metrics_url_; }
  // The one-time code printed on first start (empty when none was).
  const std::string& bootstrap_code() const { return bootstrap_code_; }
  // A TLS channel trusting kvod's CA.
  std::shared_ptr<grpc::Channel> Channel() const;
  Subprocess& process() { return *process_; }

  // Runs the real kvo against this kvod, with its own client config file
  // (so `kvo login` here keeps its session for the next call), `stdin_text`
  // on its stdin (a password for --password-stdin).
  CommandResult Kvo(const std::vector<std::string>& args,
                    const std::string& stdin_text = "") const;

  // SIGTERM and wait; the exit code.
  int Stop();

 private:
  std::unique_ptr<Subprocess> process_;
  std::filesystem::path client_config_;
  std::string address_;
  std::string ca_path_;
  std::string door_url_;
  std::string metrics_url_;
  std::string bootstrap_code_;
};

}  // namespace kvo::testing

#endif  // KVO_TESTS_SUPPORT_KVOD_PROCESS_H_
