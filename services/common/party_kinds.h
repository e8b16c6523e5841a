#ifndef KVO_SERVICES_COMMON_PARTY_KINDS_H_
#define KVO_SERVICES_COMMON_PARTY_KINDS_H_

#include <algorithm>
#include <array>
#include <string_view>

namespace kvo::common {

// The parties of a KVO area (DESIGN.md "The KVO cycle"): their code, as the
// policy (cycle.intent_parties) and the API name them, and their Dutch name.
struct PartyKind {
  std::string_view code;
  std::string_view label_nl;
};

inline constexpr std::array<PartyKind, 7> kPartyKinds = {{
    {"municipality", "gemeente"},
    {"police", "politie"},
    {"fire_brigade", "brandweer"},
    {"entrepreneurs", "ondernemersvereniging"},
    {"biz", "BIZ"},
    {"security_company", "beveiligingsbedrijf"},
    {"park_management", "parkmanagement"},
}};

inline constexpr char kPartyKindList[] =
    "municipality, police, fire_brigade, entrepreneurs, biz, "
    "security_company, park_management";

// The kind with this code, or nullptr.
inline const PartyKind* FindPartyKind(std::string_view code) {
  auto it = std::find_if(kPartyKinds.begin(), kPartyKinds.end(),
                         [&](const PartyKind& k) { return k.code == code; });
  return it == kPartyKinds.end() ? nullptr : &*it;
}

}  // namespace kvo::common

#endif  // KVO_SERVICES_COMMON_PARTY_KINDS_H_
