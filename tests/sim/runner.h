#ifndef KVO_TESTS_SIM_RUNNER_H_
#define KVO_TESTS_SIM_RUNNER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tests/sim/actions.h"
#include "tests/sim/invariants.h"

namespace kvo::sim {

struct RunOptions {
  uint64_t seed = 1;
  int days = 30;
  int areas = 3;
  // Go on after a broken invariant (each is reported on the first day it
  // breaks); otherwise stop at the end of that day.
  bool keep_going = false;
  // Print a line per simulated day.
  bool verbose = false;
};

struct Failure {
  int day = 0;  // the simulated day whose checks found it (0-based)
  Broken broken;
};

struct RunResult {
  // What was done: the trace that replays this run.
  std::vector<Action> trace;
  // The first break of each invariant, in the order found.
  std::vector<Failure> failures;
  // kvod could not be driven on (did not start, clock did not move).
  std::string fatal;
  int days_run = 0;
  double seconds = 0;
  // The model's state at the end, without kvod's ids and real times
  // (Model::Digest): two replays of one trace should give the same.
  std::string digest;
};

// Plays `options.days` days against a fresh kvod: the setup (areas, shops,
// principals, licences) drawn from the seed's generator, then each day the
// actors' actions, the clock a day on, and the invariants. With `replay`,
// the days' actions are taken from it instead of the actors (the setup is
// the seed's all the same) and the run ends with it. `stop_at` stops the
// run once that invariant broke (the shrinker's question).
RunResult Run(const RunOptions& options,
              const std::vector<Action>* replay = nullptr,
              const std::string& stop_at = "");

// A trace file: a header with the seed and areas, then one action a line.
std::string FormatTrace(const RunOptions& options,
                        const std::vector<Action>& trace);
// The options and actions of a trace file; nullopt (and `error`) when it is
// not one.
std::optional<std::pair<RunOptions, std::vector<Action>>> ParseTrace(
    const std::string& text, std::string* error);

}  // namespace kvo::sim

#endif  // KVO_TESTS_SIM_RUNNER_H_
