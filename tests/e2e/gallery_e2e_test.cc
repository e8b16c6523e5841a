// Photos and the door gallery end to end: the real kvod (embedded
// PostgreSQL, TLS) with images made here with libvips, driven over gRPC and
// through the real kvo.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <vips/vips8>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kvo/v1/cycle.grpc.pb.h"
#include "kvo/v1/gallery.grpc.pb.h"
#include "services/common/card_words.h"
#include "services/common/dutch_date.h"
#include "tests/support/registry_fixture.h"
#include "tests/support/subprocess.h"
#include "tests/support/test_images.h"

namespace kvo::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using vips::VImage;

struct SyncOutcome {
  grpc::Status status;
  std::vector<GalleryEntry> entries;
  std::vector<int64_t> removed;
  int64_t version = -1;
  bool reset = false;
  int messages = 0;
};

class GalleryE2E : public RegistryFixture {
 protected:
  static void SetUpTestSuite() { ASSERT_EQ(VIPS_INIT("kvo_e2e"), 0); }

  void SetUp() override {
    RegistryFixture::SetUp();
    if (HasFatalFailure()) return;
    gallery_ = GalleryService::NewStub(kvod_->Channel());
    int64_t kapper_b = 0;
    shopkeeper_b_ = MakeUser("kapper.b", ROLE_SHOPKEEPER, {area_b_}, &kapper_b);
    AdmitToDoor(area_a_);
    AdmitToDoor(area_b_, {kapper_b});
  }

  // A person with a card in area A whose entry bakker's door has synced,
  // and a privacy officer ("fg.officer") once all that is signed: the
  // officer's token; `*subject` the person's pseudonymous id.
  std::string SeenAtTheDoor(const std::string& surname, std::string* subject) {
    const Person person = MakePerson(surname);
    Card card;
    EXPECT_TRUE(Issue(Incident(person.id()), &card).ok());
    EXPECT_TRUE(Sync(shopkeeper_, 0).status.ok());
    *subject = "person:" + person.pseudonym();
    const std::string fg = MakeUser("fg.officer", ROLE_PRIVACY_OFFICER, {});
    WaitForSignedHead(fg);
    return fg;
  }

  // A person with a collective warning in area A (by police of A).
  Card CardInA(const std::string& surname) {
    const Person p = MakePerson(surname);
    Card card;
    EXPECT_TRUE(Issue(Incident(p.id()), &card).ok());
    return card;
  }

  // A person registered and warned in area B (by police of B); with
  // `person`, that person (registered elsewhere) is warned in B.
  Card CardInB(const std::string& surname, int64_t person = 0) {
    CreateShopRequest shop_req;
    shop_req.set_area_id(area_b_);
    shop_req.set_name("Kapsalon " + surname);
    Shop shop;
    EXPECT_TRUE(registry_->CreateShop(Ctx(admin_).get(), shop_req, &shop).ok());
    Person p;
    p.set_id(person);
    if (person == 0) {
      CreatePersonRequest req = PersonRequest(surname);
      req.set_area_id(area_b_);
      EXPECT_TRUE(registry_->CreatePerson(Ctx(police_b_).get(), req, &p).ok());
    }
    RecordIncidentRequest inc;
    inc.set_shop_id(shop.id());
    inc.set_person_id(p.id());
    *inc.mutable_occurred_at() = SecondsFromNow(-kHour);
    inc.set_offence_type("theft");
    inc.set_description("shampoo");
    kvo::v1::Incident incident;
    EXPECT_TRUE(
        registry_->RecordIncident(Ctx(police_b_).get(), inc, &incident).ok());
    Card card;
    EXPECT_TRUE(Issue(incident.id(), &card, 0, police_b_).ok());
    return card;
  }

  grpc::Status Upload(const std::string& token, int64_t person,
                      const std::string& bytes, PhotoInfo* info,
                      size_t chunk = 64 * 1024) {
    auto ctx = Ctx(token);
    auto writer = gallery_->UploadPhoto(ctx.get(), info);
    UploadPhotoRequest part;
    part.set_person_id(person);
    writer->Write(part);
    for (size_t at = 0; at < bytes.size(); at += chunk) {
      part.set_chunk(bytes.substr(at, chunk));
      if (!writer->Write(part)) break;
    }
    writer->WritesDone();
    return writer->Finish();
  }

  SyncOutcome Sync(const std::string& token, int64_t since) {
    SyncOutcome out;
    SyncGalleryRequest req;
    req.set_since_version(since);
    auto ctx = Ctx(token);
    auto reader = gallery_->SyncGallery(ctx.get(), req);
    GalleryUpdate u;
    while (reader->Read(&u)) {
      ++out.messages;
      if (u.has_entry()) out.entries.push_back(u.entry());
      if (u.update_case() == u.kRemovedEntryId) {
        out.removed.push_back(u.removed_entry_id());
      }
      if (u.has_version()) {
        out.version = u.version().version();
        out.reset = u.version().reset();
      }
    }
    out.status = reader->Finish();
    return out;
  }

  static std::set<int64_t> Ids(const SyncOutcome& s) {
    std::set<int64_t> ids;
    for (const auto& e : s.entries) ids.insert(e.entry_id());
    return ids;
  }

  int64_t AuditCount(const std::string& action) {
    return Count("SELECT count(*) FROM audit_entries WHERE action = '" +
                 action + "'");
  }

  std::unique_ptr<GalleryService::Stub> gallery_;
  std::string shopkeeper_b_;
};

TEST_F(GalleryE2E, PhotoIsStrippedSealedAndEveryViewAudited) {
  const Card card = CardInA("Stroom");
  PhotoInfo info;
  grpc::Status s =
      Upload(police_, card.person_id(), PhotoWithMetadata(), &info);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(info.source_format(), "jpeg");
  EXPECT_EQ(std::max(info.width(), info.height()), 1024);
  EXPECT_LE(std::max(info.thumbnail_width(), info.thumbnail_height()), 256);

  // Sealed at rest: no JPEG in the table.
  EXPECT_EQ(Count("SELECT count(*) FROM person_photos WHERE "
                  "position('\\xffd8ff'::bytea in sealed_jpeg) = 1 OR "
                  "position('KVO-Test-Camera'::bytea in sealed_jpeg) > 0"),
            0);
  EXPECT_EQ(Count("SELECT count(*) FROM person_photos"), 1);

  GetPhotoRequest req;
  req.set_entry_id(card.person_id());
  Photo photo;
  s = gallery_->GetPhoto(Ctx(shopkeeper_).get(), req, &photo);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(photo.jpeg().substr(0, 3), "\xFF\xD8\xFF");
  EXPECT_THAT(photo.jpeg(), Not(HasSubstr("KVO-Test-Camera")));
  EXPECT_THAT(photo.jpeg(), Not(HasSubstr("KVO-XMP-Secret")));
  EXPECT_THAT(photo.jpeg(), Not(HasSubstr("Exif")));
  VImage back =
      VImage::new_from_buffer(photo.jpeg().data(), photo.jpeg().size(), "");
  EXPECT_EQ(back.get_typeof("exif-data"), 0u);
  EXPECT_EQ(back.get_typeof("xmp-data"), 0u);
  EXPECT_EQ(AuditCount("gallery.get_photo"), 1);
  EXPECT_EQ(AuditCount("gallery.upload_photo"), 1);

  // The thumbnail arrives with the sync.
  const SyncOutcome full = Sync(shopkeeper_, 0);
  ASSERT_TRUE(full.status.ok()) << full.status.error_message();
  ASSERT_EQ(full.entries.size(), 1u);
  EXPECT_EQ(full.entries[0].thumbnail().substr(0, 3), "\xFF\xD8\xFF");
  EXPECT_EQ(full.entries[0].name(), "Jan Willem van der Stroom");
  EXPECT_EQ(full.entries[0].description(),
            "lang, rood jack, litteken boven linkeroog");
}

