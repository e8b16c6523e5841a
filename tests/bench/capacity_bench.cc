// What one kvod and its PostgreSQL cost per request of each kind the
// country sends, and at one kvod's share of the national peak (issue 27,
// docs/capacity.md). The real kvod on its embedded cluster with durable
// commits, over TLS; the door page over HTTPS as its script polls it.
//
// Each kind runs alone at a fixed offered rate (open loop: a request
// starts on its schedule whether or not the one before came back), after
// an idle phase whose CPU is subtracted, so what is left is the CPU one
// request costs kvod and PostgreSQL. Then all kinds together at the rates
// of the national mix (docs/capacity.md), scaled by --scale: CPU cores in
// use, memory, and each kind's p99.
//
//   capacity_bench [--scale F] [--seconds N] [--phase-seconds N]

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>
#include <vips/vips8>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "kvo/v1/gallery.grpc.pb.h"
#include "kvo/v1/identity.grpc.pb.h"
#include "kvo/v1/registry.grpc.pb.h"
#include "services/common/crypto.h"
#include "services/photos/photo_intake.h"
#include "tests/bench/bench_load.h"
#include "tests/bench/bench_proc.h"
#include "tests/bench/door_area.h"
#include "tests/support/door_page_client.h"
#include "tests/support/kvod_fixture.h"
#include "tests/support/test_images.h"

namespace kvo::testing {
namespace {

using namespace kvo::v1;
using Clock = std::chrono::steady_clock;

// One kvod's share of the national peak, requests per second, with one of
// the three machines down (two kvods carry it all). docs/capacity.md
// derives each from the national numbers.
struct Mix {
  double device_syncs = 417;  // no-change SyncGallery of shop devices
  double page_polls = 417;    // no-change polls of open door pages
  double page_opens = 14;     // a door page's full gallery (since 0)
  double photo_views = 10;    // a full photo at the door
  double new_cards = 1;       // person + incident + card, by the police
  double logins = 5.6;        // doors signing in at opening (12 h tokens)
};

// One worker's request; false when it failed (saying why in Failure()).
using Request = std::function<bool()>;
std::string& Failure() {
  static thread_local std::string why;
  return why;
}
// False, with `why` as the failure.
bool Fail(std::string why) {
  Failure() = std::move(why);
  return false;
}

struct Outcome {
  int64_t done = 0, failed = 0, late = 0;
  std::string first_failure;
  std::vector<double> latencies_ms;
  double percentile(double p) const { return Percentile(latencies_ms, p); }
};

// `requests.size()` workers share `rate` per second between them for
// `seconds`, each on its own schedule. A worker more than a second behind
// drops what it owes (counted as late) instead of bursting.
class Paced {
 public:
  Paced(double rate, std::vector<Request> requests)
      : rate_(rate), requests_(std::move(requests)) {}

  void Start(Clock::time_point until) {
    if (rate_ <= 0) return;
    const auto interval = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(requests_.size() / rate_));
    for (size_t w = 0; w < requests_.size(); ++w) {
      threads_.emplace_back([this, w, interval, until] {
        // Spread the workers' first requests over one interval.
        // (Signed arithmetic: an unsigned duration never falls behind.)
        Clock::time_point next =
            Clock::now() + interval * static_cast<int64_t>(w) /
                               static_cast<int64_t>(requests_.size());
        while (next < until) {
          std::this_thread::sleep_until(next);
          const auto start = Clock::now();
          const bool ok = requests_[w]();
          const double ms =
              std::chrono::duration<double, std::milli>(Clock::now() - start)
                  .count();
          {
            std::lock_guard lock(mu_);
            if (ok) {
              ++outcome_.done;
              outcome_.latencies_ms.push_back(ms);
            } else if (++outcome_.failed == 1) {
              outcome_.first_failure = Failure();
            }
          }
          next += interval;
          if (Clock::now() - next > std::chrono::seconds(1)) {
            std::lock_guard lock(mu_);
            while (Clock::now() - next > interval) {
              next += interval;
              ++outcome_.late;
            }
          }
        }
      });
    }
  }

  Outcome Join() {
    for (auto& t : threads_) t.join();
    threads_.clear();
    return outcome_;
  }

