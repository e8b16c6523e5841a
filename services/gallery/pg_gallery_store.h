#ifndef KVO_SERVICES_GALLERY_PG_GALLERY_STORE_H_
#define KVO_SERVICES_GALLERY_PG_GALLERY_STORE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "services/registry/pg_registry_store.h"

namespace kvo::gallery {

// The field names a photo and its thumbnail are sealed under (the vault
// binds them with the person).
inline constexpr char kPhotoField[] = "photo";
inline constexpr char kThumbnailField[] = "photo_thumbnail";

// A card whose gallery entry changed (shown, changed or to be purged).
struct GalleryChange {
  int64_t area_id = 0;
  int64_t card_id = 0;
};

// What one sequencing gave out: the version and the areas it touched.
struct Sequenced {
  int64_t version = 0;  // 0: nothing was pending
  std::vector<int64_t> areas;
};

// What a device of an area needs to know to skip a sync: the newest
// version that touched the area, and when its next card expires.
struct AreaState {
  int64_t version = 0;
  std::optional<absl::Time> next_expiry;
};

// A card in force as the door gallery shows it (shop_id: the shop that
// issued it, whose door alone shows an individual ban), with its person's
// row and which photo the person has (its upload time in microseconds;
// nullopt without one). The thumbnails themselves come from SealedThumbnails.
struct EntryRow {
  int64_t card_id = 0;
  int64_t area_id = 0;
  std::string kind;
  absl::Time valid_until;
  int64_t shop_id = 0;
  registry::PersonRow person;
  std::optional<int64_t> photo_version;
};

struct PhotoRow {
  int64_t person_id = 0;
  std::string sealed_jpeg;
  std::string sealed_thumbnail;
  int32_t width = 0;
  int32_t height = 0;
};

// What a full photo view reads: the sealed JPEG without the thumbnail, and
// which upload it is (EntryRow::photo_version).
struct SealedPhoto {
  std::string sealed_jpeg;
  int32_t width = 0;
  int32_t height = 0;
  int64_t version = 0;
  size_t size() const { return sealed_jpeg.size(); }
};

// The only SQL of photos and the gallery. Every function runs in the
// caller's transaction. The gallery reads cards and persons of the
// registry, never writes them, except the expiry mark it owns.
class PgGalleryStore final {
 public:
  using Tx = pqxx::transaction_base;
  // The NOTIFY channel: payload "area_id version", or "area_id version
  // origin" when the sequencing process keeps its own state already, or
  // kAdmissionChanged.
  static constexpr char kChannel[] = "kvo_gallery";
  // The payload saying that what admits callers to the door (licences,
  // participants, declarations) changed: every kvod forgets what its
  // DoorAdmission kept. Older kvods ignore it (no area in it).
  static constexpr char kAdmissionChanged[] = "admission";

  // Notifies every replica, when `tx` commits, with kAdmissionChanged.
  static void AnnounceAdmissionChange(Tx& tx);

  // Logs the changes, unversioned: no lock, so use cases writing at once
  // commit at once. SequencePending gives them their version.
  static void RecordChanges(Tx& tx, const std::vector<GalleryChange>& changes);
  // One sequencer at a time (a lock held until the caller's transaction
  // ends): every committed change without a version (and the caller's own)
  // gets the next version, and every replica is notified. Without pending
  // changes it writes nothing (and its commit costs no disk flush).
  // `origin` (no spaces) tags the notifications so that the process that
  // applies the result itself can skip re-reading what it already knows.
  static Sequenced SequencePending(Tx& tx, absl::string_view origin = "");
  // The newest committed version of the whole registry.
  static int64_t CurrentVersion(Tx& tx);
  // The state of the given areas (every area with a change or a card in the
  // gallery when `area_ids` is empty).
  static std::map<int64_t, AreaState> AreaStates(
      Tx& tx, const std::vector<int64_t>& area_ids);
  // The persons of the areas' cards that changed in (since, upto]: of
  // collective cards, and of the individual bans of `own_shops` (the shops
  // whose own bans the door sees, OwnBanShops).
  static std::vector<int64_t> ChangedPersons(
      Tx& tx, const std::vector<int64_t>& area_ids, int64_t since, int64_t upto,
      const std::vector<int64_t>& own_shops = {});
  // Cards in force at `now` in the areas that a door seeing the individual
  // bans of `own_shops` shows (collective cards, and those individual bans),
  // of persons not erased, by person; only those of `person_ids` unless it
  // is nullopt.
  static std::vector<EntryRow> EntriesInForce(
      Tx& tx, const std::vector<int64_t>& area_ids, absl::Time now,
      const std::optional<std::vector<int64_t>>& person_ids,
      const std::vector<int64_t>& own_shops = {});
  // The sealed thumbnails of several persons: person -> sealed bytes.
  static std::map<int64_t, std::string> SealedThumbnails(
      Tx& tx, const std::vector<int64_t>& person_ids);
  // Sealed person fields of several persons: person -> field -> sealed.
  static std::map<int64_t, std::map<std::string, std::string>> PersonFields(
      Tx& tx, const std::vector<int64_t>& person_ids,
      const std::vector<std::string>& fields);
  // Marks the areas' cards (collective or individual) that expired by `now` as
  // purged from the gallery; returns them (each once, whoever sweeps first).
  static std::vector<GalleryChange> SweepExpired(
      Tx& tx, const std::vector<int64_t>& area_ids, absl::Time now);
  // Cards of the person in force at `now` (any area, any kind).
  static std::vector<GalleryChange> CardsInForceOfPerson(Tx& tx,
                                                         int64_t person_id,
                                                         absl::Time now);

  static void UpsertPhoto(Tx& tx, const PhotoRow& photo, int64_t uploaded_by);
  static std::optional<PhotoRow> PhotoOf(Tx& tx, int64_t person_id);
  static std::optional<SealedPhoto> FullPhotoOf(Tx& tx, int64_t person_id);
  static void DeletePhoto(Tx& tx, int64_t person_id);
  // Deletes the photos of persons with no card left that is unrevoked and
  // ended less than `grace_days` before `now` (retention); how many.
  static int64_t DeletePhotosPastRetention(Tx& tx, absl::Time now,
                                           int grace_days);
};

}  // namespace kvo::gallery

#endif  // KVO_SERVICES_GALLERY_PG_GALLERY_STORE_H_
