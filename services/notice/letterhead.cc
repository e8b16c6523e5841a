#include "services/notice/letterhead.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace kvo::notice {
namespace {

// FAILED_PRECONDITION listing the flags still to record.
absl::Status Missing(const Letterhead& l, const std::vector<std::string>& flags,
                     const char* what) {
  if (flags.empty()) return absl::OkStatus();
  std::vector<std::string> example;
  for (const std::string& f : flags) example.push_back(absl::StrCat(f, " ..."));
  return absl::FailedPreconditionError(absl::StrCat(
      "area ", l.area_id, l.area_name.empty() ? "" : " (", l.area_name,
      l.area_name.empty() ? "" : ")", " has no ", what,
      " recorded: the coordinator records it with ", kLetterheadCommand,
      " --area ", l.area_id, " ", absl::StrJoin(example, " ")));
}

}  // namespace

std::string Signer(const Letterhead& l) {
  if (!l.coordinator.empty()) return l.coordinator;
  return absl::StrCat("KVO-coördinator ", l.area_name);
}

std::vector<std::string> SenderLines(const Letterhead& l,
                                     absl::string_view language) {
  std::vector<std::string> out = {Signer(l)};
  for (const std::string* s : {&l.postal_address, &l.email}) {
    if (!s->empty()) out.push_back(*s);
  }
  if (!l.phone.empty()) {
    out.push_back(
        absl::StrCat(language == "en" ? "Phone " : "Telefoon ", l.phone));
  }
  return out;
}

absl::Status CheckObjectionAddress(const Letterhead& l) {
  std::vector<std::string> flags;
  if (l.postal_address.empty()) flags.push_back("--objection-address");
  if (l.email.empty()) flags.push_back("--objection-email");
  return Missing(l, flags, "objection address (postal address and e-mail)");
}

absl::Status CheckPaymentDetails(const Letterhead& l) {
  std::vector<std::string> flags;
  if (l.payee.empty()) flags.push_back("--payee");
  if (l.iban.empty()) flags.push_back("--iban");
  if (l.postal_address.empty()) flags.push_back("--objection-address");
  if (l.email.empty()) flags.push_back("--objection-email");
  return Missing(l, flags,
                 "payee and IBAN for nuisance donations (and an address to "
                 "answer letters)");
}

}  // namespace kvo::notice