 private:
  double rate_;
  std::vector<Request> requests_;
  std::vector<std::thread> threads_;
  std::mutex mu_;
  Outcome outcome_;  // guarded by mu_
};

// A whole SyncGallery from `since`: the version reached (0 on failure) and
// the entries seen.
int64_t SyncAll(GalleryService::Stub& gallery, const std::string& token,
                int64_t since, std::vector<int64_t>* entries = nullptr) {
  SyncGalleryRequest req;
  req.set_since_version(since);
  auto ctx = Ctx(token);
  auto reader = gallery.SyncGallery(ctx.get(), req);
  GalleryUpdate u;
  int64_t version = 0;
  while (reader->Read(&u)) {
    if (u.has_version()) version = u.version().version();
    if (u.has_entry() && entries != nullptr) {
      entries->push_back(u.entry().entry_id());
    }
  }
  const grpc::Status status = reader->Finish();
  if (!status.ok()) Fail("SyncGallery: " + status.error_message());
  return status.ok() ? version : 0;
}

struct Kind {
  const char* name;
  double Mix::*rate;
  int workers;
  // A request of this kind for worker `w`.
  std::function<Request(int w)> make;
};

struct Args {
  double scale = 1;
  int seconds = 30;
  int phase_seconds = 10;
};

Args Parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    bool ok = false;
    if (flag == "--scale") ok = absl::SimpleAtod(value, &a.scale);
    if (flag == "--seconds") ok = absl::SimpleAtoi(value, &a.seconds);
    if (flag == "--phase-seconds")
      ok = absl::SimpleAtoi(value, &a.phase_seconds);
    if (!ok) {
      std::fprintf(stderr, "capacity_bench: bad %s %s\n", flag.c_str(),
                   value.c_str());
      std::exit(2);
    }
  }
  return a;
}

