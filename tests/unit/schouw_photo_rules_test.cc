#include "services/cycle/schouw_photo_rules.h"

#include <gtest/gtest.h>

#include "services/common/local_time.h"

namespace kvo::cycle {
namespace {

// A moment on the wall clock in Amsterdam.
absl::Time At(int y, int m, int d, int hh = 12, int mm = 0) {
  return absl::FromCivil(absl::CivilMinute(y, m, d, hh, mm),
                         common::Amsterdam());
}

struct DueCase {
  absl::Time resolved_at;
  int days;
  absl::Time now;
  bool due;
};

TEST(SchouwPhotoRules, DueTheGivenNumberOfAmsterdamDaysAfterResolution) {
  const DueCase cases[] = {
      // Resolved 1 March 2027 with 90 days: due from 30 May, 00:00.
      {At(2027, 3, 1), 90, At(2027, 5, 29, 23, 59), false},
      {At(2027, 3, 1), 90, At(2027, 5, 30, 0, 0), true},
      {At(2027, 3, 1, 23, 59), 90, At(2027, 5, 30, 0, 0), true},
      {At(2027, 3, 1), 90, At(2027, 3, 1, 13, 0), false},
      // One day: from the next day's midnight.
      {At(2027, 3, 1, 23, 59), 1, At(2027, 3, 1, 23, 59), false},
      {At(2027, 3, 1, 23, 59), 1, At(2027, 3, 2, 0, 0), true},
      // Resolved just after midnight in Amsterdam, still the day before in
      // UTC: Amsterdam's day counts.
      {At(2027, 7, 1, 0, 30), 1, At(2027, 7, 1, 23, 0), false},
      {At(2027, 7, 1, 0, 30), 1, At(2027, 7, 2, 0, 0), true},
      // Across the change to summer time (28 March 2027): still days.
      {At(2027, 3, 27, 10, 0), 2, At(2027, 3, 28, 23, 59), false},
      {At(2027, 3, 27, 10, 0), 2, At(2027, 3, 29, 0, 0), true},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(SchouwPhotoDue(c.resolved_at, c.days, c.now), c.due)
        << c.resolved_at << " +" << c.days << " at " << c.now;
    // The query's cutoff says the same.
    EXPECT_EQ(c.resolved_at < SchouwPhotoCutoff(c.now, c.days), c.due)
        << c.resolved_at << " +" << c.days << " at " << c.now;
  }
  EXPECT_EQ(SchouwPhotoDueOn(At(2027, 3, 1), 90), absl::CivilDay(2027, 5, 30));
  EXPECT_EQ(SchouwPhotoDueOn(At(2026, 12, 31, 23, 30), 1),
            absl::CivilDay(2027, 1, 1));
}

struct ResolvedCase {
  std::optional<absl::Time> before;
  std::string new_status;
  std::optional<absl::Time> after;
};

TEST(SchouwPhotoRules, ResolvingStartsThePeriodReopeningStopsIt) {
  const absl::Time first = At(2027, 3, 1);
  const absl::Time now = At(2027, 4, 1);
  const ResolvedCase cases[] = {
      {std::nullopt, "resolved", now},       // resolved: from now
      {first, "resolved", first},            // again: the first moment
      {first, "open", std::nullopt},         // reopened: kept
      {first, "in_progress", std::nullopt},  // reopened: kept
      {std::nullopt, "in_progress", std::nullopt},
      {std::nullopt, "open", std::nullopt},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(ResolvedAtAfter(c.before, c.new_status, now), c.after)
        << c.new_status;
  }
}

}  // namespace
}  // namespace kvo::cycle
