// Photo intake: format sniffing, the header's pixel count checked before
// decoding, the decode itself, then the normalised JPEG and thumbnail.
// Limits are smaller than the policy's so that one input stays cheap; the
// code paths are the same.
#include <cstddef>
#include <cstdint>

#include "services/photos/photo_intake.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool ok = kvo::photos::InitImaging("photo_fuzz");
  if (!ok) __builtin_trap();
  kvo::photos::IntakeLimits limits;
  limits.max_bytes = 1 << 20;
  limits.max_pixels = 4'000'000;
  limits.max_side = 256;
  limits.thumbnail_side = 64;
  auto photo = kvo::photos::ProcessPhoto(
      absl::string_view(reinterpret_cast<const char*>(data), size), limits);
  if (photo.ok()) {
    // What is kept is bounded by the limits, whatever came in.
    if (photo->width > limits.max_side || photo->height > limits.max_side ||
        photo->thumbnail_width > limits.thumbnail_side ||
        photo->thumbnail_height > limits.thumbnail_side ||
        photo->jpeg.empty() || photo->thumbnail.empty()) {
      __builtin_trap();
    }
  } else if (photo.status().code() != absl::StatusCode::kInvalidArgument) {
    __builtin_trap();
  }
  return 0;
}
