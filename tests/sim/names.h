#ifndef KVO_TESTS_SIM_NAMES_H_
#define KVO_TESTS_SIM_NAMES_H_

#include <cstdint>
#include <string>

namespace kvo::sim {

// A made-up person, the same for the same seed.
struct PersonNames {
  std::string given, prefix, surname, date_of_birth, address, description;
};
PersonNames NamesFromSeed(uint64_t seed);

}  // namespace kvo::sim

#endif  // KVO_TESTS_SIM_NAMES_H_
