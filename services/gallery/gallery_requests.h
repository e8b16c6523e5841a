#ifndef KVO_SERVICES_GALLERY_GALLERY_REQUESTS_H_
#define KVO_SERVICES_GALLERY_GALLERY_REQUESTS_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "kvo/v1/gallery.pb.h"

namespace kvo::gallery {

// What each gallery request must hold on its own, before anything is read
// or decoded. OK, or INVALID_ARGUMENT naming the field and what is allowed.
// Pure; thread-safe.
absl::Status ValidateSyncGalleryRequest(const kvo::v1::SyncGalleryRequest& r);
absl::Status ValidateGetPhotoRequest(const kvo::v1::GetPhotoRequest& r);

// An upload is a stream: the first message names the person (its id is
// returned), every later one carries the next chunk of the file, and the
// file stays within `max_bytes`. AppendUploadChunk appends a valid chunk to
// `file`.
absl::StatusOr<int64_t> ValidateUploadPhotoStart(
    const kvo::v1::UploadPhotoRequest& first);
absl::Status AppendUploadChunk(const kvo::v1::UploadPhotoRequest& part,
                               int64_t max_bytes, std::string* file);

}  // namespace kvo::gallery

#endif  // KVO_SERVICES_GALLERY_GALLERY_REQUESTS_H_
