#ifndef KVO_SERVICES_PHOTOS_PHOTO_INTAKE_H_
#define KVO_SERVICES_PHOTOS_PHOTO_INTAKE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kvo::photos {

// The limits of policy/ photos {}.
struct IntakeLimits {
  int64_t max_bytes = 10 * 1024 * 1024;
  int64_t max_pixels = 40'000'000;
  int max_side = 1024;
  int thumbnail_side = 256;
};

// What intake keeps of an uploaded photo: a normalised JPEG and its
// thumbnail, upright, with every metadata block (EXIF with the shop's GPS
// position, XMP, ICC, comments) removed.
struct ProcessedPhoto {
  std::string format;  // what was uploaded: "jpeg", "png", "webp", "heif"
  int source_width = 0;
  int source_height = 0;
  std::string jpeg;
  int width = 0;
  int height = 0;
  std::string thumbnail;
  int thumbnail_width = 0;
  int thumbnail_height = 0;
};

// Starts libvips once for the process, with loaders libvips marks untrusted
// (SVG, PDF, ImageMagick, ...) blocked and its operation cache off. False
// when libvips cannot start. Call before ProcessPhoto; thread-safe.
bool InitImaging(const char* argv0);

// Checks and normalises one photo. Only JPEG, PNG, WebP and HEIF are
// accepted, recognised by their bytes, not a file name; the pixel count is
// read from the header and checked before anything is decoded, so a
// decompression bomb costs nothing. INVALID_ARGUMENT with a message a
// person understands for anything else: too large, not an image, an
// unaccepted format, too many pixels, damaged or truncated. Thread-safe.
absl::StatusOr<ProcessedPhoto> ProcessPhoto(absl::string_view bytes,
                                            const IntakeLimits& limits);

}  // namespace kvo::photos

#endif  // KVO_SERVICES_PHOTOS_PHOTO_INTAKE_H_
