// kvod's --metrics-listen end to end: the real kvod serves Prometheus's
// text format on a plain-HTTP port of its own, its counters move with real
// calls and door syncs, and no label holds a name or an id. Without the
// flag kvod listens on nothing more than gRPC and the door page.
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kvo/v1/gallery.grpc.pb.h"
#include "services/common/source_dir.h"
#include "tests/support/polling.h"
#include "tests/support/registry_fixture.h"
#include "tests/support/subprocess.h"

namespace kvo::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// Port of "http://127.0.0.1:PORT/..." or "https://host:PORT/".
// GET `path` from 127.0.0.1:port over plain HTTP/1.0: status line, headers
// and body as they came.
std::string HttpGet(int port, const std::string& path) {
  const int fd = ConnectLoopback(port);
  if (fd < 0) return "";
  // A port that does not speak HTTP/1 must not hang the test.
  timeval timeout{};
  timeout.tv_sec = 5;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  const std::string request =
      "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  (void)!::write(fd, request.data(), request.size());
  std::string out;
  char buf[8192];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) out.append(buf, n);
  ::close(fd);
  return out;
}

// Every sample line: "name{labels}" -> value.
std::map<std::string, double> Samples(const std::string& body) {
  std::map<std::string, double> out;
  for (absl::string_view line : absl::StrSplit(body, '\n')) {
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.rfind(' ');
    double v = 0;
    if (absl::SimpleAtod(line.substr(space + 1), &v)) {
      out[std::string(line.substr(0, space))] = v;
    }
  }
  return out;
}

// The TCP ports process `pid` listens on (IPv4 and IPv6), from /proc.
std::set<int> ListeningPorts(pid_t pid) {
  std::set<std::string> inodes;
  const std::filesystem::path fds = "/proc/" + std::to_string(pid) + "/fd";
  for (const auto& fd : std::filesystem::directory_iterator(fds)) {
    std::error_code ec;
    const std::string target =
        std::filesystem::read_symlink(fd.path(), ec).string();
    if (!ec && target.rfind("socket:[", 0) == 0) {
      inodes.insert(target.substr(8, target.size() - 9));
    }
  }
  std::set<int> ports;
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string sl, local, remote, state, queues, timer, retr, uid, timeout,
          inode;
      fields >> sl >> local >> remote >> state >> queues >> timer >> retr >>
          uid >> timeout >> inode;
      if (state != "0A" || inodes.count(inode) == 0) continue;  // LISTEN
      ports.insert(std::stoi(local.substr(local.rfind(':') + 1), nullptr, 16));
    }
  }
  return ports;
}

class MetricsE2E : public RegistryFixture {
 protected:
  void SetUp() override {
    extra_kvod_args_.push_back("--metrics-listen=127.0.0.1:0");
    RegistryFixture::SetUp();
    if (HasFatalFailure()) return;
    gallery_ = GalleryService::NewStub(kvod_->Channel());
    AdmitToDoor(area_a_);
  }

  // A sync as the bakery's shopkeeper; the version it reached.
  int64_t Sync(int64_t since) {
    SyncGalleryRequest req;
    req.set_since_version(since);
    auto ctx = Ctx(shopkeeper_);
    auto reader = gallery_->SyncGallery(ctx.get(), req);
    GalleryUpdate u;
    int64_t version = -1;
    while (reader->Read(&u)) {
      if (u.has_version()) version = u.version().version();
    }
    const grpc::Status s = reader->Finish();
    EXPECT_TRUE(s.ok()) << s.error_message();
    return version;
  }

  std::string Scrape() {
    const std::string response =
        HttpGet(PortOf(kvod_->metrics_url()), "/metrics");
    const size_t body = response.find("\r\n\r\n");
    EXPECT_THAT(response.substr(0, body), HasSubstr("200"));
    EXPECT_THAT(response.substr(0, body),
                HasSubstr("text/plain; version=0.0.4"));
    return body == std::string::npos ? "" : response.substr(body + 4);
  }

  std::unique_ptr<GalleryService::Stub> gallery_;
};