TEST_F(GalleryE2E, BadUploadsAreRefusedAndStoreNothing) {
  const Card card = CardInA("Weg");
  PhotoInfo info;
  grpc::Status s = Upload(police_, card.person_id(), "just some text", &info);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  const std::string jpeg = PhotoWithMetadata();
  s = Upload(police_, card.person_id(), jpeg.substr(0, jpeg.size() / 2), &info);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << s.error_message();
  // Over the 10 MiB limit: refused while it streams in.
  s = Upload(police_, card.person_id(), std::string(11 << 20, 'x'), &info,
             1 << 20);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("larger than"));
  // No card in force: nothing to show a photo for.
  const Person bare = MakePerson("Zonderkaart");
  s = Upload(police_, bare.id(), jpeg, &info);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  // Police of another area, and a shopkeeper, may not.
  s = Upload(police_b_, card.person_id(), jpeg, &info);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = Upload(shopkeeper_, card.person_id(), jpeg, &info);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = Upload(police_, 0, jpeg, &info);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Count("SELECT count(*) FROM person_photos"), 0);
}

TEST_F(GalleryE2E, AreasAreIsolatedAndNoChangeCostsNothing) {
  const Card a = CardInA("Akker");
  const Card b = CardInB("Beek");
  const SyncOutcome sa = Sync(shopkeeper_, 0);
  const SyncOutcome sb = Sync(shopkeeper_b_, 0);
  ASSERT_TRUE(sa.status.ok() && sb.status.ok());
  EXPECT_EQ(Ids(sa), std::set<int64_t>{a.person_id()});
  EXPECT_EQ(Ids(sb), std::set<int64_t>{b.person_id()});
  EXPECT_GT(sa.version, 0);

  // Nothing new: the version alone, and no audit entry.
  const int64_t audited = AuditCount("gallery.sync");
  const SyncOutcome again = Sync(shopkeeper_, sa.version);
  EXPECT_TRUE(again.status.ok());
  EXPECT_EQ(again.messages, 1);
  EXPECT_EQ(again.version, sa.version);
  EXPECT_EQ(AuditCount("gallery.sync"), audited);

  // Another device of the same area starting from nothing: the same
  // entries (from the server's cache), and audited all the same.
  const SyncOutcome second = Sync(other_shopkeeper_, 0);
  EXPECT_EQ(Ids(second), std::set<int64_t>{a.person_id()});
  EXPECT_EQ(second.version, sa.version);
  EXPECT_EQ(AuditCount("gallery.sync"), audited + 1);

  // A change in B is not A's business.
  const Card b2 = CardInB("Bron");
  const SyncOutcome a_after = Sync(shopkeeper_, sa.version);
  EXPECT_EQ(a_after.messages, 1);
  EXPECT_TRUE(a_after.entries.empty());
  const SyncOutcome b_after = Sync(shopkeeper_b_, sb.version);
  EXPECT_EQ(Ids(b_after), std::set<int64_t>{b2.person_id()});
  // One disclosure entry naming what was shown.
  EXPECT_EQ(AuditCount("gallery.sync"), audited + 2);

  // Revocation arrives as a removal.
  RevokeCardRequest revoke;
  revoke.set_card_id(a.id());
  revoke.set_reason("wrong person");
  Card revoked;
  ASSERT_TRUE(registry_->RevokeCard(Ctx(police_).get(), revoke, &revoked).ok());
  const SyncOutcome gone = Sync(shopkeeper_, a_after.version);
  EXPECT_TRUE(gone.entries.empty());
  EXPECT_EQ(gone.removed, std::vector<int64_t>{a.person_id()});
  // A new device no longer gets it either (the cached snapshot retired).
  EXPECT_TRUE(Sync(other_shopkeeper_, 0).entries.empty());
  GetPhotoRequest get;
  get.set_entry_id(b.person_id());
  Photo photo;
  EXPECT_EQ(
      gallery_->GetPhoto(Ctx(shopkeeper_).get(), get, &photo).error_code(),
      grpc::StatusCode::NOT_FOUND);

  // A device that claims a version the server never gave is reset.
  const SyncOutcome reset = Sync(shopkeeper_b_, 1'000'000);
  EXPECT_TRUE(reset.reset);
  EXPECT_EQ(Ids(reset), (std::set<int64_t>{b.person_id(), b2.person_id()}));
  EXPECT_EQ(Sync(shopkeeper_, -1).status.error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

// One tile per person: the strongest card in force over the caller's
// areas (a ban over a warning), in full and delta syncs; when the shown card
// goes the delta carries the one left, when the last goes the person is
// purged.
TEST_F(GalleryE2E, OneEntryPerPersonWithTheStrongestCard) {
  int64_t ab_id = 0;
  const std::string shopkeeper_ab =
      MakeUser("winkel.ab", ROLE_SHOPKEEPER, {area_a_, area_b_}, &ab_id);
  AdmitToDoor(area_a_, {ab_id});
  const Person p = MakePerson("Dubbel");
  Card warning;
  ASSERT_TRUE(
      Issue(Incident(p.id(), "theft", -48 * kHour), &warning, 300).ok());
  ASSERT_EQ(warning.kind(), CARD_KIND_COLLECTIVE_WARNING);
  const SyncOutcome first = Sync(shopkeeper_, 0);
  ASSERT_TRUE(first.status.ok()) << first.status.error_message();
  ASSERT_EQ(first.entries.size(), 1u);
  EXPECT_EQ(first.entries[0].entry_id(), p.id());
  EXPECT_EQ(first.entries[0].card_id(), warning.id());

  // The same person in area B too, with a warning that ends later (365
  // days against 300).
  const Card in_b = CardInB("Dubbel", p.id());
  ASSERT_EQ(in_b.kind(), CARD_KIND_COLLECTIVE_WARNING);
  const int64_t in_b_id = in_b.id();
  Card ban;  // a new offence in A during the warning
  ASSERT_TRUE(Issue(Incident(p.id(), "theft", kLater), &ban).ok());
  ASSERT_EQ(ban.kind(), CARD_KIND_COLLECTIVE_BAN);

  // Delta: the same entry again, now with the ban; nothing purged.
  const SyncOutcome banned = Sync(shopkeeper_, first.version);
  ASSERT_TRUE(banned.status.ok()) << banned.status.error_message();
  ASSERT_EQ(banned.entries.size(), 1u);
  EXPECT_EQ(banned.entries[0].entry_id(), p.id());
  EXPECT_EQ(banned.entries[0].card_id(), ban.id());
  EXPECT_EQ(banned.entries[0].kind(), CARD_KIND_COLLECTIVE_BAN);
  EXPECT_TRUE(banned.removed.empty());
  // Full syncs (from the database, then from the server's cache): one
  // entry, the ban, also over two areas where a warning ends later.
  for (const std::string& token :
       {other_shopkeeper_, other_shopkeeper_, shopkeeper_ab, shopkeeper_ab}) {
    const SyncOutcome full = Sync(token, 0);
    ASSERT_TRUE(full.status.ok()) << full.status.error_message();
    ASSERT_EQ(full.entries.size(), 1u);
    EXPECT_EQ(full.entries[0].card_id(), ban.id());
  }
  const SyncOutcome ab = Sync(shopkeeper_ab, 0);
  const SyncOutcome b_only = Sync(shopkeeper_b_, 0);
  ASSERT_EQ(b_only.entries.size(), 1u);
  EXPECT_EQ(b_only.entries[0].card_id(), in_b_id);

  // The ban revoked: the delta carries the warning, not a purge.
  RevokeCardRequest revoke;
  revoke.set_card_id(ban.id());
  revoke.set_reason("wrong person");
  Card revoked;
  ASSERT_TRUE(registry_->RevokeCard(Ctx(police_).get(), revoke, &revoked).ok());
  const SyncOutcome warned = Sync(shopkeeper_, banned.version);
  ASSERT_TRUE(warned.status.ok()) << warned.status.error_message();
  ASSERT_EQ(warned.entries.size(), 1u);
  EXPECT_EQ(warned.entries[0].entry_id(), p.id());
  EXPECT_EQ(warned.entries[0].card_id(), warning.id());
  EXPECT_EQ(warned.entries[0].kind(), CARD_KIND_COLLECTIVE_WARNING);
  EXPECT_TRUE(warned.removed.empty());
  // Over A and B the warning of B ends later.
  const SyncOutcome ab_warned = Sync(shopkeeper_ab, ab.version);
  ASSERT_EQ(ab_warned.entries.size(), 1u);
  EXPECT_EQ(ab_warned.entries[0].card_id(), in_b_id);
  EXPECT_TRUE(ab_warned.removed.empty());

  // The warning of A revoked: A's door purges the person; A and B's door
  // still shows B's warning.
  revoke.set_card_id(warning.id());
  ASSERT_TRUE(registry_->RevokeCard(Ctx(police_).get(), revoke, &revoked).ok());
  const SyncOutcome purged = Sync(shopkeeper_, warned.version);
  ASSERT_TRUE(purged.status.ok()) << purged.status.error_message();
  EXPECT_TRUE(purged.entries.empty());
  EXPECT_EQ(purged.removed, std::vector<int64_t>{p.id()});
  const SyncOutcome ab_left = Sync(shopkeeper_ab, ab_warned.version);
  ASSERT_EQ(ab_left.entries.size(), 1u);
  EXPECT_EQ(ab_left.entries[0].card_id(), in_b_id);
  EXPECT_TRUE(ab_left.removed.empty());
  EXPECT_TRUE(Sync(other_shopkeeper_, 0).entries.empty());

  // The last card goes: purged over A and B too.
  revoke.set_card_id(in_b_id);
  ASSERT_TRUE(
      registry_->RevokeCard(Ctx(police_b_).get(), revoke, &revoked).ok());
  const SyncOutcome ab_gone = Sync(shopkeeper_ab, ab_left.version);
  EXPECT_TRUE(ab_gone.entries.empty());
  EXPECT_EQ(ab_gone.removed, std::vector<int64_t>{p.id()});
}

// One flipped byte in one person's record, as someone with database access
// would: every door of the area still syncs the rest, the damaged entry is
// skipped (never sent as a removal) and each sync that met it raises the
// integrity alarm; the photo itself, damaged, is DATA_LOSS.
TEST_F(GalleryE2E, BrokenRecordIsSkippedWithAnAlarmNotTheWholeDoor) {
  const Card whole = CardInA("Gaaf");
  const Card broken = CardInA("Stuk");
  const SyncOutcome first = Sync(shopkeeper_, 0);
  ASSERT_TRUE(first.status.ok()) << first.status.error_message();
  EXPECT_EQ(Ids(first),
            (std::set<int64_t>{whole.person_id(), broken.person_id()}));
  Sql(
      absl::StrCat("UPDATE person_fields SET sealed = set_byte(sealed, 30, "
                   "get_byte(sealed, 30) # 1) WHERE field = 'surname' AND "
                   "person_id = ",
                   broken.person_id()));
  const std::string alarms = absl::StrCat(
      "SELECT count(*) FROM audit_entries WHERE action = 'integrity.alarm' "
      "AND outcome = 'error' AND subject = 'person:' || (SELECT pseudonym "
      "FROM persons WHERE id = ",
      broken.person_id(), ")");

  // The server's door cache still holds the first snapshot: a new card in
  // the area retires it, so that what follows reads the database.
  const Card fresh = CardInA("Nieuw");
  const SyncOutcome full = Sync(other_shopkeeper_, 0);
  ASSERT_TRUE(full.status.ok()) << full.status.error_message();
  EXPECT_EQ(Ids(full),
            (std::set<int64_t>{whole.person_id(), fresh.person_id()}));
  EXPECT_EQ(Count(alarms), 1);
  // No snapshot with a hole is kept: the next device reads and alarms again.
  const SyncOutcome again = Sync(other_shopkeeper_, 0);
  ASSERT_TRUE(again.status.ok()) << again.status.error_message();
  EXPECT_EQ(Ids(again),
            (std::set<int64_t>{whole.person_id(), fresh.person_id()}));
  EXPECT_EQ(Count(alarms), 2);
  // The first device hears of the new card only.
  const SyncOutcome news = Sync(shopkeeper_, first.version);
  ASSERT_TRUE(news.status.ok()) << news.status.error_message();
  EXPECT_EQ(Ids(news), std::set<int64_t>{fresh.person_id()});
  EXPECT_TRUE(news.removed.empty());

  // A change to the damaged entry (a photo): skipped, not removed from the
  // device, which keeps what it has.
  PhotoInfo info;
  ASSERT_TRUE(
      Upload(police_, broken.person_id(), PhotoWithMetadata(), &info).ok());
  const SyncOutcome changed = Sync(shopkeeper_, news.version);
  ASSERT_TRUE(changed.status.ok()) << changed.status.error_message();
  EXPECT_TRUE(changed.entries.empty());
  EXPECT_TRUE(changed.removed.empty());
  EXPECT_GT(changed.version, news.version);
  EXPECT_EQ(Count(alarms), 3);

  // Through the real kvo, on a new device.
  ASSERT_EQ(kvod_
                ->Kvo({"login", "--login", "bakker", "--password-stdin"},
                      std::string(kPassword) + "\n")
                .exit_code,
            0);
  CommandResult kvo =
      kvod_->Kvo({"gallery", "sync", "--dir", (tmp_.path() / "door").string()});
  EXPECT_EQ(kvo.exit_code, 0) << kvo.err;
  EXPECT_THAT(kvo.out, HasSubstr("new_or_changed: 2"));
  EXPECT_EQ(Count(alarms), 4);

  // The damaged photo itself: DATA_LOSS.
  Sql(
      absl::StrCat("UPDATE person_photos SET sealed_jpeg = set_byte("
                   "sealed_jpeg, 40, get_byte(sealed_jpeg, 40) # 1) WHERE "
                   "person_id = ",
                   broken.person_id()));
  GetPhotoRequest get;
  get.set_entry_id(broken.person_id());
  Photo photo;
  EXPECT_EQ(
      gallery_->GetPhoto(Ctx(shopkeeper_).get(), get, &photo).error_code(),
      grpc::StatusCode::DATA_LOSS);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_entries WHERE action = "
                  "'integrity.alarm'"),
            4);
}

