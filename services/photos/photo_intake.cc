#include "services/photos/photo_intake.h"

#include <mutex>
#include <vips/vips8>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace kvo::photos {
namespace {

using vips::VImage;
using vips::VOption;

struct Loader {
  const char* vips_name;  // what vips_foreign_find_load_buffer answers
  const char* format;
  VImage (*load)(VipsBlob*, VOption*);
};

// The only formats accepted; everything else is refused by name.
const Loader kLoaders[] = {
    {"VipsForeignLoadJpegBuffer", "jpeg", &VImage::jpegload_buffer},
    {"VipsForeignLoadPngBuffer", "png", &VImage::pngload_buffer},
    {"VipsForeignLoadWebpBuffer", "webp", &VImage::webpload_buffer},
    {"VipsForeignLoadHeifBuffer", "heif", &VImage::heifload_buffer},
};

struct BlobDeleter {
  void operator()(VipsBlob* blob) const { vips_area_unref(VIPS_AREA(blob)); }
};
using Blob = std::unique_ptr<VipsBlob, BlobDeleter>;

std::string BlobBytes(VipsBlob* blob) {
  Blob owned(blob);
  size_t length = 0;
  const void* data = vips_blob_get(blob, &length);
  return std::string(static_cast<const char*>(data), length);
}

absl::Status Refuse(absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("photo: ", why));
}

// JPEG of the image, every metadata block stripped.
std::string Jpeg(const VImage& image) {
  return BlobBytes(image.jpegsave_buffer(VImage::option()
                                             ->set("Q", 85)
                                             ->set("strip", true)
                                             ->set("optimize_coding", true)));
}

}  // namespace

bool InitImaging(const char* argv0) {
  static const bool ok = [argv0] {
    if (VIPS_INIT(argv0) != 0) return false;
    vips_block_untrusted_set(TRUE);
    // Photos are sealed per person: nothing decoded may linger in a cache.
    vips_cache_set_max(0);
    return true;
  }();
  return ok;
}

absl::StatusOr<ProcessedPhoto> ProcessPhoto(absl::string_view bytes,
                                            const IntakeLimits& limits) {
  if (static_cast<int64_t>(bytes.size()) > limits.max_bytes) {
    return Refuse(absl::StrCat("at most ", limits.max_bytes, " bytes, got ",
                               bytes.size()));
  }
  if (bytes.empty()) return Refuse("empty upload");
  const char* found = vips_foreign_find_load_buffer(bytes.data(), bytes.size());
  vips_error_clear();
  const Loader* loader = nullptr;
  for (const Loader& l : kLoaders) {
    if (found != nullptr && std::string_view(found) == l.vips_name) loader = &l;
  }
  if (loader == nullptr) {
    return Refuse("not a JPEG, PNG, WebP or HEIF image");
  }
  ProcessedPhoto out;
  out.format = loader->format;
  try {
    // The blob borrows the caller's bytes; loading is lazy, so only the
    // header has been read when the size is checked.
    Blob input(vips_blob_new(nullptr, bytes.data(), bytes.size()));
    VImage image =
        loader->load(input.get(), VImage::option()
                                      ->set("access", VIPS_ACCESS_SEQUENTIAL)
                                      ->set("fail", true));
    out.source_width = image.width();
    out.source_height = image.height();
    const int64_t pixels = static_cast<int64_t>(image.width()) * image.height();
    if (pixels > limits.max_pixels) {
      return Refuse(absl::StrCat(image.width(), "x", image.height(), " is ",
                                 pixels, " pixels, at most ", limits.max_pixels,
                                 " allowed"));
    }
    // Shrunk first, streaming through the decoder once, and kept in memory
    // (a few MB), then turned upright: rotating needs random access, which
    // the full-size decode must not be asked for. A max_side square bounds
    // the longest side whichever way it turns.
    VImage normal = image
                        .thumbnail_image(limits.max_side,
                                         VImage::option()
                                             ->set("height", limits.max_side)
                                             ->set("size", VIPS_SIZE_DOWN)
                                             ->set("no_rotate", true))
                        .copy_memory()
                        .autorot();
    if (normal.interpretation() != VIPS_INTERPRETATION_sRGB &&
        normal.interpretation() != VIPS_INTERPRETATION_B_W) {
      normal = normal.colourspace(VIPS_INTERPRETATION_sRGB);
    }
    if (normal.bands() == 2 || normal.bands() == 4) {
      normal = normal.flatten(VImage::option()->set(
          "background", std::vector<double>{255, 255, 255}));
    }
    // Two images are made from it: compute it once.
    normal = normal.copy_memory();
    out.jpeg = Jpeg(normal);
    out.width = normal.width();
    out.height = normal.height();
    VImage thumb = normal.thumbnail_image(
        limits.thumbnail_side,
        VImage::option()->set("height", limits.thumbnail_side));
    out.thumbnail = Jpeg(thumb);
    out.thumbnail_width = thumb.width();
    out.thumbnail_height = thumb.height();
  } catch (const vips::VError&) {
    vips_error_clear();
    return Refuse(
        absl::StrCat("the ", out.format, " data is damaged or truncated"));
  }
  return out;
}

}  // namespace kvo::photos
