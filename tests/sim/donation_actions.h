#ifndef KVO_TESTS_SIM_DONATION_ACTIONS_H_
#define KVO_TESTS_SIM_DONATION_ACTIONS_H_

#include <functional>
#include <random>
#include <vector>

#include "tests/sim/actions.h"
#include "tests/sim/model.h"
#include "tests/sim/world.h"

namespace kvo::sim {

// Nuisance donations (overlastdonatie): the coordinators open cases for
// carded incidents and run the claims (payments, waivers, dismissals,
// refunds); a payment provider makes signed events for what persons pay
// and delivers them at once, twice, late (signed anew), out of order, or
// with a signature that has grown stale. The model keeps every claim's
// money to the cent.

// Appends `area`'s coordinator actions of the day through `push` (which
// answers the action's handle).
void PlanDonations(const Model& model, std::mt19937_64& rng, int area,
                   const std::vector<Handle>& alive,
                   const std::function<Handle(Action)>& push);
// The provider's late deliveries and duplicates of earlier days' events,
// in a shuffled order.
void PlanProviderDeliveries(const Model& model, std::mt19937_64& rng,
                            const std::function<Handle(Action)>& push);

// Does a donation action (kOpenDonationCase .. kRecordRefund) and keeps the
// model; an answer the model did not expect goes to model.unexpected.
void ExecuteDonation(const Action& act, World& world, Model& model);

}  // namespace kvo::sim

#endif  // KVO_TESTS_SIM_DONATION_ACTIONS_H_
