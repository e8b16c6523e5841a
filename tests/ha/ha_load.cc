// kvo_ha_load: the clients of scripts/ha-drill.
//
//   kvo_ha_load run    --target H:P --ca FILE --password-file F --police L
//                      --shop-id N --shopkeeper L... --acked FILE
//   kvo_ha_load verify --target H:P --ca FILE --password-file F --police L
//                      --area-id N --acked FILE --events FILE
//
// `run` keeps writers and doors busy until SIGTERM or SIGINT. A writer's
// round records a person, an incident and a card, as the police would; each
// call is retried, as a client following kvod's UNAVAILABLE would, until it
// is answered. A card is acknowledged when IssueCard answered OK, or
// ALREADY_EXISTS for a retry whose first try had reached the database (the
// incident's one card: the registry's own idempotence). Each acknowledged
// card is one line of --acked: "card_id person_id unix_ms". A door syncs its
// gallery every 200 ms from the version it holds; a sync that fails is
// tried again every 250 ms and counts as failed only when no answer came
// within 10 s (see Door).
//
// `verify` lists the area's cards (all, revoked and expired too) and checks
// them against --acked: every acknowledged card is present, no person has
// two, and says how many cards were made whose acknowledgement was lost. It
// prints the longest time without an acknowledged write, overall and after
// each event of --events ("unix_ms label" lines written by the drill).
// Exit 0 when nothing acknowledged is missing or doubled, 1 otherwise.

#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "kvo/v1/gallery.grpc.pb.h"
#include "kvo/v1/identity.grpc.pb.h"
#include "kvo/v1/registry.grpc.pb.h"

namespace {

using namespace kvo::v1;
using SysClock = std::chrono::system_clock;

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop = true; }

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             SysClock::now().time_since_epoch())
      .count();
}

struct Options {
  std::string target, ca, password_file, police, acked, events;
  std::vector<std::string> shopkeepers;
  int64_t shop_id = 0, area_id = 0;
  int writers = 4;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::shared_ptr<grpc::Channel> Channel(const Options& o) {
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = ReadFile(o.ca);
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(16 * 1024 * 1024);
  // Reconnect at once after a kvod went away (HAProxy sends the next
  // connection to one that lives), not after gRPC's default back-off.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  return grpc::CreateCustomChannel(o.target, grpc::SslCredentials(ssl), args);
}

std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token,
                                         int seconds = 5) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(SysClock::now() + std::chrono::seconds(seconds));
  if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
  return ctx;
}

// What a client may try again: the service or its database was away, or
// the call broke on the way.
bool Retryable(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAVAILABLE ||
         code == grpc::StatusCode::DEADLINE_EXCEEDED ||
         code == grpc::StatusCode::ABORTED ||
         code == grpc::StatusCode::UNKNOWN ||
         code == grpc::StatusCode::INTERNAL ||
         code == grpc::StatusCode::CANCELLED;
}

// The number after `marker` in `text` ("(person 17)", "has card 9"); 0 if
// none.
int64_t NumberAfter(const std::string& text, const std::string& marker) {
  const size_t at = text.find(marker);
  if (at == std::string::npos) return 0;
  int64_t n = 0;
  for (size_t i = at + marker.size(); i < text.size() && isdigit(text[i]);
       ++i) {
    n = n * 10 + (text[i] - '0');
  }
  return n;
}

struct Tally {
  std::mutex mu;
  std::ofstream acked;
  std::ofstream doors;
  std::map<std::string, int64_t> codes;  // "method CODE" -> count
  std::vector<std::string> examples;     // first messages of each kind
  int64_t cards = 0, cards_after_retry = 0;
  int64_t syncs = 0, sync_attempts_failed = 0, syncs_failed = 0;
  int64_t writer_rounds_given_up = 0;

  void Failure(const std::string& method, const grpc::Status& s) {
    std::lock_guard<std::mutex> lock(mu);
    const std::string key =
        absl::StrCat(method, " ", static_cast<int>(s.error_code()));
    if (codes[key]++ < 2) {
      examples.push_back(absl::StrCat(method, " code ",
                                      static_cast<int>(s.error_code()), ": ",
                                      s.error_message()));
    }
  }
};

std::string Login(IdentityService::Stub& identity, const std::string& login,
                  const std::string& password, Tally& tally) {
  while (!g_stop) {
    LoginRequest req;
    req.set_login(login);
    req.set_password(password);
    LoginResponse resp;
    grpc::Status s = identity.Login(Ctx("").get(), req, &resp);
    if (s.ok()) return resp.token();
    tally.Failure("Login", s);
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return "";
}

// Calls `call` until it is answered with something other than a retryable
// failure; the last status.
template <typename Call>
grpc::Status Persist(const char* method, Tally& tally, Call call,
                     bool* retried) {
  int backoff_ms = 50;
  for (;;) {
    grpc::Status s = call();
    if (s.ok() || !Retryable(s.error_code()) || g_stop) return s;
    tally.Failure(method, s);
    *retried = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(backoff_ms));
    backoff_ms = std::min(backoff_ms * 2, 500);
  }
}

