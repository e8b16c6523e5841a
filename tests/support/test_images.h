#ifndef KVO_TESTS_SUPPORT_TEST_IMAGES_H_
#define KVO_TESTS_SUPPORT_TEST_IMAGES_H_

#include <string>
#include <vips/vips8>

namespace kvo::testing {

// `image` encoded by libvips in the format of `suffix` (".jpg[Q=90]").
std::string EncodeImage(const vips::VImage& image, const char* suffix);

// A 1600x1200 JPEG lying on its side (EXIF orientation 6), with a camera
// make ("KVO-Test-Camera"), a GPS position and an XMP packet
// ("KVO-XMP-Secret"), none of which may survive intake.
std::string PhotoWithMetadata();

}  // namespace kvo::testing

#endif  // KVO_TESTS_SUPPORT_TEST_IMAGES_H_
