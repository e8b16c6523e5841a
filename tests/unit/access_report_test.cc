// The access export's Dutch text (the paragraphs of its PDF): the log's and
// the registry's codes reach the person through their Dutch labels.

#include "services/privacy/access_report.h"

#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/proto_time.h"

namespace kvo::privacy {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Text(const kvo::v1::AccessReport& r) {
  std::vector<std::string> lines;
  for (const auto& p : AccessReportParagraphs(
           r, {{{"theft", "diefstal"}}, {{3, "Binnenstad"}}})) {
    lines.push_back(p.text);
  }
  return absl::StrJoin(lines, "\n");
}

TEST(AccessReportTest, CodesReadAsTheirDutchLabels) {
  const auto at = common::ToProto(absl::FromCivil(
      absl::CivilSecond(2026, 12, 7, 10, 0, 0), absl::UTCTimeZone()));
  kvo::v1::AccessReport r;
  r.set_pseudonym("abc");
  *r.mutable_produced_at() = at;
  r.set_registered_area_id(3);
  auto* card = r.add_cards();
  card->set_card_id(8);
  card->set_kind("collective_warning");
  card->set_area_id(3);
  *card->mutable_valid_from() = at;
  *card->mutable_valid_until() = at;
  card->set_rule("first offence: collective warning");
  card->set_revoked(true);
  card->set_revoke_reason("objection 2 upheld");
  auto* o = r.add_objections();
  o->set_card_id(8);
  o->set_grounds("Ik was er niet");
  *o->mutable_filed_at() = at;
  o->set_decision("upheld");
  *o->mutable_decided_at() = at;
  for (const auto& [role, action, purpose] :
       {std::tuple{"police", "registry.create_person", "registration"},
        {"police", "registry.issue_card",
         "card 8: first offence: collective warning"},
        {"coordinator", "registry.revoke_card", "card 8 revoked"},
        {"shopkeeper", "gallery.sync", "door check"},
        {"privacy_officer", "privacy.find_subject", "brief van 3 december"}}) {
    auto* a = r.add_accesses();
    *a->mutable_at() = at;
    a->set_role(role);
    a->set_action(action);
    a->set_purpose(purpose);
  }
  const std::string text = Text(r);
  for (const char* dutch :
       {"Collectieve waarschuwing in Binnenstad",
        "Grond: eerste overtreding: collectieve waarschuwing.",
        "Ingetrokken: bezwaar 2 gegrond verklaard.", "Beslissing op",
        ": gegrond.", "politie - persoon geregistreerd - doel: registratie",
        "waarschuwing of winkelverbod opgelegd - doel: kenmerk 8: eerste "
        "overtreding: collectieve waarschuwing",
        "KVO-coördinator - waarschuwing of winkelverbod ingetrokken - doel: "
        "kenmerk 8 ingetrokken",
        "winkelier - galerij bij de deur bijgewerkt - doel: controle bij de "
        "deur",
        "functionaris gegevensbescherming - betrokkene opgezocht - doel: "
        "toelichting: “brief van 3 december”"}) {
    EXPECT_THAT(text, HasSubstr(dutch)) << text;
  }
  for (const char* code : {"registry.", "gallery.", "privacy.", "registration",
                           "upheld", "first offence", "revoked", "door check",
                           "collective_warning", "onbekend"}) {
    EXPECT_THAT(text, Not(HasSubstr(code))) << code;
  }
}

}  // namespace
}  // namespace kvo::privacy