TEST_F(GalleryE2E, FirstSyncAfterExpiryReportsTheRemoval) {
  const Card card = CardInA("Tijd");
  PhotoInfo info;
  ASSERT_TRUE(
      Upload(police_, card.person_id(), PhotoWithMetadata(), &info).ok());
  const SyncOutcome first = Sync(security_, 0);
  ASSERT_EQ(Ids(first), std::set<int64_t>{card.person_id()});
  // Time passes: the card ended a second ago. Another replica would hear of
  // it through the notification channel; so does this one.
  Sql(
      absl::StrCat("UPDATE cards SET valid_from = now() - interval '366 days', "
                   "valid_until = now() - interval '1 second' WHERE id = ",
                   card.id()));
  Sql(absl::StrCat("SELECT pg_notify('kvo_gallery', '", area_a_, " 0')"));
  SyncOutcome after;
  for (int i = 0; i < 50 && after.removed.empty(); ++i) {
    absl::SleepFor(absl::Milliseconds(100));
    after = Sync(security_, first.version);
    ASSERT_TRUE(after.status.ok()) << after.status.error_message();
  }
  EXPECT_EQ(after.removed, std::vector<int64_t>{card.person_id()});
  EXPECT_GT(after.version, first.version);
  // Reported once; the version moved on.
  const SyncOutcome later = Sync(security_, after.version);
  EXPECT_EQ(later.messages, 1);
  EXPECT_EQ(Count(absl::StrCat("SELECT count(*) FROM cards WHERE id = ",
                               card.id(), " AND gallery_expired")),
            1);
  // Retention (grace 0): the photo went with the last card in force.
  EXPECT_EQ(Count("SELECT count(*) FROM person_photos"), 0);
}

