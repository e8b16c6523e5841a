#include "services/gallery/door_cache.h"

#include <gtest/gtest.h>

#include "services/gallery/pg_gallery_store.h"

namespace kvo::gallery {
namespace {

std::shared_ptr<DoorSnapshot> Snapshot(int64_t area_version, size_t bytes) {
  auto s = std::make_shared<DoorSnapshot>();
  s->area_version = area_version;
  s->sync_version = area_version + 10;
  s->bytes = bytes;
  return s;
}

TEST(DoorCacheTest, AnswersOnlyForTheVersionItWasBuiltFor) {
  DoorCache cache(1000);
  cache.Put(1, 2, Snapshot(5, 100));
  EXPECT_NE(cache.Get(1, 2, 5), nullptr);
  EXPECT_EQ(cache.Get(1, 2, 6), nullptr);  // the area changed since
  EXPECT_EQ(cache.Get(1, 3, 5), nullptr);  // another role
  EXPECT_EQ(cache.Get(2, 2, 5), nullptr);  // another area
}

// One shopkeeper's own bans are never answered to another viewer, nor
// to the shared slot, and the other way round.
TEST(DoorCacheTest, AViewersOwnSnapshotIsTheirsAlone) {
  DoorCache cache(1000);
  cache.Put(1, 2, Snapshot(5, 100), /*viewer=*/41);
  EXPECT_NE(cache.Get(1, 2, 5, 41), nullptr);
  EXPECT_EQ(cache.Get(1, 2, 5, 42), nullptr);
  EXPECT_EQ(cache.Get(1, 2, 5), nullptr);
  cache.Put(1, 2, Snapshot(5, 100));
  EXPECT_NE(cache.Get(1, 2, 5, DoorCache::kShared), nullptr);
  EXPECT_EQ(cache.Get(1, 2, 5, 42), nullptr);
}

TEST(DoorCacheTest, NewerReplacesOlderButNeverTheOtherWayRound) {
  DoorCache cache(1000);
  cache.Put(1, 2, Snapshot(5, 100));
  cache.Put(1, 2, Snapshot(7, 100));
  EXPECT_NE(cache.Get(1, 2, 7), nullptr);
  cache.Put(1, 2, Snapshot(6, 100));
  EXPECT_EQ(cache.Get(1, 2, 6), nullptr);
  EXPECT_NE(cache.Get(1, 2, 7), nullptr);
  EXPECT_EQ(cache.bytes(), 100u);
}

TEST(DoorCacheTest, StaysWithinItsLimit) {
  DoorCache cache(250);
  cache.Put(1, 2, Snapshot(1, 100));
  cache.Put(2, 2, Snapshot(1, 100));
  cache.Put(3, 2, Snapshot(1, 100));  // would pass 250: starts over
  EXPECT_LE(cache.bytes(), 250u);
  EXPECT_NE(cache.Get(3, 2, 1), nullptr);
  cache.Put(4, 2, Snapshot(1, 1000));  // larger than the whole cache
  EXPECT_EQ(cache.Get(4, 2, 1), nullptr);
}

}  // namespace
}  // namespace kvo::gallery

namespace kvo::gallery {
namespace {

std::shared_ptr<const std::string> Bytes(size_t n) {
  return std::make_shared<const std::string>(n, 's');
}

TEST(ThumbnailCacheTest, AnswersOnlyForThePhotoItHolds) {
  ThumbnailCache cache(1000);
  cache.Put(7, 100, Bytes(10));
  EXPECT_NE(cache.Get(7, 100), nullptr);
  EXPECT_EQ(cache.Get(7, 101), nullptr);  // a newer photo
  EXPECT_EQ(cache.Get(8, 100), nullptr);
  cache.Put(7, 101, Bytes(20));
  EXPECT_EQ(cache.Get(7, 100), nullptr);
  EXPECT_EQ(cache.Get(7, 101)->size(), 20u);
}

TEST(ThumbnailCacheTest, StaysWithinItsLimit) {
  ThumbnailCache cache(50);
  cache.Put(1, 1, Bytes(20));
  cache.Put(2, 1, Bytes(20));
  cache.Put(3, 1, Bytes(20));  // would pass 50: starts over
  EXPECT_EQ(cache.Get(1, 1), nullptr);
  EXPECT_NE(cache.Get(3, 1), nullptr);
  cache.Put(4, 1, Bytes(60));
  EXPECT_EQ(cache.Get(4, 1), nullptr);
}

// A full photo is kept like a thumbnail, by its upload, within the limit
// counted in sealed bytes.
TEST(SealedCacheTest, KeepsFullPhotosByUpload) {
  SealedCache<SealedPhoto> cache(100);
  auto photo = [](size_t n, int64_t version) {
    SealedPhoto p;
    p.sealed_jpeg.assign(n, 's');
    p.version = version;
    return std::make_shared<const SealedPhoto>(std::move(p));
  };
  cache.Put(7, 5, photo(60, 5));
  EXPECT_EQ(cache.Get(7, 5)->sealed_jpeg.size(), 60u);
  EXPECT_EQ(cache.Get(7, 6), nullptr);  // uploaded again since
  cache.Put(8, 5, photo(60, 5));        // past 100: starts over
  EXPECT_EQ(cache.Get(7, 5), nullptr);
  EXPECT_NE(cache.Get(8, 5), nullptr);
  cache.Put(9, 1, photo(101, 1));  // larger than the whole cache
  EXPECT_EQ(cache.Get(9, 1), nullptr);
}

}  // namespace
}  // namespace kvo::gallery
