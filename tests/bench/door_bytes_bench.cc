// The door's bytes against baselines that do no work, in the same minutes
// (issue 28): rounds that alternate each pair's order, medians with min and
// max, the load average beside each figure, and kvod's (and PostgreSQL's)
// CPU per request from /proc.
//
//  full sync      SyncGallery of 50 bans vs a TLS streaming echo of the same
//                 message sizes: MB/s (goal >= 0.8)
//  cold/cached    a full sync right after a change vs the next one (<= 1.5x)
//  GET /          the door page vs a static HTTPS server (cpp-httplib, the
//                 same certificate) serving the same bytes (>= 0.5)
//  no-change poll GET /api/gallery?since=current, same baseline (>= 0.8)
//  photo view     POST /api/photo and GetPhoto vs static bytes of the same
//                 size (kvod CPU <= 1.5 ms a view)
//  no-change sync SyncGallery vs a unary echo of the same size (>= 0.8)
//
// The baselines run in a child process (this binary with --echo), so their
// CPU is measured the way kvod's is: a callback-API (asynchronous) unary
// echo and a sync-API streaming echo on kvod's own certificate, and a
// cpp-httplib HTTPS server with as many threads as the door page's.

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "kvo/bench/echo.grpc.pb.h"
#include "kvo/v1/gallery.grpc.pb.h"
#include "services/common/crypto.h"
#include "services/common/proc_stat.h"
#include "services/common/tls_material.h"
#include "services/photos/photo_intake.h"
#include "tests/bench/bench_load.h"
#include "tests/bench/door_area.h"
#include "tests/bench/echo_service.h"
#include "tests/support/door_page_client.h"
#include "tests/support/kvod_fixture.h"
#include "tests/support/subprocess.h"

