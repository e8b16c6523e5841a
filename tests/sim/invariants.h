#ifndef KVO_TESTS_SIM_INVARIANTS_H_
#define KVO_TESTS_SIM_INVARIANTS_H_

#include <string>
#include <vector>

#include "tests/sim/model.h"
#include "tests/sim/world.h"

namespace kvo::sim {

// One promise found broken after a simulated day.
struct Broken {
  std::string invariant;  // the checking function's name, snake_case
  std::string detail;
};

// Checks every invariant through kvod's public API (and audit verify)
// against the model; what is broken, in the order checked. Clears the
// model's notes of the day.
std::vector<Broken> CheckInvariants(World& world, Model& model);

// The names of every invariant CheckInvariants checks (for --help).
std::vector<std::string> InvariantNames();

}  // namespace kvo::sim

#endif  // KVO_TESTS_SIM_INVARIANTS_H_