// A surname no other round has: letters only, as person fields allow.
std::string Letters(int64_t n) {
  std::string s;
  do {
    s.push_back(static_cast<char>('a' + n % 26));
    n /= 26;
  } while (n > 0);
  return s;
}

void Writer(const Options& o, int index, const std::string& password,
            Tally& tally) {
  auto channel = Channel(o);
  auto identity = IdentityService::NewStub(channel);
  auto registry = RegistryService::NewStub(channel);
  const std::string token = Login(*identity, o.police, password, tally);
  for (int64_t round = 0; !g_stop; ++round) {
    bool retried = false;
    CreatePersonRequest person;
    person.set_area_id(0);
    person.set_given_names("Drill");
    person.set_surname(absl::StrCat("W", Letters(index), "r", Letters(round)));
    person.set_date_of_birth("1990-01-01");
    person.set_description("oefening");
    Person created;
    grpc::Status s = Persist(
        "CreatePerson", tally,
        [&] {
          person.set_area_id(o.area_id);
          return registry->CreatePerson(Ctx(token).get(), person, &created);
        },
        &retried);
    int64_t person_id = created.id();
    if (!s.ok() && s.error_code() == grpc::StatusCode::ALREADY_EXISTS &&
        retried) {
      person_id = NumberAfter(s.error_message(), "(person ");
    } else if (!s.ok()) {
      if (!g_stop) tally.Failure("CreatePerson", s);
      std::lock_guard<std::mutex> lock(tally.mu);
      ++tally.writer_rounds_given_up;
      continue;
    }
    RecordIncidentRequest incident;
    incident.set_shop_id(o.shop_id);
    incident.set_person_id(person_id);
    incident.set_offence_type("theft");
    incident.set_description("oefening");
    incident.set_damage_cents(1000);
    Incident recorded;
    s = Persist(
        "RecordIncident", tally,
        [&] {
          return registry->RecordIncident(Ctx(token).get(), incident,
                                          &recorded);
        },
        &retried);
    if (!s.ok()) {
      if (!g_stop) tally.Failure("RecordIncident", s);
      std::lock_guard<std::mutex> lock(tally.mu);
      ++tally.writer_rounds_given_up;
      continue;
    }
    IssueCardRequest issue;
    issue.set_incident_id(recorded.id());
    issue.set_scope(CARD_SCOPE_COLLECTIVE);
    Card card;
    bool card_retried = false;
    s = Persist(
        "IssueCard", tally,
        [&] { return registry->IssueCard(Ctx(token).get(), issue, &card); },
        &card_retried);
    int64_t card_id = card.id();
    if (!s.ok() && s.error_code() == grpc::StatusCode::ALREADY_EXISTS &&
        card_retried) {
      card_id = NumberAfter(s.error_message(), "already has card ");
    } else if (!s.ok()) {
      if (!g_stop) tally.Failure("IssueCard", s);
      std::lock_guard<std::mutex> lock(tally.mu);
      ++tally.writer_rounds_given_up;
      continue;
    }
    const int64_t at = NowMs();
    std::lock_guard<std::mutex> lock(tally.mu);
    tally.acked << card_id << ' ' << person_id << ' ' << at << '\n';
    tally.acked.flush();
    ++tally.cards;
    if (card_retried) ++tally.cards_after_retry;
  }
}

// One sync from `version`: the new version, or the failure.
grpc::Status Sync(GalleryService::Stub& gallery, const std::string& token,
                  int64_t* version) {
  SyncGalleryRequest req;
  req.set_since_version(*version);
  auto ctx = Ctx(token);
  auto reader = gallery.SyncGallery(ctx.get(), req);
  GalleryUpdate update;
  int64_t seen = *version;
  while (reader->Read(&update)) {
    if (update.has_version()) seen = update.version().version();
  }
  grpc::Status s = reader->Finish();
  if (s.ok()) *version = seen;
  return s;
}

// A door's client: a failed sync is tried again every 250 ms, as a door
// that lost its answer does, for up to kDoorPatience; only a door left
// without an answer that long counts as a failed sync. Every failed try is
// a line "unix_ms 0" of the doors file, every answer after failures a line
// "unix_ms waited_ms".
constexpr auto kDoorPatience = std::chrono::seconds(10);

