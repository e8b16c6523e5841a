// What the door benches share: an area with 50 bans in force, each with a
// photo whose 256 px thumbnail is about 20 KB, made through kvod's own
// RPCs, and the messages one sync sends.
#ifndef KVO_TESTS_BENCH_DOOR_AREA_H_
#define KVO_TESTS_BENCH_DOOR_AREA_H_

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>
#include <vips/vips8>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "kvo/v1/gallery.grpc.pb.h"
#include "kvo/v1/registry.grpc.pb.h"
#include "tests/bench/bench_load.h"
#include "tests/support/kvod_fixture.h"
#include "tests/support/test_images.h"

namespace kvo::testing {

inline constexpr int kBans = 50;

// A 1024x1024 photo of noise: its 256 px thumbnail is about 20 KB.
inline std::string NoisePhoto(int seed) {
  vips::VImage noise =
      vips::VImage::gaussnoise(1024, 1024,
                               vips::VImage::option()
                                   ->set("mean", 128.0 + seed % 7)
                                   ->set("sigma", 70.0));
  noise = noise.cast(VIPS_FORMAT_UCHAR);
  noise = noise.bandjoin({noise, noise}).copy();
  return EncodeImage(noise, ".jpg[Q=85]");
}

inline bool Upload(kvo::v1::GalleryService::Stub& gallery,
                   const std::string& token, int64_t person,
                   const std::string& bytes) {
  auto ctx = Ctx(token);
  kvo::v1::PhotoInfo info;
  auto writer = gallery.UploadPhoto(ctx.get(), &info);
  kvo::v1::UploadPhotoRequest part;
  part.set_person_id(person);
  writer->Write(part);
  part.set_chunk(bytes);
  writer->Write(part);
  writer->WritesDone();
  return writer->Finish().ok();
}

// What the police do when a thief is caught: a person, an incident at
// `shop`, a collective warning for `area`; with a photo unless `photo` is
// empty. The n-th such person has a surname of its own.
inline bool NewCard(kvo::v1::RegistryService::Stub& registry,
                    kvo::v1::GalleryService::Stub& gallery,
                    const std::string& police, int64_t area, int64_t shop,
                    int n, const std::string& photo,
                    int64_t* person_id = nullptr) {
  using namespace kvo::v1;
  CreatePersonRequest person;
  person.set_area_id(area);
  person.set_given_names("Piet");
  person.set_surname(absl::StrCat("Deurbench", n));
  person.set_date_of_birth("1988-02-03");
  person.set_description("grijze jas, zwarte pet, rugzak met rode streep");
  Person created;
  if (!registry.CreatePerson(Ctx(police).get(), person, &created).ok()) {
    return false;
  }
  if (person_id != nullptr) *person_id = created.id();
  RecordIncidentRequest incident;
  incident.set_shop_id(shop);
  incident.set_person_id(created.id());
  incident.mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(absl::Now()) -
                                              3600);
  incident.set_offence_type("theft");
  incident.set_description("winkeldiefstal");
  Incident recorded;
  if (!registry.RecordIncident(Ctx(police).get(), incident, &recorded).ok()) {
    return false;
  }
  IssueCardRequest issue;
  issue.set_incident_id(recorded.id());
  issue.set_scope(CARD_SCOPE_COLLECTIVE);
  Card card;
  if (!registry.IssueCard(Ctx(police).get(), issue, &card).ok()) return false;
  return photo.empty() || Upload(gallery, police, created.id(), photo);
}

// kBans persons with a collective warning and a photo in area A, at a new
// shop (its id in `*shop_id` when given).
inline bool PopulateArea(KvodEnv& env, const std::string& police,
                         int64_t* first_person, int64_t* shop_id = nullptr) {
  using namespace kvo::v1;
  auto registry = RegistryService::NewStub(env.kvod_->Channel());
  auto gallery = GalleryService::NewStub(env.kvod_->Channel());
  CreateShopRequest shop_req;
  shop_req.set_area_id(env.area_a_);
  shop_req.set_name("Bakkerij");
  Shop shop;
  if (!registry->CreateShop(Ctx(env.admin_).get(), shop_req, &shop).ok()) {
    return false;
  }
  if (shop_id != nullptr) *shop_id = shop.id();
  for (int i = 0; i < kBans; ++i) {
    if (!NewCard(*registry, *gallery, police, env.area_a_, shop.id(), i,
                 NoisePhoto(i), i == 0 ? first_person : nullptr)) {
      return false;
    }
  }
  return true;
}

// Starts the benches' kvod: durable commits, door limits out of the way.
// False (having said why) when it did not start.
inline bool StartDoorKvod(KvodEnv& env) {
  env.extra_kvod_args_ = {"--pg-setting=fsync=on"};
  AddKvodArgsFromEnv(env.extra_kvod_args_);
  env.policy_edits_ = {
      {"gallery_syncs_per_hour: 600", "gallery_syncs_per_hour: 2000000000"},
      {"photo_reads_per_hour: 200", "photo_reads_per_hour: 2000000000"}};
  env.SetUp();
  if (env.kvod_ == nullptr || env.admin_.empty()) {
    std::fprintf(stderr, "bench: kvod did not start\n");
    return false;
  }
  return true;
}

// The sizes of the messages of one sync (empty when it failed); sets
// `*version` to the version it ends with.
inline std::vector<int32_t> SyncSizes(kvo::v1::GalleryService::Stub& gallery,
                                      const std::string& token, int64_t since,
                                      int64_t* version) {
  kvo::v1::SyncGalleryRequest req;
  req.set_since_version(since);
  auto ctx = Ctx(token);
  auto reader = gallery.SyncGallery(ctx.get(), req);
  std::vector<int32_t> sizes;
  kvo::v1::GalleryUpdate u;
  while (reader->Read(&u)) {
    // The echo's payload field wraps the bytes in 1 + length bytes; the
    // message sizes on the wire then match within a few bytes.
    sizes.push_back(static_cast<int32_t>(u.ByteSizeLong()));
    if (u.has_version()) *version = u.version().version();
  }
  return reader->Finish().ok() ? sizes : std::vector<int32_t>{};
}

inline double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace kvo::testing

#endif  // KVO_TESTS_BENCH_DOOR_AREA_H_
