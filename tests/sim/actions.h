#ifndef KVO_TESTS_SIM_ACTIONS_H_
#define KVO_TESTS_SIM_ACTIONS_H_

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "tests/sim/model.h"
#include "tests/sim/world.h"

namespace kvo::sim {

// One thing an actor does. Its arguments are plain numbers (handles,
// indexes, seeds for names), so a trace is a text file and replays exactly.
enum class Kind {
  kNextDay,          // the clock moves a day; kvod's time jobs run
  kRegisterPerson,   // police: a = area, b = name seed
  kRecordIncident,   // a = person, b = shop, c = offence, d = minutes ago;
                     // by police, or by the shop's shopkeeper when c >= 100
  kIssueCard,        // police: a = incident (the rules decide)
  kIndividualBan,    // shopkeeper: a = incident of their shop
  kRevokeCard,       // police: a = card
  kFileObjection,    // coordinator: a = card
  kDecideObjection,  // coordinator: a = objection, b = upheld
  kOpenDsr,          // privacy officer: a = person, b = kind
  kRectify,          // privacy officer: a = request, b = description seed
  kCloseDsr,         // privacy officer: a = request, b = granted
  kRunRetention,     // privacy officer
  kCycleStep,        // coordinator: a = area, b = which step
  kRenewLicence,     // coordinator: a = area
  kRestart,          // kvod stopped (a = 0: SIGTERM, 1: SIGKILL) and started
  // Nuisance donations (claims are named by the case's handle and their
  // index in it):
  kOpenDonationCase,    // coordinator: a = incident, b = a second person
                        // of the case (or -1)
  kProviderPayment,     // payment provider: a = case, b = claim, c = how
                        // much (0: all, 1: half, 2: a third of what is
                        // outstanding), d = delivery (0: at once, 1: at
                        // once and again, 2: later)
  kDeliverEvent,        // payment provider: a = the event (the handle of
                        // its kProviderPayment), b = 0: signed anew, 1:
                        // its first signature
  kCoordinatorPayment,  // coordinator: a = case, b = claim, c = how much,
                        // d = 1: the call is retried with the same key
  kWaiveClaim,          // coordinator: a = case, b = claim
  kDismissClaim,        // coordinator: a = case, b = claim
  kRecordRefund,        // coordinator: a = case, b = claim
  // Photos:
  kUploadPhoto,  // police of area b: a = person (a placeholder photo)
  kViewPhoto,    // shopkeeper a: b = person (GetPhoto of their entry)
  kRotateKeys,   // admin: a = 0 the key-encryption key, 1 the root key
  // The police report (aangifte): a = incident, b = who (0: the shop's
  // shopkeeper, 1: police, 2: a shopkeeper of another shop, refused),
  // c = 1: a number other than the one recorded (refused once one is).
  kRecordPoliceReport,
  // Admin: a new shopkeeper joins shop a (the area's licence decides
  // whether their door may open): refused before, let in at once after.
  kJoinShop,
};

struct Action {
  // Its position in the trace the actors made: the handle of what it makes,
  // kept when the shrinker drops other actions.
  Handle id = 0;
  Kind kind = Kind::kNextDay;
  int64_t a = 0, b = 0, c = 0, d = 0;
};

Action MakeAction(Kind kind, int64_t a = 0, int64_t b = 0, int64_t c = 0,
                  int64_t d = 0);

std::string FormatAction(const Action& action);
std::optional<Action> ParseAction(const std::string& line);

// The actors: what happens on the model's current day, drawn from `rng`.
// The actors added later (donations, the door page, photos, key
// rotation) draw from `more`, so a seed's other actors act as before.
// `next_handle` is the trace position the first action will have; `now`
// kvod's clock.
std::vector<Action> PlanDay(const Model& model, std::mt19937_64& rng,
                            std::mt19937_64& more, Handle next_handle,
                            absl::Time now);

// Persons the retention job named (`subjects`, "person:<pseudonym>") are
// erased in the model; one the model still needed is noted.
void NoteErasures(Model& model, const std::vector<std::string>& subjects,
                  absl::Time now, const std::string& by);

// Does `action` (its handle is its id) against kvod and keeps the
// model; a call that answers otherwise than the model expects is noted in
// model.unexpected. False only when kvod itself is gone (cannot restart,
// the clock cannot move): the run cannot go on.
bool Execute(const Action& action, World& world, Model& model,
             std::string* fatal);

}  // namespace kvo::sim

#endif  // KVO_TESTS_SIM_ACTIONS_H_
