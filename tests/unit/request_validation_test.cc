// The checks each request passes before a handler looks anything up
// (services/*/*_requests.h): what the fuzz target request_fuzz runs, here
// with the answers a person reads.
#include <filesystem>

#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/audit/audit_requests.h"
#include "services/common/local_time.h"
#include "services/common/policy_loader.h"
#include "services/common/source_dir.h"
#include "services/gallery/gallery_requests.h"
#include "services/identity/identity_requests.h"
#include "services/registry/registry_requests.h"

namespace kvo {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const kvo::v1::Policy& Ccv() {
  static const auto* policy = new kvo::v1::Policy(
      common::LoadPolicyFile(std::filesystem::path(KVO_SOURCE_DIR) / "policy" /
                             "default.textproto")
          .value());
  return *policy;
}

absl::Time Now() {
  return absl::FromCivil(absl::CivilDay(2026, 11, 30), common::Amsterdam());
}

kvo::v1::CreatePersonRequest Person() {
  kvo::v1::CreatePersonRequest r;
  r.set_area_id(1);
  r.set_given_names("Jan");
  r.set_surname_prefix("van der");
  r.set_surname("Berg");
  r.set_date_of_birth("1990-04-01");
  r.set_description("rode jas\nzwarte pet");
  return r;
}

TEST(RequestValidationTest, CreatePersonKeepsFieldsAndTheBlindIndexInput) {
  auto input = registry::ValidateCreatePersonRequest(Ccv(), Person(), Now());
  ASSERT_TRUE(input.ok()) << input.status();
  EXPECT_EQ(input->normalized, "jan|berg|1990-04-01");
  EXPECT_EQ(input->fields.at("surname_prefix"), "van der");
  EXPECT_FALSE(input->fields.contains("address"));  // empty: not stored
}

TEST(RequestValidationTest, CreatePersonNamesTheWrongField) {
  auto r = Person();
  r.set_area_id(0);
  EXPECT_EQ(
      registry::ValidateCreatePersonRequest(Ccv(), r, Now()).status().message(),
      "area_id: required");
  r = Person();
  r.set_surname("Be\u202Erg");  // a right-to-left override
  auto s = registry::ValidateCreatePersonRequest(Ccv(), r, Now()).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("surname"));
  EXPECT_THAT(s.message(), HasSubstr("U+202E"));
  r = Person();
  r.set_date_of_birth("2026-12-01");
  EXPECT_THAT(
      registry::ValidateCreatePersonRequest(Ccv(), r, Now()).status().message(),
      HasSubstr("date_of_birth: must not be in the future"));
  r = Person();
  r.set_given_names("...");  // nothing left to index
  EXPECT_THAT(
      registry::ValidateCreatePersonRequest(Ccv(), r, Now()).status().message(),
      HasSubstr("given_names: required"));
}

TEST(RequestValidationTest, RecordIncidentNeedsAPolicyOffenceAndSaneAmounts) {
  kvo::v1::RecordIncidentRequest r;
  r.set_shop_id(1);
  r.set_person_id(2);
  r.set_offence_type("theft");
  r.mutable_occurred_at()->set_seconds(1795000000);
  r.set_description("wijn onder de jas");
  EXPECT_TRUE(registry::ValidateRecordIncidentRequest(Ccv(), r).ok());
  r.set_damage_cents(-1);
  EXPECT_THAT(registry::ValidateRecordIncidentRequest(Ccv(), r).message(),
              HasSubstr("damage_cents: 0 to"));
  r.set_damage_cents(0);
  r.mutable_occurred_at()->set_nanos(-1);
  EXPECT_EQ(registry::ValidateRecordIncidentRequest(Ccv(), r).message(),
            "occurred_at (kvo incident record --at): not a valid time");
  r.mutable_occurred_at()->set_nanos(0);
  r.mutable_occurred_at()->set_seconds(253'402'300'800);  // year 10000
  EXPECT_FALSE(registry::ValidateRecordIncidentRequest(Ccv(), r).ok());
  r.mutable_occurred_at()->set_seconds(1795000000);
  r.set_offence_type("jaywalking");
  EXPECT_THAT(registry::ValidateRecordIncidentRequest(Ccv(), r).message(),
              HasSubstr("offence_type: one of theft, pickpocketing"));
}

// One strict format for Dutch police report numbers, at RecordIncident's
// field and at RecordPoliceReport, each naming its own kvo flag.
TEST(RequestValidationTest, PoliceReportNumbersHaveOneFormat) {
  for (const char* good :
       {"PL0900-2026123456", "PL0600-20261234567", "PL1234-202612345678"}) {
    EXPECT_TRUE(registry::CheckPoliceReportNumber("f", good).ok()) << good;
  }
  for (const char* bad :
       {"", "PL0900-123", "pl0900-2026123456", "PL090-2026123456",
        "PL0900 2026123456", "PL0900-1999123456", "PL0900-2026-123456",
        "PL0900-2026123456789", "2026112-0042", "PL0900-20261234x6"}) {
    EXPECT_FALSE(registry::CheckPoliceReportNumber("f", bad).ok()) << bad;
  }
  kvo::v1::RecordPoliceReportRequest r;
  r.set_incident_id(4);
  r.set_police_report_number("PL0900-123");
  const absl::Status s = registry::ValidateRecordPoliceReportRequest(r);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("--number"));
  EXPECT_THAT(s.message(), HasSubstr("PL0900-2026123456"));
  r.set_police_report_number("PL0900-2026123456");
  EXPECT_TRUE(registry::ValidateRecordPoliceReportRequest(r).ok());

  kvo::v1::RecordIncidentRequest i;
  i.set_shop_id(1);
  i.set_person_id(2);
  i.set_offence_type("theft");
  i.set_description("wijn onder de jas");
  i.set_police_report_number("PL0600-123");
  EXPECT_THAT(registry::ValidateRecordIncidentRequest(Ccv(), i).message(),
              HasSubstr("--report"));
  i.set_police_report_number("PL0600-2026123456");
  EXPECT_TRUE(registry::ValidateRecordIncidentRequest(Ccv(), i).ok());
}

