// kvo_sim: plays areas through simulated days against the real kvod and
// checks the system's invariants after every day (issue 24). A broken
// invariant prints the seed, the day, the invariant and the command that
// replays it, then the shortest trace the shrinker finds. Exit codes: 0 all
// held, 1 an invariant broke, 2 bad usage, 3 kvod could not be driven.
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "tests/sim/runner.h"
#include "tests/sim/shrinker.h"

namespace {

using namespace kvo::sim;

constexpr int kMaxDays = 3650;
constexpr int kMaxAreas = 12;
constexpr int kMaxSeeds = 1000;

int Usage(const std::string& problem) {
  std::cerr << "kvo_sim: " << problem << "\n"
            << "usage: kvo_sim [--seed N | --seeds K] [--days D] [--areas A]\n"
            << "               [--keep-going] [--shrink-seconds S] "
               "[--trace-out FILE] [--verbose]\n"
            << "       kvo_sim --replay FILE\n";
  return 2;
}

// A whole number in [lo, hi] for `flag`, or a message naming it.
bool ParseCount(const std::string& flag, const std::string& text, int64_t lo,
                int64_t hi, int64_t* out, std::string* problem) {
  if (!absl::SimpleAtoi(text, out) || *out < lo || *out > hi) {
    *problem = absl::StrCat(flag, ": must be a whole number from ", lo, " to ",
                            hi, ", got '", text, "'");
    return false;
  }
  return true;
}

std::string Command(const RunOptions& o, int days) {
  return absl::StrCat("scripts/sim --seed ", o.seed, " --days ", days,
                      " --areas ", o.areas);
}

}  // namespace

