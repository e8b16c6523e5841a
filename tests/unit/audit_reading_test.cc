// The privacy officer's reading of the access log, without I/O: the
// anomaly rules, page tokens bound to their query, and the entry encoding
// that must not change for entries written before areas and addresses.
#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/audit/anomalies.h"
#include "services/audit/audit_entry.h"
#include "services/audit/audit_query.h"
#include "services/common/local_time.h"

namespace kvo::audit {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

int64_t At(int day, int hour, int minute = 0) {
  // November 2026, Europe/Amsterdam (CET).
  return absl::ToUnixMicros(absl::FromCivil(
      absl::CivilMinute(2026, 11, day, hour, minute), common::Amsterdam()));
}

AnomalyThresholds Thresholds() {
  kvo::v1::PrivacyPolicy p;
  p.set_normal_hours_start(7);
  p.set_normal_hours_end(23);
  return ThresholdsFromPolicy(p);  // every anomaly threshold at its default
}

// A normal week in two areas: 6 shopkeepers sync the gallery from their own
// shop (one address each) 30 times a day between 8:00 and 20:00, each
// person read by 3 of them a day; a police officer reads 10 persons a day;
// one refusal a day for the wrong area (a mistyped id).
class Week {
 public:
  Week() {
    for (int day = 2; day <= 8; ++day) {
      for (int64_t p = 1; p <= 6; ++p) {
        for (int k = 0; k < 30; ++k) {
          Add(p, "gallery.sync",
              absl::StrCat("person:", p <= 3 ? "a" : "b", k % 10), "ok",
              At(day, 8 + k % 12, (k * 7) % 60), p <= 3 ? 1 : 2,
              absl::StrCat("ipv4:10.0.0.", p));
        }
      }
      for (int k = 0; k < 10; ++k) {
        Add(7, "registry.read_person", absl::StrCat("person:p", day, "-", k),
            "ok", At(day, 9 + k % 8), 1, "ipv4:10.1.0.1");
      }
      Add(2, "kvo.v1.GalleryService/SyncGallery", "", "denied", At(day, 10), 5,
          "ipv4:10.0.0.2");
    }
  }

  uint64_t Add(int64_t principal, const std::string& action,
               const std::string& subject, const std::string& outcome,
               int64_t at, int64_t area, const std::string& peer) {
    ActivityEntry e;
    e.index = entries_.size();
    e.at_micros = at;
    e.principal_id = principal;
    e.action = action;
    e.subject = subject;
    e.outcome = outcome;
    e.area_id = area;
    e.peer = peer;
    entries_.push_back(e);
    return e.index;
  }

  std::vector<ActivityEntry> entries_;
};

std::map<int64_t, int64_t> UsualBaseline() {
  // 28 days at the same pace as the week.
  std::map<int64_t, int64_t> base;
  for (int64_t p = 1; p <= 6; ++p) base[p] = 30 * 28;
  base[7] = 10 * 28;
  return base;
}

TEST(AnomaliesTest, NormalWeekHasNone) {
  Week week;
  EXPECT_THAT(FindAnomalies(week.entries_, UsualBaseline(), Thresholds()),
              ::testing::IsEmpty());
}

TEST(AnomaliesTest, FindsExactlyThePlantedOnes) {
  Week week;
  // 1. Principal 4 reads at 02:30 on the 5th.
  const uint64_t night = week.Add(4, "gallery.get_photo", "person:3", "ok",
                                  At(5, 2, 30), 2, "ipv4:10.0.0.4");
  // 2. The police officer (7) reads 80 persons on the 6th: 8x usual, but
  // below the policy's 500.
  std::vector<uint64_t> burst;
  for (int k = 0; k < 70; ++k) {
    burst.push_back(week.Add(7, "registry.read_person",
                             absl::StrCat("person:x", k), "ok",
                             At(6, 10, k % 60), 1, "ipv4:10.1.0.1"));
  }
  // 3. Principal 5 is refused 6 times on the 7th for area 1 (not theirs).
  std::vector<uint64_t> refused;
  for (int k = 0; k < 6; ++k) {
    refused.push_back(week.Add(5, "kvo.v1.RegistryService/ListCards", "",
                               "denied", At(7, 11, k), 1, "ipv4:10.0.0.5"));
  }
  // 4. Principal 6 syncs from 4 addresses on the 4th (their own plus 3).
  std::vector<uint64_t> syncs;
  for (int k = 1; k <= 3; ++k) {
    syncs.push_back(week.Add(6, "gallery.sync", "person:1", "ok", At(4, 15, k),
                             2, absl::StrCat("ipv4:192.0.2.", k)));
  }
  // 5. person:zz is read by 6 principals on the 8th.
  std::vector<uint64_t> zz;
  for (int64_t p = 1; p <= 6; ++p) {
    zz.push_back(week.Add(p, "gallery.sync",
                          absl::StrCat("person:zz,person:own", p), "ok",
                          At(8, 12, static_cast<int>(p)), p <= 3 ? 1 : 2,
                          absl::StrCat("ipv4:10.0.0.", p)));
  }

  auto found = FindAnomalies(week.entries_, UsualBaseline(), Thresholds());
  std::vector<std::string> kinds;
  for (const auto& a : found) kinds.push_back(a.kind);
  // Newest first: by the highest index behind each.
  EXPECT_THAT(kinds, ElementsAre("subject_many_principals",
                                 "sync_many_addresses", "denied_other_areas",
                                 "high_volume", "off_hours_read"));

  const Anomaly& subject = found[0];
  EXPECT_EQ(subject.subject, "person:zz");
  EXPECT_EQ(subject.day, "2026-11-08");
  EXPECT_EQ(subject.count, 6);
  EXPECT_EQ(subject.indexes, zz);

  const Anomaly& addresses = found[1];
  EXPECT_EQ(addresses.principal_id, 6);
  EXPECT_EQ(addresses.day, "2026-11-04");
  EXPECT_EQ(addresses.count, 4);
  // The 3 planted syncs and that day's 30 ordinary ones.
  EXPECT_EQ(addresses.indexes.size(), 33u);
  for (uint64_t i : syncs) {
    EXPECT_TRUE(std::binary_search(addresses.indexes.begin(),
                                   addresses.indexes.end(), i));
  }

  EXPECT_EQ(found[2].principal_id, 5);
  EXPECT_EQ(found[2].indexes, refused);
  EXPECT_EQ(found[2].count, 6);

  const Anomaly& volume = found[3];
  EXPECT_EQ(volume.principal_id, 7);
  EXPECT_EQ(volume.day, "2026-11-06");
  EXPECT_EQ(volume.count, 80);
  EXPECT_THAT(volume.detail, HasSubstr("own daily average"));
  EXPECT_THAT(volume.detail, ::testing::Not(HasSubstr("policy")));
  EXPECT_EQ(volume.indexes.size(), 80u);
  EXPECT_EQ(volume.indexes.back(), burst.back());

  EXPECT_EQ(found[4].principal_id, 4);
  EXPECT_EQ(found[4].day, "2026-11-05");
  EXPECT_THAT(found[4].indexes, ElementsAre(night));
}

TEST(AnomaliesTest, PolicyThresholdsAreUsed) {
  Week week;
  kvo::v1::PrivacyPolicy p;
  p.set_normal_hours_start(9);  // the syncs from 8:00 are now off hours
  p.set_normal_hours_end(23);
  p.mutable_anomalies()->set_max_reads_per_day(20);
  auto found = FindAnomalies(week.entries_, {}, ThresholdsFromPolicy(p));
  std::set<std::string> kinds;
  for (const auto& a : found) kinds.insert(a.kind);
  EXPECT_EQ(kinds, (std::set<std::string>{"off_hours_read", "high_volume"}));
  for (const auto& a : found) {
    if (a.kind == "high_volume") {
      EXPECT_THAT(a.detail, HasSubstr("above the policy's 20 a day"));
    }
  }
}

TEST(AnomaliesTest, DaysAreAmsterdamDays) {
  // 23:30 UTC on 30 November is 00:30 on 1 December in Amsterdam: off hours.
  ActivityEntry e;
  e.principal_id = 3;
  e.action = "gallery.get_photo";
  e.outcome = "ok";
  e.at_micros = absl::ToUnixMicros(absl::FromCivil(
      absl::CivilMinute(2026, 11, 30, 23, 30), absl::UTCTimeZone()));
  auto found = FindAnomalies({e}, {}, Thresholds());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].day, "2026-12-01");
}

