// Photo intake with images the test makes itself with libvips: metadata is
// gone, bombs and non-images are refused before anything is decoded.
#include "services/photos/photo_intake.h"

#include <sys/resource.h>

#include <vips/vips8>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/test_images.h"

namespace kvo::photos {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using vips::VImage;

class PhotoIntakeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(InitImaging("kvo_unit_tests")); }
};

using kvo::testing::PhotoWithMetadata;

std::string Save(const VImage& image, const char* suffix) {
  return kvo::testing::EncodeImage(image, suffix);
}

uint32_t Crc32(const std::string& bytes) {
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char c : bytes) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & -(crc & 1));
  }
  return ~crc;
}

std::string Chunk(const std::string& type, const std::string& data) {
  auto be32 = [](uint32_t v) {
    return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                       static_cast<char>(v >> 8), static_cast<char>(v)};
  };
  return be32(data.size()) + type + data + be32(Crc32(type + data));
}

// A valid PNG header claiming 50000x50000 pixels: 2.5 GB once decoded.
std::string PngBomb() {
  std::string ihdr = Chunk(
      "IHDR",
      std::string("\x00\x00\xC3\x50\x00\x00\xC3\x50\x08\x00\x00\x00\x00", 13));
  return std::string("\x89PNG\r\n\x1a\n", 8) + ihdr +
         Chunk("IDAT", std::string("\x78\x9c\x03\x00\x00\x00\x00\x01", 8)) +
         Chunk("IEND", "");
}

TEST_F(PhotoIntakeTest, MetadataIsStrippedAndThePhotoStandsUpright) {
  const std::string input = PhotoWithMetadata();
  // The fixture really carries what must go.
  ASSERT_THAT(input, HasSubstr("KVO-Test-Camera"));
  ASSERT_THAT(input, HasSubstr("KVO-XMP-Secret"));
  auto photo = ProcessPhoto(input, IntakeLimits{});
  ASSERT_TRUE(photo.ok()) << photo.status();
  EXPECT_EQ(photo->format, "jpeg");
  EXPECT_EQ(photo->width, 768);  // rotated: 1200x1600 -> 768x1024
  EXPECT_EQ(photo->height, 1024);
  EXPECT_EQ(photo->thumbnail_height, 256);
  for (const std::string* out : {&photo->jpeg, &photo->thumbnail}) {
    EXPECT_THAT(*out, Not(HasSubstr("KVO-Test-Camera")));
    EXPECT_THAT(*out, Not(HasSubstr("KVO-XMP-Secret")));
    EXPECT_THAT(*out, Not(HasSubstr("Exif")));
    VImage back = VImage::new_from_buffer(*out, "");
    EXPECT_EQ(back.get_typeof("exif-data"), 0u);
    EXPECT_EQ(back.get_typeof("xmp-data"), 0u);
    EXPECT_EQ(back.get_typeof("icc-profile-data"), 0u);
  }
}

TEST_F(PhotoIntakeTest, PngAndWebpAreAccepted) {
  VImage rgba = VImage::black(300, 500, VImage::option()->set("bands", 4))
                    .linear({1, 1, 1, 1}, {200, 10, 10, 128})
                    .cast(VIPS_FORMAT_UCHAR);
  for (const char* suffix : {".png", ".webp"}) {
    auto photo = ProcessPhoto(Save(rgba, suffix), IntakeLimits{});
    ASSERT_TRUE(photo.ok()) << suffix << ": " << photo.status();
    EXPECT_EQ(photo->height, 500) << "never enlarged";
    EXPECT_EQ(photo->thumbnail_height, 256);
  }
}

TEST_F(PhotoIntakeTest, DecompressionBombIsRefusedFromItsHeader) {
  struct rusage before, after;
  getrusage(RUSAGE_SELF, &before);
  auto photo = ProcessPhoto(PngBomb(), IntakeLimits{});
  getrusage(RUSAGE_SELF, &after);
  ASSERT_FALSE(photo.ok());
  EXPECT_EQ(photo.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(photo.status().message(),
              HasSubstr("50000x50000 is 2500000000 pixels"));
  // Nothing near the 7.5 GB the pixels would take was touched (kB).
  EXPECT_LT(after.ru_maxrss - before.ru_maxrss, 100 * 1024);
}

TEST_F(PhotoIntakeTest, NonImagesDamagedImagesAndOversizeAreRefused) {
  const std::string jpeg = PhotoWithMetadata();
  const std::pair<std::string, const char*> cases[] = {
      {"dit is geen foto, maar tekst in een .jpg", "not a JPEG, PNG"},
      {"<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'/>",
       "not a JPEG, PNG"},
      {"%PDF-1.4\n1 0 obj\n", "not a JPEG, PNG"},
      {"", "empty"},
      {jpeg.substr(0, jpeg.size() / 2), "damaged or truncated"},
  };
  for (const auto& [bytes, why] : cases) {
    auto photo = ProcessPhoto(bytes, IntakeLimits{});
    ASSERT_FALSE(photo.ok()) << why;
    EXPECT_EQ(photo.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(photo.status().message(), HasSubstr(why));
  }
  IntakeLimits small;
  small.max_bytes = 1000;
  EXPECT_THAT(ProcessPhoto(jpeg, small).status().message(),
              HasSubstr("at most 1000 bytes"));
}

}  // namespace
}  // namespace kvo::photos
