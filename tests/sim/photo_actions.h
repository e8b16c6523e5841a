#ifndef KVO_TESTS_SIM_PHOTO_ACTIONS_H_
#define KVO_TESTS_SIM_PHOTO_ACTIONS_H_

#include <functional>
#include <random>

#include "absl/time/time.h"
#include "tests/sim/actions.h"
#include "tests/sim/model.h"
#include "tests/sim/world.h"

namespace kvo::sim {

// Photos: the police add a placeholder photo (the demo's, drawn in
// process) for a person with a collective card in force; shopkeepers view
// photos at the door, of persons on it and now and then of one who is not.
// A photo is viewable exactly while the shopkeeper's door shows the
// person; a view the door's projection does not allow, or one refused that
// it does, goes to model.photo_breaks_today; a view to
// model.photos_viewed_today (the audit must name the person).

void PlanPhotos(const Model& model, std::mt19937_64& rng, absl::Time now,
                const std::function<Handle(Action)>& push);
void ExecutePhoto(const Action& act, World& world, Model& model);

// After the clock moved (kvod's jobs ran): photos of persons on no door
// may have been deleted.
void NotePhotoSweep(Model& model, absl::Time now);
// A card of `person` ended early (revoked, annulled).
void NoteCardEnded(Model& model, Handle person, absl::Time now);

}  // namespace kvo::sim

#endif  // KVO_TESTS_SIM_PHOTO_ACTIONS_H_
