// Every request message's validation, as the handlers call it before
// anything is looked up. The first byte chooses the message; the rest is
// parsed as that message (wire format) and handed to its validator, which
// must answer OK or INVALID_ARGUMENT with a message, and nothing else.
// Requests without fields to check (WhoAmI, Logout, ListAreas, Verify,
// GetKeyStatus, RunRetention) have no validator; the donation requests
// follow the others (30 on), the survey's at 57-59, the schouw's at
// 60-62, an objective's metric at 63.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/civil_time.h"
#include "google/protobuf/stubs/logging.h"
#include "services/audit/audit_requests.h"
#include "services/common/iban.h"
#include "services/common/local_time.h"
#include "services/common/policy_loader.h"
#include "services/common/source_dir.h"
#include "services/cycle/cycle_requests.h"
#include "services/cycle/cycle_rules.h"
#include "services/cycle/figures_csv.h"
#include "services/cycle/survey_rules.h"
#include "services/donations/donation_requests.h"
#include "services/door_web/door_web_requests.h"
#include "services/door_web/door_web_rules.h"
#include "services/gallery/gallery_requests.h"
#include "services/identity/identity_requests.h"
#include "services/registry/registry_requests.h"
#include "services/reports/reduction_requests.h"

namespace {

const kvo::v1::Policy& Policy() {
  static const kvo::v1::Policy* policy = [] {
    auto p = kvo::common::LoadPolicyFile(std::string(KVO_SOURCE_DIR) +
                                         "/policy/default.textproto");
    if (!p.ok()) abort();
    return new kvo::v1::Policy(*p);
  }();
  return *policy;
}

using SurveyAnswers = std::vector<std::pair<std::string, std::string>>;

const kvo::v1::Questionnaire& Questionnaire() {
  static const kvo::v1::Questionnaire* questionnaire = [] {
    auto q = kvo::cycle::LoadQuestionnaireFile(
        std::string(KVO_SOURCE_DIR) + "/data/questionnaire/kvo_nl.textproto");
    if (!q.ok()) abort();
    return new kvo::v1::Questionnaire(*q);
  }();
  return *questionnaire;
}

void Expect(const absl::Status& s) {
  if (s.ok()) return;
  if (s.code() != absl::StatusCode::kInvalidArgument || s.message().empty()) {
    __builtin_trap();
  }
}

template <typename Message>
bool Parse(absl::string_view body, Message* m) {
  return m->ParseFromArray(body.data(), static_cast<int>(body.size()));
}

// Runs the validator of request type `type` on `body`.
void Validate(uint8_t type, absl::string_view body) {
  namespace v1 = kvo::v1;
  namespace reg = kvo::registry;
  namespace id = kvo::identity;
  namespace don = kvo::donations;
  const absl::Time now =
      absl::FromCivil(absl::CivilDay(2026, 11, 30), kvo::common::Amsterdam());
  switch (type) {
#define KVO_FUZZ_CASE(n, Type, call) \
  case n: {                          \
    v1::Type r;                      \
    if (!Parse(body, &r)) return;    \
    call;                            \
    return;                          \
  }
    KVO_FUZZ_CASE(0, CreateShopRequest,
                  Expect(reg::ValidateCreateShopRequest(r)))
    KVO_FUZZ_CASE(1, ListShopsRequest, Expect(reg::ValidateListShopsRequest(r)))
    KVO_FUZZ_CASE(2, AddShopMemberRequest,
                  Expect(reg::ValidateAddShopMemberRequest(r)))
    KVO_FUZZ_CASE(3, FindPersonRequest, {
      auto key = reg::ValidateFindPersonRequest(r);
      Expect(key.status());
    })
    KVO_FUZZ_CASE(4, CreatePersonRequest, {
      auto input = reg::ValidateCreatePersonRequest(Policy(), r, now);
      Expect(input.status());
      if (input.ok()) {
        // A person that can be registered can be found the same way.
        v1::FindPersonRequest find;
        find.set_given_names(r.given_names());
        find.set_surname_prefix(r.surname_prefix());
        find.set_surname(r.surname());
        find.set_date_of_birth(r.date_of_birth());
        auto key = reg::ValidateFindPersonRequest(find);
        if (!key.ok() || *key != input->normalized) __builtin_trap();
      }
    })
    KVO_FUZZ_CASE(5, GetPersonRequest, Expect(reg::ValidateGetPersonRequest(r)))
    KVO_FUZZ_CASE(6, ErasePersonRequest,
                  Expect(reg::ValidateErasePersonRequest(r)))
    KVO_FUZZ_CASE(7, RecordIncidentRequest, {
      const absl::Status s = reg::ValidateRecordIncidentRequest(Policy(), r);
      Expect(s);
      // What passes is a google.protobuf.Timestamp as its proto defines it:
      // 0001-01-01 to 9999-12-31, nanos 0 to 999,999,999.
      if (s.ok() && (r.occurred_at().seconds() < -62135596800 ||
                     r.occurred_at().seconds() > 253402300799 ||
                     r.occurred_at().nanos() < 0 ||
                     r.occurred_at().nanos() > 999'999'999)) {
        __builtin_trap();
      }
    })
    KVO_FUZZ_CASE(8, IssueCardRequest, Expect(reg::ValidateIssueCardRequest(r)))
    KVO_FUZZ_CASE(9, RevokeCardRequest,
                  Expect(reg::ValidateRevokeCardRequest(r)))
    KVO_FUZZ_CASE(10, ListCardsRequest,
                  Expect(reg::ValidateListCardsRequest(r)))
    KVO_FUZZ_CASE(11, GetNoticeRequest, {
      auto language = reg::ValidateGetNoticeRequest(r);
      Expect(language.status());
      if (language.ok() && *language != "nl" && *language != "en") {
        __builtin_trap();
      }
    })
    KVO_FUZZ_CASE(12, FileObjectionRequest,
                  Expect(reg::ValidateFileObjectionRequest(r)))
    KVO_FUZZ_CASE(13, DecideObjectionRequest,
                  Expect(reg::ValidateDecideObjectionRequest(r)))
    KVO_FUZZ_CASE(14, ListObjectionsRequest,
                  Expect(reg::ValidateListObjectionsRequest(r)))
    KVO_FUZZ_CASE(15, RotateKeysRequest,
                  Expect(reg::ValidateRotateKeysRequest(r)))
    KVO_FUZZ_CASE(16, BootstrapRequest, {
      auto code = id::ValidateBootstrapRequest(
          r, Policy().identity().password_min_length());
      Expect(code.status());
      if (code.ok() && code->size() != 20) __builtin_trap();
    })
    KVO_FUZZ_CASE(17, EnrollRequest, {
      auto code = id::ValidateEnrollRequest(r);
      Expect(code.status());
      if (code.ok() && code->size() != 20) __builtin_trap();
    })
    KVO_FUZZ_CASE(18, LoginRequest, Expect(id::ValidateLoginRequest(r)))
    KVO_FUZZ_CASE(19, CreatePrincipalRequest, {
      auto areas = id::ValidateCreatePrincipalRequest(r);
      Expect(areas.status());
      if (areas.ok()) {
        const std::set<int64_t> unique(areas->begin(), areas->end());
        if (unique.size() != areas->size() || areas->size() > 100 ||
            (!unique.empty() && *unique.begin() <= 0)) {
          __builtin_trap();
        }
      }
    })
    KVO_FUZZ_CASE(20, SetPrincipalStatusRequest,
                  Expect(id::ValidateSetPrincipalStatusRequest(r)))
    KVO_FUZZ_CASE(21, ResetPasswordRequest,
                  Expect(id::ValidateResetPasswordRequest(r)))
    KVO_FUZZ_CASE(22, ListPrincipalsRequest,
                  Expect(id::ValidateListPrincipalsRequest(r)))
    KVO_FUZZ_CASE(23, CreateAreaRequest,
                  Expect(id::ValidateCreateAreaRequest(r)))
    KVO_FUZZ_CASE(24, GetTreeHeadRequest,
                  Expect(kvo::audit::ValidateGetTreeHeadRequest(r)))
    KVO_FUZZ_CASE(25, InclusionProofRequest,
                  Expect(kvo::audit::ValidateInclusionProofRequest(r)))
    KVO_FUZZ_CASE(26, ConsistencyProofRequest, {
      Expect(kvo::audit::ValidateConsistencyProofRequest(r));
      if (kvo::audit::ValidateConsistencyProofRequest(r).ok() &&
          (r.first_size() == 0 || r.first_size() > r.second_size())) {
        __builtin_trap();
      }
    })
    KVO_FUZZ_CASE(27, SyncGalleryRequest,
                  Expect(kvo::gallery::ValidateSyncGalleryRequest(r)))
    KVO_FUZZ_CASE(28, GetPhotoRequest,
                  Expect(kvo::gallery::ValidateGetPhotoRequest(r)))
    KVO_FUZZ_CASE(29, UploadPhotoRequest, {
      // The first message, then the same message again as a chunk.
      Expect(kvo::gallery::ValidateUploadPhotoStart(r).status());
      std::string file;
      const auto s = kvo::gallery::AppendUploadChunk(r, 64, &file);
      Expect(s);
      if (file.size() > 64) __builtin_trap();
    })
    KVO_FUZZ_CASE(30, CreateCaseRequest, {
      auto persons = don::ValidateCreateCaseRequest(r);
      Expect(persons.status());
      if (persons.ok() && persons->size() > don::kMaxPersonsPerCase) {
        __builtin_trap();
      }
    })
    KVO_FUZZ_CASE(31, GetCaseRequest, Expect(don::ValidateGetCaseRequest(r)))
    KVO_FUZZ_CASE(32, GetClaimRequest, Expect(don::ValidateGetClaimRequest(r)))
    KVO_FUZZ_CASE(33, ListClaimsRequest,
                  Expect(don::ValidateListClaimsRequest(r)))
    KVO_FUZZ_CASE(34, RecordPaymentRequest, {
      auto reference = don::ValidateRecordPaymentRequest(r);
      Expect(reference.status());
      // What passes has whole cents above 0, in euros.
      if (reference.ok() && (r.amount_cents() <= 0 || r.currency() != "EUR")) {
        __builtin_trap();
      }
    })
    KVO_FUZZ_CASE(35, PlanInstalmentsRequest,
                  Expect(don::ValidatePlanInstalmentsRequest(r).status()))
    KVO_FUZZ_CASE(36, WaiveClaimRequest,
                  Expect(don::ValidateWaiveClaimRequest(r)))
    KVO_FUZZ_CASE(37, DismissClaimRequest,
                  Expect(don::ValidateDismissClaimRequest(r)))
    KVO_FUZZ_CASE(38, RecordRefundRequest,
                  Expect(don::ValidateRecordRefundRequest(r)))
    KVO_FUZZ_CASE(39, RemindClaimRequest,
                  Expect(don::ValidateRemindClaimRequest(r)))
    KVO_FUZZ_CASE(40, DonationReportRequest,
                  Expect(don::ValidateDonationReportRequest(r).status()))
    KVO_FUZZ_CASE(41, ProviderEventRequest, {
      Expect(don::ValidateProviderEventRequest(r));
      Expect(don::ParseProviderPayment(r.body()).status());
    })
    KVO_FUZZ_CASE(42, GetAreaRequest,
                  Expect(kvo::cycle::ValidateAreaRequest(r.area_id())))
    KVO_FUZZ_CASE(43, AddStreetRequest,
                  Expect(kvo::cycle::ValidateAddStreetRequest(r)))
    KVO_FUZZ_CASE(44, AddPartyRequest,
                  Expect(kvo::cycle::ValidateAddPartyRequest(r)))
    KVO_FUZZ_CASE(
        45, RecordParticipantRequest,
        Expect(kvo::cycle::ValidateRecordParticipantRequest(r).status()))
    KVO_FUZZ_CASE(46, RecordLicenceRequest, {
      const auto days = kvo::cycle::ValidateRecordLicenceRequest(r);
      Expect(days.status());
      if (days.ok() && days->valid_until < days->valid_from) __builtin_trap();
    })
    KVO_FUZZ_CASE(47, DraftIntentRequest,
                  Expect(kvo::cycle::ValidateDraftIntentRequest(r)))
    KVO_FUZZ_CASE(48, SignIntentRequest,
                  Expect(kvo::cycle::ValidateSignIntentRequest(r).status()))
    KVO_FUZZ_CASE(
        49, RecordAssessmentRequest,
        Expect(kvo::cycle::ValidateRecordAssessmentRequest(r).status()))
    KVO_FUZZ_CASE(
        50, IssueCertificateRequest,
        Expect(kvo::cycle::ValidateIssueCertificateRequest(r).status()))
    KVO_FUZZ_CASE(51, ImportFiguresRequest, {
      Expect(kvo::cycle::ValidateImportFiguresRequest(r));
      Expect(
          kvo::cycle::ParseFigures(r.csv(), {"fire", "shoplifting"}).status());
    })
    KVO_FUZZ_CASE(52, AddObjectiveRequest,
                  Expect(kvo::cycle::ValidateAddObjectiveRequest(r)))
    KVO_FUZZ_CASE(53, AddActivityRequest,
                  Expect(kvo::cycle::ValidateAddActivityRequest(r).status()))
    KVO_FUZZ_CASE(54, SetActivityStatusRequest,
                  Expect(kvo::cycle::ValidateSetActivityStatusRequest(r)))
    KVO_FUZZ_CASE(56, ReductionReportRequest, {
      auto periods = kvo::reports::ValidateReductionReportRequest(
          r, v1::Policy::default_instance());
      Expect(periods.status());
      // What passes is two ordered, separate periods of at most the default.
      if (periods.ok() &&
          (periods->first.to < periods->first.from ||
           periods->second.to < periods->second.from ||
           periods->first.to - periods->first.from + 1 >
               kvo::reports::MaxPeriodDays(v1::Policy::default_instance()))) {
        __builtin_trap();
      }
    })
    KVO_FUZZ_CASE(
        57, CreateMeasurementRequest,
        Expect(kvo::cycle::ValidateCreateMeasurementRequest(r).status()))
    KVO_FUZZ_CASE(58, AnswerSurveyRequest, {
      Expect(kvo::cycle::ValidateAnswerSurveyRequest(r));
      SurveyAnswers answers;
      for (const auto& a : r.answers()) {
        answers.emplace_back(a.question_id(), a.answer());
      }
      auto flags = kvo::cycle::ScoreResponse(Questionnaire(), answers);
      Expect(flags.status());
      // A report is never of a victim who was not one.
      if (flags.ok() && flags->reported && !flags->victimised) {
        __builtin_trap();
      }
    })
    KVO_FUZZ_CASE(
        60, RecordSchouwRoundRequest,
        Expect(kvo::cycle::ValidateRecordSchouwRoundRequest(r).status()))
    KVO_FUZZ_CASE(61, AddFindingRequest, {
      Expect(kvo::cycle::ValidateAddFindingRequest(r));
      Expect(kvo::cycle::CheckOneOf(
          "category (kvo --category)",
          kvo::cycle::SchouwCategories(Policy().cycle()), r.category()));
    })
    KVO_FUZZ_CASE(62, SetFindingStatusRequest,
                  Expect(kvo::cycle::ValidateSetFindingStatusRequest(r)))
    KVO_FUZZ_CASE(63, AddObjectiveRequest,
                  Expect(kvo::cycle::CheckObjectiveMetric(Policy(), r.metric(),
                                                          r.target_change())))
    KVO_FUZZ_CASE(64, GetFindingPhotoRequest,
                  Expect(kvo::cycle::ValidateGetFindingPhotoRequest(r)))
    KVO_FUZZ_CASE(65, AdjustPlanRequest, {
      const auto day = kvo::cycle::ValidateAdjustPlanRequest(r);
      Expect(day.status());
      // What passes changes something, each target finite and in range.
      if (day.ok()) {
        if (r.targets().empty() && r.drop_objectives().empty() &&
            r.cancel_activities().empty()) {
          __builtin_trap();
        }
        for (const auto& t : r.targets()) {
          if (!(t.target_change() >= -100 && t.target_change() <= 1000)) {
            __builtin_trap();
          }
        }
      }
    })
    KVO_FUZZ_CASE(66, SetAreaContactRequest, {
      const auto contact = kvo::cycle::ValidateSetAreaContactRequest(r);
      Expect(contact.status());
      // What passes keeps an IBAN that checks out as it is stored.
      if (contact.ok() && !contact->iban().empty() &&
          kvo::common::NormalizeIban(contact->iban(), "iban").value_or("") !=
              contact->iban()) {
        __builtin_trap();
      }
    })
    KVO_FUZZ_CASE(67, ReductionAcrossRequest, {
      auto periods = kvo::reports::ValidateReductionAcrossRequest(
          r, v1::Policy::default_instance());
      Expect(periods.status());
      // What passes names one municipality or a few distinct areas.
      if (periods.ok() &&
          (r.municipality().empty() == (r.area_ids_size() == 0) ||
           r.area_ids_size() > kvo::reports::kMaxAcrossAreas ||
           periods->second.to < periods->second.from)) {
        __builtin_trap();
      }
    })
#undef KVO_FUZZ_CASE
    case 59:
      // A questionnaire file as kvod reads it at start.
      Expect(kvo::cycle::ParseQuestionnaire(body, "fuzz").status());
      return;
    case 55: {
      // The door page's forms: the raw body a browser posts.
      namespace web = kvo::door_web;
      auto form = web::ParseForm(body);
      Expect(form.status());
      if (!form.ok()) return;
      Expect(web::ParseLoginForm(*form).status());
      Expect(web::ParsePhotoForm(*form).status());
      auto incident = web::ParseIncidentForm(*form, 1);
      Expect(incident.status());
      if (incident.ok() && incident->damage_cents() < 0) __builtin_trap();
      return;
    }
    default:
      return;
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Proto3 refuses strings that are not UTF-8 (as gRPC does before a handler
  // runs) and logs each refusal: quiet, or the log drowns the fuzzer's.
  google::protobuf::SetLogHandler(
      [](google::protobuf::LogLevel, const char*, int, const std::string&) {});
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  Validate(
      data[0] % 68,
      absl::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  return 0;
}