TEST_F(GalleryE2E, ErasureRemovesEntryAndPhotoForGood) {
  const Card card = CardInA("Vergeet");
  PhotoInfo info;
  ASSERT_TRUE(
      Upload(police_, card.person_id(), PhotoWithMetadata(), &info).ok());
  const SyncOutcome before = Sync(shopkeeper_, 0);
  ASSERT_EQ(Ids(before), std::set<int64_t>{card.person_id()});
  FileObjectionRequest objection;
  objection.set_card_id(card.id());
  objection.set_grounds("Ik was die dag in Zwolle.");
  Objection filed;
  ASSERT_TRUE(
      registry_->FileObjection(Ctx(coordinator_).get(), objection, &filed)
          .ok());

  const std::string fg =
      MakeUser("fg.officer", ROLE_PRIVACY_OFFICER, {area_a_});
  ErasePersonRequest erase;
  erase.set_person_id(card.person_id());
  erase.set_reason("data-subject request 2026-17");
  ErasePersonResponse erased;
  // A shopkeeper may not erase; the privacy officer may.
  EXPECT_EQ(registry_->ErasePerson(Ctx(shopkeeper_).get(), erase, &erased)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  grpc::Status s = registry_->ErasePerson(Ctx(fg).get(), erase, &erased);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(erased.cards_revoked(), 1);
  EXPECT_EQ(registry_->ErasePerson(Ctx(fg).get(), erase, &erased).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  const SyncOutcome after = Sync(shopkeeper_, before.version);
  EXPECT_EQ(after.removed, std::vector<int64_t>{card.person_id()});
  GetPhotoRequest get;
  get.set_entry_id(card.person_id());
  Photo photo;
  EXPECT_EQ(gallery_->GetPhoto(Ctx(police_).get(), get, &photo).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Count("SELECT count(*) FROM person_photos"), 0);
  EXPECT_EQ(Count(absl::StrCat("SELECT count(*) FROM persons WHERE id = ",
                               card.person_id(), " AND erased_at IS NOT NULL")),
            1);
  EXPECT_EQ(Count(absl::StrCat("SELECT count(*) FROM person_fields WHERE "
                               "person_id = ",
                               card.person_id())),
            0);
  // The anonymous facts stay for the statistics; the card list still works.
  EXPECT_EQ(Count("SELECT count(*) FROM incidents"), 1);
  ListCardsRequest list;
  list.set_area_id(area_a_);
  list.set_include_inactive(true);
  ListCardsResponse cards;
  s = registry_->ListCards(Ctx(police_).get(), list, &cards);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(cards.cards_size(), 1);
  EXPECT_TRUE(cards.cards(0).revoked());
  EXPECT_TRUE(cards.cards(0).person().surname().empty());
  // The objection's dates stay on record; its grounds went with the key.
  ListObjectionsRequest objections_req;
  objections_req.set_area_id(area_a_);
  ListObjectionsResponse objections;
  s = registry_->ListObjections(Ctx(coordinator_).get(), objections_req,
                                &objections);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(objections.objections_size(), 1);
  EXPECT_TRUE(objections.objections(0).grounds().empty());
  EXPECT_TRUE(objections.objections(0).has_respond_by());
}

class GalleryLimitsE2E : public GalleryE2E {
 protected:
  void SetUp() override {
    policy_edits_ = {
        {"gallery_syncs_per_hour: 600", "gallery_syncs_per_hour: 3"},
        {"photo_reads_per_hour: 200", "photo_reads_per_hour: 1"}};
    GalleryE2E::SetUp();
  }
};

TEST_F(GalleryLimitsE2E, OverTheHourlyLimitSaysWhenToRetry) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Sync(shopkeeper_, 0).status.ok());
  SyncGalleryRequest req;
  auto ctx = Ctx(shopkeeper_);
  auto reader = gallery_->SyncGallery(ctx.get(), req);
  GalleryUpdate u;
  while (reader->Read(&u)) {
  }
  grpc::Status s = reader->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(s.error_message(), HasSubstr("retry in"));
  auto trailer = ctx->GetServerTrailingMetadata().find("retry-after-seconds");
  ASSERT_NE(trailer, ctx->GetServerTrailingMetadata().end());
  EXPECT_GT(
      std::stoi(std::string(trailer->second.data(), trailer->second.size())),
      0);
  // Per principal: another shopkeeper is not affected.
  EXPECT_TRUE(Sync(other_shopkeeper_, 0).status.ok());
}

// kvod logging to a file (--log-file) under door load: the file is mode
// 0600 and rotated at --log-max-bytes with lines kept whole, and syncs
// that found nothing new are one summary line, not a line each; refused
// syncs still get a line each.
class GalleryLogE2E : public GalleryE2E {
 protected:
  static constexpr int kMaxBytes = 4096;
  static constexpr int kKeep = 50;  // enough that no line is lost here

  void SetUp() override {
    log_ = tmp_.path() / "log" / "kvod.log";
    fs::create_directories(log_.parent_path());
    extra_kvod_args_ = {"--log-file=" + log_.string(),
                        absl::StrCat("--log-max-bytes=", kMaxBytes),
                        absl::StrCat("--log-keep=", kKeep)};
    GalleryE2E::SetUp();
  }

  // Every line of the log, oldest first.
  std::vector<std::string> LogLines() {
    std::vector<std::string> lines;
    for (int n = kKeep; n >= 0; --n) {
      const fs::path file =
          n == 0 ? log_ : fs::path(absl::StrCat(log_.string(), ".", n));
      if (!fs::exists(file)) continue;
      std::ifstream in(file);
      const std::string content((std::istreambuf_iterator<char>(in)), {});
      EXPECT_LE(content.size(), static_cast<size_t>(kMaxBytes)) << file;
      EXPECT_TRUE(content.empty() || content.back() == '\n') << file;
      for (absl::string_view line : absl::StrSplit(content, '\n')) {
        if (!line.empty()) lines.emplace_back(line);
      }
    }
    return lines;
  }