int Main(int argc, char** argv) {
  const Args args = Parse(argc, argv);
  // A door page connection kvod closed must fail a request, not end the
  // bench; and what it printed must be in the file when it is redirected.
  std::signal(SIGPIPE, SIG_IGN);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  if (!photos::InitImaging(argv[0]) || !common::InitCrypto()) return 1;
  KvodEnv env;
  if (!StartDoorKvod(env)) return 1;
  const pid_t kvod = env.kvod_->process().pid();
  auto channel = env.kvod_->Channel();
  auto registry = RegistryService::NewStub(channel);
  auto gallery = GalleryService::NewStub(channel);
  const std::string police = env.MakeUser("agent", ROLE_POLICE, {env.area_a_});
  int64_t door_id = 0;
  const std::string door =
      env.MakeUser("bakker", ROLE_SHOPKEEPER, {env.area_a_}, &door_id);
  env.AdmitToDoor(env.area_a_, {door_id});  // licence first, a shop each
  std::printf("preparing %d bans with photos...\n", kBans);
  int64_t first_person = 0, shop = 0;
  if (!PopulateArea(env, police, &first_person, &shop)) {
    std::fprintf(stderr, "bench: could not populate the area\n");
    return 1;
  }
  std::vector<int64_t> entries;
  const int64_t version = SyncAll(*gallery, door, 0, &entries);
  if (version == 0 || entries.size() != kBans) {
    std::fprintf(stderr, "bench: first sync gave %zu entries\n",
                 entries.size());
    return 1;
  }

  // The door pages: one signed-in page per worker. A page polls once a
  // minute and kvod closes a connection idle for 5 s, so each poll opens a
  // connection of its own (TCP and a TLS handshake), as here.
  const DoorPageClient page_client(env.kvod_->door_url(), env.kvod_->ca_path());
  std::vector<DoorPageClient::Session> pages(12);
  for (auto& page : pages) {
    page = page_client.Open("bakker", kPassword);
    if (!page.error.empty()) {
      std::fprintf(stderr, "bench: door page: %s\n", page.error.c_str());
      return 1;
    }
  }
  // GET /api/gallery?since=N as the page's script asks; the body (empty
  // when it failed).
  auto poll = [&](const DoorPageClient::Session& page, int64_t since) {
    const DoorPageClient::Answer a = page_client.Gallery(page, since);
    if (a.status != 200) {
      Fail(absl::StrCat("page: ", a.status, " ", a.body.substr(0, 80)));
      return std::string();
    }
    return a.body;
  };
  auto identity = IdentityService::NewStub(channel);
  // Logins sign in a till of their own, so the doors' sessions stay as
  // they are.
  env.MakeUser("kassa", ROLE_SHOPKEEPER, {env.area_a_});
  std::atomic<int> next_card{kBans};
  const std::vector<Kind> kinds = {
      {"device sync, no change", &Mix::device_syncs, 8,
       [&](int) -> Request {
         // A device holds the version it reached: while the police write,
         // its next sync brings what changed (a delta), as at a real door.
         auto held = std::make_shared<int64_t>(version);
         return [&, held] {
           const int64_t reached = SyncAll(*gallery, door, *held);
           if (reached == 0) return false;
           *held = reached;
           return true;
         };
       }},
      {"page poll, no change", &Mix::page_polls, 8,
       [&](int w) -> Request {
         auto held = std::make_shared<int64_t>(version);
         return [&, w, held] {
           const std::string body = poll(pages[w], *held);
           if (body.empty()) return false;
           int64_t reached = 0;
           if (absl::SimpleAtoi(
                   DoorPageClient::Between(body, "\"version\":", ","),
                   &reached)) {
             *held = reached;
           }
           return true;
         };
       }},
      {"page open, full gallery", &Mix::page_opens, 4,
       [&](int w) -> Request {
         return [&, w] { return poll(pages[8 + w], 0).size() > kBans * 1000; };
       }},
      {"photo view", &Mix::photo_views, 4,
       [&](int w) -> Request {
         return [&, w] {
           static thread_local int n = 0;
           GetPhotoRequest req;
           req.set_entry_id(entries[(w * 7 + n++) % entries.size()]);
           Photo photo;
           const grpc::Status s =
               gallery->GetPhoto(Ctx(door).get(), req, &photo);
           return s.ok() ? !photo.jpeg().empty()
                         : Fail("GetPhoto: " + s.error_message());
         };
       }},
      {"new card (3 calls)", &Mix::new_cards, 2,
       [&](int) -> Request {
         return [&] {
           return NewCard(*registry, *gallery, police, env.area_a_, shop,
                          next_card++, "");
         };
       }},
      {"login (password hash)", &Mix::logins, 4,
       [&](int) -> Request {
         return [&] {
           LoginRequest req;
           req.set_login("kassa");
           req.set_password(kPassword);
           LoginResponse resp;
           const grpc::Status s = identity->Login(Ctx().get(), req, &resp);
           return s.ok() || Fail("Login: " + s.error_message());
         };
       }},
  };

  // kvod's and PostgreSQL's CPU per second with nothing asked of them.
  std::printf("\nidle, %d s\n", args.phase_seconds);
  const CpuSample idle0 = SampleCpu(kvod, env.data_);
  std::this_thread::sleep_for(std::chrono::seconds(args.phase_seconds));
  const CpuSample idle1 = SampleCpu(kvod, env.data_);
  const double idle_kvod = (idle1.kvod - idle0.kvod) / args.phase_seconds;
  const double idle_pg = (idle1.postgres - idle0.postgres) / args.phase_seconds;
  std::printf("  kvod %.1f %% of a core, PostgreSQL %.1f %%  (load %.2f)\n",
              idle_kvod * 100, idle_pg * 100, LoadAverage());

  // Each kind alone at a rate high enough to weigh its CPU: the mix's
  // rate times 4, at least 20 per second (logins: 10, each costs a
  // password hash).
  const Mix mix;
  std::printf(
      "\neach kind alone, %d s, CPU per request net of idle (ms):\n"
      "  %-26s %8s %8s %7s %7s %6s %6s %8s %8s %6s\n",
      args.phase_seconds, "kind", "offered", "done/s", "p50", "p99", "fail",
      "late", "kvod", "postgres", "load");
  struct Cost {
    double kvod_ms = 0, pg_ms = 0;
  };
  std::vector<Cost> costs;
  for (const Kind& kind : kinds) {
    const double rate =
        kind.rate == &Mix::logins ? 10.0 : std::max(20.0, mix.*kind.rate * 4);
    std::vector<Request> requests;
    for (int w = 0; w < kind.workers; ++w) requests.push_back(kind.make(w));
    Paced paced(rate, std::move(requests));
    const CpuSample a = SampleCpu(kvod, env.data_);
    const auto start = Clock::now();
    paced.Start(start + std::chrono::seconds(args.phase_seconds));
    Outcome o = paced.Join();
    const double secs =
        std::chrono::duration<double>(Clock::now() - start).count();
    const CpuSample b = SampleCpu(kvod, env.data_);
    Cost c;
    if (o.done > 0) {
      c.kvod_ms =
          std::max(0.0, (b.kvod - a.kvod - idle_kvod * secs)) * 1e3 / o.done;
      c.pg_ms = std::max(0.0, (b.postgres - a.postgres - idle_pg * secs)) *
                1e3 / o.done;
    }
    costs.push_back(c);
    std::printf("  %-26s %8.1f %8.1f %7.2f %7.2f %6ld %6ld %8.3f %8.3f %6.2f\n",
                kind.name, rate, o.done / secs, o.percentile(0.5),
                o.percentile(0.99), long(o.failed), long(o.late), c.kvod_ms,
                c.pg_ms, LoadAverage());
    if (!o.first_failure.empty()) {
      std::printf("    first failure: %s\n", o.first_failure.c_str());
    }
  }

  // All together at one kvod's share of the national peak.
  std::printf("\nthe national mix x %.2f (one kvod's share), %d s:\n",
              args.scale, args.seconds);
  std::vector<std::unique_ptr<Paced>> all;
  const auto start = Clock::now();
  const auto until = start + std::chrono::seconds(args.seconds);
  const CpuSample a = SampleCpu(kvod, env.data_);
  for (const Kind& kind : kinds) {
    std::vector<Request> requests;
    for (int w = 0; w < kind.workers; ++w) requests.push_back(kind.make(w));
    all.push_back(std::make_unique<Paced>(mix.*kind.rate * args.scale,
                                          std::move(requests)));
    all.back()->Start(until);
  }
  double offered_kvod = 0, offered_pg = 0;
  for (size_t k = 0; k < kinds.size(); ++k) {
    Outcome o = all[k]->Join();
    const double rate = mix.*kinds[k].rate * args.scale;
    offered_kvod += rate * costs[k].kvod_ms / 1e3;
    offered_pg += rate * costs[k].pg_ms / 1e3;
    std::printf(
        "  %-26s %8.1f/s offered %8.1f/s done  p50 %6.2f  p99 %7.2f ms"
        "  %ld failed, %ld late\n",
        kinds[k].name, rate, double(o.done) / args.seconds, o.percentile(0.5),
        o.percentile(0.99), long(o.failed), long(o.late));
    if (!o.first_failure.empty()) {
      std::printf("    first failure: %s\n", o.first_failure.c_str());
    }
  }
  const double secs =
      std::chrono::duration<double>(Clock::now() - start).count();
  const CpuSample b = SampleCpu(kvod, env.data_);
  const MemorySample m = SampleMemory(kvod, env.data_);
  std::printf(
      "  measured: kvod %.2f cores, PostgreSQL %.2f cores, clients %.2f "
      "(load %.2f)\n"
      "  from the costs above: kvod %.2f + idle %.2f, PostgreSQL %.2f + idle "
      "%.2f\n"
      "  memory: kvod %.0f MB resident (peak %.0f MB), PostgreSQL %.0f MB "
      "(proportional set)\n",
      (b.kvod - a.kvod) / secs, (b.postgres - a.postgres) / secs,
      (b.self - a.self) / secs, LoadAverage(), offered_kvod, idle_kvod,
      offered_pg, idle_pg, m.kvod_rss, m.kvod_peak, m.postgres_pss);
  env.TearDown();
  return 0;
}

}  // namespace
}  // namespace kvo::testing

int main(int argc, char** argv) { return kvo::testing::Main(argc, argv); }
