#include "tests/sim/calls.h"

#include "absl/strings/str_cat.h"

namespace kvo::sim {

google::protobuf::Timestamp ToProto(absl::Time t) {
  google::protobuf::Timestamp ts;
  const int64_t us = absl::ToUnixMicros(t);
  ts.set_seconds(us / 1000000);
  ts.set_nanos(static_cast<int32_t>(us % 1000000) * 1000);
  return ts;
}

absl::Time FromProto(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

bool GoneIsFine(const Model& model, Handle person, absl::Time now,
                const grpc::Status& s) {
  return model.NeededBecause(person, now).empty() &&
         (s.error_code() == grpc::StatusCode::NOT_FOUND ||
          s.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
}

std::string CodeName(grpc::StatusCode code) {
  static const char* kCodes[] = {"OK",
                                 "CANCELLED",
                                 "UNKNOWN",
                                 "INVALID_ARGUMENT",
                                 "DEADLINE_EXCEEDED",
                                 "NOT_FOUND",
                                 "ALREADY_EXISTS",
                                 "PERMISSION_DENIED",
                                 "RESOURCE_EXHAUSTED",
                                 "FAILED_PRECONDITION",
                                 "ABORTED",
                                 "OUT_OF_RANGE",
                                 "UNIMPLEMENTED",
                                 "INTERNAL",
                                 "UNAVAILABLE",
                                 "DATA_LOSS",
                                 "UNAUTHENTICATED"};
  const int n = static_cast<int>(code);
  return n >= 0 && n <= 16 ? kCodes[n] : absl::StrCat("code ", n);
}

std::string Describe(const grpc::Status& s) {
  return absl::StrCat(CodeName(s.error_code()), ": ", s.error_message());
}

void Unexpected(Model& model, const std::string& what, const grpc::Status& s,
                const std::string& why_expected) {
  UnexpectedCode(model, what, s, "OK", why_expected);
}

void UnexpectedCode(Model& model, const std::string& what,
                    const grpc::Status& s, const std::string& expected,
                    const std::string& why) {
  model.unexpected.push_back(
      absl::StrCat(what, " answered ", s.ok() ? "OK" : Describe(s),
                   "; expected ", expected, " (", why, ")"));
}

}  // namespace kvo::sim
