#include "services/audit/anomalies.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "services/common/local_time.h"

namespace kvo::audit {
namespace {

// Defaults for thresholds the policy leaves at 0.
constexpr int kMaxReadsPerDay = 500;
constexpr int kUsualVolumeFactor = 5;
constexpr int kUsualVolumeMinReads = 50;
constexpr int kBaselineDays = 28;
constexpr int kMaxDeniedAreaCallsPerDay = 5;
constexpr int kMaxSyncAddressesPerDay = 3;
constexpr int kMaxPrincipalsPerSubjectPerDay = 5;
constexpr int kMaxReportDays = 92;
constexpr const char* kReadActions[] = {
    "gallery.sync",         "gallery.get_photo",   "registry.read_person",
    "registry.find_person", "registry.list_cards", "registry.notice"};
constexpr char kSyncAction[] = "gallery.sync";

int OrDefault(int value, int fallback) { return value > 0 ? value : fallback; }

struct LocalStamp {
  std::string day;
  int hour = 0;
};

LocalStamp Local(int64_t at_micros) {
  const absl::CivilSecond cs =
      absl::ToCivilSecond(absl::FromUnixMicros(at_micros), common::Amsterdam());
  return {absl::StrFormat("%04d-%02d-%02d", cs.year(), cs.month(), cs.day()),
          cs.hour()};
}

// Entries gathered under one key (principal or subject, and a day).
struct Bucket {
  std::vector<uint64_t> indexes;
  std::set<std::string> distinct;  // addresses or principals
  int64_t last_at = 0;

