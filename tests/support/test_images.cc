#include "tests/support/test_images.h"

namespace kvo::testing {

using vips::VImage;

std::string EncodeImage(const VImage& image, const char* suffix) {
  void* buf = nullptr;
  size_t size = 0;
  image.write_to_buffer(suffix, &buf, &size);
  std::string out(static_cast<const char*>(buf), size);
  g_free(buf);
  return out;
}

std::string PhotoWithMetadata() {
  VImage image =
      VImage::xyz(1600, 1200)[0].linear(0.1, 20).cast(VIPS_FORMAT_UCHAR);
  image = image.bandjoin({image, image}).copy();
  image.set("orientation", 6);
  image.set("exif-ifd0-Make", "KVO-Test-Camera");
  image.set("exif-ifd3-GPSLatitude", "52/1 15/1 3/1");
  image.set("exif-ifd3-GPSLatitudeRef", "N");
  const std::string xmp =
      "<x:xmpmeta xmlns:x='adobe:ns:meta/'>KVO-XMP-Secret</x:xmpmeta>";
  image.set("xmp-data", nullptr, const_cast<char*>(xmp.data()), xmp.size());
  return EncodeImage(image, ".jpg[Q=90]");
}

}  // namespace kvo::testing
