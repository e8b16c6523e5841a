#ifndef KVO_SERVICES_AUDIT_ANOMALIES_H_
#define KVO_SERVICES_AUDIT_ANOMALIES_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "kvo/v1/policy.pb.h"

namespace kvo::audit {

// The privacy officer's anomaly report over the access log: pure rules, no
// I/O. Days are Europe/Amsterdam calendar days; "more than max" is an
// anomaly, up to max is normal.
struct AnomalyThresholds {
  int normal_hours_start = 7;      // reads before this local hour are flagged
  int normal_hours_end = 23;       // and from this hour on
  int max_reads_per_day = 0;       // a principal's reads in one day
  int usual_volume_factor = 0;     // x the principal's own daily average
  int usual_volume_min_reads = 0;  // below this, no "above usual" flag
  int baseline_days = 0;  // the days before the period that make "usual"
  int max_denied_area_calls_per_day = 0;  // refusals about areas not theirs
  int max_sync_addresses_per_day = 0;     // distinct addresses syncing
  int max_principals_per_subject_per_day = 0;  // distinct readers of one id
  std::vector<std::string> read_actions;       // what counts as a read
  int max_report_days = 0;                     // the longest period
};

// The policy's thresholds with every 0 (or empty list) replaced by its
// default; the loader has already checked the ranges.
AnomalyThresholds ThresholdsFromPolicy(const kvo::v1::PrivacyPolicy& privacy);

// One entry of the period as the rules need it.
struct ActivityEntry {
  uint64_t index = 0;
  int64_t at_micros = 0;
  int64_t principal_id = 0;
  std::string action;
  std::string subject;  // comma-separated pseudonymous ids
  std::string outcome;  // "ok" | "denied" | "error"
  int64_t area_id = 0;
  std::string peer;
};

struct Anomaly {
  // off_hours_read | high_volume | denied_other_areas | sync_many_addresses
  // | subject_many_principals
  std::string kind;
  int64_t principal_id = 0;  // 0 for subject_many_principals
  std::string subject;       // only for subject_many_principals
  std::string day;           // "2026-11-30", Europe/Amsterdam
  int64_t count = 0;         // reads, refusals, addresses or principals
  std::string detail;        // for a person: what exceeded what
  int64_t last_at_micros = 0;
  std::vector<uint64_t> indexes;  // the entries behind it, ascending
};

// Applies every rule to `entries` (one period, any order). `baseline_reads`
// holds each principal's reads in the baseline_days before the period.
// Newest first (by the highest index behind each item).
std::vector<Anomaly> FindAnomalies(
    const std::vector<ActivityEntry>& entries,
    const std::map<int64_t, int64_t>& baseline_reads,
    const AnomalyThresholds& thresholds);

}  // namespace kvo::audit

#endif  // KVO_SERVICES_AUDIT_ANOMALIES_H_
