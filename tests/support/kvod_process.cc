#include "tests/support/kvod_process.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"

namespace kvo::testing {
namespace {
constexpr auto kStartTimeout = std::chrono::seconds(90);
}  // namespace

// KVO_BENCH_KVOD runs another build's kvod, so a bench can compare two
// binaries on the same machine in the same minutes.
std::string KvodPath() {
  const char* other = std::getenv("KVO_BENCH_KVOD");
  return other != nullptr && *other != '\0' ? other : KVOD_PATH;
}
std::string KvoPath() { return KVO_PATH; }

int PortOf(const std::string& url) {
  const size_t scheme = url.find("://");
  const std::string rest =
      scheme == std::string::npos ? url : url.substr(scheme + 3);
  const std::string host_port = rest.substr(0, rest.find('/'));
  int port = 0;
  EXPECT_TRUE(
      absl::SimpleAtoi(host_port.substr(host_port.rfind(':') + 1), &port))
      << url;
  return port;
}

int ConnectLoopback(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::string EmbeddedConninfo(const std::filesystem::path& data_dir,
                             const std::string& dbname) {
  return "host=" + (data_dir / "pgrun").string() +
         " port=5432 user=kvo dbname=" + dbname;
}

std::vector<std::string> KvodCommand(std::vector<std::string> args) {
  // Free ports for gRPC and the door page, so tests run side by side and
  // beside a kvod serving on the defaults (scripts/run).
  std::vector<std::string> argv = {KvodPath(), "--listen=127.0.0.1:0",
                                   "--http-listen=127.0.0.1:0"};
  // A --listen or --http-listen of the caller's replaces the free port.
  for (const char* flag : {"--http-listen", "--listen"}) {
    for (const std::string& arg : args) {
      if (arg == flag || arg.rfind(std::string(flag) + "=", 0) == 0) {
        argv.erase(std::find(argv.begin(), argv.end(),
                             std::string(flag) + "=127.0.0.1:0"));
        break;
      }
    }
  }
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

void ShareReplicaKeys(const std::filesystem::path& from,
                      const std::filesystem::path& to) {
  namespace fs = std::filesystem;
  for (const char* file : {"keys/root.key", "audit/signing.key",
                           "audit/mac.key", "identity/seal.key"}) {
    const fs::path dir = (to / file).parent_path();
    fs::create_directories(dir);
    fs::permissions(dir, fs::perms::owner_all);
    fs::copy_file(from / file, to / file, fs::copy_options::overwrite_existing);
  }
}

std::unique_ptr<KvodProcess> KvodProcess::Start(
    const std::filesystem::path& data_dir,
    std::vector<std::string> extra_args) {
  auto kvod = std::unique_ptr<KvodProcess>(new KvodProcess());
  extra_args.insert(extra_args.begin(), {"--data-dir=" + data_dir.string(),
                                         "--pg-setting=fsync=off"});
  const std::vector<std::string> argv = KvodCommand(std::move(extra_args));
  kvod->process_ = std::make_unique<Subprocess>(argv);
  auto ready = kvod->process_->WaitForLine("kvod: ready", kStartTimeout);
  if (!ready) {
    ADD_FAILURE() << "kvod did not start: " << kvod->process_->Stderr();
    return nullptr;
  }
  for (const auto& line : kvod->process_->stdout_lines()) {
    static const std::string kListen = "kvod: listening on ";
    static const std::string kCa = "kvod: CA certificate: ";
    static const std::string kDoor = "kvod: door page on ";
    if (line.rfind(kDoor, 0) == 0) kvod->door_url_ = line.substr(kDoor.size());
    static const std::string kMetrics = "kvod: metrics on ";
    if (line.rfind(kMetrics, 0) == 0) {
      kvod->metrics_url_ = line.substr(kMetrics.size());
    }
    if (line.rfind(kListen, 0) == 0)
      kvod->address_ = line.substr(kListen.size());
    if (line.rfind(kCa, 0) == 0) kvod->ca_path_ = line.substr(kCa.size());
    static const std::string kCode = "kvod: bootstrap code: ";
    if (line.rfind(kCode, 0) == 0) {
      const std::string rest = line.substr(kCode.size());
      kvod->bootstrap_code_ = rest.substr(0, rest.find(' '));
    }
  }
  kvod->client_config_ = data_dir.parent_path() /
                         (data_dir.filename().string() + "-kvo-client.conf");
  return kvod;
}

CommandResult KvodProcess::Kvo(const std::vector<std::string>& args,
                               const std::string& stdin_text) const {
  std::vector<std::string> argv = {KvoPath(),
                                   "--server",
                                   address_,
                                   "--ca",
                                   ca_path_,
                                   "--config",
                                   client_config_.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv, std::chrono::seconds(60), {}, stdin_text);
}

std::shared_ptr<grpc::Channel> KvodProcess::Channel() const {
  std::ifstream in(ca_path_);
  std::stringstream pem;
  pem << in.rdbuf();
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = pem.str();
  return grpc::CreateChannel(address_, grpc::SslCredentials(ssl));
}

int KvodProcess::Stop() {
  process_->Signal(SIGTERM);
  return process_->Wait(std::chrono::seconds(60)).value_or(-1);
}

}  // namespace kvo::testing
