// The written notice, read back with pdftotext as the person would read it.
#include "services/notice/notice_pdf.h"

#include <cstdio>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/pg_environment.h"
#include "tests/support/subprocess.h"

namespace kvo::notice {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

NoticeData Sample() {
  NoticeData d;
  d.card_id = 42;
  d.card_kind = "collective_ban";
  d.person_name = "Jan Willem van der Berg";
  d.date_of_birth = "1990-04-01";
  d.offence_label = "diefstal";
  d.incident_date = "2026-11-20";
  d.incident_summary = "Nam twee flessen wijn mee zonder te betalen.";
  d.area_name = "Binnenstad";
  d.municipality = "Deventer";
  d.shops = {"Bakkerij de Korenaar", "Slagerij Vos"};
  d.valid_from = "2026-11-21";
  d.valid_until = "2027-11-21";
  d.objection_deadline = "2026-12-19";
  d.objection_address = "KVO-coördinator Binnenstad, Deventer";
  d.issued_by = "KVO Binnenstad, Deventer";
  return d;
}

struct Rendered {
  std::string text;
  int pages = 0;
};

Rendered Read(const NoticeData& d) {
  auto pdf = RenderNoticePdf(d);
  EXPECT_TRUE(pdf.ok()) << pdf.status();
  EXPECT_EQ(pdf.value_or("").rfind("%PDF-", 0), 0u);
  kvo::testing::TempDir dir;
  const auto file = dir.path() / "notice.pdf";
  std::ofstream(file, std::ios::binary) << pdf.value_or("");
  Rendered r;
  r.text =
      kvo::testing::RunCommand({"/usr/bin/pdftotext", file.string(), "-"}).out;
  const std::string info =
      kvo::testing::RunCommand({"/usr/bin/pdfinfo", file.string()}).out;
  const size_t at = info.find("Pages:");
  if (at != std::string::npos) r.pages = std::atoi(info.c_str() + at + 6);
  return r;
}

TEST(NoticePdfTest, DutchNoticeNamesWhoWhatWhereAndUntilWhen) {
  const Rendered r = Read(Sample());
  EXPECT_EQ(r.pages, 1);
  for (const char* part :
       {"Collectief winkelverbod", "Jan Willem van der Berg", "1990-04-01",
        "diefstal", "2026-11-20", "Binnenstad", "Deventer",
        "Bakkerij de Korenaar", "Slagerij Vos", "2026-11-21", "2027-11-21",
        "2026-12-19", "Bezwaar", "Privacy", "KVO-coördinator"}) {
    EXPECT_THAT(r.text, HasSubstr(part));
  }
  EXPECT_THAT(r.text, Not(HasSubstr("ouder/voogd")));
}

TEST(NoticePdfTest, MinorsAddressTheGuardianAndEnglishIsAnOption) {
  NoticeData d = Sample();
  d.minor = true;
  d.language = "en";
  d.card_kind = "collective_warning";
  const Rendered r = Read(d);
  EXPECT_THAT(r.text, HasSubstr("Collective warning"));
  EXPECT_THAT(r.text, HasSubstr("parent/guardian"));
  EXPECT_THAT(r.text, HasSubstr("Objection"));
}

TEST(NoticePdfTest, LongTextFlowsOntoMorePagesAndNothingIsLost) {
  NoticeData d = Sample();
  d.shops.clear();
  for (int i = 0; i < 40; ++i) d.shops.push_back(absl::StrCat("Winkel ", i));
  d.incident_summary.clear();
  for (int i = 0; i < 2000; ++i) absl::StrAppend(&d.incident_summary, "woord ");
  absl::StrAppend(&d.incident_summary, "slotwoord {area}");
  const Rendered r = Read(d);
  EXPECT_GT(r.pages, 1);
  EXPECT_THAT(r.text, HasSubstr("Winkel 39"));
  EXPECT_THAT(r.text, HasSubstr("slotwoord {area}")) << "typed text stays";
}

TEST(NoticePdfTest, BadInputNamesTheField) {
  const std::pair<void (*)(NoticeData&), const char*> cases[] = {
      {[](NoticeData& d) { d.language = "de"; }, "language"},
      {[](NoticeData& d) { d.card_kind = "orange"; }, "card_kind"},
      {[](NoticeData& d) { d.person_name.clear(); }, "person_name"},
      {[](NoticeData& d) { d.area_name.clear(); }, "area_name"},
      {[](NoticeData& d) { d.valid_until.clear(); }, "valid_until"}};
  for (const auto& [mutate, field] : cases) {
    NoticeData d = Sample();
    mutate(d);
    auto pdf = RenderNoticePdf(d);
    EXPECT_EQ(pdf.status().code(), absl::StatusCode::kInvalidArgument) << field;
    EXPECT_THAT(pdf.status().message(), HasSubstr(field));
  }
}

}  // namespace
}  // namespace kvo::notice
