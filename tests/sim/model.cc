#include "tests/sim/model.h"

#include <algorithm>
#include <functional>
#include <tuple>

#include "absl/strings/str_cat.h"

namespace kvo::sim {

using kvo::v1::CARD_KIND_COLLECTIVE_BAN;
using kvo::v1::CARD_KIND_COLLECTIVE_WARNING;
using kvo::v1::CARD_KIND_INDIVIDUAL_BAN;

std::string Model::NeededBecauseOn(Handle p, absl::Time now, int day) const {
  const Person& person = persons.at(p);
  for (const auto& [h, c] : cards) {
    if (c.person == p && InForce(c, now)) {
      return absl::StrCat("card ", c.id, " is in force until ",
                          absl::FormatTime(c.until));
    }
  }
  if (day - person.registered_day < kIncidentGraceDays) {
    return absl::StrCat("registered on day ", person.registered_day);
  }
  for (const auto& [h, i] : incidents) {
    if (i.person == p && day - i.day < kIncidentGraceDays) {
      return absl::StrCat("incident ", i.id, " of day ", i.day,
                          " is within its grace");
    }
  }
  for (const auto& [h, o] : objections) {
    if (!o.decided && cards.count(o.card) && cards.at(o.card).person == p) {
      return absl::StrCat("objection ", o.id, " is open");
    }
  }
  for (const auto& [h, claims] : donation_cases) {
    for (const DonationClaim& c : claims) {
      // Its link to the person goes delete_after_payment_days (92) after
      // it was settled; a day's margin for the run's order.
      if (c.person == p &&
          (c.settled_day < 0 || day - c.settled_day < kClaimLinkDays)) {
        return absl::StrCat("donation claim ", c.id, " is ", c.state);
      }
    }
  }
  for (const auto& [h, d] : dsrs) {
    if (d.open && d.person == p &&
        d.kind != kvo::v1::SUBJECT_REQUEST_KIND_ERASURE) {
      return absl::StrCat("subject request ", d.id, " is open");
    }
  }
  return "";
}

bool Model::OverdueForErasure(Handle p, absl::Time now, int slack_days) const {
  if (persons.at(p).erased) return false;
  for (const auto& [h, d] : dsrs) {
    if (d.open && d.person == p) return false;
  }
  return NeededBecauseOn(p, now - absl::Hours(24) * slack_days,
                         day - slack_days)
      .empty();
}

std::vector<Principal*> Model::Everyone() {
  std::vector<Principal*> out = {&privacy};
  for (Area& a : areas) {
    for (Principal* p : {&a.police, &a.coordinator, &a.security}) {
      out.push_back(p);
    }
  }
  for (Shopkeeper& k : shopkeepers) out.push_back(&k.who);
  return out;
}

Handle Model::PersonByPseudonym(const std::string& pseudonym) const {
  for (const auto& [h, p] : persons) {
    if (p.pseudonym == pseudonym) return h;
  }
  return -1;
}

std::vector<int> Model::AreasOf(int k) const {
  std::vector<int> out;
  for (int s : shopkeepers[k].shops) {
    if (std::find(out.begin(), out.end(), shops[s].area) == out.end()) {
      out.push_back(shops[s].area);
    }
  }
  return out;
}

std::vector<Handle> Model::CardsInForce(Handle person, int area,
                                        absl::Time now) const {
  std::vector<Handle> out;
  for (const auto& [h, c] : cards) {
    if (c.person == person && c.area == area &&
        c.kind != CARD_KIND_INDIVIDUAL_BAN && InForce(c, now)) {
      out.push_back(h);
    }
  }
  return out;
}

std::string Model::Digest() const {
  std::string s = absl::StrCat("day ", day, ";");
  for (const auto& [h, p] : persons) {
    absl::StrAppend(&s, "p", h, p.erased, p.photo, p.photo_maybe,
                    p.fields.at("description"), ";");
  }
  for (const auto& [h, i] : incidents) {
    absl::StrAppend(&s, "i", h, i.carded, i.claimed, ";");
  }
  for (const auto& [h, c] : cards) {
    absl::StrAppend(&s, "c", h, c.kind, c.revoked, c.annulled, c.basis, ";");
  }
  for (const auto& [h, o] : objections) absl::StrAppend(&s, "o", h, o.decided);
  for (const auto& [h, d] : dsrs) absl::StrAppend(&s, "d", h, d.open);
  for (const auto& [h, claims] : donation_cases) {
    for (const DonationClaim& c : claims) {
      absl::StrAppend(&s, "k", h, c.state, c.paid, c.refunded, c.cancelled,
                      c.cancelled_as, c.payments, c.settled_day, ";");
    }
  }
  for (const auto& [h, e] : provider_events) {
    absl::StrAppend(&s, "e", h, e.amount, e.applied, e.refused, ";");
  }
  for (const auto& done : cycle_done) absl::StrAppend(&s, done.size(), ";");
  return absl::StrCat(absl::Hex(std::hash<std::string>{}(s), absl::kZeroPad16));
}

bool Model::OnSomeDoor(Handle person, absl::Time now) const {
  for (int a = 0; a < static_cast<int>(areas.size()); ++a) {
    if (OnADoorIn(person, a, now)) return true;
  }
  return false;
}

bool Model::OnADoorIn(Handle person, int area, absl::Time now) const {
  for (const auto& [h, c] : cards) {
    if (c.person == person && c.area == area && InForce(c, now)) return true;
  }
  return false;
}

bool Model::OwnBanOf(const Card& c, int k) const {
  if (c.kind != CARD_KIND_INDIVIDUAL_BAN) return false;
  const int shop = incidents.at(c.incident).shop;
  const auto& mine = shopkeepers[k].shops;
  return std::find(mine.begin(), mine.end(), shop) != mine.end();
}

std::map<int64_t, DoorEntry> Model::DoorFor(int k, absl::Time now) const {
  std::map<int64_t, DoorEntry> out;
  const std::vector<int> areas_of = AreasOf(k);
  // The strongest card per person: a ban (collective, or the shop's own)
  // over a warning, then the later end, then the later card. Another
  // shop's individual ban is never at this door.
  std::map<Handle, const Card*> best;
  for (const auto& [h, c] : cards) {
    if (!InForce(c, now)) continue;
    if (c.kind == CARD_KIND_INDIVIDUAL_BAN && !OwnBanOf(c, k)) continue;
    if (std::find(areas_of.begin(), areas_of.end(), c.area) == areas_of.end()) {
      continue;
    }
    const Card*& b = best[c.person];
    auto rank = [](const Card& x) {
      return std::make_tuple(x.kind == CARD_KIND_COLLECTIVE_WARNING ? 0 : 1,
                             x.until, x.id);
    };
    if (b == nullptr || rank(c) > rank(*b)) b = &c;
  }
  for (const auto& [p, c] : best) {
    const Person& person = persons.at(p);
    if (person.erased) continue;
    DoorEntry e;
    e.card_id = c->id;
    e.kind = c->kind;
    auto field = [&](const char* name) {
      auto it = person.fields.find(name);
      return it == person.fields.end() ? std::string() : it->second;
    };
    e.description = field("description");
    e.surname = field("surname");
    out[person.id] = e;
  }
  return out;
}

}  // namespace kvo::sim
