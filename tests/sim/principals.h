#ifndef KVO_TESTS_SIM_PRINCIPALS_H_
#define KVO_TESTS_SIM_PRINCIPALS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "tests/sim/model.h"
#include "tests/sim/world.h"

namespace kvo::sim {

// A principal created, enrolled and logged in by the admin; false with
// `error` set when a step failed.
bool MakePrincipal(World& world, const std::string& login, kvo::v1::Role role,
                   const std::vector<int64_t>& area_ids, Principal* out,
                   std::string* error);

}  // namespace kvo::sim

#endif  // KVO_TESTS_SIM_PRINCIPALS_H_
