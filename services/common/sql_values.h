#ifndef KVO_SERVICES_COMMON_SQL_VALUES_H_
#define KVO_SERVICES_COMMON_SQL_VALUES_H_

#include <pqxx/pqxx>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "services/common/crypto.h"

// How stores move values the SQL types do not carry losslessly through
// libpqxx's text protocol: times as integer microseconds since the epoch
// (nothing lost to floating point), bytes as hex.

// SQL of a timestamptz column as microseconds: SELECT KVO_TS("valid_from").
#define KVO_TS(col) "(EXTRACT(EPOCH FROM " col ") * 1000000)::bigint"

namespace kvo::common {

// The SQL for "the timestamp in parameter $n, in microseconds".
inline std::string SqlTimeParam(int n) {
  return absl::StrCat("to_timestamp(0) + $", n,
                      "::bigint * interval '1 microsecond'");
}

// A column selected as encode(x, 'hex'), decoded in place (no copy of the
// text: a photo's is over a megabyte).
inline std::string SqlBytes(const pqxx::field& f) {
  return HexDecode(absl::string_view(f.c_str(), f.size())).value_or("");
}

// A bytea column selected as it is: the text protocol's "\x" and hex
// (bytea_output = hex, PostgreSQL's default since 9.0).
inline std::string SqlBytea(const pqxx::field& f) {
  const absl::string_view text(f.c_str(), f.size());
  if (text.size() < 2 || text[0] != '\\' || text[1] != 'x') return "";
  return HexDecode(text.substr(2)).value_or("");
}

// A column selected with KVO_TS.
inline absl::Time SqlMicros(const pqxx::field& f) {
  return absl::FromUnixMicros(f.as<int64_t>());
}

}  // namespace kvo::common

#endif  // KVO_SERVICES_COMMON_SQL_VALUES_H_
