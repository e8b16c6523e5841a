#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

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

  static constexpr int kModeMask = 0777;
  const absl::Time kNow = absl::FromUnixSeconds(1'796'043'900);

  static int Mode(const fs::path& p) {
    struct stat st;
    EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
    return st.st_mode & kModeMask;
  }

  fs::path dir_;
};

// A shop's own ban keeps its kind through the folder, so `kvo gallery
// show` names it apart from the collective cards after a restart.
TEST_F(GalleryDirTest, AnOwnBanKeepsItsKind) {
  auto g = GalleryDir::Open(dir_);
  ASSERT_TRUE(g.ok());
  kvo::v1::GalleryUpdate own = Entry(3, "Eigen", "");
  own.mutable_entry()->set_kind(kvo::v1::CARD_KIND_INDIVIDUAL_BAN);
  own.mutable_entry()->set_shop_id(12);
  kvo::v1::GalleryUpdate warning = Entry(4, "Geel", "");
  warning.mutable_entry()->set_kind(kvo::v1::CARD_KIND_COLLECTIVE_WARNING);
  ASSERT_TRUE(
      g->Apply({own, Entry(2, "Rood", ""), warning, Version(3)}, kNow).ok());
  auto again = GalleryDir::Open(dir_);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->entries().at(3).kind, "individual ban");
  EXPECT_EQ(again->entries().at(3).card_kind(),
            kvo::v1::CARD_KIND_INDIVIDUAL_BAN);
  EXPECT_EQ(again->entries().at(2).card_kind(),
            kvo::v1::CARD_KIND_COLLECTIVE_BAN);
  EXPECT_EQ(again->entries().at(4).card_kind(),
            kvo::v1::CARD_KIND_COLLECTIVE_WARNING);
}

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
                        Version(5)},
                       kNow)
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
      g->Apply({Entry(1, "A", "x"), Entry(2, "B", "y"), Version(1)}, kNow)
          .ok());
  ASSERT_TRUE(g->Apply({Removed(1), Version(2)}, kNow).ok());
  EXPECT_FALSE(fs::exists(dir_ / "1.jpg"));
  EXPECT_TRUE(fs::exists(dir_ / "2.jpg"));
  EXPECT_EQ(GalleryDir::Open(dir_)->entries().count(1), 0u);
}

TEST_F(GalleryDirTest, ResetDropsWhatTheSyncDidNotSend) {
  auto g = GalleryDir::Open(dir_);
  ASSERT_TRUE(
      g->Apply({Entry(1, "A", "x"), Entry(2, "B", "y"), Version(9)}, kNow)
          .ok());
  ASSERT_TRUE(
      g->Apply({Entry(2, "B", "y"), Version(3, /*reset=*/true)}, kNow).ok());
  EXPECT_EQ(g->version(), 3);
  EXPECT_EQ(g->entries().size(), 1u);
  EXPECT_FALSE(fs::exists(dir_ / "1.jpg"));
}

TEST_F(GalleryDirTest, WithoutAVersionNothingIsSaved) {
  auto g = GalleryDir::Open(dir_);
  ASSERT_TRUE(g->Apply({Entry(1, "A", "x")}, kNow).ok());
  EXPECT_EQ(GalleryDir::Open(dir_)->version(), 0);
  EXPECT_TRUE(GalleryDir::Open(dir_)->entries().empty());
}

TEST_F(GalleryDirTest, StateKeepsTheLastSyncAndTheServersOfflineLimit) {
  auto g = GalleryDir::Open(dir_);
  EXPECT_FALSE(g->synced_at().has_value());
  EXPECT_EQ(g->max_offline_hours(), GalleryDir::kDefaultMaxOfflineHours);
  auto v = Version(2);
  v.mutable_version()->set_max_offline_hours(6);
  ASSERT_TRUE(g->Apply({Entry(1, "A", "x"), v}, kNow).ok());
  auto again = GalleryDir::Open(dir_);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->synced_at(), kNow);
  EXPECT_EQ(again->max_offline_hours(), 6);
  // A server that predates the field (0) leaves what the device knew.
  ASSERT_TRUE(again->Apply({Version(3)}, kNow + absl::Hours(1)).ok());
  EXPECT_EQ(GalleryDir::Open(dir_)->max_offline_hours(), 6);
  EXPECT_EQ(GalleryDir::Open(dir_)->synced_at(), kNow + absl::Hours(1));
}

TEST_F(GalleryDirTest, FolderIs0700AndFiles0600EvenWithUmaskZero) {
  const mode_t old = ::umask(0);
  auto g = GalleryDir::Open(dir_ / "door");
  ASSERT_TRUE(g.ok()) << g.status();
  ASSERT_TRUE(g->Apply({Entry(1, "A", "x"), Version(1)}, kNow).ok());
  ::umask(old);
  EXPECT_EQ(Mode(dir_ / "door"), 0700);
  for (const auto& f : fs::directory_iterator(dir_ / "door")) {
    EXPECT_EQ(Mode(f.path()), 0600) << f.path();
  }
}

TEST_F(GalleryDirTest, WipeDeletesKvosFilesAndLeavesOthers) {
  auto g = GalleryDir::Open(dir_);
  ASSERT_TRUE(
      g->Apply({Entry(1, "A", "x"), Entry(22, "B", "y"), Version(1)}, kNow)
          .ok());
  std::ofstream(dir_ / "notes.txt") << "mine";
  std::ofstream(dir_ / "1.jpg.tmp") << "half";
  ASSERT_TRUE(GalleryDir::Wipe(dir_).ok());
  std::vector<std::string> left;
  for (const auto& f : fs::directory_iterator(dir_)) {
    left.push_back(f.path().filename().string());
  }
  EXPECT_EQ(left, std::vector<std::string>{"notes.txt"});
  fs::remove(dir_ / "notes.txt");
  ASSERT_TRUE(GalleryDir::Wipe(dir_).ok());
  EXPECT_FALSE(fs::exists(dir_));
  EXPECT_TRUE(GalleryDir::Wipe(dir_).ok());
}

TEST_F(GalleryDirTest, AFolderFromBeforeEntriesPerPersonStartsAfresh) {
  std::ofstream(dir_ / "version") << "4\n";
  std::ofstream(dir_ / "index.tsv")
      << "9\t7\tcollective ban\t2000000000\tA\tB\t1\n";
  std::ofstream(dir_ / "9.jpg") << "x";
  auto g = GalleryDir::Open(dir_);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->version(), 0);
  EXPECT_TRUE(g->entries().empty());
  EXPECT_FALSE(fs::exists(dir_ / "9.jpg"));
}

TEST_F(GalleryDirTest, DamagedIndexIsDataLoss) {
  std::ofstream(dir_ / "version") << "version 4\n";
  std::ofstream(dir_ / "index.tsv") << "1\tnot-a-number\n";
  auto g = GalleryDir::Open(dir_);
  EXPECT_EQ(g.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(g.status().message().find("line 1"), std::string::npos);
}

}  // namespace
}  // namespace kvo::cli
