#include "tests/sim/photo_actions.h"

#include "absl/strings/str_cat.h"
#include "clients/cli/demo_photo.h"
#include "tests/sim/calls.h"

namespace kvo::sim {
namespace {

using namespace kvo::v1;

// A few placeholder photos, drawn once each.
const std::string& PhotoBytes(int64_t index) {
  static std::map<int, std::string> photos;
  const int i = static_cast<int>(index % 4);
  auto it = photos.find(i);
  if (it == photos.end()) it = photos.emplace(i, cli::DemoPhotoPng(i)).first;
  return it->second;
}

void Upload(const Action& act, World& world, Model& model) {
  auto it = model.persons.find(act.a);
  if (it == model.persons.end() || it->second.erased || act.b < 0 ||
      act.b >= static_cast<int64_t>(model.areas.size())) {
    return;
  }
  Person& person = it->second;
  const int area = static_cast<int>(act.b);
  const absl::Time now = world.Now();
  if (!model.OnADoorIn(act.a, area, now)) return;
  PhotoInfo info;
  auto ctx = world.Ctx(model.areas[area].police.token);
  auto writer = world.gallery().UploadPhoto(ctx.get(), &info);
  UploadPhotoRequest part;
  part.set_person_id(person.id);
  writer->Write(part);
  const std::string& bytes = PhotoBytes(act.id);
  constexpr size_t kChunk = 64 * 1024;
  for (size_t at = 0; at < bytes.size(); at += kChunk) {
    part.set_chunk(bytes.substr(at, kChunk));
    writer->Write(part);
  }
  writer->WritesDone();
  const grpc::Status s = writer->Finish();
  if (!s.ok()) {
    Unexpected(
        model, absl::StrCat("UploadPhoto for person ", person.id), s,
        absl::StrCat("a card is in force in area ", model.areas[area].id));
    return;
  }
  person.photo = true;
  person.photo_maybe = false;
}

void View(const Action& act, World& world, Model& model) {
  if (act.a < 0 || act.a >= static_cast<int64_t>(model.shopkeepers.size())) {
    return;
  }
  auto it = model.persons.find(act.b);
  if (it == model.persons.end()) return;
  const Person& person = it->second;
  const int k = static_cast<int>(act.a);
  const Shopkeeper& keeper = model.shopkeepers[k];
  bool licensed = true;
  for (int a : model.AreasOf(k)) licensed = licensed && model.LicenceInForce(a);
  const absl::Time now = world.Now();
  const bool shown = licensed && model.DoorFor(k, now).count(person.id) > 0;
  GetPhotoRequest req;
  req.set_entry_id(person.id);
  Photo out;
  const grpc::Status s =
      world.gallery().GetPhoto(world.Ctx(keeper.who.token).get(), req, &out);
  const std::string what =
      absl::StrCat("GetPhoto of person ", person.id, " by ", keeper.who.login);
  if (s.ok()) {
    model.photos_viewed_today.insert(person.pseudonym);
    if (!shown || (!person.photo && !person.photo_maybe) ||
        out.jpeg().empty()) {
      model.photo_breaks_today.push_back(absl::StrCat(
          what, " answered a photo of ", out.jpeg().size(), " bytes; ",
          shown ? "the person is on the door but the model holds no photo"
                : "the door does not show the person"));
    }
    return;
  }
  if (shown && person.photo) {
    model.photo_breaks_today.push_back(absl::StrCat(
        what, " answered ", Describe(s),
        "; the door shows the person and the police added a photo"));
  } else if (licensed && s.error_code() != grpc::StatusCode::NOT_FOUND) {
    model.photo_breaks_today.push_back(
        absl::StrCat(what, " answered ", Describe(s), "; expected NOT_FOUND (",
                     shown ? "no photo" : "not shown", ")"));
  }
}

}  // namespace

void PlanPhotos(const Model& model, std::mt19937_64& rng, absl::Time now,
                const std::function<Handle(Action)>& push) {
  for (const auto& [h, c] : model.cards) {
    // Police add a face for a shop's own ban too (shown at its door).
    if (!model.InForce(c, now)) continue;
    const Person& p = model.persons.at(c.person);
    if (p.erased || p.photo || !Chance(rng, 0.15)) continue;
    push(MakeAction(Kind::kUploadPhoto, c.person, c.area));
  }
  std::vector<Handle> with_photo;
  for (const auto& [h, p] : model.persons) {
    if (p.photo || p.photo_maybe) with_photo.push_back(h);
  }
  if (with_photo.empty()) return;
  for (size_t k = 0; k < model.shopkeepers.size(); ++k) {
    if (Chance(rng, 0.4)) {
      push(MakeAction(Kind::kViewPhoto, static_cast<int64_t>(k),
                      Pick(rng, with_photo)));
    }
  }
}

void ExecutePhoto(const Action& act, World& world, Model& model) {
  if (act.kind == Kind::kUploadPhoto) {
    Upload(act, world, model);
  } else if (act.kind == Kind::kViewPhoto) {
    View(act, world, model);
  }
}

void NotePhotoSweep(Model& model, absl::Time now) {
  for (auto& [h, p] : model.persons) {
    if ((p.photo || p.photo_maybe) && !model.OnSomeDoor(h, now)) {
      p.photo = false;
      p.photo_maybe = true;
    }
  }
}

void NoteCardEnded(Model& model, Handle person, absl::Time now) {
  Person& p = model.persons.at(person);
  if (p.photo && !model.OnSomeDoor(person, now)) {
    p.photo = false;
    p.photo_maybe = true;
  }
}

}  // namespace kvo::sim