int main(int argc, char** argv) {
  RunOptions options;
  int64_t seeds = 0;
  bool seed_given = false;
  int64_t shrink_seconds = 300;
  std::string trace_out, replay_file;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](std::string* out) {
      const size_t eq = arg.find('=');
      if (eq != std::string::npos) {
        *out = arg.substr(eq + 1);
        return true;
      }
      if (i + 1 >= argc) return false;
      *out = argv[++i];
      return true;
    };
    const std::string flag = arg.substr(0, arg.find('='));
    std::string text, problem;
    int64_t n = 0;
    if (flag == "--keep-going") {
      options.keep_going = true;
    } else if (flag == "--verbose") {
      options.verbose = true;
    } else if (flag == "--help" || flag == "-h") {
      Usage("deterministic simulation of kvod; invariants: " +
            absl::StrJoin(InvariantNames(), ", "));
      return 0;
    } else if (!value(&text)) {
      return Usage(absl::StrCat(flag, ": needs a value"));
    } else if (flag == "--seed") {
      uint64_t seed = 0;
      if (!absl::SimpleAtoi(text, &seed)) {
        return Usage(absl::StrCat(
            "--seed: must be a whole number from 0 to 18446744073709551615, "
            "got '",
            text, "'"));
      }
      options.seed = seed;
      seed_given = true;
    } else if (flag == "--seeds") {
      if (!ParseCount("--seeds", text, 1, kMaxSeeds, &seeds, &problem)) {
        return Usage(problem);
      }
    } else if (flag == "--days") {
      if (!ParseCount("--days", text, 1, kMaxDays, &n, &problem)) {
        return Usage(problem);
      }
      options.days = static_cast<int>(n);
    } else if (flag == "--areas") {
      if (!ParseCount("--areas", text, 1, kMaxAreas, &n, &problem)) {
        return Usage(problem);
      }
      options.areas = static_cast<int>(n);
    } else if (flag == "--shrink-seconds") {
      if (!ParseCount("--shrink-seconds", text, 0, 86400, &shrink_seconds,
                      &problem)) {
        return Usage(problem);
      }
    } else if (flag == "--trace-out") {
      trace_out = text;
    } else if (flag == "--replay") {
      replay_file = text;
    } else {
      return Usage(absl::StrCat("unknown flag ", flag));
    }
  }
  if (seed_given && seeds > 0) {
    return Usage("--seed and --seeds: give one (--seeds K runs seeds 1..K)");
  }

  if (!replay_file.empty()) {
    std::ifstream in(replay_file);
    if (!in) return Usage("--replay: cannot read " + replay_file);
    std::stringstream text;
    text << in.rdbuf();
    std::string error;
    auto parsed = ParseTrace(text.str(), &error);
    if (!parsed) return Usage("--replay " + replay_file + ": " + error);
    RunOptions replay = parsed->first;
    replay.keep_going = options.keep_going;
    replay.verbose = options.verbose;
    const RunResult r = Run(replay, &parsed->second);
    if (!r.fatal.empty()) {
      std::cerr << "kvo_sim: " << r.fatal << std::endl;
      return 3;
    }
    std::cout << "kvo_sim: replayed " << parsed->second.size()
              << " actions over " << r.days_run << " days: "
              << (r.failures.empty()
                      ? "every invariant held"
                      : absl::StrCat(r.failures.size(), " invariant(s) broken"))
              << "; model digest " << r.digest << std::endl;
    return r.failures.empty() ? 0 : 1;
  }

  std::vector<uint64_t> to_run;
  if (seeds > 0) {
    for (int64_t s = 1; s <= seeds; ++s) to_run.push_back(s);
  } else {
    to_run.push_back(options.seed);
  }
  int broken_seeds = 0;
  int64_t total_days = 0;
  double total_seconds = 0;
  for (uint64_t seed : to_run) {
    options.seed = seed;
    const RunResult r = Run(options);
    total_days += r.days_run;
    total_seconds += r.seconds;
    if (!r.fatal.empty()) {
      std::cerr << "kvo_sim: seed " << seed
                << ": kvod could not be driven: " << r.fatal << std::endl;
      return 3;
    }
    std::cout << "kvo_sim: seed " << seed << ": " << r.days_run << " days, "
              << r.trace.size() << " actions in "
              << absl::StrCat(static_cast<int64_t>(r.seconds)) << " s ("
              << static_cast<int64_t>(
                     r.days_run > 0 ? r.seconds * 365 / r.days_run : 0)
              << " s per simulated year); model digest " << r.digest
              << std::endl;
    const std::string path = trace_out.empty()
                                 ? absl::StrCat("kvo_sim-seed-", seed, ".trace")
                                 : trace_out;
    // --trace-out keeps the trace of a good run too (to replay it).
    if (!r.failures.empty() || !trace_out.empty()) {
      std::ofstream(path) << FormatTrace(options, r.trace);
    }
    if (r.failures.empty()) {
      std::cout << "kvo_sim: seed " << seed << ": every invariant held"
                << std::endl;
      continue;
    }
    ++broken_seeds;
    for (const Failure& f : r.failures) {
      std::cout << "BROKEN seed " << seed << " day " << f.day << ": "
                << f.broken.invariant << ": " << f.broken.detail << "\n"
                << "  replay: " << Command(options, f.day + 1) << std::endl;
    }
    std::cout << "  trace: " << path << " (kvo_sim --replay " << path << ")"
              << std::endl;
    if (shrink_seconds > 0) {
      const Failure& first = r.failures.front();
      int attempts = 0;
      const std::vector<Action> shortest =
          Shrink(options, r.trace, first.day, first.broken.invariant,
                 absl::Seconds(shrink_seconds), &attempts);
      const std::string shrunk = path + ".shrunk";
      RunOptions shrunk_options = options;
      std::ofstream(shrunk) << FormatTrace(shrunk_options, shortest);
      std::cout << "kvo_sim: shortest trace that still breaks "
                << first.broken.invariant << " (" << shortest.size()
                << " actions, " << attempts << " replays):\n";
      for (const Action& a : shortest) {
        std::cout << "  " << FormatAction(a) << "\n";
      }
      std::cout << "  replay: kvo_sim --replay " << shrunk << std::endl;
    }
  }
  std::cout << "kvo_sim: " << to_run.size() << " seed(s), " << total_days
            << " simulated days in " << static_cast<int64_t>(total_seconds)
            << " s; " << broken_seeds << " broke an invariant" << std::endl;
  return broken_seeds == 0 ? 0 : 1;
}
