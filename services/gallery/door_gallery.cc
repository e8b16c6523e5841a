#include "services/gallery/door_gallery.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/audit/audit_entry.h"
#include "services/audit/pg_audit_store.h"
#include "services/common/proto_time.h"
#include "services/gallery/door_tiles.h"
#include "services/gallery/door_visibility.h"
#include "services/gallery/expiry_sweeper.h"
#include "services/gallery/gallery_requests.h"
#include "services/gallery/pg_gallery_store.h"
#include "services/registry/integrity_alarm.h"
#include "services/registry/pg_registry_store.h"
#include "services/registry/vault.h"

namespace kvo::gallery {
namespace {

using audit::PgAuditStore;
using common::ToProto;
using identity::Call;
using registry::PgRegistryStore;
using Store = PgGalleryStore;

// The person fields the door shows, if the caller's role may see them.
constexpr const char* kDoorFields[] = {"given_names", "surname_prefix",
                                       "surname", "description"};

std::string Subject(const registry::PersonRow& p) {
  return registry::AuditSubject(p);
}

kvo::v1::CardKind KindToProto(const std::string& kind) {
  if (kind == "individual_ban") return kvo::v1::CARD_KIND_INDIVIDUAL_BAN;
  return kind == "collective_ban" ? kvo::v1::CARD_KIND_COLLECTIVE_BAN
                                  : kvo::v1::CARD_KIND_COLLECTIVE_WARNING;
}

// The shops whose individual bans the caller sees at the door
// (door_visibility.h); memberships are read only for a role that sees any.
// A membership whose seal fails is left out (the admission raised its
// alarm).
std::vector<int64_t> OwnShops(pqxx::transaction_base& tx, const Call& call) {
  return OwnBanShops(call.caller.role, [&] {
    return PgRegistryStore::ShopsOfPrincipal(tx, call.caller.principal_id);
  });
}

// The cache slot of what only this caller is shown, if any.
std::optional<int64_t> OwnViewer(const Call& call) {
  if (!SeesOwnBans(call.caller.role)) return std::nullopt;
  return call.caller.principal_id;
}

std::vector<std::string> DoorFields(const kvo::v1::Policy& policy,
                                    kvo::v1::Role role) {
  std::vector<std::string> out;
  for (const auto& rule : policy.person_fields()) {
    if (rule.role() != role) continue;
    for (const char* f : kDoorFields) {
      if (std::find(rule.fields().begin(), rule.fields().end(), f) !=
          rule.fields().end()) {
        out.push_back(f);
      }
    }
  }
  return out;
}

std::string DisplayName(const std::map<std::string, std::string>& fields) {
  std::vector<std::string> parts;
  for (const char* f : {"given_names", "surname_prefix", "surname"}) {
    auto it = fields.find(f);
    if (it != fields.end() && !it->second.empty()) parts.push_back(it->second);
  }
  return absl::StrJoin(parts, " ");
}

// An entry showing one card (entry_id is the person's), as the choice of
// each person's tile sees it: a shop's own ban is a ban too.
DoorCard AsDoorCard(const kvo::v1::GalleryEntry& e) {
  return {e.entry_id(), e.card_id(),
          e.kind() != kvo::v1::CARD_KIND_COLLECTIVE_WARNING,
          absl::FromUnixSeconds(e.valid_until().seconds())};
}

// What one sync sends, assembled inside its transaction.
struct SyncResult {
  std::vector<kvo::v1::GalleryEntry> entries;  // one per person
  std::vector<int64_t> removed;                // persons
  int64_t version = 0;
  bool reset = false;
  std::map<int64_t, AreaState> states;  // to refresh GalleryVersions with
  std::set<int64_t> skipped;  // persons in force whose record did not open
  // Every card in force read, as an entry, with its subject: a full sync
  // keeps them per area in DoorCache.
  std::vector<kvo::v1::GalleryEntry> cards;
  std::vector<std::string> card_subjects;
};

// One entry for what a sync disclosed; it names the area when the caller
// has only one (a sync covers all of theirs).
audit::AuditRecord SyncRecord(const identity::RpcGuard& guard,
                              const identity::Call& call,
                              const std::set<std::string>& subjects) {
  audit::AuditRecord record = guard.Record(
      call, "gallery.sync", audit::JoinSubjects(subjects), "door check");
  if (call.caller.area_ids.size() == 1) {
    record.area_id = call.caller.area_ids.front();
  }
  return record;
}

// One outcome of the door's syncs, through gRPC and the door page alike.
common::Counter& SyncCounter(const char* outcome) {
  return common::ProcessMetrics().GetCounter(
      "kvo_door_syncs_total",
      "Door syncs (gRPC and door page) by outcome: no_change, delta, full, "
      "refused.",
      {{"outcome", outcome}});
}

}  // namespace

DoorGallery::DoorGallery(const kvo::v1::Policy& policy, common::DbPool& pool,
                         identity::RpcGuard& guard,
                         const registry::KeyRing& keys,
                         GalleryVersions& versions, DoorAdmission& admission,
                         const common::Clock& clock,
                         common::RateLimit& photo_limit,
                         common::ForegroundCalls* foreground)
    : policy_(policy),
      pool_(pool),
      guard_(guard),
      keys_(keys),
      versions_(versions),
      admission_(admission),
      clock_(clock),
      foreground_(foreground),
      photo_limiter_(photo_limit),
      synced_no_change_(SyncCounter("no_change")),
      synced_delta_(SyncCounter("delta")),
      synced_full_(SyncCounter("full")),
      sync_refused_(SyncCounter("refused")) {}

absl::StatusOr<DoorSync> DoorGallery::Sync(
    const Call& call, const kvo::v1::SyncGalleryRequest& request,
    int64_t* retry_after_s) {
  if (auto out = SyncFromMemory(call, request, retry_after_s)) {
    return std::move(*out);
  }
  return SyncFromDatabase(call, request);
}

std::optional<absl::StatusOr<DoorSync>> DoorGallery::SyncFromMemory(
    const Call& call, const kvo::v1::SyncGalleryRequest& request,
    int64_t* retry_after_s) {
  auto out = AnswerFromMemory(call, request, retry_after_s);
  if (out) Count(request, *out);
  return out;
}

absl::StatusOr<DoorSync> DoorGallery::SyncFromDatabase(
    const Call& call, const kvo::v1::SyncGalleryRequest& request) {
  auto out = SyncUncounted(call, request);
  Count(request, out);
  return out;
}

void DoorGallery::Count(const kvo::v1::SyncGalleryRequest& request,
                        const absl::StatusOr<DoorSync>& out) {
  if (!out.ok()) {
    sync_refused_.Increment();
  } else if (out->no_change) {
    synced_no_change_.Increment();
  } else if (request.since_version() == 0 || out->reset) {
    synced_full_.Increment();
  } else {
    synced_delta_.Increment();
  }
}

absl::Status DoorGallery::Admit(const Call& call, absl::string_view action) {
  absl::Status admitted = admission_.Check(call.caller, clock_.Now());
  if (admitted.code() == absl::StatusCode::kFailedPrecondition) {
    audit::AuditRecord record =
        guard_.Record(call, action, "", "door check", audit::Outcome::kDenied);
    if (call.caller.area_ids.size() == 1) {
      record.area_id = call.caller.area_ids.front();
    }
    guard_.AuditAlone(record);
  }
  return admitted;
}

std::optional<absl::StatusOr<DoorSync>> DoorGallery::AnswerFromMemory(
    const Call& call, const kvo::v1::SyncGalleryRequest& request,
    int64_t* retry_after_s) {
  const common::ForegroundCalls::Scope in_flight(foreground_);
  if (auto s =
          Limit(sync_limiter_, call, "gallery syncs",
                policy_.rate_limits().gallery_syncs_per_hour(), retry_after_s);
      !s.ok()) {
    return s;
  }
  if (auto s = ValidateSyncGalleryRequest(request); !s.ok()) return s;
  if (auto s = Admit(call, "gallery.sync"); !s.ok()) return s;
  const std::vector<int64_t>& areas = call.caller.area_ids;
  // A change of this process still being versioned: SyncUncounted waits.
  if (versions_.SequencingPending(areas)) return std::nullopt;
  if (auto out = NoChange(areas, request.since_version(), clock_.Now())) {
    return absl::StatusOr<DoorSync>(std::move(*out));
  }
  return std::nullopt;
}

std::optional<DoorSync> DoorGallery::NoChange(const std::vector<int64_t>& areas,
                                              int64_t since,
                                              absl::Time now) const {
  const auto view = versions_.Lookup(areas, now);
  if (!view || view->expiry_due || since < view->version ||
      since > view->newest) {
    return std::nullopt;
  }
  DoorSync out;
  out.version = since;
  out.no_change = true;
  return out;
}

absl::StatusOr<DoorSync> DoorGallery::SyncUncounted(
    const Call& call, const kvo::v1::SyncGalleryRequest& request) {
  const common::ForegroundCalls::Scope in_flight(foreground_);
  const int64_t since = request.since_version();
  const std::vector<int64_t>& areas = call.caller.area_ids;
  versions_.AwaitSequencing(areas);
  const absl::Time now = clock_.Now();

  // Nothing new for these areas after all (the sequencing it waited for
  // touched none of them): known without the database.
  if (auto out = NoChange(areas, since, now)) return std::move(*out);
  const auto view = versions_.Lookup(areas, now);
  if (view && !view->expiry_due && since == 0) {
    if (auto done = FullSyncFromCache(call, *view)) return std::move(*done);
  }

  const auto fields = DoorFields(policy_, call.caller.role);
  registry::Vault vault(keys_);
  auto result = pool_.InTransaction(
      "sync gallery", [&](pqxx::work& tx) -> absl::StatusOr<SyncResult> {
        SyncResult out;
        if (!view || view->expiry_due) {
          out.states = SweepExpired(tx, areas, now,
                                    policy_.retention().card_grace_days());
        }
        out.version = Store::CurrentVersion(tx);
        out.reset = since > out.version;
        const std::vector<int64_t> own_shops = OwnShops(tx, call);
        std::optional<std::vector<int64_t>> changed;  // persons
        if (since > 0 && !out.reset) {
          changed =
              Store::ChangedPersons(tx, areas, since, out.version, own_shops);
          if (changed->empty()) return out;
        }
        const auto rows =
            Store::EntriesInForce(tx, areas, now, changed, own_shops);
        std::vector<int64_t> persons, missing;
        std::map<int64_t, std::shared_ptr<const std::string>> thumbs;
        for (const auto& r : rows) {
          if (!persons.empty() && persons.back() == r.person.id) continue;
          persons.push_back(r.person.id);
          if (!r.photo_version) continue;
          auto cached = thumbnails_.Get(r.person.id, *r.photo_version);
          if (cached != nullptr) {
            thumbs[r.person.id] = std::move(cached);
          } else {
            missing.push_back(r.person.id);
          }
        }
        if (!missing.empty()) {
          auto fetched = Store::SealedThumbnails(tx, missing);
          for (const auto& r : rows) {
            auto it = fetched.find(r.person.id);
            if (it == fetched.end() || !r.photo_version) continue;
            auto bytes = std::make_shared<const std::string>(it->second);
            thumbnails_.Put(r.person.id, *r.photo_version, bytes);
            thumbs[r.person.id] = std::move(bytes);
          }
        }
        const auto sealed = Store::PersonFields(tx, persons, fields);
        if (auto s = vault.Prefetch(persons); !s.ok()) return s;
        // Rows come by person: each person is opened once, then every card
        // of theirs becomes an entry (the cache keeps them per area).
        std::set<std::string> subjects;
        kvo::v1::GalleryEntry person_entry;
        int64_t opened = 0;
        for (const auto& r : rows) {
          if (out.skipped.contains(r.person.id)) continue;
          if (r.person.id != opened) {
            opened = r.person.id;
            auto it = sealed.find(r.person.id);
            auto person = vault.OpenSealed(
                r.person, it == sealed.end()
                              ? std::map<std::string, std::string>{}
                              : it->second);
            if (!person.ok() && registry::SkipInList(person.status())) {
              registry::RaiseIntegrityAlarm(tx, guard_, call, "gallery.sync",
                                            r.person, person.status());
              out.skipped.insert(r.person.id);
              continue;
            }
            if (!person.ok()) return person.status();
            person_entry.Clear();
            person_entry.set_entry_id(r.person.id);
            person_entry.set_name(DisplayName(person->fields));
            person_entry.set_description(person->fields["description"]);
            if (auto t = thumbs.find(r.person.id);
                t != thumbs.end() && t->second != nullptr) {
              auto thumb =
                  vault.OpenValue(*person, kThumbnailField, *t->second);
              if (!thumb.ok() && registry::SkipInList(thumb.status())) {
                registry::RaiseIntegrityAlarm(tx, guard_, call, "gallery.sync",
                                              r.person, thumb.status());
                out.skipped.insert(r.person.id);
                continue;
              }
              if (!thumb.ok()) return thumb.status();
              person_entry.set_thumbnail(std::move(*thumb));
            }
            subjects.insert(Subject(r.person));
          }
          kvo::v1::GalleryEntry e = person_entry;
          e.set_card_id(r.card_id);
          e.set_area_id(r.area_id);
          e.set_kind(KindToProto(r.kind));
          if (!SharedAtDoor(r.kind)) e.set_shop_id(r.shop_id);
          *e.mutable_valid_until() = ToProto(r.valid_until);
          out.cards.push_back(std::move(e));
          out.card_subjects.push_back(Subject(r.person));
        }
        std::vector<DoorCard> door;
        door.reserve(out.cards.size());
        for (const auto& e : out.cards) door.push_back(AsDoorCard(e));
        std::set<int64_t> shown;
        for (size_t i : StrongestPerPerson(door)) {
          shown.insert(out.cards[i].entry_id());
          out.entries.push_back(out.cards[i]);
        }
        if (changed) {
          for (int64_t id : *changed) {
            // A skipped person is still in force: the device keeps what it
            // has.
            if (!shown.contains(id) && !out.skipped.contains(id)) {
              out.removed.push_back(id);
            }
          }
        }
        // One entry for what this sync disclosed; nothing, nothing logged.
        if (!subjects.empty()) {
          PgAuditStore::Append(tx, SyncRecord(guard_, call, subjects));
        }
        return out;
      });
  if (absl::IsUnavailable(result.status())) {
    // The database is away (a failover): a door that holds the newest
    // version known before is still current, as nothing can change
    // meanwhile; one behind must wait (entries need the database, and their
    // disclosure its audit entry).
    const auto last =
        versions_.LastKnown(areas, now, absl::FromChrono(common::kOutageGrace));
    if (last && !last->expiry_due && since > 0 && since >= last->version &&
        since <= last->newest) {
      DoorSync out;
      out.version = since;
      out.no_change = true;
      return out;
    }
  }
  if (!result.ok()) return result.status();
  versions_.Set(result->states, result->version);
  if (view && (since == 0 || result->reset) && result->skipped.empty()) {
    // Everything in force was read: keep it per area for the next device,
    // the collective cards for every caller of the role, the caller's own
    // shops' bans for this caller alone. Not with a damaged record: each
    // full sync reads (and alarms) again.
    const std::optional<int64_t> own = OwnViewer(call);
    for (size_t i = 0; i < areas.size(); ++i) {
      auto state = result->states.find(areas[i]);
      const int64_t area_version = state != result->states.end()
                                       ? state->second.version
                                       : view->area_versions[i];
      auto shared = std::make_shared<DoorSnapshot>();
      auto mine = std::make_shared<DoorSnapshot>();
      for (auto* s : {shared.get(), mine.get()}) {
        s->area_version = area_version;
        s->sync_version = result->version;
      }
      for (size_t e = 0; e < result->cards.size(); ++e) {
        const auto& card = result->cards[e];
        if (card.area_id() != areas[i]) continue;
        DoorSnapshot* s = card.kind() == kvo::v1::CARD_KIND_INDIVIDUAL_BAN
                              ? mine.get()
                              : shared.get();
        s->entries.push_back(card);
        s->subjects.push_back(result->card_subjects[e]);
        s->bytes += card.ByteSizeLong();
      }
      door_.Put(areas[i], call.caller.role, std::move(shared));
      if (own) door_.Put(areas[i], call.caller.role, std::move(mine), *own);
    }
  }
  DoorSync out;
  out.entries.reserve(result->entries.size());
  for (auto& e : result->entries) {
    out.entries.push_back(
        std::make_shared<const kvo::v1::GalleryEntry>(std::move(e)));
  }
  out.removed = std::move(result->removed);
  out.version = result->version;
  out.reset = result->reset;
  out.no_change = since > 0 && !result->reset && out.entries.empty() &&
                  out.removed.empty() && result->skipped.empty();
  return out;
}

std::optional<absl::StatusOr<DoorSync>> DoorGallery::FullSyncFromCache(
    const Call& call, const GalleryVersions::View& view) {
  const auto& areas = call.caller.area_ids;
  std::vector<std::shared_ptr<const DoorSnapshot>> snapshots;
  std::set<std::string> subjects;
  int64_t version = 0;
  // Each area's shared snapshot and, for a caller shown their own shops'
  // bans, theirs: both must be current.
  std::vector<int64_t> viewers = {DoorCache::kShared};
  if (const auto own = OwnViewer(call)) viewers.push_back(*own);
  for (size_t i = 0; i < areas.size(); ++i) {
    for (int64_t viewer : viewers) {
      auto snapshot =
          door_.Get(areas[i], call.caller.role, view.area_versions[i], viewer);
      if (snapshot == nullptr) return std::nullopt;
      subjects.insert(snapshot->subjects.begin(), snapshot->subjects.end());
      // Every snapshot holds all changes up to its sync version: the
      // oldest of them is what the device now holds.
      version = snapshots.empty() ? snapshot->sync_version
                                  : std::min(version, snapshot->sync_version);
      snapshots.push_back(std::move(snapshot));
    }
  }
  if (snapshots.empty()) return std::nullopt;
  if (!subjects.empty()) {
    auto logged = pool_.InTransaction(
        "log gallery sync", [&](pqxx::work& tx) -> absl::Status {
          PgAuditStore::Append(tx, SyncRecord(guard_, call, subjects));
          return absl::OkStatus();
        });
    if (!logged.ok()) return absl::StatusOr<DoorSync>(logged);
  }
  const int64_t now_s = absl::ToUnixSeconds(clock_.Now());
  // Each shares its snapshot's ownership: the cache may drop the snapshot
  // while the entries are being sent.
  std::vector<std::shared_ptr<const kvo::v1::GalleryEntry>> in_force;
  for (const auto& snapshot : snapshots) {
    for (const auto& entry : snapshot->entries) {
      if (entry.valid_until().seconds() <= now_s) continue;
      in_force.emplace_back(snapshot, &entry);
    }
  }
  std::vector<DoorCard> door;
  door.reserve(in_force.size());
  for (const auto& e : in_force) door.push_back(AsDoorCard(*e));
  DoorSync out;
  for (size_t i : StrongestPerPerson(door)) {
    out.entries.push_back(std::move(in_force[i]));
  }
  out.version = version;
  return absl::StatusOr<DoorSync>(std::move(out));
}

absl::StatusOr<kvo::v1::Photo> DoorGallery::GetPhoto(
    const Call& call, const kvo::v1::GetPhotoRequest& request,
    absl::string_view purpose, int64_t* retry_after_s) {
  const common::ForegroundCalls::Scope in_flight(foreground_);
  if (auto s = ValidateGetPhotoRequest(request); !s.ok()) return s;
  if (auto s = Admit(call, "gallery.get_photo"); !s.ok()) return s;
  if (auto s =
          Limit(photo_limiter_, call, "photo views",
                policy_.rate_limits().photo_reads_per_hour(), retry_after_s);
      !s.ok()) {
    return s;
  }
  registry::Vault vault(keys_);
  auto photo = pool_.InTransaction(
      "get photo", [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::Photo> {
        // Only a person shown at the caller's door (entry_id is the
        // person's): with a collective card in force in the caller's areas
        // or an individual ban of the caller's own shop in force. Revoked,
        // expired, erased, other areas' and other shops' entries are all
        // "not found".
        const auto rows = Store::EntriesInForce(
            tx, call.caller.area_ids, clock_.Now(),
            std::vector<int64_t>{request.entry_id()}, OwnShops(tx, call));
        if (rows.empty()) {
          return absl::NotFoundError(absl::StrCat("entry_id: no gallery entry ",
                                                  request.entry_id(),
                                                  " in force in your areas"));
        }
        const auto& entry = rows[0];
        // The sealed bytes of the upload the entry names come from memory
        // when they were read before; what is shown, and the audit entry,
        // are decided in this transaction either way.
        std::shared_ptr<const SealedPhoto> stored;
        if (entry.photo_version) {
          stored = photos_.Get(entry.person.id, *entry.photo_version);
        }
        if (stored == nullptr && entry.photo_version) {
          if (auto read = Store::FullPhotoOf(tx, entry.person.id)) {
            stored = std::make_shared<const SealedPhoto>(std::move(*read));
            photos_.Put(entry.person.id, stored->version, stored);
          }
        }
        if (stored == nullptr) {
          return absl::NotFoundError(
              absl::StrCat("entry ", request.entry_id(), " has no photo yet"));
        }
        auto person = vault.OpenSealed(entry.person, {});
        if (!person.ok()) return person.status();
        auto jpeg = vault.OpenValue(*person, kPhotoField, stored->sealed_jpeg);
        if (!jpeg.ok()) return jpeg.status();
        audit::AuditRecord record = guard_.Record(
            call, "gallery.get_photo", Subject(entry.person), purpose);
        record.area_id = entry.area_id;
        PgAuditStore::Append(tx, record);
        kvo::v1::Photo out;
        out.set_entry_id(entry.person.id);
        out.set_jpeg(std::move(*jpeg));
        out.set_width(stored->width);
        out.set_height(stored->height);
        return out;
      });
  if (photo.status().code() == absl::StatusCode::kNotFound) {
    // A refusal that touches personal data (perhaps another area's) is on
    // record, without naming whom it would have shown.
    guard_.AuditAlone(guard_.Record(call, "gallery.get_photo", "", purpose,
                                    audit::Outcome::kDenied));
  }
  return photo;
}

absl::Status DoorGallery::Limit(common::RateLimit& limit, const Call& call,
                                absl::string_view what, int per_hour,
                                int64_t* retry_after_s) {
  const absl::StatusOr<int64_t> wait = limit.Acquire(
      absl::StrCat(what, ":", call.caller.principal_id), per_hour);
  if (!wait.ok()) return wait.status();
  if (retry_after_s != nullptr) *retry_after_s = *wait;
  if (*wait == 0) return absl::OkStatus();
  return absl::ResourceExhaustedError(absl::StrCat(
      "at most ", per_hour, " ", what, " an hour; retry in ", *wait, " s"));
}

}  // namespace kvo::gallery