void Door(const Options& o, const std::string& login,
          const std::string& password, Tally& tally) {
  auto channel = Channel(o);
  auto identity = IdentityService::NewStub(channel);
  auto gallery = GalleryService::NewStub(channel);
  const std::string token = Login(*identity, login, password, tally);
  int64_t version = 0;
  while (!g_stop) {
    const int64_t began = NowMs();
    grpc::Status s = Sync(*gallery, token, &version);
    bool failed_before = false;
    while (!s.ok() && !g_stop) {
      tally.Failure("SyncGallery", s);
      {
        std::lock_guard<std::mutex> lock(tally.mu);
        ++tally.sync_attempts_failed;
        tally.doors << NowMs() << " 0\n";
      }
      failed_before = true;
      if (NowMs() - began >= std::chrono::milliseconds(kDoorPatience).count()) {
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
      s = Sync(*gallery, token, &version);
    }
    {
      std::lock_guard<std::mutex> lock(tally.mu);
      ++tally.syncs;
      if (!s.ok() && !g_stop) ++tally.syncs_failed;
      if (s.ok() && failed_before) {
        tally.doors << NowMs() << ' ' << NowMs() - began << '\n';
      }
      tally.doors.flush();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

int Run(const Options& o, const std::string& password) {
  Tally tally;
  tally.acked.open(o.acked, std::ios::app);
  if (!tally.acked) {
    std::fprintf(stderr, "kvo_ha_load: cannot write %s\n", o.acked.c_str());
    return 2;
  }
  tally.doors.open(o.acked + ".doors", std::ios::app);
  signal(SIGTERM, OnSignal);
  signal(SIGINT, OnSignal);
  std::vector<std::thread> threads;
  for (int i = 0; i < o.writers; ++i) {
    threads.emplace_back([&, i] { Writer(o, i, password, tally); });
  }
  for (const std::string& login : o.shopkeepers) {
    threads.emplace_back([&, login] { Door(o, login, password, tally); });
  }
  for (auto& t : threads) t.join();
  std::printf(
      "{\"cards_acknowledged\": %lld, \"cards_acknowledged_after_a_retry\": "
      "%lld, \"writer_rounds_given_up\": %lld, \"door_syncs\": %lld, "
      "\"door_sync_attempts_failed\": %lld, \"door_syncs_failed\": %lld}\n",
      static_cast<long long>(tally.cards),
      static_cast<long long>(tally.cards_after_retry),
      static_cast<long long>(tally.writer_rounds_given_up),
      static_cast<long long>(tally.syncs),
      static_cast<long long>(tally.sync_attempts_failed),
      static_cast<long long>(tally.syncs_failed));
  for (const auto& [key, n] : tally.codes) {
    std::printf("failed calls: %s x%lld\n", key.c_str(),
                static_cast<long long>(n));
  }
  for (const std::string& e : tally.examples) {
    std::printf("  e.g. %s\n", e.c_str());
  }
  return 0;
}

struct Acked {
  int64_t card, person, at_ms;
};

int Verify(const Options& o, const std::string& password) {
  std::vector<Acked> acked;
  {
    std::ifstream in(o.acked);
    Acked a;
    while (in >> a.card >> a.person >> a.at_ms) acked.push_back(a);
  }
  Tally tally;
  auto channel = Channel(o);
  auto identity = IdentityService::NewStub(channel);
  auto registry = RegistryService::NewStub(channel);
  const std::string token = Login(*identity, o.police, password, tally);
  ListCardsRequest req;
  req.set_area_id(o.area_id);
  req.set_include_inactive(true);
  ListCardsResponse cards;
  grpc::Status s = registry->ListCards(Ctx(token, 60).get(), req, &cards);
  if (!s.ok()) {
    std::fprintf(stderr, "kvo_ha_load: ListCards: %s\n",
                 s.error_message().c_str());
    return 2;
  }
  std::set<int64_t> present;
  std::map<int64_t, int> per_person;
  for (const Card& c : cards.cards()) {
    present.insert(c.id());
    ++per_person[c.person_id()];
  }
  std::set<int64_t> acked_ids;
  int64_t missing = 0, acked_twice = 0;
  for (const Acked& a : acked) {
    if (!acked_ids.insert(a.card).second) ++acked_twice;
    if (present.count(a.card) == 0) {
      ++missing;
      std::printf("MISSING: card %lld (person %lld) was acknowledged\n",
                  static_cast<long long>(a.card),
                  static_cast<long long>(a.person));
    }
  }
  int64_t doubled = 0;
  for (const auto& [person, n] : per_person) {
    if (n > 1) {
      ++doubled;
      std::printf("TWICE: person %lld has %d cards\n",
                  static_cast<long long>(person), n);
    }
  }
  const int64_t unacked =
      static_cast<int64_t>(present.size()) -
      static_cast<int64_t>(acked_ids.size() - static_cast<size_t>(missing));

  // The longest time without an acknowledged write, overall and after each
  // event.
  std::vector<int64_t> times;
  for (const Acked& a : acked) times.push_back(a.at_ms);
  std::sort(times.begin(), times.end());
  struct Event {
    int64_t at_ms;
    std::string label;
  };
  std::vector<Event> events;
  {
    std::ifstream in(o.events);
    std::string line;
    while (std::getline(in, line)) {
      const size_t sp = line.find(' ');
      int64_t at = 0;
      if (sp == std::string::npos ||
          !absl::SimpleAtoi(line.substr(0, sp), &at)) {
        continue;
      }
      events.push_back({at, line.substr(sp + 1)});
    }
  }
  auto gap_from = [&](int64_t from, int64_t to) {
    // The longest stretch in [from, to] with no acknowledgement.
    int64_t longest = 0, last = from;
    for (int64_t t : times) {
      if (t < from) continue;
      if (t > to) break;
      longest = std::max(longest, t - last);
      last = t;
    }
    return std::max(longest, to - last);
  };
  int64_t overall = 0;
  for (size_t i = 1; i < times.size(); ++i) {
    overall = std::max(overall, times[i] - times[i - 1]);
  }
  std::printf(
      "{\"cards_acknowledged\": %zu, \"cards_present\": %zu, "
      "\"acknowledged_but_missing\": %lld, \"acknowledged_twice\": %lld, "
      "\"persons_with_two_cards\": %lld, "
      "\"cards_made_whose_acknowledgement_was_lost\": %lld, "
      "\"longest_write_gap_ms\": %lld}\n",
      acked_ids.size(), present.size(), static_cast<long long>(missing),
      static_cast<long long>(acked_twice), static_cast<long long>(doubled),
      static_cast<long long>(unacked), static_cast<long long>(overall));
  // Door tries that failed, and the longest a door waited for an answer.
  std::vector<std::pair<int64_t, int64_t>> doors;  // (unix_ms, waited_ms)
  {
    std::ifstream in(o.acked + ".doors");
    int64_t at = 0, waited = 0;
    while (in >> at >> waited) doors.emplace_back(at, waited);
  }
  for (size_t i = 0; i < events.size(); ++i) {
    const int64_t from = events[i].at_ms;
    const int64_t until =
        std::max(from, i + 1 < events.size() ? events[i + 1].at_ms
                       : times.empty()       ? from
                                             : times.back());
    int64_t tries_failed = 0, longest_wait = 0;
    for (const auto& [at, waited] : doors) {
      if (at < from || at >= until) continue;
      if (waited == 0) ++tries_failed;
      longest_wait = std::max(longest_wait, waited);
    }
    std::printf(
        "after %-52s write gap %5.1f s | door tries failed %3lld, longest "
        "door wait %4.1f s\n",
        events[i].label.c_str(), gap_from(from, until) / 1000.0,
        static_cast<long long>(tries_failed), longest_wait / 1000.0);
  }
  return missing == 0 && acked_twice == 0 && doubled == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"kvo_ha_load: the clients of scripts/ha-drill", "kvo_ha_load"};
  app.require_subcommand(1);
  auto common = [&](CLI::App* sub) {
    sub->add_option("--target", o.target, "host:port of kvod (HAProxy)")
        ->required();
    sub->add_option("--ca", o.ca, "CA certificate PEM")->required();
    sub->add_option("--password-file", o.password_file,
                    "the password of every login, one line")
        ->required();
    sub->add_option("--police", o.police, "police login")->required();
    sub->add_option("--acked", o.acked, "acknowledged cards file")->required();
  };
  CLI::App* run = app.add_subcommand("run", "writers and doors until SIGTERM");
  common(run);
  run->add_option("--shop-id", o.shop_id, "the incidents' shop")->required();
  run->add_option("--shopkeeper", o.shopkeepers, "a door's login (repeat)");
  run->add_option("--writers", o.writers, "writer threads");
  run->add_option("--area-id", o.area_id, "the shop's area")->required();
  CLI::App* verify =
      app.add_subcommand("verify", "acknowledged vs present, write gaps");
  common(verify);
  verify->add_option("--area-id", o.area_id, "the area")->required();
  verify->add_option("--events", o.events, "the drill's events file");
  CLI11_PARSE(app, argc, argv);
  std::string password = ReadFile(o.password_file);
  while (!password.empty() &&
         (password.back() == '\n' || password.back() == '\r')) {
    password.pop_back();
  }
  return run->parsed() ? Run(o, password) : Verify(o, password);
}
