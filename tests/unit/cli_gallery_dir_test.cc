#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "clients/cli/gallery_dir.h"

namespace kvo::cli {
namespace {
namespace fs = std::filesystem;

class GalleryDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/kvo-gallery-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static kvo::v1::GalleryUpdate Entry(int64_t id, const std::string& name,
                                      const std::string& thumb) {
    kvo::v1::GalleryUpdate u;
    auto* e = u.mutable_entry();
    e->set_entry_id(id);
    e->set_area_id(7);
    e->set_name(name);
    e->set_description("line one\nline\ttwo \\ end");
    e->set_kind(kvo::v1::CARD_KIND_COLLECTIVE_BAN);
    e->mutable_valid_until()->set_seconds(2'000'000'000);
    e->set_thumbnail(thumb);
    return u;
  }
  static kvo::v1::GalleryUpdate Removed(int64_t id) {
    kvo::v1::GalleryUpdate u;
    u.set_removed_entry_id(id);
    return u;
  }
  static kvo::v1::GalleryUpdate Version(int64_t v, bool reset = false) {
    kvo::v1::GalleryUpdate u;
    u.mutable_version()->set_version(v);
    u.mutable_version()->set_reset(reset);
    return u;
  }

  fs::path dir_;
};

TEST_F(GalleryDirTest, NewFolderHoldsVersionZero) {
  auto g = GalleryDir::Open(dir_ / "new");
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->version(), 0);
  EXPECT_TRUE(g->entries().empty());
}

TEST_F(GalleryDirTest, EntriesAndVersionSurviveReopening) {
  auto g = GalleryDir::Open(dir_);
  ASSERT_TRUE(g.ok());
  ASSERT_TRUE(g->Apply({Entry(1, "Jan de Vries", "JPEG1"), Entry(2, "Piet", ""),
                        Version(5)})
                  .ok());
  auto again = GalleryDir::Open(dir_);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->version(), 5);
  ASSERT_EQ(again->entries().size(), 2u);
  const LocalEntry& e = again->entries().at(1);
  EXPECT_EQ(e.name, "Jan de Vries");
  EXPECT_EQ(e.description, "line one\nline\ttwo \\ end");
  EXPECT_EQ(e.kind, "collective ban");
  EXPECT_TRUE(e.has_thumbnail);
  EXPECT_TRUE(fs::exists(dir_ / "1.jpg"));
  EXPECT_FALSE(again->entries().at(2).has_thumbnail);
  EXPECT_FALSE(fs::exists(dir_ / "2.jpg"));
}

TEST_F(GalleryDirTest, RemovalsDeleteTheThumbnail) {
  auto g = GalleryDir::Open(dir_);
  ASSERT_TRUE(
      g->Apply({Entry(1, "A", "x"), Entry(2, "B", "y"), Version(1)}).ok());
  ASSERT_TRUE(g->Apply({Removed(1), Version(2)}).ok());
  EXPECT_FALSE(fs::exists(dir_ / "1.jpg"));
  EXPECT_TRUE(fs::exists(dir_ / "2.jpg"));
  EXPECT_EQ(GalleryDir::Open(dir_)->entries().count(1), 0u);
}

TEST_F(GalleryDirTest, ResetDropsWhatTheSyncDidNotSend) {
  auto g = GalleryDir::Open(dir_);
  ASSERT_TRUE(
      g->Apply({Entry(1, "A", "x"), Entry(2, "B", "y"), Version(9)}).ok());
  ASSERT_TRUE(g->Apply({Entry(2, "B", "y"), Version(3, /*reset=*/true)}).ok());
  EXPECT_EQ(g->version(), 3);
  EXPECT_EQ(g->entries().size(), 1u);
  EXPECT_FALSE(fs::exists(dir_ / "1.jpg"));
}

TEST_F(GalleryDirTest, WithoutAVersionNothingIsSaved) {
  auto g = GalleryDir::Open(dir_);
  ASSERT_TRUE(g->Apply({Entry(1, "A", "x")}).ok());
  EXPECT_EQ(GalleryDir::Open(dir_)->version(), 0);
  EXPECT_TRUE(GalleryDir::Open(dir_)->entries().empty());
}

TEST_F(GalleryDirTest, DamagedIndexIsDataLoss) {
  std::ofstream(dir_ / "version") << "4\n";
  std::ofstream(dir_ / "index.tsv") << "1\tnot-a-number\n";
  auto g = GalleryDir::Open(dir_);
  EXPECT_EQ(g.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(g.status().message().find("line 1"), std::string::npos);
}

}  // namespace
}  // namespace kvo::cli
