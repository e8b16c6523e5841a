// The real kvod and kvo over TLS, each kvod with its own embedded cluster.
#include <arpa/inet.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <pqxx/pqxx>
#include <sstream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "services/common/embedded_postgres.h"
#include "services/common/proc_stat.h"
#include "services/common/source_dir.h"
#include "services/common/tls_material.h"
#include "tests/support/kvod_process.h"
#include "tests/support/pg_environment.h"

namespace kvo::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool ProcessGone(pid_t pid, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string content;
    if (!std::getline(stat, content)) return true;
    auto close = content.rfind(')');
    if (close != std::string::npos && content[close + 2] == 'Z') return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

int NonEmptyLines(const std::string& text) {
  int n = 0;
  for (auto line : absl::StrSplit(text, '\n')) n += !line.empty();
  return n;
}

TEST(KvodE2E, HealthIsServingOverTlsAndShutdownIsClean) {
  TempDir tmp;
  const fs::path data = tmp.path() / "data";
  auto kvod = KvodProcess::Start(data);
  ASSERT_NE(kvod, nullptr);

  CommandResult plain = kvod->Kvo({"health"});
  EXPECT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_THAT(plain.out, HasSubstr("status: in bedrijf"));
  CommandResult json = kvod->Kvo({"--json", "health"});
  EXPECT_EQ(json.exit_code, 0) << json.err;
  EXPECT_THAT(json.out, HasSubstr("\"status\":\"SERVING\""));

  struct stat st;
  ASSERT_EQ(::stat((data / "tls" / "ca.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  ASSERT_TRUE(fs::exists(data / "pg" / "postmaster.pid"));

  EXPECT_EQ(kvod->Stop(), 0);
  EXPECT_FALSE(fs::exists(data / "pg" / "postmaster.pid"))
      << "PostgreSQL must stop with kvod";
  const std::string log = kvod->process().Stderr();
  EXPECT_THAT(log, HasSubstr("\"method\":\"/grpc.health.v1.Health/Check\""));
  EXPECT_THAT(log, HasSubstr("\"msg\":\"stopped\""));
}

// "--http-listen=" is how one says "no door page" (as KVO_HTTP_LISTEN= is):
// kvod starts, serves gRPC and listens on nothing else.
TEST(KvodE2E, AnEmptyHttpListenServesNoDoorPage) {
  TempDir tmp;
  auto kvod = KvodProcess::Start(tmp.path() / "data", {"--http-listen="});
  ASSERT_NE(kvod, nullptr);
  EXPECT_EQ(kvod->door_url(), "");
  for (const auto& line : kvod->process().stdout_lines()) {
    EXPECT_THAT(line, Not(HasSubstr("door page on"))) << line;
  }
  CommandResult health = kvod->Kvo({"health"});
  EXPECT_EQ(health.exit_code, 0) << health.err;
  EXPECT_THAT(health.out, HasSubstr("status: in bedrijf"));
  EXPECT_EQ(kvod->Stop(), 0);
}

TEST(KvodE2E, PlaintextAndUntrustedClientsAreRefused) {
  TempDir tmp;
  auto kvod = KvodProcess::Start(tmp.path() / "data");
  ASSERT_NE(kvod, nullptr);

  auto channel =
      grpc::CreateChannel(kvod->address(), grpc::InsecureChannelCredentials());
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status status = stub->Check(&ctx, {}, &response);
  EXPECT_FALSE(status.ok()) << "a plaintext client must not be served";
  EXPECT_NE(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);

  // A client trusting another CA refuses kvod's certificate.
  auto other = common::EnsureTlsMaterial(tmp.path() / "other-ca");
  ASSERT_TRUE(other.ok());
  CommandResult untrusted =
      RunCommand({KvoPath(), "--server", kvod->address(), "--ca",
                  other->ca_cert_path.string(), "--config", "/dev/null",
                  "--timeout-ms", "5000", "health"});
  EXPECT_EQ(untrusted.exit_code, 1);
  EXPECT_THAT(untrusted.err, HasSubstr("kvo: UNAVAILABLE"));
  EXPECT_EQ(NonEmptyLines(untrusted.err), 1);
}

TEST(KvodE2E, SigkillThenRestartReusesDataAndClearsStalePid) {
  TempDir tmp;
  const fs::path data = tmp.path() / "data";
  auto first = KvodProcess::Start(data);
  ASSERT_NE(first, nullptr);
  {
    pqxx::connection conn(EmbeddedConninfo(data));
    pqxx::work tx(conn);
    tx.exec0(
        "INSERT INTO areas (name, kind, municipality) "
        "VALUES ('Binnenstad', 'shopping_area', 'Deventer')");
    tx.commit();
  }
  long postmaster = 0;
  std::ifstream(data / "pg" / "postmaster.pid") >> postmaster;
  ASSERT_GT(postmaster, 0);

  first->process().Signal(SIGKILL);
  first->process().Wait(std::chrono::seconds(10));
  EXPECT_TRUE(
      ProcessGone(static_cast<pid_t>(postmaster), std::chrono::seconds(30)))
      << "PostgreSQL must not outlive a SIGKILLed kvod";

  // A stale lock naming a live process that is not PostgreSQL (this test)
  // would make PostgreSQL refuse to start.
  std::ofstream(data / "pg" / "postmaster.pid")
      << ::getpid() << "\n"
      << (data / "pg").string() << "\n";

  auto second = KvodProcess::Start(data);
  ASSERT_NE(second, nullptr);
  EXPECT_THAT(second->process().Stderr(), HasSubstr("\"initdb\":\"no\""));
  EXPECT_THAT(second->process().Stderr(),
              HasSubstr("removing a stale postmaster.pid"));
  pqxx::connection conn(EmbeddedConninfo(data));
  pqxx::work tx(conn);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM areas")[0].as<int>(), 1);
  EXPECT_EQ(second->Kvo({"health"}).exit_code, 0);
  EXPECT_EQ(second->Stop(), 0);
}

TEST(KvodE2E, ChangedMigrationIsRefusedAtStart) {
  TempDir tmp;
  const fs::path migrations = tmp.path() / "migrations";
  fs::copy(fs::path(KVO_SOURCE_DIR) / "migrations", migrations,
           fs::copy_options::recursive);
  const fs::path data = tmp.path() / "data";
  auto kvod =
      KvodProcess::Start(data, {"--migrations-dir=" + migrations.string()});
  ASSERT_NE(kvod, nullptr);
  ASSERT_EQ(kvod->Stop(), 0);

  std::ofstream(migrations / "V001__init.sql", std::ios::app)
      << "\n-- edited\n";
  Subprocess again(KvodCommand({"--data-dir=" + data.string(),
                                "--migrations-dir=" + migrations.string()}));
  EXPECT_EQ(again.Wait(std::chrono::seconds(60)), 2);
  EXPECT_THAT(again.Stderr(),
              HasSubstr("V001__init.sql changed after it was applied"));
  EXPECT_FALSE(fs::exists(data / "pg" / "postmaster.pid"))
      << "the cluster must be stopped after a refused start";
}

// Rolling upgrades: a new migration that takes away what the running kvods
// use is refused before anything is applied, the file and statement named;
// with its `-- contract:` line it is applied.
TEST(KvodE2E, AContractingMigrationIsRefusedUnlessItSaysWhy) {
  TempDir tmp;
  const fs::path migrations = tmp.path() / "migrations";
  fs::copy(fs::path(KVO_SOURCE_DIR) / "migrations", migrations,
           fs::copy_options::recursive);
  int last = 0;
  for (const auto& e : fs::directory_iterator(migrations)) {
    int v = 0;
    const std::string name = e.path().filename().string();
    if (name.size() > 4 && absl::SimpleAtoi(name.substr(1, 3), &v)) {
      last = std::max(last, v);
    }
  }
  char next[32];
  std::snprintf(next, sizeof next, "V%03d__drop_note.sql", last + 1);
  std::ofstream(migrations / next)
      << "ALTER TABLE incidents ADD COLUMN note text;\n"
         "ALTER TABLE incidents DROP COLUMN note;\n";
  const fs::path data = tmp.path() / "data";
  Subprocess refused(KvodCommand({"--data-dir=" + data.string(),
                                  "--migrations-dir=" + migrations.string()}));
  EXPECT_EQ(refused.Wait(std::chrono::seconds(60)), 2);
  EXPECT_THAT(refused.Stderr(), HasSubstr(next));
  EXPECT_THAT(refused.Stderr(),
              HasSubstr("ALTER TABLE incidents DROP COLUMN note"));
  EXPECT_THAT(refused.Stderr(), HasSubstr("-- contract:"));

  std::ofstream(migrations / next)
      << "ALTER TABLE incidents ADD COLUMN note text;\n"
         "-- contract: no kvod ever read it\n"
         "ALTER TABLE incidents DROP COLUMN note;\n";
  auto kvod =
      KvodProcess::Start(data, {"--migrations-dir=" + migrations.string()});
  ASSERT_NE(kvod, nullptr);
  pqxx::connection conn(EmbeddedConninfo(data));
  pqxx::work tx(conn);
  EXPECT_EQ(tx.exec1("SELECT max(version) FROM schema_migrations")[0].as<int>(),
            last + 1);
  tx.commit();
  EXPECT_EQ(kvod->Stop(), 0);
}

// The niceness (field 19 of /proc/PID/stat) of `pid`; -100 when unreadable.
int NiceOf(pid_t pid) {
  const auto f = common::ProcStatFields(pid);
  int nice = -100;
  if (f.size() > 16 && !absl::SimpleAtoi(f[16], &nice)) return -100;
  return nice;
}

// --pg-nice: the embedded cluster's processes run that much nicer than kvod,
// so that under load the door's in-memory syncs run first.
TEST(KvodE2E, EmbeddedClusterRunsAtTheNicenessAsked) {
  TempDir tmp;
  const fs::path data = tmp.path() / "data";
  auto kvod = KvodProcess::Start(data, {"--pg-nice=7"});
  ASSERT_NE(kvod, nullptr);
  std::ifstream pidfile(data / "pg" / "postmaster.pid");
  pid_t postmaster = 0;
  ASSERT_TRUE(pidfile >> postmaster) << "no postmaster.pid";
  const int own = NiceOf(::getpid());
  ASSERT_NE(own, -100);
  if (own > 12) GTEST_SKIP() << "this test already runs at nice " << own;
  EXPECT_EQ(NiceOf(postmaster), own + 7);
  EXPECT_EQ(kvod->Kvo({"health"}).exit_code, 0);
  EXPECT_EQ(kvod->Stop(), 0);
}

// Plans that do not depend on luck: a table loaded after the start is
// analysed by kvod within seconds, not after autovacuum's minute, so no
// statement keeps the plan made when the table was empty.
TEST(KvodE2E, ATableLoadedAfterTheStartIsAnalysedWithinSeconds) {
  TempDir tmp;
  const fs::path data = tmp.path() / "data";
  auto kvod = KvodProcess::Start(data, {});
  ASSERT_NE(kvod, nullptr);
  pqxx::connection conn(EmbeddedConninfo(data));
  std::string loaded_at;
  {
    pqxx::work tx(conn);
    tx.exec0(
        "INSERT INTO areas (name, kind, municipality) SELECT 'Wijk ' || g, "
        "'shopping_area', 'Deventer' FROM generate_series(1, 3000) g");
    loaded_at = tx.exec1("SELECT clock_timestamp()::text")[0].as<std::string>();
    tx.commit();
  }
  const auto loaded = std::chrono::steady_clock::now();
  bool analysed = false;
  while (!analysed &&
         std::chrono::steady_clock::now() - loaded < std::chrono::seconds(30)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    pqxx::nontransaction tx(conn);
    // last_analyze: an ANALYZE command (kvod's); autovacuum would set
    // last_autoanalyze instead.
    analysed = tx.exec_params1(
                     "SELECT COALESCE(last_analyze > $1::timestamptz, "
                     "false) FROM pg_stat_user_tables WHERE relname "
                     "= 'areas'",
                     loaded_at)[0]
                   .as<bool>();
  }
  EXPECT_TRUE(analysed) << "areas not analysed 30 s after the load";
  pqxx::nontransaction tx(conn);
  EXPECT_GE(
      tx.exec1("SELECT reltuples FROM pg_class WHERE relname = 'areas'")[0]
          .as<double>(),
      3000);
  EXPECT_EQ(kvod->Stop(), 0);
}

TEST(KvodE2E, ExternalDatabaseIsUsedWhenGiven) {
  TempDir tmp;
  common::EmbeddedPostgresOptions options;
  options.root = tmp.path() / "external";
  fs::create_directories(options.root);
  options.fast_initdb = true;
  auto pg = common::EmbeddedPostgres::Start(options);
  ASSERT_TRUE(pg.ok()) << pg.status();
  ASSERT_TRUE((*pg)->CreateDatabaseIfMissing("registry").ok());
  ASSERT_TRUE((*pg)->CreateDatabaseIfMissing("registry_keys").ok());

  const fs::path data = tmp.path() / "data";
  auto kvod = KvodProcess::Start(
      data, {"--database-url=" + (*pg)->ConnectionString("registry"),
             "--keystore-url=" + (*pg)->ConnectionString("registry_keys")});
  ASSERT_NE(kvod, nullptr);
  EXPECT_EQ(kvod->Kvo({"health"}).exit_code, 0);
  EXPECT_FALSE(fs::exists(data / "pg")) << "no embedded cluster when external";
  EXPECT_EQ(kvod->Stop(), 0);
  pqxx::connection conn((*pg)->ConnectionString("registry"));
  pqxx::work tx(conn);
  EXPECT_GT(tx.exec1("SELECT count(*) FROM schema_migrations")[0].as<int>(), 0);
}

// Every start-up error: one clear line on stderr, exit code 2, and a data
// directory that did not exist before still does not.
struct StartupCase {
  std::string name;
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::string expected;
};

class StartupErrorTest : public ::testing::TestWithParam<StartupCase> {};

TEST_P(StartupErrorTest, OneLineExitTwoNothingCreated) {
  TempDir tmp;
  const fs::path data = tmp.path() / "data";
  std::ofstream(tmp.path() / "a-file") << "not a directory";
  std::vector<std::string> args = {"--data-dir=" + data.string()};
  for (std::string arg : GetParam().args) {
    auto at = arg.find("{tmp}");
    if (at != std::string::npos) arg.replace(at, 5, tmp.path().string());
    args.push_back(arg);
  }
  CommandResult r = RunCommand(KvodCommand(std::move(args)),
                               std::chrono::seconds(60), GetParam().env);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr(GetParam().expected));
  EXPECT_EQ(NonEmptyLines(r.err), 1) << r.err;
  EXPECT_THAT(r.err, Not(HasSubstr("\"level\"")));
  EXPECT_FALSE(fs::exists(data)) << "a failed start must not create " << data;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, StartupErrorTest,
    ::testing::Values(
        StartupCase{"UnknownFlag", {"--frobnicate"}, {}, "frobnicate"},
        StartupCase{
            "BadListen", {"--listen=nonsense"}, {}, "expected host:port"},
        StartupCase{"BadHttpListen",
                    {"--http-listen=nonsense"},
                    {},
                    "--http-listen nonsense: expected host:port"},
        StartupCase{"BadPageThreads",
                    {"--page-threads=0"},
                    {},
                    "--page-threads: Value 0 not in range 1 to 256"},
        StartupCase{"BadPageKeepAlive",
                    {"--page-keep-alive=3601"},
                    {},
                    "--page-keep-alive: Value 3601 not in range 1 to 600"},
        StartupCase{"BadTrustedProxy",
                    {"--trusted-proxy=10.0.0.0/8,10.0.0.0/33"},
                    {},
                    "--trusted-proxy: \"10.0.0.0/33\" is not an address "
                    "range"},
        StartupCase{"TrustedProxyByName",
                    {},
                    {"KVO_TRUSTED_PROXY=haproxy.example"},
                    "--trusted-proxy: \"haproxy.example\" is not an "
                    "address range"},
        StartupCase{"BadPgNice",
                    {"--pg-nice=40"},
                    {},
                    "--pg-nice: Value 40 not in range 0 to 19"},
        StartupCase{"MissingPostgres",
                    {},
                    {"KVO_PG_BINDIR=/nonexistent/pg/bin"},
                    "PostgreSQL 15 server binaries not found"},
        StartupCase{"UnreachableExternalDatabase",
                    {"--database-url=host=/nonexistent-kvo port=1 dbname=x "
                     "connect_timeout=2",
                     "--keystore-url=host=/nonexistent-kvo port=1 dbname=y "
                     "connect_timeout=2"},
                    {},
                    "cannot reach the database given by --database-url"},
        StartupCase{"ExternalDatabaseWithoutKeyStore",
                    {"--database-url=host=/nonexistent-kvo port=1 dbname=x"},
                    {},
                    "--database-url and --keystore-url go together"},
        StartupCase{"KeyStoreInTheDataDatabase",
                    {"--database-url=host=/nonexistent-kvo dbname=x",
                     "--keystore-url=host=/nonexistent-kvo dbname=x"},
                    {},
                    "--keystore-url: must name another database"},
        StartupCase{"MissingPolicy",
                    {"--policy={tmp}/missing.textproto"},
                    {},
                    "missing.textproto"},
        StartupCase{"PolicyIsNotAFile", {"--policy={tmp}"}, {}, "kvo-test-"}),
    [](const auto& info) { return info.param.name; });

TEST(KvodE2E, DataDirThatIsAFileIsRefused) {
  TempDir tmp;
  const fs::path file = tmp.path() / "data";
  std::ofstream(file) << "x";
  CommandResult r = RunCommand(KvodCommand({"--data-dir=" + file.string()}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("not a directory"));
  EXPECT_EQ(ReadFile(file), "x");
}

TEST(KvodE2E, PortInUseIsRefusedBeforeAnythingIsCreated) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const int port = ntohs(addr.sin_port);

  TempDir tmp;
  const fs::path data = tmp.path() / "data";
  CommandResult r =
      RunCommand(KvodCommand({"--data-dir=" + data.string(),
                              "--listen=127.0.0.1:" + std::to_string(port)}));
  ::close(fd);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err,
              HasSubstr("cannot listen on 127.0.0.1:" + std::to_string(port)));
  EXPECT_FALSE(fs::exists(data));
}

// The default policy with `needle` replaced; kvod must refuse it naming
// `field` on the needle's line, and write nothing.
void ExpectPolicyRefused(const std::string& needle,
                         const std::string& replacement,
                         const std::string& field) {
  TempDir tmp;
  std::string policy =
      ReadFile(fs::path(KVO_SOURCE_DIR) / "policy" / "default.textproto");
  auto at = policy.find(needle);
  ASSERT_NE(at, std::string::npos);
  const int line = 1 + std::count(policy.begin(), policy.begin() + at, '\n');
  policy.replace(at, needle.size(), replacement);
  const fs::path bad = tmp.path() / "bad.textproto";
  std::ofstream(bad) << policy;

  const fs::path data = tmp.path() / "data";
  CommandResult r = RunCommand(
      KvodCommand({"--data-dir=" + data.string(), "--policy=" + bad.string()}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err,
              HasSubstr(bad.string() + ":" + std::to_string(line) + ":"));
  EXPECT_THAT(r.err, HasSubstr(field));
  EXPECT_FALSE(fs::exists(data));
}

TEST(KvodE2E, BadPolicyIsRefusedWithItsLine) {
  ExpectPolicyRefused("max_card_days: 730", "max_card_days: 900",
                      "max_card_days");
}

TEST(KvodE2E, DoorOfflineHoursOutOfRangeIsRefused) {
  ExpectPolicyRefused("max_offline_hours: 24", "max_offline_hours: 169",
                      "door.max_offline_hours: must be between 1 and 168");
  ExpectPolicyRefused("max_offline_hours: 24", "max_offline_hours: 0",
                      "door.max_offline_hours");
}

TEST(KvodE2E, BadQuestionnaireIsRefusedNamingTheProblem) {
  TempDir tmp;
  std::string questionnaire = ReadFile(fs::path(KVO_SOURCE_DIR) / "data" /
                                       "questionnaire" / "kvo_nl.textproto");
  const std::string needle = "counts_as: \"zeer_veilig\"";
  auto at = questionnaire.find(needle);
  ASSERT_NE(at, std::string::npos);
  questionnaire.replace(at, needle.size(), "counts_as: \"heel_veilig\"");
  const fs::path bad = tmp.path() / "vragenlijst.textproto";
  std::ofstream(bad) << questionnaire;
  const fs::path data = tmp.path() / "data";
  CommandResult r = RunCommand(KvodCommand(
      {"--data-dir=" + data.string(), "--questionnaire=" + bad.string()}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--questionnaire: " + bad.string()));
  EXPECT_THAT(r.err, HasSubstr("question 'v22': counts_as 'heel_veilig'"));
  EXPECT_FALSE(fs::exists(data));
}

}  // namespace
}  // namespace kvo::testing
