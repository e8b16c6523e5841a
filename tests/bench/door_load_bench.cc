// Load without collapse (issue 12): the door must not wait behind writers.
//
// The real kvod (embedded cluster, durable commits, TLS) with 50 bans in
// force in area A. 200 no-change SyncGallery calls are kept in flight in
// area A, first alone, then while 64 writers in area B each register a
// person, record an incident and issue a collective warning (every card a
// gallery change the sequencer has to number), in a loop. Reported: the
// door's p50/p99 alone and under the writers (target: loaded p99 <= 3x the
// unloaded p99), the writers' rate, and kvod's resident memory before,
// at its peak and after (bounded: the peak must not keep growing with a
// longer loaded phase, so the loaded phase runs twice).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "kvo/v1/gallery.grpc.pb.h"
#include "kvo/v1/registry.grpc.pb.h"
#include "tests/bench/bench_load.h"
#include "tests/support/kvod_fixture.h"

namespace kvo::testing {
namespace {

using namespace kvo::v1;

constexpr int kBans = 50;
constexpr int kDoors = 200;
constexpr int kWriters = 64;
constexpr auto kRunFor = std::chrono::seconds(6);

// kvod's resident set in MiB (VmRSS), 0 when unreadable.
double ResidentMiB(pid_t pid) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::strtod(line.c_str() + 6, nullptr) / 1024.0;
    }
  }
  return 0;
}

// One writer's loop in `area`: person, incident, collective warning.
struct Writers {
  std::atomic<bool> stop{false};
  std::atomic<int64_t> cards{0};
  std::atomic<int64_t> failed{0};
  std::vector<std::thread> threads;

  void Start(RegistryService::Stub& registry, const std::string& police,
             int64_t area, int64_t shop, int round) {
    for (int w = 0; w < kWriters; ++w) {
      threads.emplace_back([&, w, round] {
        for (int i = 0; !stop; ++i) {
          CreatePersonRequest person;
          person.set_area_id(area);
          person.set_given_names("Piet");
          person.set_surname(absl::StrCat("Schrijver", round, "x", w, "x", i));
          person.set_date_of_birth("1988-02-03");
          person.set_description("grijze jas");
          Person created;
          RecordIncidentRequest incident;
          Incident recorded;
          IssueCardRequest issue;
          Card card;
          if (!registry.CreatePerson(Ctx(police).get(), person, &created)
                   .ok()) {
            ++failed;
            continue;
          }
          incident.set_shop_id(shop);
          incident.set_person_id(created.id());
          incident.mutable_occurred_at()->set_seconds(
              absl::ToUnixSeconds(absl::Now()) - 3600);
          incident.set_offence_type("theft");
          incident.set_description("winkeldiefstal");
          issue.set_scope(CARD_SCOPE_COLLECTIVE);
          if (!registry.RecordIncident(Ctx(police).get(), incident, &recorded)
                   .ok()) {
            ++failed;
            continue;
          }
          issue.set_incident_id(recorded.id());
          if (registry.IssueCard(Ctx(police).get(), issue, &card).ok()) {
            ++cards;
          } else {
            ++failed;
          }
        }
      });
    }
  }
  void Stop() {
    stop = true;
    for (auto& t : threads) t.join();
    threads.clear();
  }
};

bool MakeShop(RegistryService::Stub& registry, const std::string& token,
              int64_t area, int64_t* shop) {
  CreateShopRequest req;
  req.set_area_id(area);
  req.set_name(absl::StrCat("Bakkerij ", area));
  Shop created;
  if (!registry.CreateShop(Ctx(token).get(), req, &created).ok()) return false;
  *shop = created.id();
  return true;
}

