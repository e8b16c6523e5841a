#include "services/gallery/gallery_requests.h"

#include "absl/strings/str_cat.h"

namespace kvo::gallery {

absl::Status ValidateSyncGalleryRequest(const kvo::v1::SyncGalleryRequest& r) {
  if (r.since_version() < 0) {
    return absl::InvalidArgumentError(
        "since_version: 0 for everything, else the version last received");
  }
  return absl::OkStatus();
}

absl::Status ValidateGetPhotoRequest(const kvo::v1::GetPhotoRequest& r) {
  if (r.entry_id() <= 0) {
    return absl::InvalidArgumentError("entry_id: required");
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> ValidateUploadPhotoStart(
    const kvo::v1::UploadPhotoRequest& first) {
  if (first.part_case() != first.kPersonId || first.person_id() <= 0) {
    return absl::InvalidArgumentError(
        "person_id: the first message names the person (a positive id), "
        "the file follows in chunks");
  }
  return first.person_id();
}

absl::Status AppendUploadChunk(const kvo::v1::UploadPhotoRequest& part,
                               int64_t max_bytes, std::string* file) {
  if (part.part_case() != part.kChunk) {
    return absl::InvalidArgumentError(
        "chunk: after the first message only chunks of the file");
  }
  if (static_cast<int64_t>(file->size() + part.chunk().size()) > max_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("photo: larger than the limit of ", max_bytes, " bytes"));
  }
  *file += part.chunk();
  return absl::OkStatus();
}

}  // namespace kvo::gallery
