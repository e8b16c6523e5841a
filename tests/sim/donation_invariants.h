#ifndef KVO_TESTS_SIM_DONATION_INVARIANTS_H_
#define KVO_TESTS_SIM_DONATION_INVARIANTS_H_

#include <string>
#include <vector>

#include "tests/sim/invariants.h"
#include "tests/sim/model.h"
#include "tests/sim/world.h"

namespace kvo::sim {

// The donations' promises, through the coordinators' ListClaims and
// GetDonationReport: every claim's ledger balances to the cent against the
// model; no payment (a provider event or a coordinator's) is counted
// twice; the report's categories add up to what was claimed and each
// equals the model's.
void CheckDonations(World& world, const Model& model, std::vector<Broken>& out);
std::vector<std::string> DonationInvariantNames();

}  // namespace kvo::sim

#endif  // KVO_TESTS_SIM_DONATION_INVARIANTS_H_
