#ifndef KVO_SERVICES_COMMON_PROTO_TIME_H_
#define KVO_SERVICES_COMMON_PROTO_TIME_H_

#include <google/protobuf/timestamp.pb.h>

#include "absl/time/time.h"

namespace kvo::common {

// Between absl::Time and google.protobuf.Timestamp, to the microsecond (what
// PostgreSQL keeps).
inline google::protobuf::Timestamp ToProto(absl::Time t) {
  google::protobuf::Timestamp ts;
  const int64_t micros = absl::ToUnixMicros(t);
  ts.set_seconds(micros / 1'000'000);
  ts.set_nanos(static_cast<int32_t>(micros % 1'000'000) * 1000);
  return ts;
}

inline absl::Time FromProto(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

}  // namespace kvo::common

#endif  // KVO_SERVICES_COMMON_PROTO_TIME_H_