TEST(RequestValidationTest, GetNoticeDefaultsToDutch) {
  kvo::v1::GetNoticeRequest r;
  r.set_card_id(3);
  EXPECT_EQ(registry::ValidateGetNoticeRequest(r).value(), "nl");
  r.set_language("de");
  EXPECT_EQ(registry::ValidateGetNoticeRequest(r).status().message(),
            "language: nl or en");
}

TEST(RequestValidationTest, CreatePrincipalDropsRepeatedAreas) {
  kvo::v1::CreatePrincipalRequest r;
  r.set_login("politie-7");
  r.set_display_name("Wijkagent");
  r.set_role(kvo::v1::ROLE_POLICE);
  for (int64_t a : {2, 1, 2}) r.add_area_ids(a);
  EXPECT_THAT(identity::ValidateCreatePrincipalRequest(r).value(),
              ElementsAre(2, 1));
  r.clear_area_ids();
  EXPECT_THAT(identity::ValidateCreatePrincipalRequest(r).status().message(),
              HasSubstr("area_ids: a police needs at least one area"));
  r.set_role(static_cast<kvo::v1::Role>(99));
  EXPECT_THAT(identity::ValidateCreatePrincipalRequest(r).status().message(),
              HasSubstr("role: one of"));
}

TEST(RequestValidationTest, ProofRequestsNameKvosFlags) {
  kvo::v1::ConsistencyProofRequest c;
  c.set_first_size(5);
  c.set_second_size(4);
  EXPECT_EQ(audit::ValidateConsistencyProofRequest(c).message(),
            "--from, --to: need 0 < --from <= --to");
  kvo::v1::GetTreeHeadRequest h;
  h.set_tree_size(~uint64_t{0});
  EXPECT_THAT(audit::ValidateGetTreeHeadRequest(h).message(),
              HasSubstr("--size 18446744073709551615: no audit log"));
}

TEST(RequestValidationTest, UploadStreamsAPersonThenChunksWithinTheLimit) {
  kvo::v1::UploadPhotoRequest first;
  EXPECT_FALSE(gallery::ValidateUploadPhotoStart(first).ok());
  first.set_person_id(7);
  EXPECT_EQ(gallery::ValidateUploadPhotoStart(first).value(), 7);
  std::string file;
  kvo::v1::UploadPhotoRequest chunk;
  chunk.set_chunk("12345");
  EXPECT_TRUE(gallery::AppendUploadChunk(chunk, 8, &file).ok());
  EXPECT_THAT(gallery::AppendUploadChunk(chunk, 8, &file).message(),
              HasSubstr("larger than the limit of 8 bytes"));
  EXPECT_EQ(file, "12345");
  EXPECT_THAT(gallery::AppendUploadChunk(first, 8, &file).message(),
              HasSubstr("chunk: after the first message"));
}

}  // namespace
}  // namespace kvo
