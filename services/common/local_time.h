#ifndef KVO_SERVICES_COMMON_LOCAL_TIME_H_
#define KVO_SERVICES_COMMON_LOCAL_TIME_H_

#include "absl/time/time.h"

namespace kvo::common {

// Europe/Amsterdam, where every time a person reads is shown (UTC if the
// time zone database is missing). Loaded once; thread-safe.
inline const absl::TimeZone& Amsterdam() {
  static const absl::TimeZone* zone = [] {
    auto* tz = new absl::TimeZone;
    if (!absl::LoadTimeZone("Europe/Amsterdam", tz)) *tz = absl::UTCTimeZone();
    return tz;
  }();
  return *zone;
}

}  // namespace kvo::common

#endif  // KVO_SERVICES_COMMON_LOCAL_TIME_H_
