#ifndef KVO_TESTS_SIM_MODEL_H_
#define KVO_TESTS_SIM_MODEL_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "kvo/v1/gallery.pb.h"
#include "kvo/v1/identity.pb.h"
#include "kvo/v1/privacy.pb.h"
#include "kvo/v1/registry.pb.h"

namespace kvo::sim {

// Objects the simulation made are named by the position, in the action
// trace, of the action that made them: stable when the shrinker drops other
// actions (an action naming an object that was never made does nothing).
using Handle = int64_t;

// How long after an incident the police may take to decide on a card: the
// person must still be there (issue 24, defect 2). Days.
inline constexpr int kDecisionDays = 2;
// How long a person without a card is kept after registration or their
// last incident: the shipped policies' retention.incident_grace_days. The
// model calls an erasure within it wrong. Days.
inline constexpr int kIncidentGraceDays = 90;

// How long after it is settled a donation claim keeps its person: the
// shipped donations.delete_after_payment_days. Days.
inline constexpr int kClaimLinkDays = 92;
// The shipped policy's claim: amount and the administration fee in it,
// cents; a provider event's signature is good this long around its
// timestamp, seconds.
inline constexpr int64_t kClaimCents = 18100;
inline constexpr int64_t kClaimFeeCents = 4100;
inline constexpr int64_t kProviderToleranceSeconds = 300;

struct Principal {
  int64_t id = 0;
  std::string login;
  std::string token;
  kvo::v1::Role role = kvo::v1::ROLE_UNSPECIFIED;
  std::vector<int> areas;  // indexes into Model::areas
};

struct Shop {
  int64_t id = 0;
  int area = 0;
  int shopkeeper = -1;  // index into Model::shopkeepers
};

struct Area {
  int64_t id = 0;
  std::string name;
  Principal police, coordinator, security;
  std::vector<int> shops;  // indexes into Model::shops
  // The last day (Europe/Amsterdam) the area's licence is in force.
  absl::CivilDay licence_until;
};

// A shop's door device: what it holds after its syncs.
struct Shopkeeper {
  Principal who;
  std::vector<int> shops;
  std::map<int64_t, kvo::v1::GalleryEntry> device;  // by entry id
  int64_t version = 0;
  bool device_valid = false;
  // The door page's session (cookie, CSRF token) while it lasts.
  std::string page_cookie, page_csrf;
  // The door page's copy (its script's), by person id.
  std::map<int64_t, kvo::v1::GalleryEntry> page;
  int64_t page_version = 0;
  bool page_valid = false;
};

struct Person {
  int64_t id = 0;
  std::string pseudonym;
  int area = 0;
  // given_names, surname_prefix, surname, date_of_birth, description, ...
  std::map<std::string, std::string> fields;
  int registered_day = 0;
  int last_incident_day = 0;
  bool erased = false;
  // A photo is held (police uploaded one while a collective card was in
  // force); `photo_maybe`: it may be gone or not (the person had no card
  // in force for a moment, and kvod's own sweep may have run).
  bool photo = false;
  bool photo_maybe = false;
};

struct Incident {
  int64_t id = 0;
  Handle person = -1;
  int area = 0;
  int shop = 0;
  std::string type;
  bool serious = false;
  absl::Time occurred;
  int day = 0;
  bool carded = false;
  bool claimed = false;       // a donation case was opened for it
  std::string report_number;  // its police report's, once recorded
};

struct Card {
  int64_t id = 0;
  Handle person = -1;
  Handle incident = -1;
  int area = 0;
  kvo::v1::CardKind kind = kvo::v1::CARD_KIND_UNSPECIFIED;
  absl::Time from, until;
  bool revoked = false;
  // For a collective ban: the warning in force when it was issued.
  Handle basis = -1;
  // An objection to it was upheld.
  bool annulled = false;
};

struct Objection {
  int64_t id = 0;
  Handle card = -1;
  bool decided = false;
};

struct Dsr {
  int64_t id = 0;
  Handle person = -1;
  kvo::v1::SubjectRequestKind kind = kvo::v1::SUBJECT_REQUEST_KIND_UNSPECIFIED;
  bool open = true;
};

// A nuisance-donation claim (overlastdonatie) as the model keeps it: one
// per person of a case. Cents. States and steps as DonationService's
// comments say: payments while open or partially paid; paid lapses the
// case's other claims; a waiver forgives what is outstanding; a dismissal
// (or a lapse) cancels the whole amount and money in is due back.
struct DonationClaim {
  int64_t id = 0;
  int64_t case_id = 0;
  Handle person = -1;
  int area = 0;
  int64_t shop_id = 0;
  std::string reference;
  std::string created_on;  // kvod's date, as it answered
  std::string state = "open";
  int64_t amount = 0, fee = 0;
  int64_t paid = 0, refunded = 0, cancelled = 0;
  // "" or the ledger kind of the cancellation: waived, dismissed, lapsed.
  std::string cancelled_as;
  // Payments applied (provider events and the coordinator's).
  int payments = 0;
  // The model day it was settled (paid, waived, lapsed, refunded); -1.
  int settled_day = -1;

