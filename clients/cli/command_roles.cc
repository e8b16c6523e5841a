#include "clients/cli/command_roles.h"

#include <google/protobuf/text_format.h>

#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/cli/formatting.h"
#include "kvo/v1/policy.pb.h"

namespace kvo::cli {
namespace {

const kvo::v1::Policy& DefaultPolicy() {
  static const kvo::v1::Policy* policy = [] {
    auto* p = new kvo::v1::Policy;
    if (!google::protobuf::TextFormat::ParseFromString(DefaultPolicyText(),
                                                       p)) {
      p->Clear();
    }
    return p;
  }();
  return *policy;
}

}  // namespace

std::string WhoMay(absl::string_view method) {
  for (const kvo::v1::AccessRule& rule : DefaultPolicy().access()) {
    if (rule.method() != method) continue;
    if (rule.public_()) return " (anyone)";
    std::set<int> roles(rule.any_area().begin(), rule.any_area().end());
    roles.insert(rule.own_areas().begin(), rule.own_areas().end());
    std::vector<std::string> names;
    for (int role : roles) {
      names.push_back(RoleName(static_cast<kvo::v1::Role>(role)));
    }
    return absl::StrCat(" (", absl::StrJoin(names, ", "), ")");
  }
  return " (nobody)";
}

}  // namespace kvo::cli