int Main() {
  KvodEnv env;
  env.extra_kvod_args_ = {"--pg-setting=fsync=on"};
  AddKvodArgsFromEnv(env.extra_kvod_args_);
  env.policy_edits_ = {
      {"gallery_syncs_per_hour: 600", "gallery_syncs_per_hour: 2000000000"}};
  env.SetUp();
  if (env.kvod_ == nullptr || env.admin_.empty()) {
    std::fprintf(stderr, "bench: kvod did not start\n");
    return 1;
  }
  const pid_t kvod = env.kvod_->process().pid();
  auto registry = RegistryService::NewStub(env.kvod_->Channel());
  const std::string police =
      env.MakeUser("agent", ROLE_POLICE, {env.area_a_, env.area_b_});
  int64_t door_id = 0;
  const std::string door =
      env.MakeUser("bakker", ROLE_SHOPKEEPER, {env.area_a_}, &door_id);
  env.AdmitToDoor(env.area_a_, {door_id});  // licence first
  int64_t shop_a = 0, shop_b = 0;
  if (!MakeShop(*registry, env.admin_, env.area_a_, &shop_a) ||
      !MakeShop(*registry, env.admin_, env.area_b_, &shop_b)) {
    std::fprintf(stderr, "bench: no shops\n");
    return 1;
  }
  std::printf("preparing %d bans in area A...\n", kBans);
  {
    for (int i = 0; i < kBans; ++i) {
      CreatePersonRequest person;
      person.set_area_id(env.area_a_);
      person.set_given_names("Piet");
      person.set_surname(absl::StrCat("Deur", i));
      person.set_date_of_birth("1988-02-03");
      person.set_description("grijze jas");
      Person created;
      RecordIncidentRequest incident;
      Incident recorded;
      IssueCardRequest issue;
      Card card;
      incident.set_shop_id(shop_a);
      incident.set_offence_type("theft");
      incident.set_description("winkeldiefstal");
      incident.mutable_occurred_at()->set_seconds(
          absl::ToUnixSeconds(absl::Now()) - 3600);
      issue.set_scope(CARD_SCOPE_COLLECTIVE);
      if (!registry->CreatePerson(Ctx(police).get(), person, &created).ok() ||
          (incident.set_person_id(created.id()),
           !registry->RecordIncident(Ctx(police).get(), incident, &recorded)
                .ok()) ||
          (issue.set_incident_id(recorded.id()),
           !registry->IssueCard(Ctx(police).get(), issue, &card).ok())) {
        std::fprintf(stderr, "bench: could not populate area A\n");
        return 1;
      }
    }
  }

  auto door_channel = env.kvod_->Channel();
  auto gallery = GalleryService::NewStub(door_channel);
  int64_t version = 0;
  {
    SyncGalleryRequest all;
    auto ctx = Ctx(door);
    auto reader = gallery->SyncGallery(ctx.get(), all);
    GalleryUpdate u;
    while (reader->Read(&u)) {
      if (u.has_version()) version = u.version().version();
    }
    if (!reader->Finish().ok() || version == 0) {
      std::fprintf(stderr, "bench: first sync failed\n");
      return 1;
    }
  }
  SyncGalleryRequest same;
  same.set_since_version(version);
  auto sync = [&](std::chrono::seconds run_for) {
    return Load<GalleryUpdate>(
               Streamer(gallery.get(), same,
                        &GalleryService::Stub::async_interface::SyncGallery),
               door)
        .Run(kDoors, run_for);
  };

  // Writers on their own channel (connection), as other clients would be.
  auto writer_registry = RegistryService::NewStub(env.kvod_->Channel());
  std::printf("\n%d concurrent no-change door syncs, %lds per phase\n", kDoors,
              long(kRunFor.count()));
  sync(std::chrono::seconds(1));  // warm up
  const double rss_before = ResidentMiB(kvod);
  const LoadResult alone1 = sync(kRunFor);
  Report("door alone", alone1);

  double rss_peak = rss_before;
  std::vector<double> peaks;
  std::vector<LoadResult> loaded;
  std::vector<double> writer_rates;
  for (int round = 0; round < 2; ++round) {
    Writers writers;
    writers.Start(*writer_registry, police, env.area_b_, shop_b, round);
    std::atomic<bool> sampling{true};
    double peak = 0;
    std::thread sampler([&] {
      while (sampling) {
        peak = std::max(peak, ResidentMiB(kvod));
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    });
    std::this_thread::sleep_for(std::chrono::seconds(1));  // writers ramp up
    const int64_t cards0 = writers.cards;
    const auto t0 = BenchClock::now();
    loaded.push_back(sync(round == 0 ? kRunFor : 2 * kRunFor));
    const double secs =
        std::chrono::duration<double>(BenchClock::now() - t0).count();
    writer_rates.push_back((writers.cards - cards0) / secs);
    writers.Stop();
    sampling = false;
    sampler.join();
    peaks.push_back(peak);
    rss_peak = std::max(rss_peak, peak);
    Report(round == 0 ? "door, 64 writers" : "door, 64 writers (2x long)",
           loaded.back());
    std::printf(
        "  writers: %.0f cards/s (each with a new person and incident), %ld "
        "failed calls\n",
        writer_rates.back(), long(writers.failed));
  }
  const LoadResult alone2 = sync(kRunFor);
  Report("door alone again", alone2);
  const double rss_after = ResidentMiB(kvod);

  const double unloaded_p99 =
      std::min(alone1.percentile(0.99), alone2.percentile(0.99));
  for (size_t i = 0; i < loaded.size(); ++i) {
    std::printf(
        "loaded phase %zu: door p99 %.2f ms = %.2fx the unloaded p99 %.2f ms "
        "(target <= 3)\n",
        i + 1, loaded[i].percentile(0.99),
        loaded[i].percentile(0.99) / unloaded_p99, unloaded_p99);
  }
  std::printf(
      "kvod resident memory: %.0f MiB before, peak %.0f MiB (phase 1 %.0f, "
      "phase 2 twice as long %.0f), %.0f MiB after\n",
      rss_before, rss_peak, peaks[0], peaks[1], rss_after);
  env.TearDown();
  return 0;
}

}  // namespace
}  // namespace kvo::testing

int main() { return kvo::testing::Main(); }
