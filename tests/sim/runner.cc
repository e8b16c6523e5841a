#include "tests/sim/runner.h"

#include <chrono>
#include <iostream>
#include <random>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/local_time.h"
#include "tests/sim/principals.h"

namespace kvo::sim {
namespace {

using namespace kvo::v1;

int64_t Draw(std::mt19937_64& rng, int64_t lo, int64_t hi) {
  return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
}

// Areas, their police, coordinator and security, shops with shopkeepers
// (one shopkeeper with a shop in two areas), a privacy officer, licences
// and participants; the clock three days on, so the areas joined before
// the first simulated day.
bool Setup(World& world, Model& model, std::mt19937_64& rng, int areas,
           std::string* error) {
  if (world.Bootstrap(error).empty()) return false;
  std::vector<int64_t> area_ids;
  for (int a = 0; a < areas; ++a) {
    CreateAreaRequest req;
    req.set_name(absl::StrCat("Simulatiegebied ", a + 1));
    req.set_kind(a % 2 == 0 ? AREA_KIND_SHOPPING_AREA
                            : AREA_KIND_BUSINESS_PARK);
    req.set_municipality("Deventer");
    kvo::v1::Area out;
    grpc::Status s =
        world.identity().CreateArea(world.Ctx(world.admin).get(), req, &out);
    if (!s.ok()) {
      *error = "CreateArea: " + s.error_message();
      return false;
    }
    Area area;
    area.id = out.id();
    area.name = req.name();
    model.areas.push_back(area);
    area_ids.push_back(out.id());
  }
  model.cycle_done.assign(areas, {});
  std::vector<std::string> none;
  for (int i = 0; i < 3; ++i) {
    if (!world.NextDay(&none, error)) return false;
  }
  model.today = absl::ToCivilDay(world.Now(), common::Amsterdam());
  model.first_day = model.today;
  if (!MakePrincipal(world, "sim.fg", ROLE_PRIVACY_OFFICER, area_ids,
                     &model.privacy, error)) {
    return false;
  }
  auto add_shop = [&](int a, int keeper) -> bool {
    CreateShopRequest req;
    req.set_area_id(model.areas[a].id);
    req.set_name(absl::StrCat("Winkel ", model.shops.size() + 1));
    kvo::v1::Shop shop;
    grpc::Status s =
        world.registry().CreateShop(world.Ctx(world.admin).get(), req, &shop);
    if (!s.ok()) {
      *error = "CreateShop: " + s.error_message();
      return false;
    }
    if (keeper >= 0) {
      AddShopMemberRequest add;
      add.set_shop_id(shop.id());
      add.set_principal_id(model.shopkeepers[keeper].who.id);
      s = world.registry().AddShopMember(world.Ctx(world.admin).get(), add,
                                         &shop);
      if (!s.ok()) {
        *error = "AddShopMember: " + s.error_message();
        return false;
      }
      model.shopkeepers[keeper].shops.push_back(
          static_cast<int>(model.shops.size()));
    }
    model.areas[a].shops.push_back(static_cast<int>(model.shops.size()));
    model.shops.push_back({shop.id(), a, keeper});
    return true;
  };
  auto add_keeper = [&](const std::string& login,
                        const std::vector<int64_t>& ids) -> int {
    Shopkeeper k;
    if (!MakePrincipal(world, login, ROLE_SHOPKEEPER, ids, &k.who, error)) {
      return -1;
    }
    model.shopkeepers.push_back(k);
    return static_cast<int>(model.shopkeepers.size()) - 1;
  };
  for (int a = 0; a < areas; ++a) {
    Area& area = model.areas[a];
    const std::string tag = absl::StrCat(a + 1);
    if (!MakePrincipal(world, "sim.politie." + tag, ROLE_POLICE, {area.id},
                       &area.police, error) ||
        !MakePrincipal(world, "sim.coord." + tag, ROLE_COORDINATOR, {area.id},
                       &area.coordinator, error) ||
        !MakePrincipal(world, "sim.beveiliging." + tag, ROLE_SECURITY,
                       {area.id}, &area.security, error)) {
      return false;
    }
    const int shops = static_cast<int>(Draw(rng, 3, 5));
    for (int s = 0; s < shops; ++s) {
      int keeper = -1;
      if (s == 0 || Draw(rng, 0, 9) < 6) {
        keeper =
            add_keeper(absl::StrCat("sim.winkel.", tag, ".", s + 1), {area.id});
        if (keeper < 0) return false;
      }
      if (!add_shop(a, keeper)) return false;
    }
  }
  if (areas >= 2) {
    // A chain with a shop in two areas: its door shows both.
    const int keeper = add_keeper("sim.keten", {area_ids[0], area_ids[1]});
    if (keeper < 0 || !add_shop(0, keeper) || !add_shop(1, keeper)) {
      return false;
    }
  }
  for (int a = 0; a < areas; ++a) {
    Area& area = model.areas[a];
    RecordLicenceRequest licence;
    licence.set_area_id(area.id);
    licence.set_kind("ccv_bulk");
    licence.set_number(absl::StrCat("CCV-SIM-", area.id));
    licence.set_holder("Stichting KVO");
    licence.set_valid_from(absl::FormatCivilTime(model.today - 365));
    area.licence_until = model.today + Draw(rng, 120, 500);
    licence.set_valid_until(absl::FormatCivilTime(area.licence_until));
    Licence recorded;
    grpc::Status s = world.cycle().RecordLicence(world.Ctx(world.admin).get(),
                                                 licence, &recorded);
    if (!s.ok()) {
      *error = "RecordLicence: " + s.error_message();
      return false;
    }
    // The letterhead notices and donation letters need (issue 26): where
    // objections go, and whom donations are paid to.
    SetAreaContactRequest contact;
    contact.set_area_id(area.id);
    contact.set_objection_address(
        absl::StrCat("Postbus ", 100 + a, ", 7200 AA Zutphen"));
    contact.set_objection_email(absl::StrCat("bezwaar", a, "@kvo.example"));
    contact.set_payee("Stichting KVO");
    contact.set_iban("NL91ABNA0417164300");
    AreaContact contact_out;
    s = world.cycle().SetAreaContact(world.Ctx(area.coordinator.token).get(),
                                     contact, &contact_out);
    if (!s.ok()) {
      *error = "SetAreaContact: " + s.error_message();
      return false;
    }
    for (int shop : area.shops) {
      RecordParticipantRequest p;
      p.set_area_id(area.id);
      p.set_shop_id(model.shops[shop].id);
      p.set_agreement_signed_on(absl::FormatCivilTime(model.today - 30));
      p.set_declaration_signed_on(absl::FormatCivilTime(model.today - 30));
      Participant out;
      s = world.cycle().RecordParticipant(world.Ctx(world.admin).get(), p,
                                          &out);
      if (!s.ok()) {
        *error = "RecordParticipant: " + s.error_message();
        return false;
      }
    }
  }
  return true;
}

}  // namespace

RunResult Run(const RunOptions& options, const std::vector<Action>* replay,
              const std::string& stop_at) {
  const auto t0 = std::chrono::steady_clock::now();
  RunResult result;
  std::mt19937_64 rng(options.seed);
  // The later actors' own stream (see PlanDay).
  std::mt19937_64 more(options.seed ^ 0x9e3779b97f4a7c15ULL);
  std::unique_ptr<World> world = World::Start(&result.fatal);
  if (world == nullptr) return result;
  Model model;
  if (!Setup(*world, model, rng, options.areas, &result.fatal)) return result;
  size_t next = 0;  // the replay's next action
  std::set<std::string> seen;
  bool stop = false;
  for (int day = 0; day < options.days && !stop; ++day) {
    std::vector<Action> plan;
    if (replay == nullptr) {
      plan = PlanDay(model, rng, more, static_cast<Handle>(result.trace.size()),
                     world->Now());
    } else {
      while (next < replay->size()) {
        plan.push_back((*replay)[next++]);
        if (plan.back().kind == Kind::kNextDay) break;
      }
      if (plan.empty()) break;
    }
    for (const Action& action : plan) {
      result.trace.push_back(action);
      if (!Execute(action, *world, model, &result.fatal)) {
        result.days_run = day;
        result.seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
                .count();
        return result;
      }
    }
    const std::vector<Broken> broken = CheckInvariants(*world, model);
    result.days_run = day + 1;
    result.digest = model.Digest();
    for (const Broken& b : broken) {
      if (seen.insert(b.invariant).second) {
        result.failures.push_back({day, b});
        std::cerr << "kvo_sim: seed " << options.seed << ", day " << day << ": "
                  << b.invariant << " broken: " << b.detail << std::endl;
      }
      if (!stop_at.empty() && b.invariant == stop_at) stop = true;
    }
    if (!broken.empty() && !options.keep_going && stop_at.empty()) stop = true;
    if (options.verbose) {
      std::cerr << "kvo_sim: seed " << options.seed << ", day " << day
                << " done: " << model.persons.size() << " persons, "
                << model.cards.size() << " cards, " << result.trace.size()
                << " actions" << std::endl;
    }
  }
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
          .count();
  return result;
}

std::string FormatTrace(const RunOptions& options,
                        const std::vector<Action>& trace) {
  std::string out = absl::StrCat("# kvo_sim trace seed=", options.seed,
                                 " areas=", options.areas, "\n");
  for (const Action& a : trace) absl::StrAppend(&out, FormatAction(a), "\n");
  return out;
}

std::optional<std::pair<RunOptions, std::vector<Action>>> ParseTrace(
    const std::string& text, std::string* error) {
  RunOptions options;
  std::vector<Action> trace;
  bool header = false;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    if (line.empty()) continue;
    if (line.front() == '#') {
      for (absl::string_view word : absl::StrSplit(line, ' ')) {
        if (absl::ConsumePrefix(&word, "seed=")) {
          header = absl::SimpleAtoi(word, &options.seed);
        } else if (absl::ConsumePrefix(&word, "areas=")) {
          (void)absl::SimpleAtoi(word, &options.areas);
        }
      }
      continue;
    }
    auto action = ParseAction(std::string(line));
    if (!action) {
      *error = absl::StrCat("line ", line_no, ": not an action: ", line);
      return std::nullopt;
    }
    trace.push_back(*action);
  }
  if (!header) {
    *error = "no '# kvo_sim trace seed=N areas=A' header";
    return std::nullopt;
  }
  options.days = 0;
  for (const Action& a : trace) options.days += a.kind == Kind::kNextDay;
  return std::make_pair(options, trace);
}

}  // namespace kvo::sim