namespace kvo::testing {
namespace {

namespace fs = std::filesystem;
using namespace kvo::v1;
using kvo::bench::EchoReply;
using kvo::bench::EchoRequest;

constexpr int kRounds = 5;
constexpr auto kSide = std::chrono::seconds(2);
constexpr int kColdRounds = 24;
constexpr int kGrpcConcurrency = 32;
constexpr int kHttpClients = 4;
constexpr int kPhotoConcurrency = 4;
constexpr int kHttpThreads = 8;  // the door page's default

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

void WriteFile(const fs::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary) << bytes;
}

// ---- the baselines (child process) ----------------------------------------

// One response of the door page as captured: headers and body.
struct Captured {
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

void SaveCaptured(const fs::path& dir, const std::string& name,
                  const httplib::Response& res) {
  std::string headers;
  for (const auto& [k, v] : res.headers) {
    if (k == "Set-Cookie" || k == "Content-Length" || k == "Content-Type" ||
        k == "Keep-Alive" || k == "Connection" || k == "Date") {
      continue;
    }
    absl::StrAppend(&headers, k, "\t", v, "\n");
  }
  WriteFile(dir / (name + ".headers"), headers);
  WriteFile(dir / (name + ".type"), res.get_header_value("Content-Type"));
  WriteFile(dir / (name + ".body"), res.body);
}

Captured LoadCaptured(const fs::path& dir, const std::string& name) {
  Captured c;
  c.content_type = ReadFile(dir / (name + ".type"));
  c.body = ReadFile(dir / (name + ".body"));
  for (absl::string_view line : absl::StrSplit(
           ReadFile(dir / (name + ".headers")), '\n', absl::SkipEmpty())) {
    std::pair<std::string, std::string> kv =
        absl::StrSplit(line, absl::MaxSplits('\t', 1));
    c.headers.push_back(std::move(kv));
  }
  return c;
}

httplib::Server::Handler Serve(Captured c) {
  return [c = std::move(c)](const httplib::Request&, httplib::Response& res) {
    for (const auto& [k, v] : c.headers) res.set_header(k.c_str(), v);
    res.set_content(c.body, c.content_type.c_str());
  };
}

// --echo TLS_DIR CAPTURED_DIR: serves until SIGTERM.
int EchoMain(const fs::path& tls_dir, const fs::path& captured) {
  auto tls = common::EnsureTlsMaterial(tls_dir);
  if (!tls.ok()) {
    std::fprintf(stderr, "echo: %s\n",
                 std::string(tls.status().message()).c_str());
    return 1;
  }
  EchoService service;
  int grpc_port = 0;
  auto server = StartEchoServer(*tls, service, &grpc_port);
  if (server == nullptr) return 1;

  httplib::SSLServer https((tls_dir / "server.crt").c_str(),
                           (tls_dir / "server.key").c_str());
  https.set_tcp_nodelay(true);
  https.set_keep_alive_max_count(100);
  https.set_keep_alive_timeout(5);
  https.new_task_queue = [] { return new httplib::ThreadPool(kHttpThreads); };
  https.Get("/", Serve(LoadCaptured(captured, "home")));
  https.Get("/api/gallery", Serve(LoadCaptured(captured, "poll")));
  https.Post("/api/photo", Serve(LoadCaptured(captured, "photo")));
  const int http_port = https.bind_to_any_port("127.0.0.1");
  if (http_port <= 0) return 1;
  std::thread http([&] { https.listen_after_bind(); });
  std::printf("echo: %d %d\n", grpc_port, http_port);
  std::fflush(stdout);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  int sig = 0;
  sigwait(&set, &sig);
  https.stop();
  http.join();
  server->Shutdown();
  return 0;
}

// ---- measuring ------------------------------------------------------------

double CpuSeconds(pid_t pid) {
  const auto f = common::ProcStatFields(pid);
  if (f.size() < 13) return 0;
  return (std::stod(f[11]) + std::stod(f[12])) / sysconf(_SC_CLK_TCK);
}

// PostgreSQL's CPU: the postmaster's reaped children and its live ones.
double PostgresCpu(const fs::path& data) {
  std::ifstream pid_file(data / "pg" / "postmaster.pid");
  pid_t postmaster = 0;
  pid_file >> postmaster;
  if (postmaster <= 0) return 0;
  const auto f = common::ProcStatFields(postmaster);
  if (f.size() < 15) return 0;
  double s = (std::stod(f[11]) + std::stod(f[12]) + std::stod(f[13]) +
              std::stod(f[14])) /
             sysconf(_SC_CLK_TCK);
  for (const auto& e : fs::directory_iterator("/proc")) {
    pid_t pid = 0;
    if (!absl::SimpleAtoi(e.path().filename().string(), &pid)) continue;
    const auto g = common::ProcStatFields(pid);
    pid_t parent = 0;
    if (g.size() > 1 && absl::SimpleAtoi(g[1], &parent) &&
        parent == postmaster) {
      s += CpuSeconds(pid);
    }
  }
  return s;
}

double LoadAverage() {
  double one = 0;
  std::ifstream("/proc/loadavg") >> one;
  return one;
}

struct Cpu {
  double kvod = 0, pg = 0, echo = 0;
};

struct Pids {
  pid_t kvod = 0, echo = 0;
  fs::path data;
  Cpu Sample() const {
    return {CpuSeconds(kvod), PostgresCpu(data), CpuSeconds(echo)};
  }
};

// One side of a pair, measured: operations, bytes, seconds, CPU.
struct Side {
  double ops = 0, bytes = 0, seconds = 0;
  Cpu cpu;  // seconds spent while it ran
  double rate() const { return ops / seconds; }
  double mb_per_s() const { return bytes / seconds / 1e6; }
};

using Runner = std::function<LoadResult()>;

Side Measure(const Pids& pids, const Runner& run) {
  const Cpu a = pids.Sample();
  const LoadResult r = run();
  const Cpu b = pids.Sample();
  Side s;
  s.ops = static_cast<double>(r.calls);
  s.bytes = static_cast<double>(r.bytes);
  s.seconds = r.seconds;
  s.cpu = {b.kvod - a.kvod, b.pg - a.pg, b.echo - a.echo};
  if (r.failed > 0) std::printf("    (%ld failed)\n", long(r.failed));
  return s;
}

// The figures of one row over its rounds.
struct Row {
  std::string name;
  bool by_bytes = false;  // MB/s rather than calls/s
  std::vector<double> ratio, subject, baseline, kvod_ms, pg_ms, echo_ms, load;
};

std::string Spread(std::vector<double> v, int digits = 3) {
  if (v.empty()) return "-";
  std::sort(v.begin(), v.end());
  return absl::StrFormat("%.*f (%.*f-%.*f)", digits, v[v.size() / 2], digits,
                         v.front(), digits, v.back());
}

void RunPair(const Pids& pids, Row& row, int round, const Runner& subject,
             const Runner& baseline) {
  Side s, b;
  const double load = LoadAverage();
  if (round % 2 == 0) {
    s = Measure(pids, subject);
    b = Measure(pids, baseline);
  } else {
    b = Measure(pids, baseline);
    s = Measure(pids, subject);
  }
  const double sv = row.by_bytes ? s.mb_per_s() : s.rate();
  const double bv = row.by_bytes ? b.mb_per_s() : b.rate();
  row.subject.push_back(sv);
  row.baseline.push_back(bv);
  row.ratio.push_back(bv > 0 ? sv / bv : 0);
  row.kvod_ms.push_back(s.ops > 0 ? s.cpu.kvod * 1e3 / s.ops : 0);
  row.pg_ms.push_back(s.ops > 0 ? s.cpu.pg * 1e3 / s.ops : 0);
  row.echo_ms.push_back(b.ops > 0 ? b.cpu.echo * 1e3 / b.ops : 0);
  row.load.push_back(load);
  std::printf(
      "  %-22s round %d: %9.1f vs %9.1f %s  ratio %.3f  kvod %.3f ms, "
      "pg %.3f ms, baseline %.3f ms CPU/op  load %.2f\n",
      row.name.c_str(), round + 1, sv, bv, row.by_bytes ? "MB/s" : "/s",
      row.ratio.back(), row.kvod_ms.back(), row.pg_ms.back(),
      row.echo_ms.back(), load);
  std::fflush(stdout);
}

// `clients` threads each keep one HTTPS connection busy with `request`
// for `duration`; a call whose answer is not `want_status` fails.
LoadResult HttpLoad(
    const std::string& url, const std::string& ca, int clients,
    std::chrono::seconds duration,
    const std::function<httplib::Result(httplib::Client&)>& request,
    int want_status = 200) {
  std::atomic<int64_t> calls{0}, failed{0}, bytes{0};
  const auto begin = BenchClock::now();
  const auto end = begin + duration;
  std::vector<std::thread> threads;
  for (int i = 0; i < clients; ++i) {
    threads.emplace_back([&] {
      httplib::Client c(url);
      c.set_ca_cert_path(ca.c_str());
      c.enable_server_certificate_verification(true);
      c.set_keep_alive(true);
      c.set_read_timeout(30, 0);
      while (BenchClock::now() < end && failed < 100) {
        auto res = request(c);
        if (res && res->status == want_status) {
          ++calls;
          bytes += static_cast<int64_t>(res->body.size());
        } else {
          ++failed;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  LoadResult r;
  r.calls = calls;
  r.failed = failed;
  r.bytes = bytes;
  r.seconds = std::chrono::duration<double>(BenchClock::now() - begin).count();
  return r;
}

void Summary(const Row& row, const char* goal) {
  std::printf(
      "%-22s ratio %s  [%s: %s vs %s]  kvod CPU/op %s ms  pg CPU/op %s ms  "
      "baseline CPU/op %s ms  load %s  goal %s\n",
      row.name.c_str(), Spread(row.ratio).c_str(),
      row.by_bytes ? "MB/s" : "ops/s", Spread(row.subject, 1).c_str(),
      Spread(row.baseline, 1).c_str(), Spread(row.kvod_ms).c_str(),
      Spread(row.pg_ms).c_str(), Spread(row.echo_ms).c_str(),
      Spread(row.load, 2).c_str(), goal);
}

int Main(int argc, char** argv) {
  if (argc == 4 && std::string(argv[1]) == "--echo") {
    return EchoMain(argv[2], argv[3]);
  }
  if (!photos::InitImaging(argv[0]) || !common::InitCrypto()) return 1;
  KvodEnv env;
  if (!StartDoorKvod(env)) return 1;
  if (env.kvod_->door_url().empty()) {
    std::fprintf(stderr, "bench: kvod did not start (with its door page)\n");
    return 1;
  }
  const std::string police = env.MakeUser("agent", ROLE_POLICE, {env.area_a_});
  int64_t door_id = 0;
  const std::string door =
      env.MakeUser("bakker", ROLE_SHOPKEEPER, {env.area_a_}, &door_id);
  env.AdmitToDoor(env.area_a_, {door_id});
  std::printf("preparing %d bans with photos...\n", kBans);
  int64_t first_person = 0;
  if (!PopulateArea(env, police, &first_person)) {
    std::fprintf(stderr, "bench: could not populate the area\n");
    return 1;
  }
  auto gallery = GalleryService::NewStub(env.kvod_->Channel());
  int64_t version = 0;
  const std::vector<int32_t> full = SyncSizes(*gallery, door, 0, &version);
  const std::vector<int32_t> none =
      SyncSizes(*gallery, door, version, &version);
  if (full.size() != kBans + 1 || none.size() != 1) {
    std::fprintf(stderr, "bench: unexpected sync (%zu, %zu messages)\n",
                 full.size(), none.size());
    return 1;
  }

  // The door page's answers, to serve the same bytes statically.
  const std::string ca = env.kvod_->ca_path();
  std::string url = env.kvod_->door_url();
  while (!url.empty() && url.back() == '/') url.pop_back();
  DoorPageClient page(url, ca);
  const auto session = page.Open("bakker", kPassword);
  if (!session.error.empty()) {
    std::fprintf(stderr, "bench: door page: %s\n", session.error.c_str());
    return 1;
  }
  const httplib::Headers cookie = {{"Cookie", session.cookie}};
  const httplib::Headers api = {{"Cookie", session.cookie},
                                {"X-CSRF-Token", session.csrf}};
  const std::string poll_path = absl::StrCat("/api/gallery?since=", version);
  const std::string photo_form =
      absl::StrCat("entry=", first_person, "&csrf=", session.csrf);
  const fs::path captured = env.tmp_.path() / "captured";
  fs::create_directories(captured);
  {
    auto c = page.Https();
    auto home = c->Get("/", cookie);
    auto poll = c->Get(poll_path.c_str(), api);
    auto photo = c->Post("/api/photo", api, photo_form,
                         "application/x-www-form-urlencoded");
    if (!home || home->status != 200 || !poll || poll->status != 200 ||
        !photo || photo->status != 200) {
      std::fprintf(stderr, "bench: door page answers: %d %d %d\n",
                   home ? home->status : 0, poll ? poll->status : 0,
                   photo ? photo->status : 0);
      return 1;
    }
    SaveCaptured(captured, "home", *home);
    SaveCaptured(captured, "poll", *poll);
    SaveCaptured(captured, "photo", *photo);
    std::printf("door page: GET / %zu bytes, poll %zu bytes, photo %zu bytes\n",
                home->body.size(), poll->body.size(), photo->body.size());
  }
  Subprocess echo({fs::read_symlink("/proc/self/exe").string(), "--echo",
                   (env.data_ / "tls").string(), captured.string()});
  const auto ports = echo.WaitForLine("echo: ", std::chrono::seconds(20));
  std::vector<std::string> p = absl::StrSplit(ports.value_or(""), ' ');
  if (p.size() != 3) {
    std::fprintf(stderr, "bench: echo did not start: %s\n",
                 echo.Stderr().c_str());
    return 1;
  }
  const std::string static_url = absl::StrCat("https://localhost:", p[2]);
  grpc::SslCredentialsOptions client;
  client.pem_root_certs = ReadFile(ca);
  auto echo_channel = grpc::CreateChannel(absl::StrCat("localhost:", p[1]),
                                          grpc::SslCredentials(client));
  auto echo_stub = kvo::bench::Echo::NewStub(echo_channel);
  const Pids pids{env.kvod_->process().pid(), echo.pid(), env.data_};

  int64_t full_bytes = 0;
  for (int32_t s : full) full_bytes += s;
  std::printf("full sync: %zu messages, %.1f KB\n", full.size(),
              full_bytes / 1e3);

  // The requests.
  SyncGalleryRequest all;
  EchoRequest echo_all;
  echo_all.set_payload(std::string(all.ByteSizeLong(), 'p'));
  for (int32_t s : full) echo_all.add_sizes(s > 4 ? s - 4 : 1);
  SyncGalleryRequest same;
  same.set_since_version(version);
  EchoRequest echo_same;
  echo_same.set_payload(std::string(same.ByteSizeLong(), 'p'));
  echo_same.add_sizes(none[0] > 2 ? none[0] - 2 : 1);
  GetPhotoRequest photo_req;
  photo_req.set_entry_id(first_person);
  int64_t photo_size = 0;
  {
    Photo photo;
    if (!gallery->GetPhoto(Ctx(door).get(), photo_req, &photo).ok()) {
      std::fprintf(stderr, "bench: GetPhoto failed\n");
      return 1;
    }
    photo_size = static_cast<int64_t>(photo.ByteSizeLong());
  }
  EchoRequest echo_photo;
  echo_photo.set_payload(std::string(photo_req.ByteSizeLong(), 'p'));
  echo_photo.add_sizes(static_cast<int32_t>(photo_size - 4));

  auto full_sync = [&] {
    return Load<GalleryUpdate>(
               Streamer(gallery.get(), all,
                        &GalleryService::Stub::async_interface::SyncGallery),
               door)
        .Run(kGrpcConcurrency, kSide);
  };
  auto echo_stream = [&] {
    return Load<EchoReply>(
               Streamer(echo_stub.get(), echo_all,
                        &kvo::bench::Echo::Stub::async_interface::Stream),
               door)
        .Run(kGrpcConcurrency, kSide);
  };
  auto no_change_sync = [&] {
    return Load<GalleryUpdate>(
               Streamer(gallery.get(), same,
                        &GalleryService::Stub::async_interface::SyncGallery),
               door)
        .Run(kGrpcConcurrency, kSide);
  };
  auto echo_unary = [&] {
    return UnaryLoad<kvo::bench::Echo::Stub, EchoRequest, EchoReply>(
               echo_stub.get(), &kvo::bench::Echo::Stub::async_interface::Unary,
               echo_same, door)
        .Run(kGrpcConcurrency, kSide);
  };
  auto get_photo = [&] {
    return UnaryLoad<GalleryService::Stub, GetPhotoRequest, Photo>(
               gallery.get(), &GalleryService::Stub::async_interface::GetPhoto,
               photo_req, door)
        .Run(kPhotoConcurrency, kSide);
  };
  auto echo_photo_bytes = [&] {
    return UnaryLoad<kvo::bench::Echo::Stub, EchoRequest, EchoReply>(
               echo_stub.get(), &kvo::bench::Echo::Stub::async_interface::Unary,
               echo_photo, door)
        .Run(kPhotoConcurrency, kSide);
  };
  auto http = [&](const std::string& base, int clients,
                  std::function<httplib::Result(httplib::Client&)> request) {
    return [&ca, base, clients, request] {
      return HttpLoad(base, ca, clients, kSide, request);
    };
  };
  auto get_home = [&](httplib::Client& c) { return c.Get("/", cookie); };
  auto get_poll = [&](httplib::Client& c) {
    return c.Get(poll_path.c_str(), api);
  };
  auto post_photo = [&](httplib::Client& c) {
    return c.Post("/api/photo", api, photo_form,
                  "application/x-www-form-urlencoded");
  };

  Row full_row{"full sync", true}, home_row{"door page GET /"},
      poll_row{"door page poll"}, page_photo_row{"photo view (page)"},
      grpc_photo_row{"photo view (gRPC)"}, same_row{"no-change SyncGallery"};
  // Warm every path once.
  full_sync();
  echo_stream();
  // KVO_BENCH_ROWS="photo,home": only the rows whose name holds one of
  // these words (to profile one path); KVO_BENCH_ROUNDS: how many rounds.
  std::vector<std::string> only;
  if (const char* rows = std::getenv("KVO_BENCH_ROWS")) {
    only = absl::StrSplit(rows, ',', absl::SkipEmpty());
  }
  auto wanted = [&](const Row& row) {
    if (only.empty()) return true;
    for (const auto& word : only) {
      if (absl::StrContains(row.name, word)) return true;
    }
    return false;
  };
  int rounds = kRounds;
  if (const char* n = std::getenv("KVO_BENCH_ROUNDS")) {
    if (!absl::SimpleAtoi(n, &rounds) || rounds < 1) rounds = kRounds;
  }
  const std::vector<std::tuple<Row*, Runner, Runner>> pairs = {
      {&full_row, full_sync, echo_stream},
      {&home_row, http(url, kHttpClients, get_home),
       http(static_url, kHttpClients, get_home)},
      {&poll_row, http(url, kHttpClients, get_poll),
       http(static_url, kHttpClients, get_poll)},
      {&page_photo_row, http(url, kPhotoConcurrency, post_photo),
       http(static_url, kPhotoConcurrency, post_photo)},
      {&grpc_photo_row, get_photo, echo_photo_bytes},
      {&same_row, no_change_sync, echo_unary}};
  for (int round = 0; round < rounds; ++round) {
    std::printf("round %d of %d\n", round + 1, rounds);
    for (const auto& [row, subject, baseline] : pairs) {
      if (wanted(*row)) RunPair(pids, *row, round, subject, baseline);
    }
  }

  // Cold against cached: one call at a time, the upload not timed.
  const int cold_rounds =
      only.empty() || std::count(only.begin(), only.end(), "cold") > 0
          ? kColdRounds
          : 0;
  std::printf("cold full sync after a change, then the next, %d rounds\n",
              cold_rounds);
  const std::string new_photo = NoisePhoto(99);
  std::vector<double> cold_ms, cached_ms, cold_ratio, cold_load;
  // CPU over all rounds: one sync is about a clock tick of it.
  Cpu cold_cpu, cached_cpu;
  for (int i = 0; i < cold_rounds; ++i) {
    if (!Upload(*gallery, police, first_person, new_photo)) {
      std::fprintf(stderr, "bench: upload failed\n");
      return 1;
    }
    int64_t ignored = 0;
    Cpu a = pids.Sample();
    auto t0 = BenchClock::now();
    const bool cold_ok = SyncSizes(*gallery, door, 0, &ignored).size() ==
                         static_cast<size_t>(kBans + 1);
    auto t1 = BenchClock::now();
    Cpu b = pids.Sample();
    const bool cached_ok = SyncSizes(*gallery, door, 0, &ignored).size() ==
                           static_cast<size_t>(kBans + 1);
    auto t2 = BenchClock::now();
    Cpu c = pids.Sample();
    if (!cold_ok || !cached_ok) {
      std::fprintf(stderr, "bench: full sync failed\n");
      return 1;
    }
    cold_ms.push_back(
        std::chrono::duration<double, std::milli>(t1 - t0).count());
    cached_ms.push_back(
        std::chrono::duration<double, std::milli>(t2 - t1).count());
    cold_ratio.push_back(cold_ms.back() / cached_ms.back());
    cold_cpu.kvod += b.kvod - a.kvod;
    cold_cpu.pg += b.pg - a.pg;
    cached_cpu.kvod += c.kvod - b.kvod;
    cached_cpu.pg += c.pg - b.pg;
    if (i % 4 == 3) cold_load.push_back(LoadAverage());
  }

  std::printf("\nsummary: median (min-max) over %d interleaved rounds\n",
              rounds);
  Summary(full_row, ">= 0.8");
  Summary(home_row, ">= 0.5");
  Summary(poll_row, ">= 0.8");
  Summary(page_photo_row, "kvod CPU <= 1.5 ms");
  Summary(grpc_photo_row, "kvod CPU <= 1.5 ms");
  Summary(same_row, ">= 0.8");
  const double n = std::max(cold_rounds, 1);
  std::printf(
      "%-22s ratio %s  [cold %s ms, cached %s ms; CPU a sync: kvod %.2f vs "
      "%.2f ms, pg %.2f vs %.2f ms]  load %s  goal <= 1.5\n",
      "cold/cached full sync", Spread(cold_ratio).c_str(),
      Spread(cold_ms, 1).c_str(), Spread(cached_ms, 1).c_str(),
      cold_cpu.kvod * 1e3 / n, cached_cpu.kvod * 1e3 / n, cold_cpu.pg * 1e3 / n,
      cached_cpu.pg * 1e3 / n, Spread(cold_load, 2).c_str());
  echo.Signal(SIGTERM);
  echo.Wait(std::chrono::seconds(10));
  env.TearDown();
  return 0;
}

}  // namespace
}  // namespace kvo::testing

int main(int argc, char** argv) { return kvo::testing::Main(argc, argv); }