  fs::path log_;
};

TEST_F(GalleryLogE2E, NoChangeSyncsAreSummedUpAndTheFileRotates) {
  CardInA("Logboek");
  const SyncOutcome first = Sync(shopkeeper_, 0);
  ASSERT_TRUE(first.status.ok());
  ASSERT_EQ(first.entries.size(), 1u);
  constexpr int kNoChange = 150, kRefused = 40;
  for (int i = 0; i < kNoChange; ++i) {
    ASSERT_EQ(Sync(shopkeeper_, first.version).messages, 1);
  }
  for (int i = 0; i < kRefused; ++i) {
    ASSERT_EQ(Sync(shopkeeper_, -1).status.error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }
  // The mark that tells the log "nothing changed" stays in kvod.
  SyncGalleryRequest req;
  req.set_since_version(first.version);
  auto ctx = Ctx(shopkeeper_);
  auto reader = gallery_->SyncGallery(ctx.get(), req);
  GalleryUpdate u;
  while (reader->Read(&u)) {
  }
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_EQ(ctx->GetServerTrailingMetadata().count("kvo-log-no-change"), 0u);

  ASSERT_EQ(kvod_->Stop(), 0);
  struct stat st;
  ASSERT_EQ(::stat(log_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  EXPECT_TRUE(fs::exists(absl::StrCat(log_.string(), ".1")))
      << "the log never rotated";
  // Nothing of the log on stderr: it is for a service manager only.
  EXPECT_THAT(kvod_->process().Stderr(), Not(HasSubstr("\"msg\":\"rpc\"")));

  int synced = 0, refused = 0, summed = 0, stopped = 0;
  for (const std::string& line : LogLines()) {
    ASSERT_TRUE(absl::StartsWith(line, "{\"ts\":") && line.back() == '}')
        << "a broken line: " << line;
    if (absl::StrContains(line, "GalleryService/SyncGallery")) {
      if (absl::StrContains(line, "\"code\":\"0\"")) ++synced;
      if (absl::StrContains(line, "\"code\":\"3\"")) ++refused;
    }
    if (absl::StrContains(line, "\"msg\":\"door syncs\"")) {
      const size_t at = line.find("\"no_change\":\"");
      ASSERT_NE(at, std::string::npos) << line;
      summed += std::stoi(line.substr(at + 13));
    }
    if (absl::StrContains(line, "\"msg\":\"stopped\"")) ++stopped;
  }
  EXPECT_EQ(synced, 1) << "only the sync that disclosed an entry";
  EXPECT_EQ(refused, kRefused);
  EXPECT_EQ(summed, kNoChange + 1);
  EXPECT_EQ(stopped, 1);
}

TEST_F(GalleryE2E, DoorDeviceThroughKvo) {
  const Card card = CardInA("Deur");
  const fs::path image = tmp_.path() / "photo.jpg";
  std::ofstream(image, std::ios::binary) << PhotoWithMetadata();
  auto kvo = [&](std::vector<std::string> args, int want = 0) {
    CommandResult r = kvod_->Kvo(args);
    EXPECT_EQ(r.exit_code, want) << absl::StrJoin(args, " ") << "\n" << r.err;
    return r.out + r.err;
  };
  auto login = [&](const std::string& who) {
    ASSERT_EQ(kvod_
                  ->Kvo({"login", "--login", who, "--password-stdin"},
                        std::string(kPassword) + "\n")
                  .exit_code,
              0);
  };
  login("agent");
  EXPECT_THAT(
      kvo({"photo", "add", std::to_string(card.person_id()), image.string()}),
      HasSubstr("metadata removed"));
  EXPECT_THAT(kvo({"photo", "add", std::to_string(card.person_id()),
                   (tmp_.path() / "missing.jpg").string()},
                  2),
              HasSubstr("cannot read"));

  login("bakker");
  const fs::path dir = tmp_.path() / "door";
  const std::string thumb = absl::StrCat(card.person_id(), ".jpg");
  EXPECT_THAT(kvo({"gallery", "sync", "--dir", dir.string()}),
              HasSubstr("new_or_changed: 1"));
  EXPECT_TRUE(fs::exists(dir / thumb));
  EXPECT_THAT(kvo({"gallery", "show", "--dir", dir.string()}),
              HasSubstr("Jan Willem van der Deur"));
  EXPECT_THAT(kvo({"gallery", "sync", "--dir", dir.string()}),
              HasSubstr("new_or_changed: 0"));
  const fs::path full = tmp_.path() / "full.jpg";
  kvo({"photo", "get", std::to_string(card.person_id()), "--out",
       full.string()});
  EXPECT_GT(fs::file_size(full), fs::file_size(dir / thumb));

  RevokeCardRequest revoke;
  revoke.set_card_id(card.id());
  revoke.set_reason("objection upheld");
  Card revoked;
  ASSERT_TRUE(registry_->RevokeCard(Ctx(police_).get(), revoke, &revoked).ok());
  EXPECT_THAT(kvo({"gallery", "sync", "--dir", dir.string()}),
              ::testing::ContainsRegex("removed: +1"));
  EXPECT_FALSE(fs::exists(dir / thumb));
  EXPECT_THAT(kvo({"gallery", "show", "--dir", dir.string()}),
              Not(HasSubstr("Deur")));
}

// The door folder through the real kvo: private (0700/0600, also with a
// umask of 0), one row per person, refused when older than the policy's
// door.max_offline_hours, wiped on logout and when the session was ended
// by a suspension.
TEST_F(GalleryE2E, DoorFolderIsPrivateRefusedWhenStaleAndWiped) {
  const Person p = MakePerson("Kaart");
  Card warning, ban;
  ASSERT_TRUE(Issue(Incident(p.id(), "theft", -48 * kHour), &warning).ok());
  ASSERT_TRUE(Issue(Incident(p.id(), "theft", kLater), &ban).ok());
  ASSERT_EQ(ban.kind(), CARD_KIND_COLLECTIVE_BAN);
  int64_t id = 0;
  MakeUser("deur", ROLE_SHOPKEEPER, {area_a_}, &id);
  AdmitToDoor(area_a_, {id});
  auto kvo = [&](std::vector<std::string> args) {
    return kvod_->Kvo(args, absl::StrCat(kPassword, "\n"));
  };
  const std::vector<std::string> login = {"login", "--login", "deur",
                                          "--password-stdin"};
  const fs::path dir = tmp_.path() / "deur" / "galerij";
  const std::vector<std::string> sync = {"gallery", "sync", "--dir",
                                         dir.string()};
  const std::vector<std::string> show = {"gallery", "show", "--dir",
                                         dir.string()};
  auto mode = [](const fs::path& path) {
    struct stat st;
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return st.st_mode & 0777;
  };
  ASSERT_EQ(kvo(login).exit_code, 0);

  const mode_t umask_before = ::umask(0);
  CommandResult r = kvo(sync);
  ::umask(umask_before);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(mode(dir), 0700u);
  int files = 0;
  for (const auto& f : fs::directory_iterator(dir)) {
    EXPECT_EQ(mode(f.path()), 0600u) << f.path();
    ++files;
  }
  EXPECT_EQ(files, 2);  // index and state (no photo uploaded)
  r = kvo(show);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // One row per person, with the ban.
  const std::vector<std::string> lines =
      absl::StrSplit(r.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u) << r.out;  // header and one person
  // For the person at the door: Dutch headings and words.
  EXPECT_THAT(lines[0], HasSubstr("KAART"));
  EXPECT_THAT(lines[0], HasSubstr("GELDIG_TOT_EN_MET"));
  EXPECT_THAT(lines[1], HasSubstr("Collectief winkelverbod"));
  EXPECT_THAT(lines[1], HasSubstr("Kaart"));
  // For a script: kvo's keys and the card's code.
  std::vector<std::string> json_show = show;
  json_show.insert(json_show.begin(), "--json");
  const CommandResult typed = kvo(json_show);
  EXPECT_THAT(typed.out, HasSubstr("\"kind\":\"collective_ban\""));
  EXPECT_THAT(typed.out, HasSubstr("\"label\":\"Collectief winkelverbod\""));

  // The last sync was at 28 november 2026 14:05 Amsterdam time: stale.
  const fs::path state = dir / "version";
  std::ifstream in(state);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  in.close();
  const size_t at = text.find("synced_at ");
  ASSERT_NE(at, std::string::npos) << text;
  text.replace(at, text.find('\n', at) - at, "synced_at 1795871100");
  std::ofstream(state, std::ios::trunc) << text;
  r = kvo(show);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("laatst bijgewerkt 28 november 2026 14:05"));
  EXPECT_THAT(r.err, HasSubstr("24 uur"));
  EXPECT_THAT(r.out, Not(HasSubstr("Kaart")));
  // A sync brings it back in step.
  ASSERT_EQ(kvo(sync).exit_code, 0);
  EXPECT_EQ(kvo(show).exit_code, 0);

  // kvo logout wipes the folder.
  r = kvo({"logout"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(fs::exists(dir));

  // Suspended: the next sync wipes the folder.
  ASSERT_EQ(kvo(login).exit_code, 0);
  ASSERT_EQ(kvo(sync).exit_code, 0);
  ASSERT_TRUE(fs::exists(dir / "index.tsv"));
  SetPrincipalStatusRequest suspend;
  suspend.set_principal_id(id);
  suspend.set_reason("contract ended");
  Principal suspended;
  ASSERT_TRUE(
      identity_->SuspendPrincipal(Ctx(admin_).get(), suspend, &suspended).ok());
  r = kvo(sync);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("UNAUTHENTICATED"));
  EXPECT_FALSE(fs::exists(dir));
  EXPECT_NE(kvo(show).exit_code, 0);
}

}  // namespace
}  // namespace kvo::testing

namespace kvo::testing {
namespace {

// A privacy officer (FG) traces a shopkeeper's door reads of one person
// with the real kvo: by subject, by principal and action (CSV too), one
// entry with its inclusion proof, the signed heads and the anomaly report.
TEST_F(GalleryE2E, PrivacyOfficerTracesAShopkeepersDoorReads) {
  const Person person = MakePerson("Spoor");
  Card card;
  ASSERT_TRUE(Issue(Incident(person.id()), &card).ok());
  ASSERT_TRUE(Sync(shopkeeper_, 0).status.ok());    // bakker's door sees it
  ASSERT_TRUE(Sync(shopkeeper_b_, 0).status.ok());  // area B: not this one
  const std::string subject = "person:" + person.pseudonym();
  const std::string fg = MakeUser("fg.officer", ROLE_PRIVACY_OFFICER, {});
  WaitForSignedHead(fg);

  auto kvo = [&](std::vector<std::string> args, int want = 0) {
    CommandResult r = kvod_->Kvo(args);
    EXPECT_EQ(r.exit_code, want) << absl::StrJoin(args, " ") << "\n"
                                 << r.out << r.err;
    return r;
  };
  ASSERT_EQ(kvod_
                ->Kvo({"login", "--login", "fg.officer", "--password-stdin"},
                      std::string(kPassword) + "\n")
                .exit_code,
            0);
  const CommandResult by_subject =
      kvo({"audit", "log", "--subject", subject, "--purpose",
           "klacht 2026-3: wie zag deze persoon"});
  // The door read is there, with who, role and area.
  std::string sync_line;
  for (absl::string_view line : absl::StrSplit(by_subject.out, '\n')) {
    if (absl::StrContains(line, "gallery.sync")) sync_line = std::string(line);
  }
  ASSERT_FALSE(sync_line.empty()) << by_subject.out;
  EXPECT_THAT(sync_line, HasSubstr("bakker"));
  EXPECT_THAT(sync_line, HasSubstr("shopkeeper"));
  EXPECT_THAT(sync_line, HasSubstr("door check"));
  EXPECT_THAT(sync_line, HasSubstr(subject));
  EXPECT_THAT(by_subject.out, HasSubstr("registry.issue_card"));
  EXPECT_THAT(by_subject.out, Not(HasSubstr("kapper.b")));
  const std::string index = std::vector<std::string>(
      absl::StrSplit(sync_line, ' ', absl::SkipEmpty()))[0];

  const fs::path csv = tmp_.path() / "bakker.csv";
  const CommandResult by_principal = kvo(
      {"--json", "audit", "log", "--principal", "bakker", "--action",
       "gallery.sync", "--purpose", "klacht 2026-3", "--csv", csv.string()});
  EXPECT_THAT(by_principal.out, HasSubstr("\"index\":" + index + ","));
  std::ifstream in(csv);
  std::string header, first;
  std::getline(in, header);
  std::getline(in, first);
  EXPECT_THAT(header, HasSubstr("index,time,login,principal,role,area,action"));
  EXPECT_THAT(first, HasSubstr("bakker"));
  EXPECT_THAT(first, HasSubstr(absl::StrCat(",", area_a_, ",gallery.sync")));

  const CommandResult show =
      kvo({"audit", "show", index, "--purpose", "klacht 2026-3"});
  EXPECT_THAT(show.out, ::testing::ContainsRegex(
                            "inclusion: +verified against the signed head"));
  EXPECT_THAT(show.out, ::testing::ContainsRegex("address: +ipv"));
  EXPECT_THAT(show.out, ::testing::ContainsRegex("login: +bakker"));
  const CommandResult heads = kvo({"audit", "heads"});
  EXPECT_THAT(heads.out, HasSubstr("TREE_SIZE"));
  kvo({"audit", "anomalies", "--purpose", "weekly check"});

  // Every query is itself on record, with its purpose and what it traced.
  EXPECT_GE(Count("SELECT count(*) FROM audit_entries WHERE action = "
                  "'audit.query_log' AND purpose = 'klacht 2026-3: wie zag "
                  "deze persoon' AND subject = '" +
                  subject + "'"),
            1);
}

// The officer's page arrives only once its own audit entry is committed:
// the entry is on record the moment the answer is, without waiting for the
// sequencer. The page names each principal with its login (looked up in
// one statement for the whole page).
TEST_F(GalleryE2E, AnOfficersQueryIsOnRecordWhenItsAnswerArrives) {
  std::string subject;
  const std::string fg = SeenAtTheDoor("Inzage", &subject);
  ASSERT_FALSE(HasFailure());

  for (int i = 0; i < 3; ++i) {
    kvo::v1::QueryLogRequest q;
    q.set_subject(subject);
    q.set_purpose(absl::StrCat("inzageverzoek ", i));
    kvo::v1::QueryLogResponse page;
    grpc::Status s = audit_->QueryLog(Ctx(fg).get(), q, &page);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(Count("SELECT count(*) FROM audit_entries WHERE action = "
                    "'audit.query_log' AND outcome = 'ok' AND purpose = "
                    "'inzageverzoek " +
                    std::to_string(i) + "' AND subject = '" + subject + "'"),
              1);
    std::set<std::string> logins;
    for (const auto& row : page.rows()) {
      if (row.entry().action() == "gallery.sync" ||
          row.entry().action() == "registry.issue_card") {
        logins.insert(row.login());
      }
    }
    EXPECT_EQ(logins, (std::set<std::string>{"agent", "bakker"}));
  }
  // Paging one row at a time reaches the subject's oldest entry; no page
  // of a subject the log knows says NOT_FOUND.
  kvo::v1::QueryLogRequest first;
  first.set_subject(subject);
  first.set_purpose("controle");
  first.set_page_size(1);
  kvo::v1::QueryLogResponse rows;
  std::string token;
  do {
    ASSERT_TRUE(audit_->QueryLog(Ctx(fg).get(), first, &rows).ok());
    token = rows.next_page_token();
    first.set_page_token(token);
  } while (!token.empty());
  EXPECT_EQ(rows.rows_size(), 1);
}

TEST_F(GalleryE2E, AccessLogQueriesRefuseOthersAndBadInput) {
  std::string subject;
  const std::string fg = SeenAtTheDoor("Fout", &subject);
  ASSERT_FALSE(HasFailure());

  kvo::v1::QueryLogRequest ok;
  ok.set_subject(subject);
  ok.set_purpose("controle");
  kvo::v1::QueryLogResponse rows;
  for (const std::string& token : {shopkeeper_, police_}) {
    EXPECT_EQ(audit_->QueryLog(Ctx(token).get(), ok, &rows).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
    kvo::v1::AnomalyReport report;
    kvo::v1::AnomalyRequest anomalies;
    anomalies.set_purpose("x");
    EXPECT_EQ(
        audit_->GetAnomalies(Ctx(token).get(), anomalies, &report).error_code(),
        grpc::StatusCode::PERMISSION_DENIED);
    kvo::v1::GetEntryRequest entry;
    entry.set_purpose("x");
    kvo::v1::LogRow row;
    EXPECT_EQ(audit_->GetEntry(Ctx(token).get(), entry, &row).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }

  ok.set_page_size(1);
  ASSERT_TRUE(audit_->QueryLog(Ctx(fg).get(), ok, &rows).ok());
  ASSERT_EQ(rows.rows_size(), 1);
  ASSERT_FALSE(rows.next_page_token().empty());
  const std::string token = rows.next_page_token();
  kvo::v1::QueryLogRequest next = ok;
  next.set_page_token(token);
  kvo::v1::QueryLogResponse page2;
  ASSERT_TRUE(audit_->QueryLog(Ctx(fg).get(), next, &page2).ok());
  ASSERT_GE(page2.rows_size(), 1);
  EXPECT_LT(page2.rows(0).entry().index(), rows.rows(0).entry().index());

  struct Bad {
    std::function<void(kvo::v1::QueryLogRequest&)> edit;
    grpc::StatusCode code;
    std::string names;
  };
  const std::vector<Bad> bad = {
      {[](auto& r) { r.set_purpose("  "); }, grpc::StatusCode::INVALID_ARGUMENT,
       "--purpose"},
      {[](auto& r) { r.set_subject("person:nobody-has-this"); },
       grpc::StatusCode::NOT_FOUND, "--subject"},
      {[](auto& r) { r.set_principal("no.such.login"); },
       grpc::StatusCode::NOT_FOUND, "--principal"},
      {[](auto& r) {
         r.mutable_from()->set_seconds(2000000000);
         r.mutable_to()->set_seconds(1000000000);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "--from, --to"},
      {[&](auto& r) {
         r.set_subject("");
         r.set_principal("bakker");
         r.set_page_token(token);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "--page-token"},
      // An unknown subject is named before a token that is not its own.
      {[&](auto& r) {
         r.set_subject("person:nobody-has-this");
         r.set_page_token(token);
       },
       grpc::StatusCode::NOT_FOUND, "--subject"},
  };
  for (const Bad& b : bad) {
    kvo::v1::QueryLogRequest req = ok;
    b.edit(req);
    const int64_t entries = Count("SELECT count(*) FROM audit_entries");
    grpc::Status s = audit_->QueryLog(Ctx(fg).get(), req, &rows);
    EXPECT_EQ(s.error_code(), b.code) << b.names << ": " << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr(b.names));
    // Only the refusal is written.
    EXPECT_EQ(Count("SELECT count(*) FROM audit_entries"), entries + 1);
    EXPECT_EQ(Count("SELECT count(*) FROM audit_entries WHERE id = (SELECT "
                    "max(id) FROM audit_entries) AND outcome = 'denied' AND "
                    "action = 'audit.query_log'"),
              1);
  }
  kvo::v1::GetEntryRequest future;
  future.set_index(1u << 30);
  future.set_purpose("x");
  kvo::v1::LogRow row;
  EXPECT_EQ(audit_->GetEntry(Ctx(fg).get(), future, &row).error_code(),
            grpc::StatusCode::NOT_FOUND);
  kvo::v1::AnomalyRequest inverted;
  inverted.set_purpose("x");
  inverted.mutable_from()->set_seconds(2000000000);
  inverted.mutable_to()->set_seconds(1000000000);
  kvo::v1::AnomalyReport report;
  grpc::Status s = audit_->GetAnomalies(Ctx(fg).get(), inverted, &report);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("--from"));
}

// A shop's own individual ban at its own door, through the real kvod and
// kvo: the bakery's shopkeeper sees it with the police's photo, in its own
// words and its last whole day; the butcher of the same area, the area's
// guard and a branch of the same bakery in area B see neither the entry,
// nor its photo, nor a change. Revoked, it leaves the bakery's door.
// A sequence: the butcher's door holds its gallery; the butcher then takes
// on the bakery too. The bakery's own ban, issued long before, must come
// with the butcher's very next delta sync, not only with a full one.
TEST_F(GalleryE2E,
       AShopkeeperWhoTakesOnAnotherShopGetsItsOwnBansInTheNextDelta) {
  const Person p = MakePerson("Tweewinkel");
  Card own;
  grpc::Status s =
      Issue(Incident(p.id()), &own, 0, shopkeeper_, CARD_SCOPE_INDIVIDUAL);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(own.kind(), CARD_KIND_INDIVIDUAL_BAN);

  const SyncOutcome before = Sync(other_shopkeeper_, 0);
  ASSERT_TRUE(before.status.ok()) << before.status.error_message();
  EXPECT_FALSE(Ids(before).contains(p.id())) << "another shop's own ban";

  const int64_t butcher_keeper =
      Count("SELECT id FROM principals WHERE login = 'slager'");
  AddShopMemberRequest add;
  add.set_shop_id(bakery_);
  add.set_principal_id(butcher_keeper);
  Shop shop;
  s = registry_->AddShopMember(Ctx(admin_).get(), add, &shop);
  ASSERT_TRUE(s.ok()) << s.error_message();

  const SyncOutcome delta = Sync(other_shopkeeper_, before.version);
  ASSERT_TRUE(delta.status.ok()) << delta.status.error_message();
  ASSERT_TRUE(Ids(delta).contains(p.id()))
      << "the bakery's ban did not come with the delta after joining; "
      << delta.entries.size() << " entries, reset " << delta.reset;
  for (const GalleryEntry& e : delta.entries) {
    if (e.entry_id() != p.id()) continue;
    EXPECT_EQ(e.kind(), CARD_KIND_INDIVIDUAL_BAN);
    EXPECT_EQ(e.shop_id(), bakery_);
    EXPECT_EQ(e.card_id(), own.id());
  }
  const SyncOutcome full = Sync(other_shopkeeper_, 0);
  ASSERT_TRUE(full.status.ok());
  EXPECT_TRUE(Ids(full).contains(p.id()));
}

TEST_F(GalleryE2E, AShopsOwnBanIsAtItsOwnDoorAndNoOneElses) {
  // The bakery's branch in area B: a shopkeeper of a participating shop of
  // the same name.
  int64_t branch_keeper = 0;
  const std::string branch =
      MakeUser("bakker.b", ROLE_SHOPKEEPER, {area_b_}, &branch_keeper);
  {
    auto cycle = CycleService::NewStub(kvod_->Channel());
    CreateShopRequest create;
    create.set_area_id(area_b_);
    create.set_name("Bakkerij de Korenaar");
    Shop shop;
    ASSERT_TRUE(registry_->CreateShop(Ctx(admin_).get(), create, &shop).ok());
    AddShopMemberRequest add;
    add.set_shop_id(shop.id());
    add.set_principal_id(branch_keeper);
    ASSERT_TRUE(registry_->AddShopMember(Ctx(admin_).get(), add, &shop).ok());
    const std::string signed_on = absl::FormatCivilTime(
        absl::ToCivilDay(absl::Now(), absl::UTCTimeZone()) - 30);
    RecordParticipantRequest participant;
    participant.set_area_id(area_b_);
    participant.set_shop_id(shop.id());
    participant.set_agreement_signed_on(signed_on);
    participant.set_declaration_signed_on(signed_on);
    Participant out;
    ASSERT_TRUE(
        cycle->RecordParticipant(Ctx(admin_).get(), participant, &out).ok());
  }

  const Person p = MakePerson("Eigenwijs");
  Card own;
  grpc::Status s =
      Issue(Incident(p.id()), &own, 0, shopkeeper_, CARD_SCOPE_INDIVIDUAL);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(own.kind(), CARD_KIND_INDIVIDUAL_BAN);
  // Police add the face the bakery banned.
  PhotoInfo info;
  s = Upload(police_, p.id(), PhotoWithMetadata(), &info);
  ASSERT_TRUE(s.ok()) << s.error_message();

  const SyncOutcome mine = Sync(shopkeeper_, 0);
  ASSERT_TRUE(mine.status.ok()) << mine.status.error_message();
  ASSERT_EQ(mine.entries.size(), 1u);
  const GalleryEntry& e = mine.entries[0];
  EXPECT_EQ(e.entry_id(), p.id());
  EXPECT_EQ(e.kind(), CARD_KIND_INDIVIDUAL_BAN);
  EXPECT_EQ(e.shop_id(), bakery_);
  EXPECT_EQ(e.card_id(), own.id());
  EXPECT_FALSE(e.thumbnail().empty());
  // A second full sync (from the door cache) is the same.
  const SyncOutcome again = Sync(shopkeeper_, 0);
  ASSERT_EQ(again.entries.size(), 1u);
  EXPECT_EQ(again.entries[0].kind(), CARD_KIND_INDIVIDUAL_BAN);

  const int64_t views = AuditCount("gallery.get_photo");
  Photo photo;
  GetPhotoRequest get;
  get.set_entry_id(p.id());
  s = gallery_->GetPhoto(Ctx(shopkeeper_).get(), get, &photo);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_FALSE(photo.jpeg().empty());
  // Audited like any photo view at the door.
  EXPECT_EQ(AuditCount("gallery.get_photo"), views + 1);
  EXPECT_EQ(
      Count(absl::StrCat("SELECT count(*) FROM audit_entries WHERE action = "
                         "'gallery.get_photo' AND outcome = 'ok' AND purpose = "
                         "'door check' AND subject <> ''")),
      1);

  // The attack: every other door, full and since the change.
  for (const std::string& other :
       {other_shopkeeper_, security_, branch, shopkeeper_b_}) {
    const SyncOutcome full = Sync(other, 0);
    ASSERT_TRUE(full.status.ok()) << full.status.error_message();
    EXPECT_FALSE(Ids(full).contains(p.id()));
    const SyncOutcome delta = Sync(other, 1);
    EXPECT_FALSE(Ids(delta).contains(p.id()));
    EXPECT_THAT(delta.removed, Not(::testing::Contains(p.id())));
    Photo none;
    s = gallery_->GetPhoto(Ctx(other).get(), get, &none);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message();
    EXPECT_TRUE(none.jpeg().empty());
  }

  // Through kvo: the bakery sees its own ban in words, dated, with a photo;
  // the butcher does not.
  auto kvo_as = [&](const std::string& who,
                    std::vector<std::string> args) -> std::string {
    EXPECT_EQ(kvod_
                  ->Kvo({"login", "--login", who, "--password-stdin"},
                        std::string(kPassword) + "\n")
                  .exit_code,
              0);
    CommandResult r = kvod_->Kvo(args);
    EXPECT_EQ(r.exit_code, 0) << absl::StrJoin(args, " ") << "\n" << r.err;
    return r.out;
  };
  const fs::path dir = tmp_.path() / "bakkerij";
  kvo_as("bakker", {"gallery", "sync", "--dir", dir.string()});
  const std::string shown =
      kvod_->Kvo({"gallery", "show", "--dir", dir.string()}).out;
  EXPECT_THAT(shown, HasSubstr("Eigen winkelverbod van deze winkel"));
  EXPECT_THAT(shown, Not(HasSubstr("Collectie")));
  EXPECT_THAT(shown, HasSubstr("Eigenwijs"));
  EXPECT_THAT(shown, HasSubstr(common::DutchDay(common::LastWholeDay(
                         absl::FromUnixSeconds(own.valid_until().seconds())))));
  EXPECT_THAT(shown, HasSubstr(absl::StrCat(p.id(), ".jpg")));
  EXPECT_TRUE(fs::exists(dir / absl::StrCat(p.id(), ".jpg")));
  const fs::path butcher_dir = tmp_.path() / "slagerij";
  kvo_as("slager", {"gallery", "sync", "--dir", butcher_dir.string()});
  EXPECT_THAT(
      kvod_->Kvo({"gallery", "show", "--dir", butcher_dir.string()}).out,
      Not(HasSubstr("Eigenwijs")));

  // Revoked: it leaves the bakery's door at the next sync.
  RevokeCardRequest revoke;
  revoke.set_card_id(own.id());
  revoke.set_reason("objection upheld");
  Card revoked;
  ASSERT_TRUE(registry_->RevokeCard(Ctx(police_).get(), revoke, &revoked).ok());
  const SyncOutcome after = Sync(shopkeeper_, mine.version);
  EXPECT_EQ(after.removed, std::vector<int64_t>{p.id()});
  EXPECT_TRUE(after.entries.empty());
  EXPECT_TRUE(Sync(shopkeeper_, 0).entries.empty());
  s = gallery_->GetPhoto(Ctx(shopkeeper_).get(), get, &photo);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  kvo_as("bakker", {"gallery", "sync", "--dir", dir.string()});
  EXPECT_THAT(kvod_->Kvo({"gallery", "show", "--dir", dir.string()}).out,
              Not(HasSubstr("Eigenwijs")));
  EXPECT_FALSE(fs::exists(dir / absl::StrCat(p.id(), ".jpg")));
}

}  // namespace
}  // namespace kvo::testing
