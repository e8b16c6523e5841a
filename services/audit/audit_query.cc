#include "services/audit/audit_query.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/crypto.h"

namespace kvo::audit {
namespace {

constexpr char kTokenVersion[] = "q1";
// 64 bits of SHA-256 are plenty to tell one query from another; the token
// carries no secret (the officer may page through their own query at will).
constexpr size_t kDigestHexChars = 16;

std::string FilterDigest(const LogFilter& f) {
  // Length-prefixed, so no two filters share an encoding.
  std::string bytes;
  for (const std::string& field :
       {f.subject, absl::StrCat(f.principal_id), f.action,
        absl::StrCat(f.area_id),
        f.from_micros ? absl::StrCat(*f.from_micros) : std::string("-"),
        f.to_micros ? absl::StrCat(*f.to_micros) : std::string("-")}) {
    absl::StrAppend(&bytes, field.size(), ":", field, ";");
  }
  return common::HexEncode(common::Sha256(bytes)).substr(0, kDigestHexChars);
}

absl::Status BadToken(absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("--page-token: ", why,
                   "; use the token printed by the same query, or none for "
                   "the first page"));
}

}  // namespace

absl::Status ValidateFilter(const LogFilter& filter) {
  if (!filter.subject.empty()) {
    const auto colon = filter.subject.find(':');
    if (colon == std::string::npos || colon == 0 ||
        colon + 1 == filter.subject.size() ||
        absl::StrContains(filter.subject, ',') || filter.subject.size() > 200) {
      return absl::InvalidArgumentError(
          absl::StrCat("--subject \"", filter.subject,
                       "\": expected one pseudonymous id such as "
                       "person:<id> or principal:<id>"));
    }
  }
  if (filter.principal_id < 0) {
    return absl::InvalidArgumentError("--principal: must be a login or id");
  }
  if (filter.area_id < 0) {
    return absl::InvalidArgumentError("--area: must be an area id >= 1");
  }
  if (filter.from_micros && filter.to_micros &&
      *filter.from_micros >= *filter.to_micros) {
    return absl::InvalidArgumentError(
        "--from, --to: --from must be before --to");
  }
  return absl::OkStatus();
}

std::string EncodePageToken(const LogFilter& filter, uint64_t before) {
  return absl::StrCat(kTokenVersion, ".", before, ".", FilterDigest(filter));
}

absl::StatusOr<std::optional<uint64_t>> DecodePageToken(
    const LogFilter& filter, const std::string& token) {
  if (token.empty()) return std::optional<uint64_t>();
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  uint64_t before = 0;
  if (parts.size() != 3 || parts[0] != kTokenVersion ||
      !absl::SimpleAtoi(parts[1], &before)) {
    return BadToken("not a page token of kvo audit log");
  }
  if (parts[2] != FilterDigest(filter)) {
    return BadToken("this token belongs to another query (other filters)");
  }
  return std::optional<uint64_t>(before);
}

absl::StatusOr<int> PageSize(int requested) {
  if (requested == 0) return kDefaultPageSize;
  if (requested < 0 || requested > kMaxPageSize) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--limit ", requested, ": must be between 1 and ", kMaxPageSize));
  }
  return requested;
}

}  // namespace kvo::audit