  void Add(const ActivityEntry& e) {
    indexes.push_back(e.index);
    last_at = std::max(last_at, e.at_micros);
  }
};

Anomaly Make(std::string kind, const std::string& day, Bucket& b, int64_t count,
             std::string detail) {
  Anomaly a;
  a.kind = std::move(kind);
  a.day = day;
  a.count = count;
  a.detail = std::move(detail);
  a.last_at_micros = b.last_at;
  std::sort(b.indexes.begin(), b.indexes.end());
  b.indexes.erase(std::unique(b.indexes.begin(), b.indexes.end()),
                  b.indexes.end());
  a.indexes = std::move(b.indexes);
  return a;
}

}  // namespace

AnomalyThresholds ThresholdsFromPolicy(const kvo::v1::PrivacyPolicy& p) {
  AnomalyThresholds t;
  t.normal_hours_start = p.normal_hours_start();
  t.normal_hours_end = p.normal_hours_end();
  const kvo::v1::AnomalyPolicy& a = p.anomalies();
  t.max_reads_per_day = OrDefault(a.max_reads_per_day(), kMaxReadsPerDay);
  t.usual_volume_factor =
      OrDefault(a.usual_volume_factor(), kUsualVolumeFactor);
  t.usual_volume_min_reads =
      OrDefault(a.usual_volume_min_reads(), kUsualVolumeMinReads);
  t.baseline_days = OrDefault(a.baseline_days(), kBaselineDays);
  t.max_denied_area_calls_per_day =
      OrDefault(a.max_denied_area_calls_per_day(), kMaxDeniedAreaCallsPerDay);
  t.max_sync_addresses_per_day =
      OrDefault(a.max_sync_addresses_per_day(), kMaxSyncAddressesPerDay);
  t.max_principals_per_subject_per_day = OrDefault(
      a.max_principals_per_subject_per_day(), kMaxPrincipalsPerSubjectPerDay);
  t.max_report_days = OrDefault(a.max_report_days(), kMaxReportDays);
  if (a.read_actions().empty()) {
    t.read_actions.assign(std::begin(kReadActions), std::end(kReadActions));
  } else {
    t.read_actions.assign(a.read_actions().begin(), a.read_actions().end());
  }
  return t;
}

std::vector<Anomaly> FindAnomalies(
    const std::vector<ActivityEntry>& entries,
    const std::map<int64_t, int64_t>& baseline_reads,
    const AnomalyThresholds& t) {
  const std::set<std::string> reads(t.read_actions.begin(),
                                    t.read_actions.end());
  using PrincipalDay = std::pair<int64_t, std::string>;
  std::map<PrincipalDay, Bucket> off_hours, volume, denied, syncs;
  std::map<std::pair<std::string, std::string>, Bucket> by_subject;

  for (const ActivityEntry& e : entries) {
    if (e.principal_id == 0) continue;  // unauthenticated or erased
    const LocalStamp local = Local(e.at_micros);
    const PrincipalDay key{e.principal_id, local.day};
    const bool read = e.outcome == "ok" && reads.count(e.action) > 0;
    if (read) {
      volume[key].Add(e);
      if (local.hour < t.normal_hours_start ||
          local.hour >= t.normal_hours_end) {
        off_hours[key].Add(e);
      }
      for (absl::string_view s : absl::StrSplit(e.subject, ',')) {
        if (s.empty()) continue;
        Bucket& b = by_subject[{std::string(s), local.day}];
        b.Add(e);
        b.distinct.insert(absl::StrCat(e.principal_id));
      }
    }
    if (e.outcome == "denied" && e.area_id != 0) denied[key].Add(e);
    if (e.action == kSyncAction && e.outcome == "ok" && !e.peer.empty()) {
      Bucket& b = syncs[key];
      b.Add(e);
      b.distinct.insert(e.peer);
    }
  }

  std::vector<Anomaly> out;
  auto add = [&out](int64_t principal, Anomaly a) {
    a.principal_id = principal;
    out.push_back(std::move(a));
  };
  for (auto& [key, b] : off_hours) {
    const int64_t n = static_cast<int64_t>(b.indexes.size());
    add(key.first,
        Make("off_hours_read", key.second, b, n,
             absl::StrCat(n, " read(s) outside ", t.normal_hours_start, ":00-",
                          t.normal_hours_end, ":00")));
  }
  for (auto& [key, b] : volume) {
    const int64_t n = static_cast<int64_t>(b.indexes.size());
    std::vector<std::string> why;
    if (n > t.max_reads_per_day) {
      why.push_back(
          absl::StrCat("above the policy's ", t.max_reads_per_day, " a day"));
    }
    auto base = baseline_reads.find(key.first);
    if (base != baseline_reads.end() && base->second > 0 &&
        n >= t.usual_volume_min_reads) {
      const double average =
          static_cast<double>(base->second) / t.baseline_days;
      if (static_cast<double>(n) > t.usual_volume_factor * average) {
        why.push_back(absl::StrFormat(
            "more than %dx their own daily average (%.1f over %d days)",
            t.usual_volume_factor, average, t.baseline_days));
      }
    }
    if (why.empty()) continue;
    add(key.first, Make("high_volume", key.second, b, n,
                        absl::StrCat(n, " reads: ", absl::StrJoin(why, "; "))));
  }
  for (auto& [key, b] : denied) {
    const int64_t n = static_cast<int64_t>(b.indexes.size());
    if (n <= t.max_denied_area_calls_per_day) continue;
    add(key.first,
        Make("denied_other_areas", key.second, b, n,
             absl::StrCat(n, " calls refused for areas not theirs (max ",
                          t.max_denied_area_calls_per_day, ")")));
  }
  for (auto& [key, b] : syncs) {
    const int64_t n = static_cast<int64_t>(b.distinct.size());
    if (n <= t.max_sync_addresses_per_day) continue;
    add(key.first,
        Make("sync_many_addresses", key.second, b, n,
             absl::StrCat("gallery syncs from ", n, " addresses (max ",
                          t.max_sync_addresses_per_day, ")")));
  }
  for (auto& [key, b] : by_subject) {
    const int64_t n = static_cast<int64_t>(b.distinct.size());
    if (n <= t.max_principals_per_subject_per_day) continue;
    Anomaly a =
        Make("subject_many_principals", key.second, b, n,
             absl::StrCat(key.first, " read by ", n, " principals (max ",
                          t.max_principals_per_subject_per_day, ")"));
    a.subject = key.first;
    out.push_back(std::move(a));
  }
  std::sort(out.begin(), out.end(), [](const Anomaly& x, const Anomaly& y) {
    const uint64_t xi = x.indexes.empty() ? 0 : x.indexes.back();
    const uint64_t yi = y.indexes.empty() ? 0 : y.indexes.back();
    return std::tie(xi, x.kind) > std::tie(yi, y.kind);
  });
  return out;
}

}  // namespace kvo::audit