TEST_F(MetricsE2E, CountersMoveWithCallsAndDoorSyncsAndLabelsNameNoOne) {
  ASSERT_THAT(kvod_->metrics_url(), HasSubstr("http://127.0.0.1:"));
  const std::map<std::string, double> before = Samples(Scrape());

  const Person p = MakePerson("Jansen-Metriek");
  Card card;
  ASSERT_TRUE(Issue(Incident(p.id()), &card).ok());
  const int64_t v1 = Sync(0);  // full
  ASSERT_GT(v1, 0);
  EXPECT_EQ(Sync(v1), v1);  // no change
  const Person q = MakePerson("Pietersen-Metriek");
  ASSERT_TRUE(Issue(Incident(q.id()), &card).ok());
  EXPECT_GT(Sync(v1), v1);  // delta
  // A call refused: an unknown person.
  GetPersonRequest missing;
  missing.set_person_id(987654321);
  Person none;
  EXPECT_EQ(
      registry_->GetPerson(Ctx(police_).get(), missing, &none).error_code(),
      grpc::StatusCode::NOT_FOUND);

  // The audit watch sets the backlog at its next round (every 5 s), the
  // start's retention run counts when it is done: on a loaded machine
  // either may take a while.
  std::string body;
  for (int i = 0; i < 240; ++i) {
    body = Scrape();
    if (absl::StrContains(body, "kvo_audit_unsealed_entries ") &&
        absl::StrContains(body, "kvo_retention_runs_total{outcome=\"done\"}")) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  const std::map<std::string, double> after = Samples(body);
  auto moved = [&](const std::string& key) {
    const auto b = before.find(key);
    const double was = b == before.end() ? 0 : b->second;
    const auto a = after.find(key);
    EXPECT_TRUE(a != after.end()) << key << " missing in:\n" << body;
    return a == after.end() ? 0 : a->second - was;
  };
  const std::string sync = "method=\"kvo.v1.GalleryService/SyncGallery\"";
  EXPECT_EQ(moved("kvo_rpc_calls_total{" + sync + ",code=\"OK\"}"), 3);
  EXPECT_EQ(moved("kvo_rpc_duration_seconds_count{" + sync + "}"), 3);
  EXPECT_EQ(moved("kvo_rpc_duration_seconds_bucket{" + sync + ",le=\"+Inf\"}"),
            3);
  EXPECT_EQ(moved("kvo_rpc_calls_total{method=\"kvo.v1.RegistryService/"
                  "IssueCard\",code=\"OK\"}"),
            2);
  EXPECT_EQ(moved("kvo_rpc_calls_total{method=\"kvo.v1.RegistryService/"
                  "GetPerson\",code=\"NOT_FOUND\"}"),
            1);
  EXPECT_EQ(moved("kvo_door_syncs_total{outcome=\"full\"}"), 1);
  EXPECT_EQ(moved("kvo_door_syncs_total{outcome=\"no_change\"}"), 1);
  EXPECT_EQ(moved("kvo_door_syncs_total{outcome=\"delta\"}"), 1);
  // A sample's value; -1 (and a failure naming it) when it is missing.
  auto at = [&](const std::string& key) {
    const auto a = after.find(key);
    EXPECT_TRUE(a != after.end()) << key << " missing in:\n" << body;
    return a == after.end() ? -1.0 : a->second;
  };
  EXPECT_EQ(at("kvo_database_up{database=\"data\"}"), 1);
  EXPECT_EQ(at("kvo_database_up{database=\"key_store\"}"), 1);
  EXPECT_EQ(at("kvo_audit_log_trusted"), 1);
  EXPECT_GE(at("kvo_audit_unsealed_entries"), 0);
  EXPECT_GE(at("kvo_audit_oldest_unsealed_age_seconds"), 0);
  EXPECT_TRUE(after.count("kvo_db_pool_waits_total{pool=\"main\"}"));
  EXPECT_TRUE(after.count("kvo_db_pool_wait_seconds_count{pool=\"door\"}"));
  // The start's run for restored erasures.
  EXPECT_GE(at("kvo_retention_runs_total{outcome=\"done\"}"), 1);
  EXPECT_TRUE(after.count("kvo_integrity_alarms_total{alarm=\"record\"}") ==
                  0 ||
              at("kvo_integrity_alarms_total{alarm=\"record\"}") == 0);

  // No personal data in any label: only the label names kvod uses, values
  // made of the words of methods, codes and kinds, never a number but a
  // bucket bound, never a name, login, shop or area this test made.
  const std::set<std::string> label_names = {
      "method", "code", "outcome", "pool", "database", "alarm", "kind", "le"};
  const std::regex label(R"re(([a-z_]+)="([^"]*)")re");
  for (const auto& [sample, value] : after) {
    for (std::sregex_iterator it(sample.begin(), sample.end(), label), end;
         it != end; ++it) {
      const std::string name = (*it)[1], v = (*it)[2];
      EXPECT_TRUE(label_names.count(name)) << sample;
      EXPECT_TRUE(std::regex_match(v, std::regex(R"([A-Za-z0-9_./+]+)")))
          << sample;
      if (name != "le") {
        EXPECT_FALSE(std::regex_search(v, std::regex("[0-9]{2,}"))) << sample;
      } else {
        EXPECT_TRUE(std::regex_match(v, std::regex(R"([0-9.]+|\+Inf)")))
            << sample;
      }
    }
  }
  // (Ids are small numbers here: the label check above covers them.)
  for (const std::string& personal : std::vector<std::string>{
           "Jansen", "Pietersen", "Jan Willem", "Kerkstraat", "bakker", "agent",
           "Korenaar", "Binnenstad", "Keizerslanden", "987654321"}) {
    EXPECT_THAT(body, Not(HasSubstr(personal))) << personal;
  }

  // The dashboard in deploy/ reads only metrics kvod has.
  std::ifstream dashboard_file(std::filesystem::path(KVO_SOURCE_DIR) /
                               "deploy/grafana/kvod-dashboard.json");
  std::stringstream dashboard;
  dashboard << dashboard_file.rdbuf();
  const std::string json = dashboard.str();
  ASSERT_THAT(json, HasSubstr("histogram_quantile"));
  const std::regex metric_name(R"(kvo_[a-z_]+)");
  int names = 0;
  for (std::sregex_iterator it(json.begin(), json.end(), metric_name), end;
       it != end; ++it) {
    std::string name = it->str();
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      if (absl::EndsWith(name, suffix) &&
          !absl::StrContains(body, "# TYPE " + name + " ")) {
        name = name.substr(0, name.size() - std::strlen(suffix));
      }
    }
    ++names;
    EXPECT_THAT(body, HasSubstr("# TYPE " + name + " ")) << name;
  }
  EXPECT_GT(names, 10);

  // The load balancer's check: kvod serves.
  const std::string ready = HttpGet(PortOf(kvod_->metrics_url()), "/ready");
  EXPECT_THAT(ready, HasSubstr(" 200 "));
  EXPECT_THAT(ready, HasSubstr("\r\n\r\nserving\n"));
  // Nothing else; the port is the metrics' own.
  EXPECT_THAT(HttpGet(PortOf(kvod_->metrics_url()), "/"), HasSubstr("404"));
  EXPECT_TRUE(ListeningPorts(kvod_->process().pid())
                  .count(PortOf(kvod_->metrics_url())));
}

// Off by default: without --metrics-listen no port of kvod's serves
// metrics and kvod says nothing of them.
TEST(MetricsOffE2E, WithoutTheFlagNothingMoreListens) {
  TempDir tmp;
  auto kvod = KvodProcess::Start(tmp.path() / "data");
  ASSERT_NE(kvod, nullptr);
  EXPECT_THAT(kvod->metrics_url(), IsEmpty());
  for (const std::string& line : kvod->process().stdout_lines()) {
    EXPECT_THAT(line, Not(HasSubstr("kvod: metrics")));
  }
  // No port of kvod's answers with metrics: besides gRPC and the door page
  // it listens on nothing of its own that speaks HTTP/1.
  const std::set<int> ports = ListeningPorts(kvod->process().pid());
  EXPECT_TRUE(ports.count(PortOf("x://" + kvod->address() + "/")));
  EXPECT_TRUE(ports.count(PortOf(kvod->door_url())));
  for (int port : ports) {
    if (port == PortOf(kvod->door_url())) continue;  // HTTPS only
    EXPECT_THAT(HttpGet(port, "/metrics"), Not(HasSubstr("kvo_"))) << port;
  }
  EXPECT_EQ(kvod->Stop(), 0);
}

// A bad address is refused before anything starts, naming the flag.
TEST(MetricsOffE2E, BadAddressNamesTheFlag) {
  TempDir tmp;
  const CommandResult r =
      RunCommand(KvodCommand({"--data-dir=" + (tmp.path() / "data").string(),
                              "--metrics-listen=127.0.0.1:99999"}));
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("--metrics-listen"));
  EXPECT_FALSE(std::filesystem::exists(tmp.path() / "data"));
}

// --shutdown-drain: after SIGTERM /ready says 503 at once, so HAProxy takes
// the kvod out, while the kvod still takes new connections and answers
// calls; a second SIGTERM ends the drain and kvod exits cleanly.
TEST(MetricsDrainE2E, AfterSigtermReadyTurnsAwayWhileCallsAreStillAnswered) {
  TempDir tmp;
  auto kvod = KvodProcess::Start(
      tmp.path() / "data",
      {"--metrics-listen=127.0.0.1:0", "--shutdown-drain=60"});
  ASSERT_NE(kvod, nullptr);
  const int metrics = PortOf(kvod->metrics_url());
  ASSERT_THAT(HttpGet(metrics, "/ready"), HasSubstr(" 200 "));
  ASSERT_EQ(HealthOf(*kvod), grpc::health::v1::HealthCheckResponse::SERVING);

  kvod->process().Signal(SIGTERM);
  const auto turned_away = PollUntil(
      [&] { return absl::StrContains(HttpGet(metrics, "/ready"), " 503 "); },
      std::chrono::seconds(10));
  ASSERT_TRUE(turned_away.has_value()) << HttpGet(metrics, "/ready");
  // A new channel (a new connection) is still answered during the drain:
  // health says it is going, which is an answer, not UNKNOWN.
  EXPECT_EQ(HealthOf(*kvod),
            grpc::health::v1::HealthCheckResponse::NOT_SERVING);
  EXPECT_FALSE(kvod->process().Wait(std::chrono::milliseconds(500)))
      << "kvod stopped before its drain";

  kvod->process().Signal(SIGTERM);
  EXPECT_EQ(kvod->process().Wait(std::chrono::seconds(30)), 0);
}

// A kvod that crashed comes back on the same ports at once, though the
// connections it closed (HAProxy's checks of /ready, HTTP/1.0: the server
// closes) still wait out TIME_WAIT on them; cpp-httplib's own
// SO_REUSEPORT alone made the metrics and door page ports refuse for a
// minute (found by scripts/ha-drill).
TEST(MetricsDrainE2E, AKvodKilledAfterChecksGetsItsPortsBackAtOnce) {
  TempDir tmp;
  auto kvod =
      KvodProcess::Start(tmp.path() / "data", {"--metrics-listen=127.0.0.1:0"});
  ASSERT_NE(kvod, nullptr);
  const int metrics = PortOf(kvod->metrics_url());
  const int door = PortOf(kvod->door_url());
  for (int i = 0; i < 5; ++i) {
    ASSERT_THAT(HttpGet(metrics, "/ready"), HasSubstr(" 200 "));
  }
  kvod->process().Signal(SIGKILL);
  ASSERT_TRUE(kvod->process().Wait(std::chrono::seconds(30)).has_value());
  kvod.reset();

  auto again = KvodProcess::Start(
      tmp.path() / "data",
      {"--metrics-listen=127.0.0.1:" + std::to_string(metrics),
       "--http-listen=127.0.0.1:" + std::to_string(door)});
  ASSERT_NE(again, nullptr);
  EXPECT_THAT(HttpGet(metrics, "/ready"), HasSubstr(" 200 "));
  EXPECT_EQ(again->Stop(), 0);
}

// A drain longer than a minute is refused before anything starts.
TEST(MetricsDrainE2E, OutOfRangeDrainNamesTheFlag) {
  TempDir tmp;
  const CommandResult r = RunCommand(KvodCommand(
      {"--data-dir=" + (tmp.path() / "data").string(), "--shutdown-drain=61"}));
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("--shutdown-drain"));
  EXPECT_FALSE(std::filesystem::exists(tmp.path() / "data"));
}

}  // namespace
}  // namespace kvo::testing
