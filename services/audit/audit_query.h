#ifndef KVO_SERVICES_AUDIT_AUDIT_QUERY_H_
#define KVO_SERVICES_AUDIT_AUDIT_QUERY_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"

namespace kvo::audit {

// What the privacy officer asks of the access log: entries matching every
// set field, newest (highest index) first. Times are microseconds since the
// Unix epoch, UTC, half-open [from, to).
struct LogFilter {
  std::string subject;       // one pseudonymous id: "person:<id>"
  int64_t principal_id = 0;  // 0: any
  std::string action;
  int64_t area_id = 0;  // 0: any
  std::optional<int64_t> from_micros;
  std::optional<int64_t> to_micros;
};

// Checks a filter's shape: INVALID_ARGUMENT naming the CLI flag (--subject
// must look like "kind:id" without commas; --from must be before --to).
absl::Status ValidateFilter(const LogFilter& filter);

// A page token: where the next page starts (the entries below `before`), bound
// to the filter that produced it by a digest of the filter, so a token cannot
// be replayed against another query.
std::string EncodePageToken(const LogFilter& filter, uint64_t before);
// The start of the page: nullopt for an empty token (the first page);
// INVALID_ARGUMENT naming --page-token for a damaged token or one from
// another query.
absl::StatusOr<std::optional<uint64_t>> DecodePageToken(
    const LogFilter& filter, const std::string& token);

// Page sizes: 0 asks for the default; more than the maximum is refused.
inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 1000;
absl::StatusOr<int> PageSize(int requested);

}  // namespace kvo::audit

#endif  // KVO_SERVICES_AUDIT_AUDIT_QUERY_H_
