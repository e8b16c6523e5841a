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
};

struct Action {
  // Its position in the trace the actors made: the handle of what it makes,
  // kept when the shrinker drops other actions.
  Handle id = 0;
  Kind kind = Kind::kNextDay;
  int64_t a = 0, b = 0, c = 0, d = 0;
};

std::string FormatAction(const Action& action);
std::optional<Action> ParseAction(const std::string& line);

// The actors: what happens on the model's current day, drawn from `rng`.
// `next_handle` is the trace position the first action will have; `now`
// kvod's clock.
std::vector<Action> PlanDay(const Model& model, std::mt19937_64& rng,
                            Handle next_handle, absl::Time now);

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
