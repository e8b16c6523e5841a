// The policy parser: text-format parsing, then every rule of ValidatePolicy
// and the line lookup for the violation it reports.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "services/common/policy_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto policy = kvo::common::ParsePolicy(text, "fuzz.textproto");
  if (policy.ok()) {
    // What parses must validate: ParsePolicy checked it.
    if (!kvo::common::ValidatePolicy(*policy).empty()) __builtin_trap();
    for (const auto& type : policy->offence_types()) {
      if (kvo::common::FindOffenceType(*policy, type.code()) == nullptr) {
        __builtin_trap();
      }
    }
  } else if (policy.status().code() != absl::StatusCode::kInvalidArgument) {
    __builtin_trap();
  }
  return 0;
}
