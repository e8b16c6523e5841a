#ifndef KVO_SERVICES_COMMON_STATUS_UTIL_H_
#define KVO_SERVICES_COMMON_STATUS_UTIL_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace kvo::common {

// The one mapping from domain status to the wire. Domain and store code speak
// absl::Status with messages written for a person; this keeps the code and
// the message as they are.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace kvo::common

#endif  // KVO_SERVICES_COMMON_STATUS_UTIL_H_
