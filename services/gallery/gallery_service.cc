#include "services/gallery/gallery_service.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/audit/pg_audit_store.h"
#include "services/common/no_change_calls.h"
#include "services/common/status_util.h"
#include "services/gallery/gallery_requests.h"
#include "services/gallery/pg_gallery_store.h"
#include "services/photos/photo_intake.h"
#include "services/photos/policy_limits.h"
#include "services/registry/pg_registry_store.h"
#include "services/registry/vault.h"

namespace kvo::gallery {
namespace {

using audit::PgAuditStore;
using common::ToGrpcStatus;
using registry::PgRegistryStore;
using Store = PgGalleryStore;

constexpr char kService[] = "kvo.v1.GalleryService/";

std::string Method(absl::string_view name) {
  return absl::StrCat(kService, name);
}

std::string Subject(const registry::PersonRow& p) {
  return registry::AuditSubject(p);
}

// A use case's refusal; past a rate limit the device also learns when to
// retry (the "retry-after-seconds" trailer).
grpc::Status Refused(grpc::ServerContextBase& context,
                     const absl::Status& status, int64_t retry_after_s) {
  if (status.code() == absl::StatusCode::kResourceExhausted &&
      retry_after_s > 0) {
    context.AddTrailingMetadata("retry-after-seconds",
                                std::to_string(retry_after_s));
  }
  return ToGrpcStatus(status);
}

}  // namespace

SyncWriter::~SyncWriter() { GiveBack(); }

void SyncWriter::GiveBack() {
  for (auto& update : updates_) {
    if (update.has_entry()) update.unsafe_arena_release_entry();
  }
}

void SyncWriter::Send(
    std::vector<kvo::v1::GalleryUpdate> updates,
    std::vector<std::shared_ptr<const kvo::v1::GalleryEntry>> held) {
  GiveBack();  // never delete what an earlier Send borrowed
  updates_ = std::move(updates);
  held_ = std::move(held);
  Next();
}

void SyncWriter::OnWriteDone(bool ok) {
  if (!ok) {
    Finish(grpc::Status::CANCELLED);
    return;
  }
  Next();
}

void SyncWriter::Next() {
  if (next_ == updates_.size()) {
    Finish(grpc::Status::OK);
    return;
  }
  const kvo::v1::GalleryUpdate& update = updates_[next_++];
  // The last message goes out with the status, in one step.
  if (next_ == updates_.size()) {
    StartWriteAndFinish(&update, grpc::WriteOptions(), grpc::Status::OK);
  } else {
    StartWrite(&update);
  }
}

GalleryServiceImpl::GalleryServiceImpl(
    const kvo::v1::Policy& policy, common::DbPool& pool,
    identity::RpcGuard& guard, const registry::KeyRing& keys,
    GalleryVersions& versions, const common::Clock& clock, DoorGallery& door)
    : policy_(policy),
      pool_(pool),
      guard_(guard),
      keys_(keys),
      versions_(versions),
      clock_(clock),
      door_(door) {}

grpc::Status GalleryServiceImpl::UploadPhoto(
    grpc::ServerContext* context,
    grpc::ServerReader<kvo::v1::UploadPhotoRequest>* reader,
    kvo::v1::PhotoInfo* response) {
  auto call = guard_.Begin(*context, Method("UploadPhoto"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  const auto& limits = policy_.photos();
  kvo::v1::UploadPhotoRequest part;
  if (!reader->Read(&part)) part.Clear();
  const auto person = ValidateUploadPhotoStart(part);
  if (!person.ok()) return ToGrpcStatus(person.status());
  const int64_t person_id = *person;
  std::string bytes;
  while (reader->Read(&part)) {
    if (auto s = AppendUploadChunk(part, limits.max_upload_bytes(), &bytes);
        !s.ok()) {
      return ToGrpcStatus(s);
    }
  }
  if (bytes.empty()) {
    return ToGrpcStatus(
        absl::InvalidArgumentError("chunk: the photo file is missing"));
  }
  auto photo = photos::ProcessPhoto(bytes, photos::LimitsOf(limits));
  if (!photo.ok()) return ToGrpcStatus(photo.status());

  registry::Vault vault(keys_);
  struct Stored {
    absl::Status refusal;
    std::vector<int64_t> areas;  // the areas whose galleries changed
  };
  auto stored = pool_.InTransaction(
      "store photo", [&](pqxx::work& tx) -> absl::StatusOr<Stored> {
        auto row = PgRegistryStore::PersonForUpdate(tx, person_id);
        if (!row) {
          return absl::NotFoundError(
              absl::StrCat("person_id: person ", person_id, " not found"));
        }
        const auto cards =
            Store::CardsInForceOfPerson(tx, person_id, clock_.Now());
        if (cards.empty()) {
          return absl::FailedPreconditionError(absl::StrCat(
              "person ", person_id,
              " has no collective warning or ban, nor a shop's individual "
              "ban, in force; photos are kept for the door gallery only"));
        }
        // The person must be on a card of one of the caller's areas.
        const auto& mine = call->caller.area_ids;
        const bool shared =
            std::any_of(cards.begin(), cards.end(), [&](auto c) {
              return std::find(mine.begin(), mine.end(), c.area_id) !=
                     mine.end();
            });
        if (!shared) {
          if (auto s = guard_.CheckAreasIn(tx, *call, {cards[0].area_id});
              !s.ok()) {
            return Stored{s, {}};
          }
        }
        auto person = vault.Open(tx, *row, {});
        if (!person.ok()) return person.status();
        PhotoRow p;
        p.person_id = person_id;
        p.sealed_jpeg = vault.Seal(*person, kPhotoField, photo->jpeg);
        p.sealed_thumbnail =
            vault.Seal(*person, kThumbnailField, photo->thumbnail);
        p.width = photo->width;
        p.height = photo->height;
        Store::UpsertPhoto(tx, p, call->caller.principal_id);
        Store::RecordChanges(tx, cards);
        PgAuditStore::Append(tx, guard_.Record(*call, "gallery.upload_photo",
                                               Subject(*row), "registration"));
        Stored out{absl::OkStatus(), {}};
        for (const auto& c : cards) out.areas.push_back(c.area_id);
        return out;
      });
  if (!stored.ok()) return ToGrpcStatus(stored.status());
  if (!stored->refusal.ok()) return ToGrpcStatus(stored->refusal);
  versions_.RequestSequencing(stored->areas);
  response->set_person_id(person_id);
  response->set_source_format(photo->format);
  response->set_width(photo->width);
  response->set_height(photo->height);
  response->set_thumbnail_width(photo->thumbnail_width);
  response->set_thumbnail_height(photo->thumbnail_height);
  return grpc::Status::OK;
}

grpc::ServerWriteReactor<kvo::v1::GalleryUpdate>*
GalleryServiceImpl::SyncGallery(grpc::CallbackServerContext* context,
                                const kvo::v1::SyncGalleryRequest* request) {
  auto* writer = new SyncWriter();
  auto call = guard_.Begin(*context, Method("SyncGallery"));
  if (!call.ok()) {
    writer->Finish(ToGrpcStatus(call.status()));
    return writer;
  }
  int64_t retry_after = 0;
  if (auto sync = door_.SyncFromMemory(*call, *request, &retry_after)) {
    Answer(*context, *writer, std::move(*sync), retry_after);
    return writer;
  }
  sync_workers_.Submit([this, context, writer, request, call = *call] {
    Answer(*context, *writer, door_.SyncFromDatabase(call, *request), 0);
  });
  return writer;
}

void GalleryServiceImpl::Answer(grpc::CallbackServerContext& context,
                                SyncWriter& writer,
                                absl::StatusOr<DoorSync> sync,
                                int64_t retry_after) const {
  if (!sync.ok()) {
    writer.Finish(Refused(context, sync.status(), retry_after));
    return;
  }
  std::vector<kvo::v1::GalleryUpdate> updates(sync->entries.size() +
                                              sync->removed.size() + 1);
  size_t i = 0;
  // Serialising reads them only: no copy of the thumbnails.
  for (const auto& e : sync->entries) {
    updates[i++].unsafe_arena_set_allocated_entry(
        const_cast<kvo::v1::GalleryEntry*>(e.get()));
  }
  for (int64_t id : sync->removed) updates[i++].set_removed_entry_id(id);
  // The message that ends every sync also tells the device how long it may
  // show its copy without syncing.
  auto* v = updates[i].mutable_version();
  v->set_version(sync->version);
  v->set_reset(sync->reset);
  v->set_max_offline_hours(policy_.door().max_offline_hours());
  if (sync->no_change) common::MarkNoChange(context);
  writer.Send(std::move(updates), std::move(sync->entries));
}

grpc::Status GalleryServiceImpl::GetPhoto(
    grpc::ServerContext* context, const kvo::v1::GetPhotoRequest* request,
    kvo::v1::Photo* response) {
  auto call = guard_.Begin(*context, Method("GetPhoto"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  int64_t retry_after = 0;
  auto photo = door_.GetPhoto(*call, *request, "door check", &retry_after);
  if (!photo.ok()) return Refused(*context, photo.status(), retry_after);
  *response = std::move(*photo);
  return grpc::Status::OK;
}

}  // namespace kvo::gallery
