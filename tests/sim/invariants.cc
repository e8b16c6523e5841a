#include "tests/sim/invariants.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "tests/sim/donation_invariants.h"
#include "tests/sim/report_invariants.h"
#include "tests/support/door_page_client.h"

namespace kvo::sim {
namespace {

using namespace kvo::v1;

std::string Code(const grpc::Status& s) {
  return absl::StrCat("code ", static_cast<int>(s.error_code()), ": ",
                      s.error_message());
}

std::string RoleName(Role role) { return Role_Name(role); }

// What one day's checks share: the police's view of each area's cards in
// force (empty when the list failed).
struct DayView {
  std::vector<std::vector<kvo::v1::Card>> police_cards;
  std::vector<bool> police_ok;
};

// Promise: every call an actor made answered as the model expected
// (no call fails but for a reason the model expects).
void CallsAnswerAsTheModelExpects(Model& model, std::vector<Broken>& out) {
  for (const std::string& u : model.unexpected) {
    out.push_back({"calls_answer_as_the_model_expects", u});
  }
  model.unexpected.clear();
}

// Promise: no person is erased while a card, an incident awaiting its
// decision, an objection or an open request needs them.
void NoPersonErasedWhileNeeded(Model& model, std::vector<Broken>& out) {
  for (const std::string& w : model.wrongly_erased_today) {
    out.push_back({"no_person_erased_while_needed", w});
  }
  model.wrongly_erased_today.clear();
}

// Promise: a photo is viewable exactly while the shopkeeper's door shows
// the person (and the police added one).
void PhotoViewableExactlyWhileShown(Model& model, std::vector<Broken>& out) {
  for (const std::string& b : model.photo_breaks_today) {
    out.push_back({"photo_viewable_exactly_while_shown", b});
  }
  model.photo_breaks_today.clear();
}

// Promise: key rotations take (each rotation of the key-encryption key
// makes the next version current; a root rotation changes the root key's
// id) and everything still reads: besides the door's names, a few persons
// a day read back as registered and last rectified (GetPerson).
void KeysRotateAndDataStillReads(World& world, Model& model, absl::Time now,
                                 std::vector<Broken>& out) {
  constexpr char kName[] = "keys_rotate_and_data_still_reads";
  KeyStatus status;
  grpc::Status s =
      world.keys().GetKeyStatus(world.Ctx(world.admin).get(), {}, &status);
  if (!s.ok()) {
    out.push_back({kName, absl::StrCat("GetKeyStatus: ", Code(s))});
    return;
  }
  if (model.kek_version >= 0 && status.current_version() != model.kek_version) {
    out.push_back(
        {kName,
         absl::StrCat("key-encryption key version ", status.current_version(),
                      ", the model counted ", model.kek_version)});
  }
  if (model.root_rotated && status.root_key_id() == model.root_key_id) {
    out.push_back({kName, absl::StrCat("the root key was rotated but its id "
                                       "is still ",
                                       model.root_key_id)});
  }
  model.kek_version = status.current_version();
  model.root_key_id = status.root_key_id();
  model.root_rotated = false;
  std::vector<Handle> alive;
  for (const auto& [h, p] : model.persons) {
    if (!p.erased) alive.push_back(h);
  }
  for (size_t i = 0; i < alive.size() && i < 3; ++i) {
    const Handle h =
        alive[(i * 97 + static_cast<size_t>(model.day) * 13) % alive.size()];
    const Person& p = model.persons.at(h);
    GetPersonRequest req;
    req.set_person_id(p.id);
    kvo::v1::Person got;
    s = world.registry().GetPerson(
        world.Ctx(model.areas[p.area].police.token).get(), req, &got);
    if (!s.ok()) {
      if (model.NeededBecause(h, now).empty() &&
          s.error_code() == grpc::StatusCode::NOT_FOUND) {
        continue;  // retention's own run may have erased them
      }
      out.push_back({kName, absl::StrCat("GetPerson ", p.id, ": ", Code(s))});
      continue;
    }
    if (got.surname() != p.fields.at("surname") ||
        got.description() != p.fields.at("description")) {
      out.push_back(
          {kName, absl::StrCat("person ", p.id, " reads as '", got.surname(),
                               "', '", got.description(), "'; the model has '",
                               p.fields.at("surname"), "', '",
                               p.fields.at("description"), "'")});
    }
  }
}

// Promise: every list works for every role that may call it.
void ListsWorkForEveryRole(World& world, const Model& model, DayView& view,
                           std::vector<Broken>& out) {
  view.police_cards.assign(model.areas.size(), {});
  view.police_ok.assign(model.areas.size(), false);
  for (size_t a = 0; a < model.areas.size(); ++a) {
    const Area& area = model.areas[a];
    std::vector<const Principal*> readers = {&area.police, &area.coordinator,
                                             &area.security};
    for (const Shopkeeper& k : model.shopkeepers) {
      for (int s : k.shops) {
        if (model.shops[s].area == static_cast<int>(a)) {
          readers.push_back(&k.who);
          break;
        }
      }
    }
    for (const Principal* who : readers) {
      ListCardsRequest req;
      req.set_area_id(area.id);
      ListCardsResponse resp;
      grpc::Status s =
          world.registry().ListCards(world.Ctx(who->token).get(), req, &resp);
      if (!s.ok()) {
        out.push_back({"lists_work_for_every_role",
                       absl::StrCat("ListCards of area ", area.id, " as ",
                                    RoleName(who->role), " ", who->login, ": ",
                                    Code(s))});
      } else if (who == &area.police) {
        view.police_cards[a].assign(resp.cards().begin(), resp.cards().end());
        view.police_ok[a] = true;
      }
      if (who == &area.police && !s.ok()) {
        // The cards as kvod answered when it issued them, so the checks
        // of warnings and bans still run while the list is broken.
        for (const auto& [h, c] : model.cards) {
          if (c.area != static_cast<int>(a) || c.revoked ||
              !model.InForce(c, world.Now())) {
            continue;
          }
          kvo::v1::Card card;
          card.set_id(c.id);
          card.set_person_id(model.persons.at(c.person).id);
          card.set_kind(c.kind);
          view.police_cards[a].push_back(card);
        }
      }
      ListShopsRequest shops;
      shops.set_area_id(area.id);
      ListShopsResponse shops_out;
      s = world.registry().ListShops(world.Ctx(who->token).get(), shops,
                                     &shops_out);
      if (!s.ok()) {
        out.push_back({"lists_work_for_every_role",
                       absl::StrCat("ListShops of area ", area.id, " as ",
                                    RoleName(who->role), ": ", Code(s))});
      }
    }
    for (const Principal* who : {&area.coordinator, &model.privacy}) {
      ListObjectionsRequest req;
      req.set_area_id(area.id);
      ListObjectionsResponse resp;
      grpc::Status s = world.registry().ListObjections(
          world.Ctx(who->token).get(), req, &resp);
      if (!s.ok()) {
        out.push_back({"lists_work_for_every_role",
                       absl::StrCat("ListObjections of area ", area.id, " as ",
                                    RoleName(who->role), ": ", Code(s))});
      }
    }
  }
  ListSubjectRequestsRequest req;
  req.set_include_closed(true);
  ListSubjectRequestsResponse resp;
  grpc::Status s = world.privacy().ListSubjectRequests(
      world.Ctx(model.privacy.token).get(), req, &resp);
  if (!s.ok()) {
    out.push_back(
        {"lists_work_for_every_role",
         absl::StrCat("ListSubjectRequests as privacy officer: ", Code(s))});
  }
}

// Promise: the cards in force are the ones issued and neither revoked,
// ended nor erased (the police's list equals the model's).
// A missing card as the model and kvod each hold it, so a finding says
// why (revoked with which reason, other dates) without a rerun.
std::string DescribeMissing(World& world, const Model& model, size_t area,
                            int64_t card_id) {
  std::string text = absl::StrCat("card ", card_id);
  for (const auto& [h, c] : model.cards) {
    if (c.id != card_id) continue;
    absl::StrAppend(&text, " (model: handle ", h, ", ", CardKind_Name(c.kind),
                    ", ", absl::FormatTime(c.from), " to ",
                    absl::FormatTime(c.until), ", person ",
                    model.persons.at(c.person).id, ", basis ", c.basis,
                    c.annulled ? ", annulled" : "", ")");
    ListCardsRequest req;
    req.set_area_id(model.areas[area].id);
    req.set_person_id(model.persons.at(c.person).id);
    req.set_include_inactive(true);
    ListCardsResponse resp;
    grpc::Status s = world.registry().ListCards(
        world.Ctx(model.areas[area].police.token).get(), req, &resp);
    if (!s.ok()) return absl::StrCat(text, " (kvod: ", Code(s), ")");
    bool found = false;
    for (const kvo::v1::Card& k : resp.cards()) {
      if (k.id() != card_id) continue;
      found = true;
      absl::StrAppend(&text, " (kvod: ", CardKind_Name(k.kind()), ", until ",
                      k.valid_until().seconds(),
                      k.revoked() ? ", revoked: " : "", k.revoke_reason(), ")");
    }
    if (!found) absl::StrAppend(&text, " (kvod: not listed for the person)");
  }
  return text;
}

void CardsInForceAreTheModels(World& world, const Model& model,
                              const DayView& view, absl::Time now,
                              std::vector<Broken>& out) {
  for (size_t a = 0; a < model.areas.size(); ++a) {
    if (!view.police_ok[a]) continue;
    std::set<int64_t> expected, got;
    for (const auto& [h, c] : model.cards) {
      if (c.area == static_cast<int>(a) && model.InForce(c, now) &&
          !model.persons.at(c.person).erased) {
        expected.insert(c.id);
      }
    }
    for (const kvo::v1::Card& c : view.police_cards[a]) {
      if (!c.revoked()) got.insert(c.id());
    }
    std::vector<int64_t> missing, extra;
    std::set_difference(expected.begin(), expected.end(), got.begin(),
                        got.end(), std::back_inserter(missing));
    std::set_difference(got.begin(), got.end(), expected.begin(),
                        expected.end(), std::back_inserter(extra));
    if (!missing.empty() || !extra.empty()) {
      out.push_back(
          {"cards_in_force_are_the_models",
           absl::StrCat(
               "area ", model.areas[a].id, ": missing cards [",
               absl::StrJoin(missing, ", ",
                             [&](std::string* o, int64_t id) {
                               o->append(DescribeMissing(world, model, a, id));
                             }),
               "], unexpected cards [", absl::StrJoin(extra, ","), "]")});
    }
  }
}

// Promise: at most one collective warning in force per person and area.
void OneWarningPerPersonAndArea(const Model& model, const DayView& view,
                                std::vector<Broken>& out) {
  for (size_t a = 0; a < model.areas.size(); ++a) {
    std::map<int64_t, std::vector<int64_t>> warnings;
    for (const kvo::v1::Card& c : view.police_cards[a]) {
      if (!c.revoked() && c.kind() == CARD_KIND_COLLECTIVE_WARNING) {
        warnings[c.person_id()].push_back(c.id());
      }
    }
    for (const auto& [person, ids] : warnings) {
      if (ids.size() > 1) {
        out.push_back({"one_warning_per_person_and_area",
                       absl::StrCat("person ", person, " has warnings [",
                                    absl::StrJoin(ids, ","),
                                    "] in force in area ", model.areas[a].id)});
      }
    }
  }
}

// Promise: a ban rests on a warning in force; an upheld objection to the
// warning leaves no ban resting on it in force.
void NoBanOnAnAnnulledWarning(const Model& model, const DayView& view,
                              std::vector<Broken>& out) {
  std::map<int64_t, const Card*> by_id;
  for (const auto& [h, c] : model.cards) by_id[c.id] = &c;
  for (size_t a = 0; a < model.areas.size(); ++a) {
    for (const kvo::v1::Card& c : view.police_cards[a]) {
      if (c.revoked() || c.kind() != CARD_KIND_COLLECTIVE_BAN) continue;
      auto it = by_id.find(c.id());
      if (it == by_id.end() || it->second->basis < 0) continue;
      const Card& warning = model.cards.at(it->second->basis);
      if (warning.annulled) {
        out.push_back(
            {"no_ban_on_an_annulled_warning",
             absl::StrCat("ban ", c.id(), " of person ", c.person_id(),
                          " rests on warning ", warning.id,
                          ", whose objection was upheld, and is "
                          "still in force")});
      }
    }
  }
}

// The differences of a door from the model's (card ids only where the
// door shows them: the page does not).
std::string CompareDoor(const std::map<int64_t, DoorEntry>& expected,
                        const std::map<int64_t, GalleryEntry>& got,
                        bool card_ids = true) {
  std::vector<std::string> diffs;
  for (const auto& [person, e] : expected) {
    auto it = got.find(person);
    if (it == got.end()) {
      diffs.push_back(
          absl::StrCat("person ", person, " (card ", e.card_id, ") missing"));
      continue;
    }
    const GalleryEntry& g = it->second;
    if ((card_ids && g.card_id() != e.card_id) || g.kind() != e.kind) {
      diffs.push_back(absl::StrCat("person ", person, " shows card ",
                                   g.card_id(), " (", CardKind_Name(g.kind()),
                                   "), expected ", e.card_id, " (",
                                   CardKind_Name(e.kind), ")"));
    }
    if (g.description() != e.description) {
      diffs.push_back(absl::StrCat("person ", person, " described as '",
                                   g.description(), "', last rectified to '",
                                   e.description, "'"));
    }
    if (!absl::StrContains(g.name(), e.surname)) {
      diffs.push_back(absl::StrCat("person ", person, " named '", g.name(),
                                   "', expected surname '", e.surname, "'"));
    }
  }
  for (const auto& [person, g] : got) {
    if (!expected.count(person)) {
      diffs.push_back(absl::StrCat("person ", person, " shown (card ",
                                   g.card_id(), ") but not in force"));
    }
  }
  if (diffs.size() > 5) {
    const size_t more = diffs.size() - 5;
    diffs.resize(5);
    diffs.push_back(absl::StrCat("and ", more, " more"));
  }
  return absl::StrJoin(diffs, "; ");
}

// Promise: a shop's own individual bans in force are exactly what its
// door shows as own bans (one tile per person: where a stronger collective
// card covers the person, that card), and never at another shop's door.
// Checked on shopkeeper `k`'s full sync `shown`.
void OwnBansAtTheirOwnDoorOnly(const Model& model, int k,
                               const std::map<int64_t, GalleryEntry>& shown,
                               const std::string& who, absl::Time now,
                               std::vector<Broken>& out) {
  std::map<int64_t, const Card*> by_id;
  for (const auto& [h, c] : model.cards) by_id[c.id] = &c;
  std::map<int64_t, int64_t> expected;  // person -> own ban shown
  for (const auto& [person, e] : model.DoorFor(k, now)) {
    if (e.kind == CARD_KIND_INDIVIDUAL_BAN) expected[person] = e.card_id;
  }
  std::map<int64_t, int64_t> got;
  for (const auto& [person, g] : shown) {
    if (g.kind() != CARD_KIND_INDIVIDUAL_BAN) continue;
    got[person] = g.card_id();
    auto it = by_id.find(g.card_id());
    if (it == by_id.end() || !model.OwnBanOf(*it->second, k)) {
      out.push_back({"own_bans_at_their_own_door_only",
                     absl::StrCat(who, " shows individual ban ", g.card_id(),
                                  " of shop ", g.shop_id(), " (person ", person,
                                  "), not one of its own shops'")});
    } else if (!model.InForce(*it->second, now)) {
      out.push_back(
          {"own_bans_at_their_own_door_only",
           absl::StrCat(who, " shows its own ban ", g.card_id(), " (person ",
                        person, "), no longer in force")});
    }
  }
  if (got != expected) {
    std::vector<std::string> diffs;
    for (const auto& [person, card] : expected) {
      auto it = got.find(person);
      if (it == got.end() || it->second != card) {
        diffs.push_back(
            absl::StrCat("own ban ", card, " of person ", person, " missing"));
      }
    }
    for (const auto& [person, card] : got) {
      if (!expected.count(person)) {
        diffs.push_back(absl::StrCat("own ban ", card, " of person ", person,
                                     " shown, not expected"));
      }
    }
    out.push_back({"own_bans_at_their_own_door_only",
                   absl::StrCat(who, ": ", absl::StrJoin(diffs, "; "))});
  }
  // Never at another shop's door: no other shop's ban behind any tile.
  for (const auto& [h, c] : model.cards) {
    if (c.kind != CARD_KIND_INDIVIDUAL_BAN || model.OwnBanOf(c, k)) continue;
    const int64_t person = model.persons.at(c.person).id;
    auto it = shown.find(person);
    if (it != shown.end() && it->second.card_id() == c.id) {
      out.push_back({"own_bans_at_their_own_door_only",
                     absl::StrCat(who, " shows another shop's individual ban ",
                                  c.id, " of person ", person)});
    }
  }
}

// Promise: each shop's door (a full sync into an empty folder and a delta
// sync of the device's copy) equals the model's projection: one entry per
// person, the strongest card in force, fields as last rectified, nothing
// erased, nothing without a licence in force.
void DoorShowsTheModel(World& world, Model& model, absl::Time now,
                       std::vector<Broken>& out) {
  for (size_t k = 0; k < model.shopkeepers.size(); ++k) {
    Shopkeeper& keeper = model.shopkeepers[k];
    bool licensed = true;
    for (int a : model.AreasOf(static_cast<int>(k))) {
      licensed = licensed && model.LicenceInForce(a);
    }
    const std::map<int64_t, DoorEntry> expected =
        model.DoorFor(static_cast<int>(k), now);
    const World::DoorSync full = world.SyncDoor(keeper.who.token, 0);
    const std::string who = absl::StrCat("shopkeeper ", keeper.who.login);
    if (!licensed) {
      if (full.status.error_code() != grpc::StatusCode::FAILED_PRECONDITION) {
        out.push_back({"door_shows_the_model",
                       absl::StrCat(who,
                                    ": an area without a licence in "
                                    "force, yet the door answered ",
                                    Code(full.status), " with ",
                                    full.entries.size(), " entries")});
      }
      keeper.device_valid = false;
      continue;
    }
    if (!full.status.ok()) {
      out.push_back({"door_shows_the_model",
                     absl::StrCat(who, ": full sync ", Code(full.status))});
      continue;
    }
    std::map<int64_t, GalleryEntry> fresh;
    for (const GalleryEntry& e : full.entries) {
      if (fresh.count(e.entry_id())) {
        out.push_back({"door_shows_the_model",
                       absl::StrCat(who, ": person ", e.entry_id(),
                                    " twice in one full sync")});
      }
      fresh[e.entry_id()] = e;
    }
    if (std::string d = CompareDoor(expected, fresh); !d.empty()) {
      out.push_back(
          {"door_shows_the_model", absl::StrCat(who, ", full sync: ", d)});
    }
    OwnBansAtTheirOwnDoorOnly(model, static_cast<int>(k), fresh, who, now, out);
    for (const auto& [person, e] : fresh) {
      for (const auto& [h, p] : model.persons) {
        if (p.id == person) model.disclosed_today.insert(p.pseudonym);
      }
    }
    if (keeper.device_valid) {
      const World::DoorSync delta =
          world.SyncDoor(keeper.who.token, keeper.version);
      if (!delta.status.ok()) {
        out.push_back({"door_shows_the_model",
                       absl::StrCat(who, ": delta sync ", Code(delta.status))});
      } else {
        if (delta.version.reset()) keeper.device.clear();
        for (int64_t r : delta.removed) keeper.device.erase(r);
        for (const GalleryEntry& e : delta.entries) {
          keeper.device[e.entry_id()] = e;
        }
        if (std::string d = CompareDoor(expected, keeper.device); !d.empty()) {
          out.push_back({"door_shows_the_model",
                         absl::StrCat(who, ", delta sync from version ",
                                      keeper.version, ": ", d)});
        }
      }
    }
    // The device now holds what the full sync said.
    keeper.device = fresh;
    keeper.version = full.version.version();
    keeper.device_valid = true;
  }
}

// The page's JSON ({"version", "reset", "entries": [{"id", "name",
// "description", "ban", ...}], "removed": [...]}) as gallery entries (no
// card ids: the page shows none); false when it is not that.
bool ParsePage(const std::string& body, std::vector<GalleryEntry>* entries,
               std::vector<int64_t>* removed, int64_t* version, bool* reset) {
  google::protobuf::Struct json;
  if (!google::protobuf::util::JsonStringToMessage(body, &json).ok()) {
    return false;
  }
  const auto& f = json.fields();
  if (!f.count("version") || !f.count("entries") || !f.count("removed")) {
    return false;
  }
  *version = static_cast<int64_t>(f.at("version").number_value());
  *reset = f.count("reset") && f.at("reset").bool_value();
  for (const auto& v : f.at("entries").list_value().values()) {
    const auto& e = v.struct_value().fields();
    GalleryEntry g;
    g.set_entry_id(static_cast<int64_t>(e.at("id").number_value()));
    g.set_name(e.at("name").string_value());
    g.set_description(e.at("description").string_value());
    const bool own = e.count("own") && e.at("own").bool_value();
    g.set_kind(own                        ? CARD_KIND_INDIVIDUAL_BAN
               : e.at("ban").bool_value() ? CARD_KIND_COLLECTIVE_BAN
                                          : CARD_KIND_COLLECTIVE_WARNING);
    entries->push_back(g);
  }
  for (const auto& v : f.at("removed").list_value().values()) {
    removed->push_back(static_cast<int64_t>(v.number_value()));
  }
  return true;
}

// The shops the door page offers for an incident report (GET /): the one
// hidden field, or the options of its shop list.
std::set<int64_t> PageShops(const std::string& html) {
  std::set<int64_t> out;
  const std::string one = testing::DoorPageClient::Between(
      html, "<input type=\"hidden\" name=\"shop\" value=\"", "\"");
  if (!one.empty()) {
    out.insert(std::strtoll(one.c_str(), nullptr, 10));
    return out;
  }
  const std::string list = testing::DoorPageClient::Between(
      html, "<select id=\"incident-shop\"", "</select>");
  for (size_t at = list.find("<option value=\""); at != std::string::npos;
       at = list.find("<option value=\"", at + 1)) {
    const int64_t id = std::strtoll(list.c_str() + at + 15, nullptr, 10);
    if (id > 0) out.insert(id);
  }
  return out;
}

// Promise: each shop's door page (its JSON, as the page's script reads it:
// a full sync and a delta from the page's last version) equals the model's
// projection, as the gRPC door does; without a licence in force it shows
// nothing.
void DoorPageShowsTheModel(World& world, Model& model, absl::Time now,
                           std::vector<Broken>& out) {
  const testing::DoorPageClient page(world.door_url(), world.ca_path());
  for (size_t k = 0; k < model.shopkeepers.size(); ++k) {
    Shopkeeper& keeper = model.shopkeepers[k];
    const std::string who = absl::StrCat("door page of ", keeper.who.login);
    bool licensed = true;
    for (int a : model.AreasOf(static_cast<int>(k))) {
      licensed = licensed && model.LicenceInForce(a);
    }
    // The session of earlier days while it lasts (a login costs a
    // password hash), a new one once it ended.
    testing::DoorPageClient::Session session{keeper.page_cookie,
                                             keeper.page_csrf, ""};
    auto full = page.Gallery(session, 0);
    if (session.cookie.empty() || full.status == 401) {
      session = page.Open(keeper.who.login, kSimPassword);
      if (!session.error.empty()) {
        out.push_back({"door_page_shows_the_model",
                       absl::StrCat(who, ": login: ", session.error)});
        continue;
      }
      keeper.page_cookie = session.cookie;
      keeper.page_csrf = session.csrf;
      full = page.Gallery(session, 0);
    }
    if (!licensed) {
      if (full.status == 200) {
        out.push_back({"door_page_shows_the_model",
                       absl::StrCat(who,
                                    ": an area without a licence in force, "
                                    "yet the page answered 200: ",
                                    full.body.substr(0, 200))});
      }
      keeper.page_valid = false;
      continue;
    }
    // The page offers exactly the keeper's shops, at once after a join.
    const auto home = page.Home(session);
    std::set<int64_t> mine;
    for (int shop : keeper.shops) mine.insert(model.shops[shop].id);
    if (home.status != 200) {
      out.push_back({"door_page_shows_the_model",
                     absl::StrCat(who, ": GET / answered ", home.status)});
    } else if (const std::set<int64_t> offered = PageShops(home.body);
               offered != mine) {
      out.push_back({"door_page_shows_the_model",
                     absl::StrCat(who, ": GET / offers shops ",
                                  absl::StrJoin(offered, ","), ", not ",
                                  absl::StrJoin(mine, ","))});
    }
    std::vector<GalleryEntry> entries;
    std::vector<int64_t> removed;
    int64_t version = 0;
    bool reset = false;
    if (full.status != 200 ||
        !ParsePage(full.body, &entries, &removed, &version, &reset)) {
      out.push_back({"door_page_shows_the_model",
                     absl::StrCat(who, ": full sync answered ", full.status,
                                  ": ", full.body.substr(0, 200))});
      continue;
    }
    const std::map<int64_t, DoorEntry> expected =
        model.DoorFor(static_cast<int>(k), now);
    std::map<int64_t, GalleryEntry> fresh;
    for (const GalleryEntry& e : entries) {
      if (fresh.count(e.entry_id())) {
        out.push_back({"door_page_shows_the_model",
                       absl::StrCat(who, ": person ", e.entry_id(),
                                    " twice in one full sync")});
      }
      fresh[e.entry_id()] = e;
    }
    if (std::string d = CompareDoor(expected, fresh, false); !d.empty()) {
      out.push_back(
          {"door_page_shows_the_model", absl::StrCat(who, ", full sync: ", d)});
    }
    for (const auto& [person, e] : fresh) {
      for (const auto& [h, p] : model.persons) {
        if (p.id == person) model.disclosed_today.insert(p.pseudonym);
      }
    }
    if (keeper.page_valid) {
      const auto delta = page.Gallery(session, keeper.page_version);
      std::vector<GalleryEntry> changed;
      std::vector<int64_t> gone;
      int64_t delta_version = 0;
      bool delta_reset = false;
      if (delta.status != 200 || !ParsePage(delta.body, &changed, &gone,
                                            &delta_version, &delta_reset)) {
        out.push_back({"door_page_shows_the_model",
                       absl::StrCat(who, ": delta sync answered ", delta.status,
                                    ": ", delta.body.substr(0, 200))});
      } else {
        if (delta_reset) keeper.page.clear();
        for (int64_t r : gone) keeper.page.erase(r);
        for (const GalleryEntry& e : changed) keeper.page[e.entry_id()] = e;
        if (std::string d = CompareDoor(expected, keeper.page, false);
            !d.empty()) {
          out.push_back({"door_page_shows_the_model",
                         absl::StrCat(who, ", delta sync from version ",
                                      keeper.page_version, ": ", d)});
        }
      }
    }
    keeper.page = fresh;
    keeper.page_version = version;
    keeper.page_valid = true;
  }
}

bool LogHas(World& world, const Model& model, const std::string& subject,
            const std::string& action, std::string* error) {
  QueryLogRequest req;
  req.set_subject(subject);
  req.set_action(action);
  req.set_page_size(1);
  req.set_purpose("simulatie: controle van het logboek");
  QueryLogResponse resp;
  grpc::Status s =
      world.audit().QueryLog(world.Ctx(model.privacy.token).get(), req, &resp);
  if (!s.ok()) {
    *error = Code(s);
    return false;
  }
  return resp.rows_size() > 0;
}

// Promise: every disclosure the model made (door syncs) and every erasure
// by retention appears under its subject in the audit log's query by
// subject.
void AuditNamesEverySubject(World& world, Model& model,
                            std::vector<Broken>& out) {
  // A few a day, different ones each day: the log query is itself audited.
  std::vector<std::string> disclosed(model.disclosed_today.begin(),
                                     model.disclosed_today.end());
  for (size_t i = 0; i < disclosed.size() && i < 2; ++i) {
    const std::string& ps =
        disclosed[(i + static_cast<size_t>(model.day) * 7) % disclosed.size()];
    std::string error;
    if (!LogHas(world, model, "person:" + ps, "gallery.sync", &error)) {
      out.push_back({"audit_names_every_subject",
                     absl::StrCat("the door disclosed person:", ps,
                                  " but the log has no gallery.sync entry "
                                  "under that subject ",
                                  error)});
    }
  }
  for (size_t i = 0; i < model.erased_today.size() && i < 2; ++i) {
    std::string error;
    if (!LogHas(world, model, model.erased_today[i], "retention.run", &error)) {
      out.push_back({"audit_names_every_subject",
                     absl::StrCat("retention erased ", model.erased_today[i],
                                  " but the log has no retention.run entry "
                                  "under that subject ",
                                  error)});
    }
  }
  std::vector<std::string> viewed(model.photos_viewed_today.begin(),
                                  model.photos_viewed_today.end());
  for (size_t i = 0; i < viewed.size() && i < 2; ++i) {
    std::string error;
    if (!LogHas(world, model, "person:" + viewed[i], "gallery.get_photo",
                &error)) {
      out.push_back(
          {"audit_names_every_subject",
           absl::StrCat("a shopkeeper viewed the photo of person:", viewed[i],
                        " but the log has no gallery.get_photo "
                        "entry under that subject ",
                        error)});
    }
  }
  model.disclosed_today.clear();
  model.erased_today.clear();
  model.photos_viewed_today.clear();
}

// Promise: audit verify passes and every entry is sealed (under a signed
// head) within a minute.
void AuditVerifiesAndSealsWithinAMinute(World& world, Model& model,
                                        std::vector<Broken>& out) {
  const std::string& token = model.privacy.token;
  SignedTreeHead before;
  grpc::Status s =
      world.audit().GetTreeHead(world.Ctx(token).get(), {}, &before);
  if (!s.ok()) {
    out.push_back({"audit_verifies_and_seals_within_a_minute",
                   absl::StrCat("GetTreeHead: ", Code(s))});
    return;
  }
  // One entry of our own (the query is audited), then its head.
  std::string ignored;
  LogHas(world, model, "person:sim-probe", "", &ignored);
  const int wait_seconds = model.seal_broken ? 2 : 61;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(wait_seconds);
  bool sealed = false;
  while (std::chrono::steady_clock::now() < deadline) {
    SignedTreeHead head;
    if (world.audit().GetTreeHead(world.Ctx(token).get(), {}, &head).ok() &&
        head.tree_size() > before.tree_size()) {
      sealed = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (!sealed) {
    model.seal_broken = true;
    out.push_back({"audit_verifies_and_seals_within_a_minute",
                   absl::StrCat("no entry after index ", before.tree_size(),
                                " was sealed within ", wait_seconds, " s")});
  }
  VerifyResponse verify;
  s = world.audit().Verify(world.Ctx(token).get(), {}, &verify);
  if (!s.ok() || !verify.ok()) {
    out.push_back(
        {"audit_verifies_and_seals_within_a_minute",
         absl::StrCat("audit verify: ", s.ok() ? verify.problem() : Code(s))});
  }
}

// Promise: a step of the KVO cycle is never done before the steps it needs
// (4 needs 1-3; 7 needs 6; 8 needs 4).
void CycleStepsInOrder(World& world, const Model& model,
                       std::vector<Broken>& out) {
  static const std::vector<std::pair<int, std::vector<int>>> kNeeds = {
      {4, {1, 2, 3}}, {7, {6}}, {8, {4}}};
  for (size_t a = 0; a < model.areas.size(); ++a) {
    GetCycleStatusRequest req;
    req.set_area_id(model.areas[a].id);
    CycleStatus status;
    grpc::Status s = world.cycle().GetCycleStatus(
        world.Ctx(model.areas[a].coordinator.token).get(), req, &status);
    if (!s.ok()) {
      out.push_back({"cycle_steps_in_order",
                     absl::StrCat("GetCycleStatus of area ", model.areas[a].id,
                                  ": ", Code(s))});
      continue;
    }
    std::map<int, bool> done;
    for (const CycleStep& step : status.steps()) {
      done[step.number()] = step.state() == "done";
    }
    for (const auto& [step, needs] : kNeeds) {
      if (!done[step]) continue;
      for (int n : needs) {
        if (!done[n]) {
          out.push_back(
              {"cycle_steps_in_order",
               absl::StrCat("area ", model.areas[a].id, ": step ", step,
                            " done before step ", n, " (done: ",
                            absl::StrJoin(model.cycle_done[a], ", "), ")")});
        }
      }
    }
  }
}

// Promise: everyone due is erased within one retention interval after
// their time. Retention runs with every simulated day; two days' slack for
// the day's order of actions. A person kvod no longer returns is erased.
void EveryoneDueIsErased(World& world, Model& model, absl::Time now,
                         std::vector<Broken>& out) {
  constexpr int kSlackDays = 2;
  for (auto& [h, p] : model.persons) {
    if (!model.OverdueForErasure(h, now, kSlackDays)) continue;
    GetPersonRequest req;
    req.set_person_id(p.id);
    kvo::v1::Person got;
    grpc::Status s = world.registry().GetPerson(
        world.Ctx(model.areas[p.area].police.token).get(), req, &got);
    if (s.error_code() == grpc::StatusCode::NOT_FOUND ||
        s.error_code() == grpc::StatusCode::FAILED_PRECONDITION) {
      p.erased = true;
      continue;
    }
    out.push_back(
        {"everyone_due_is_erased",
         absl::StrCat("person ", p.id, " (registered day ", p.registered_day,
                      ", last incident day ", p.last_incident_day,
                      ") is needed by nothing since day ",
                      model.day - kSlackDays, " yet GetPerson answers ",
                      s.ok() ? "OK" : Code(s))});
  }
}

}  // namespace

std::vector<std::string> InvariantNames() {
  std::vector<std::string> names = {"calls_answer_as_the_model_expects",
                                    "no_person_erased_while_needed",
                                    "everyone_due_is_erased",
                                    "lists_work_for_every_role",
                                    "cards_in_force_are_the_models",
                                    "one_warning_per_person_and_area",
                                    "no_ban_on_an_annulled_warning",
                                    "door_shows_the_model",
                                    "own_bans_at_their_own_door_only",
                                    "door_page_shows_the_model",
                                    "photo_viewable_exactly_while_shown",
                                    "keys_rotate_and_data_still_reads",
                                    "audit_names_every_subject",
                                    "audit_verifies_and_seals_within_a_minute",
                                    "cycle_steps_in_order",
                                    "reduction_report_recounts"};
  for (const std::string& n : DonationInvariantNames()) names.push_back(n);
  return names;
}

std::vector<Broken> CheckInvariants(World& world, Model& model) {
  std::vector<Broken> out;
  const absl::Time now = world.Now();
  CallsAnswerAsTheModelExpects(model, out);
  NoPersonErasedWhileNeeded(model, out);
  EveryoneDueIsErased(world, model, now, out);
  PhotoViewableExactlyWhileShown(model, out);
  KeysRotateAndDataStillReads(world, model, now, out);
  DayView view;
  ListsWorkForEveryRole(world, model, view, out);
  CardsInForceAreTheModels(world, model, view, now, out);
  OneWarningPerPersonAndArea(model, view, out);
  NoBanOnAnAnnulledWarning(model, view, out);
  DoorShowsTheModel(world, model, now, out);
  DoorPageShowsTheModel(world, model, now, out);
  // Sealed first: the log is queried by subject once the day's entries
  // are under a head.
  AuditVerifiesAndSealsWithinAMinute(world, model, out);
  AuditNamesEverySubject(world, model, out);
  CycleStepsInOrder(world, model, out);
  CheckDonations(world, model, out);
  ReductionReportRecounts(world, model, out);
  return out;
}

}  // namespace kvo::sim