  int64_t Balance() const { return amount - paid - cancelled + refunded; }
  int64_t NetPaid() const { return paid - refunded; }
  bool TakesPayments() const {
    return state == "open" || state == "partially_paid";
  }
};

// An event the payment provider made (a person paid): delivered at once,
// again (a duplicate), later (re-signed), or with its first signature
// after the tolerance (refused).
struct ProviderEvent {
  std::string event_id;
  Handle donation_case = -1;
  int claim = 0;  // index in the case
  int64_t amount = 0;
  int64_t timestamp = 0;  // Unix seconds when it was made (kvod's clock)
  std::string body;
  int day = 0;
  bool applied = false;
  // Refused for good (the claim takes no such payment): the provider pays
  // the money back to the person and delivers it no more.
  bool refused = false;
};

// An expected door entry: one per person.
struct DoorEntry {
  int64_t card_id = 0;
  kvo::v1::CardKind kind = kvo::v1::CARD_KIND_UNSPECIFIED;
  std::string description;
  std::string surname;
};

// What should be true, kept from what the simulation did and what kvod
// answered. Plain data; the actors change it, the invariants read it.
struct Model {
  int day = 0;
  absl::CivilDay today;  // kvod's date (Europe/Amsterdam)
  std::vector<Area> areas;
  std::vector<Shop> shops;
  std::vector<Shopkeeper> shopkeepers;
  Principal privacy;
  std::map<Handle, Person> persons;
  std::map<Handle, Incident> incidents;
  std::map<Handle, Card> cards;
  std::map<Handle, Objection> objections;
  std::map<Handle, Dsr> dsrs;
  // Donation cases by the handle of the action that opened them; each
  // holds its claims in kvod's order.
  std::map<Handle, std::vector<DonationClaim>> donation_cases;
  std::map<Handle, ProviderEvent> provider_events;
  // Key rotations kvod took: of the key-encryption key (each makes the
  // next version current) and of the root key; -1 before the first look.
  int kek_version = -1;
  std::string root_key_id;
  bool root_rotated = false;
  // The first simulated day's date: reports run from it.
  absl::CivilDay first_day;
  // Per area: cycle actions taken (for the cycle invariant's message).
  std::vector<std::vector<std::string>> cycle_done;
  // Today: calls that answered otherwise than the model expected.
  std::vector<std::string> unexpected;
  // Today: persons the door disclosed (pseudonyms), and persons retention
  // erased with the reason the model had to keep them, if any.
  std::set<std::string> disclosed_today;
  // Today: persons whose photo a shopkeeper viewed (pseudonyms), and views
  // that answered otherwise than the door's projection says.
  std::set<std::string> photos_viewed_today;
  std::vector<std::string> photo_breaks_today;
  std::vector<std::string> erased_today;
  std::vector<std::string> wrongly_erased_today;
  // The log stopped being sealed once: later days wait a moment, not a
  // minute, for it (--keep-going would otherwise take a minute a day).
  bool seal_broken = false;

  bool InForce(const Card& c, absl::Time now) const {
    return !c.revoked && c.from <= now && now < c.until;
  }
  bool LicenceInForce(int area) const {
    return today <= areas[area].licence_until;
  }
  // Every principal the simulation acts as.
  std::vector<Principal*> Everyone();
  // Why `p` must not be erased now ("" when it may be).
  std::string NeededBecause(Handle p, absl::Time now) const {
    return NeededBecauseOn(p, now, day);
  }
  // The same as of `on_day` (and `at`, its time): what needed `p` then.
  std::string NeededBecauseOn(Handle p, absl::Time at, int on_day) const;
  // Not erased although nothing has needed them for `slack_days` (nor any
  // subject request is open): retention runs every simulated day.
  bool OverdueForErasure(Handle p, absl::Time now, int slack_days) const;
  Handle PersonByPseudonym(const std::string& pseudonym) const;
  // The door `k` should show: person id -> entry; none when some area of
  // the shopkeeper has no licence in force (the door refuses).
  // What shopkeeper `k`'s door shows: one entry per person, the strongest
  // of the collective cards in force of their areas and their own shops'
  // individual bans in force.
  std::map<int64_t, DoorEntry> DoorFor(int k, absl::Time now) const;
  std::vector<int> AreasOf(int k) const;
  // Collective cards in force per (person, area).
  std::vector<Handle> CardsInForce(Handle person, int area,
                                   absl::Time now) const;
  // A hash (hex) of what the actors' calls made of the model: who is
  // erased, which cards are revoked or annulled, every claim's money and
  // state, every provider event's fate, photos; not kvod's ids or times
  // (sequences skip after a crash; times follow the real clock).
  std::string Digest() const;
  // Whether `person` has a card in force (of any kind: a shop's own ban
  // keeps its photo too) in any area.
  bool OnSomeDoor(Handle person, absl::Time now) const;
  // Whether `person` has a card in force (any kind) in `area`: police of
  // the area may add their photo.
  bool OnADoorIn(Handle person, int area, absl::Time now) const;
  // Whether `c` is an individual ban of one of shopkeeper `k`'s shops: the
  // only door it is shown at.
  bool OwnBanOf(const Card& c, int k) const;
};

}  // namespace kvo::sim

#endif  // KVO_TESTS_SIM_MODEL_H_