TEST(PageTokenTest, BoundToItsQuery) {
  LogFilter a;
  a.subject = "person:abc";
  const std::string token = EncodePageToken(a, 1234);
  auto back = DecodePageToken(a, token);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(**back, 1234u);

  LogFilter b = a;
  b.subject = "person:abd";
  auto other = DecodePageToken(b, token);
  EXPECT_EQ(other.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(other.status().message(), HasSubstr("--page-token"));
  LogFilter c = a;
  c.to_micros = 5;
  EXPECT_FALSE(DecodePageToken(c, token).ok());

  EXPECT_FALSE(DecodePageToken(a, "garbage").ok());
  auto first = DecodePageToken(a, "");
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->has_value());
}

TEST(LogFilterTest, NamesTheFlag) {
  LogFilter f;
  f.from_micros = 10;
  f.to_micros = 10;
  EXPECT_THAT(ValidateFilter(f).message(), HasSubstr("--from, --to"));
  f = {};
  f.subject = "person:a,person:b";
  EXPECT_THAT(ValidateFilter(f).message(), HasSubstr("--subject"));
  f.subject = "nobody";
  EXPECT_EQ(ValidateFilter(f).code(), absl::StatusCode::kInvalidArgument);
  f.subject = "person:a";
  EXPECT_TRUE(ValidateFilter(f).ok());
  EXPECT_THAT(PageSize(1001).status().message(), HasSubstr("--limit"));
  EXPECT_EQ(*PageSize(0), kDefaultPageSize);
}

TEST(AuditEntryEncodingTest, EntriesWithoutAreaOrAddressKeepTheirV1Bytes) {
  SequencedEntry e;
  e.index = 7;
  e.at_micros = 1;
  e.principal_id = 2;
  e.role = "police";
  e.action = "a";
  e.outcome = "ok";
  // The v1 layout, spelled out: tag, then 9 length-prefixed fields.
  std::string v1 = "kvo-audit-entry-v1";
  for (const std::string& f :
       {std::string("7"), std::string("1"), std::string("2"),
        std::string("police"), std::string("a"), std::string(""),
        std::string(""), std::string("ok"), std::string("")}) {
    v1 += std::string{0, 0, 0, static_cast<char>(f.size())} + f;
  }
  EXPECT_EQ(CanonicalBytes(e), v1);

  SequencedEntry with_area = e;
  with_area.area_id = 3;
  SequencedEntry with_peer = e;
  with_peer.peer = "ipv4:10.0.0.1";
  EXPECT_NE(CanonicalBytes(with_area), CanonicalBytes(e));
  EXPECT_NE(CanonicalBytes(with_peer), CanonicalBytes(with_area));
  EXPECT_EQ(CanonicalBytes(with_area).rfind("kvo-audit-entry-v2", 0), 0u);
  EXPECT_NE(WrittenBytes(with_peer), WrittenBytes(e));
}

}  // namespace
}  // namespace kvo::audit
