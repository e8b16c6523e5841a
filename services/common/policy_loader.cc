#include "services/common/policy_loader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/text_format.h"
#include "services/common/party_kinds.h"
#include "services/common/text.h"

namespace kvo::common {
namespace {

using ::google::protobuf::Descriptor;
using ::google::protobuf::FieldDescriptor;
using ::google::protobuf::TextFormat;

// Legal and design caps, the only domain numbers in code: a profile may be
// stricter, never looser.
constexpr int64_t kMaxCardDaysCap = 730;  // DESIGN: never more than 2 years.
// Adulthood is 18 in the Netherlands; no profile may treat a person over 21
// as a minor.
constexpr int64_t kMaxAdultAgeYears = 21;
constexpr int64_t kMaxDescriptionChars = 100000;
constexpr int64_t kMaxRetentionUnpaidDays = 2557;  // 7 years, then a bailiff.
constexpr int64_t kMinAuditRetentionDays = 1826;   // Audit is kept 5 years.
constexpr int64_t kMaxRecertificationYears = 5;
// A schouw photo is kept no longer than needed: at most a year after its
// finding was resolved.
constexpr int64_t kMaxSchouwPhotoDays = 365;
constexpr int64_t kMaxNoticeDays = 730;
constexpr int64_t kMaxTokenLifetimeMinutes = 10080;       // One week.
constexpr int64_t kMaxBootstrapCodeLifetimeHours = 168;   // One week.
constexpr int64_t kMaxEnrollmentCodeLifetimeHours = 720;  // 30 days.
constexpr int64_t kMinPasswordLength = 8;
// Below 8 a password is guessable; a minimum above 128 would lock people out.
constexpr int64_t kMaxPasswordLength = 128;
constexpr int64_t kMaxUploadBytesCap = 104857600;  // 100 MiB.
constexpr int64_t kMaxSidePxCap = 8192;
// A door device offline for more than a week shows too stale a gallery.
constexpr int64_t kMaxOfflineHoursCap = 168;
// Data-subject requests must be answered within 4 weeks (DESIGN).
constexpr int64_t kMaxSubjectRequestDays = 28;
constexpr int64_t kHoursPerDay = 24;
// Caps of the anomaly thresholds: beyond them a rule would never fire.
constexpr int64_t kMaxAnomalyCount = 1000000;
constexpr int64_t kMaxAnomalyFactor = 1000;
constexpr int64_t kMaxAnomalyDays = 366;

// A policy is a few kilobytes. The cap keeps a wrong path (a device, a log
// file) from being read whole into memory.
constexpr std::size_t kMaxPolicyFileBytes = 1 << 20;

// Debian's abseil has its own string_view, not an alias of std::string_view.
absl::string_view AsAbsl(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

std::string Quote(std::string_view s) {
  // Long values would drown the message; the start is enough to find it.
  constexpr std::size_t kMaxQuoted = 64;
  const bool cut = s.size() > kMaxQuoted;
  if (cut) s = s.substr(0, kMaxQuoted);
  return absl::StrCat("\"", absl::CHexEscape(AsAbsl(s)), cut ? "\"..." : "\"");
}

// A bound in a requirement: a literal cap, or another field's value, which
// is named so that the reader knows what to change.
struct Bound {
  int64_t value;
  std::string_view field = {};

  std::string ToString() const {
    if (field.empty()) return absl::StrCat(value);
    return absl::StrCat(AsAbsl(field), " (", value, ")");
  }
};

// Collects violations; each check states one rule for one field.
class Checker {
 public:
  explicit Checker(std::vector<PolicyViolation>& out) : out_(out) {}

  void Require(bool ok, std::string field, std::string requirement,
               std::string found) {
    if (!ok) {
      out_.push_back(
          {std::move(field), std::move(requirement), std::move(found)});
    }
  }

  void Between(std::string field, int64_t value, Bound lo, Bound hi) {
    Require(
        lo.value <= value && value <= hi.value, std::move(field),
        absl::StrCat("must be between ", lo.ToString(), " and ", hi.ToString()),
        absl::StrCat(value));
  }

  void Positive(std::string field, int64_t value) {
    Require(value > 0, std::move(field), "must be > 0", absl::StrCat(value));
  }

  void AtLeast(std::string field, int64_t value, int64_t lo) {
    Require(value >= lo, std::move(field), absl::StrCat("must be >= ", lo),
            absl::StrCat(value));
  }

  void NonEmpty(std::string field, std::string_view value) {
    Require(!value.empty(), std::move(field), "must be non-empty",
            Quote(value));
  }

  // The text-format parser accepts any bytes in a string; labels end up on
  // the door page and in letters, and a proto3 string that is not UTF-8
  // cannot be sent over the wire.
  void Utf8(std::string field, std::string_view value) {
    Require(IsValidUtf8(AsAbsl(value)), std::move(field), "must be valid UTF-8",
            Quote(value));
  }

 private:
  std::vector<PolicyViolation>& out_;
};

bool IsOffenceCode(std::string_view code) {
  return !code.empty() && std::all_of(code.begin(), code.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || c == '_';
  });
}

void ValidateCards(const kvo::v1::CardPolicy& cards, Checker& check) {
  // Other durations are measured against max_card_days only when it is
  // itself valid; otherwise one wrong number would be reported five times.
  const bool max_ok =
      cards.max_card_days() >= 1 && cards.max_card_days() <= kMaxCardDaysCap;
  const Bound cap = max_ok ? Bound{cards.max_card_days(), "cards.max_card_days"}
                           : Bound{kMaxCardDaysCap};
  check.Between("cards.individual_ban_days", cards.individual_ban_days(), {1},
                cap);
  check.Between("cards.collective_warning_days",
                cards.collective_warning_days(), {1}, cap);
  check.Between("cards.collective_ban_days", cards.collective_ban_days(), {1},
                cap);
  check.Between("cards.serious_ban_days", cards.serious_ban_days(), {1}, cap);
  // A serious or repeat ban is never shorter than a plain one.
  if (cards.collective_ban_days() >= 1 && cards.serious_ban_days() >= 1) {
    check.Require(cards.serious_ban_days() >= cards.collective_ban_days(),
                  "cards.serious_ban_days",
                  "must be at least cards.collective_ban_days",
                  std::to_string(cards.serious_ban_days()));
  }
  check.Between("cards.max_card_days", cards.max_card_days(), {1},
                {kMaxCardDaysCap});
  // 0 is meaningful here: the warning's own validity.
  check.Between("cards.escalation_window_days", cards.escalation_window_days(),
                {0}, cap);
}

void ValidateOffenceTypes(const kvo::v1::Policy& policy, Checker& check) {
  check.Require(policy.offence_types_size() > 0, "offence_types",
                "must have at least one entry", "none");
  std::unordered_map<std::string_view, int> first_index_of_code;
  for (int i = 0; i < policy.offence_types_size(); ++i) {
    const kvo::v1::OffenceType& type = policy.offence_types(i);
    const std::string prefix = absl::StrCat("offence_types[", i, "].");
    const std::string code_field = prefix + "code";
    if (type.code().empty()) {
      check.NonEmpty(code_field, type.code());
    } else if (!IsOffenceCode(type.code())) {
      // Codes travel in the API and in stored rows; one spelling avoids
      // "Theft" and "theft" being two offences.
      check.Require(false, code_field,
                    "must be lowercase letters and underscores ([a-z_]+)",
                    Quote(type.code()));
    } else {
      auto [it, inserted] = first_index_of_code.emplace(type.code(), i);
      check.Require(inserted, code_field,
                    absl::StrCat("must be unique, also used by offence_types[",
                                 it->second, "]"),
                    Quote(type.code()));
    }
    check.NonEmpty(prefix + "label_nl", type.label_nl());
    check.Utf8(prefix + "label_nl", type.label_nl());
    check.Utf8(prefix + "label_en", type.label_en());
  }
}

void ValidatePersons(const kvo::v1::PersonPolicy& persons, Checker& check) {
  // A minor needs a minimum age below adulthood, hence at least 2.
  const bool adult_ok = persons.adult_age_years() >= 2 &&
                        persons.adult_age_years() <= kMaxAdultAgeYears;
  const Bound minimum_cap = adult_ok ? Bound{persons.adult_age_years() - 1,
                                             "persons.adult_age_years - 1"}
                                     : Bound{kMaxAdultAgeYears - 1};
  check.Between("persons.minimum_age_years", persons.minimum_age_years(), {1},
                minimum_cap);
  check.Between("persons.adult_age_years", persons.adult_age_years(), {2},
                {kMaxAdultAgeYears});
  check.Between("persons.description_max_chars",
                persons.description_max_chars(), {1}, {kMaxDescriptionChars});
}

void ValidateDonations(const kvo::v1::DonationPolicy& donations,
                       Checker& check) {
  check.Positive("donations.amount_cents", donations.amount_cents());
  if (donations.amount_cents() > 0) {
    // The shop must receive something: the fee is part of the amount.
    check.Between("donations.admin_fee_cents", donations.admin_fee_cents(), {0},
                  {donations.amount_cents() - 1, "donations.amount_cents - 1"});
  } else {
    check.AtLeast("donations.admin_fee_cents", donations.admin_fee_cents(), 0);
  }
  check.Positive("donations.payment_term_days", donations.payment_term_days());
  check.Positive("donations.refund_term_days", donations.refund_term_days());
  check.AtLeast("donations.max_instalments", donations.max_instalments(), 1);
  check.AtLeast("donations.delete_after_payment_days",
                donations.delete_after_payment_days(), 0);
  check.Between("donations.max_retention_unpaid_days",
                donations.max_retention_unpaid_days(), {1},
                {kMaxRetentionUnpaidDays});
  check.Between("donations.reminders_before_collection",
                donations.reminders_before_collection(), {0}, {10});
  check.Between("donations.provider_event_tolerance_seconds",
                donations.provider_event_tolerance_seconds(), {0}, {3600});
}

void ValidateAudit(const kvo::v1::AuditPolicy& audit, Checker& check) {
  check.Between("audit.max_head_age_seconds", audit.max_head_age_seconds(),
                {60}, {7 * 24 * 3600});
  check.Between("audit.max_unsequenced_seconds",
                audit.max_unsequenced_seconds(), {5}, {3600});
}

void ValidateRetention(const kvo::v1::RetentionPolicy& retention,
                       Checker& check) {
  check.AtLeast("retention.card_grace_days", retention.card_grace_days(), 0);
  check.Between("retention.incident_grace_days",
                retention.incident_grace_days(), {0}, {3650});
  check.Between("retention.key_backup_days", retention.key_backup_days(), {1},
                {31});
  check.AtLeast("retention.audit_retention_days",
                retention.audit_retention_days(), kMinAuditRetentionDays);
  check.Between("retention.schouw_photo_days", retention.schouw_photo_days(),
                {1}, {kMaxSchouwPhotoDays});
}

void ValidateIdentity(const kvo::v1::IdentityPolicy& identity, Checker& check) {
  check.Between("identity.token_lifetime_minutes",
                identity.token_lifetime_minutes(), {1},
                {kMaxTokenLifetimeMinutes});
  check.Between("identity.bootstrap_code_lifetime_hours",
                identity.bootstrap_code_lifetime_hours(), {1},
                {kMaxBootstrapCodeLifetimeHours});
  check.Between("identity.enrollment_code_lifetime_hours",
                identity.enrollment_code_lifetime_hours(), {1},
                {kMaxEnrollmentCodeLifetimeHours});
  check.Between("identity.password_min_length", identity.password_min_length(),
                {kMinPasswordLength}, {kMaxPasswordLength});
  check.AtLeast("identity.login_max_failures", identity.login_max_failures(),
                1);
  check.AtLeast("identity.login_lockout_minutes",
                identity.login_lockout_minutes(), 1);
  // 0 in both: the defaults (half the cores; 5 s).
  check.Between("identity.max_concurrent_password_hashes",
                identity.max_concurrent_password_hashes(), {0}, {64});
  check.Between("identity.password_hash_wait_ms",
                identity.password_hash_wait_ms(), {0}, {60000});
}

void ValidatePhotos(const kvo::v1::PhotoPolicy& photos, Checker& check) {
  check.Between("photos.max_upload_bytes", photos.max_upload_bytes(), {1},
                {kMaxUploadBytesCap});
  check.Positive("photos.max_pixels", photos.max_pixels());
  const bool side_ok =
      photos.max_side_px() >= 1 && photos.max_side_px() <= kMaxSidePxCap;
  check.Between("photos.max_side_px", photos.max_side_px(), {1},
                {kMaxSidePxCap});
  check.Between("photos.thumbnail_side_px", photos.thumbnail_side_px(), {1},
                side_ok ? Bound{photos.max_side_px(), "photos.max_side_px"}
                        : Bound{kMaxSidePxCap});
}

void ValidatePrivacy(const kvo::v1::PrivacyPolicy& privacy, Checker& check) {
  check.Between("privacy.subject_request_days", privacy.subject_request_days(),
                {1}, {kMaxSubjectRequestDays});
  const bool start_ok = privacy.normal_hours_start() >= 0 &&
                        privacy.normal_hours_start() < kHoursPerDay;
  check.Between("privacy.normal_hours_start", privacy.normal_hours_start(), {0},
                {kHoursPerDay - 1});
  check.Between("privacy.normal_hours_end", privacy.normal_hours_end(),
                start_ok ? Bound{privacy.normal_hours_start() + 1,
                                 "privacy.normal_hours_start + 1"}
                         : Bound{1},
                {kHoursPerDay});
  // 0 everywhere: the default (services/audit/anomalies.cc).
  const kvo::v1::AnomalyPolicy& a = privacy.anomalies();
  check.Between("privacy.anomalies.max_reads_per_day", a.max_reads_per_day(),
                {0}, {kMaxAnomalyCount});
  check.Between("privacy.anomalies.usual_volume_factor",
                a.usual_volume_factor(), {0}, {kMaxAnomalyFactor});
  check.Between("privacy.anomalies.usual_volume_min_reads",
                a.usual_volume_min_reads(), {0}, {kMaxAnomalyCount});
  check.Between("privacy.anomalies.baseline_days", a.baseline_days(), {0},
                {kMaxAnomalyDays});
  check.Between("privacy.anomalies.max_denied_area_calls_per_day",
                a.max_denied_area_calls_per_day(), {0}, {kMaxAnomalyCount});
  check.Between("privacy.anomalies.max_sync_addresses_per_day",
                a.max_sync_addresses_per_day(), {0}, {kMaxAnomalyCount});
  check.Between("privacy.anomalies.max_principals_per_subject_per_day",
                a.max_principals_per_subject_per_day(), {0},
                {kMaxAnomalyCount});
  check.Between("privacy.anomalies.max_report_days", a.max_report_days(), {0},
                {kMaxAnomalyDays});
  for (int i = 0; i < a.read_actions_size(); ++i) {
    const std::string field =
        absl::StrCat("privacy.anomalies.read_actions[", i, "]");
    const std::string& action = a.read_actions(i);
    check.Require(
        !action.empty() &&
            action.find_first_not_of(
                "abcdefghijklmnopqrstuvwxyz0123456789_.") == std::string::npos,
        field,
        "must be an audit action: lowercase letters, digits, _ "
        "and .",
        Quote(action));
  }
}

// Where a violation sits in the text, as far as the text has it.
struct TextLocation {
  int line = 1;  // 1-based.
  bool field_present = false;
};

// Follows a violation's path ("offence_types[2].code") through the parse
// info tree. The line is that of the deepest step present in the text, so a
// field left out points at its enclosing block.
TextLocation Locate(const TextFormat::ParseInfoTree& root,
                    std::string_view path) {
  TextLocation result;
  const TextFormat::ParseInfoTree* tree = &root;
  const Descriptor* descriptor = kvo::v1::Policy::descriptor();
  while (!path.empty() && tree != nullptr && descriptor != nullptr) {
    const std::size_t dot = path.find('.');
    std::string_view step = path.substr(0, dot);
    path = dot == std::string_view::npos ? std::string_view()
                                         : path.substr(dot + 1);
    int index = -1;
    if (const std::size_t bracket = step.find('[');
        bracket != std::string_view::npos && step.back() == ']') {
      if (!absl::SimpleAtoi(
              AsAbsl(step.substr(bracket + 1, step.size() - bracket - 2)),
              &index)) {
        return result;
      }
      step = step.substr(0, bracket);
    }
    const FieldDescriptor* field =
        descriptor->FindFieldByName(std::string(step));
    if (field == nullptr) return result;
    // The tree wants -1 for singular fields and a real index for repeated
    // ones; a repeated field named as a whole is located by its first entry.
    const int tree_index = field->is_repeated() ? std::max(index, 0) : -1;
    const TextFormat::ParseLocation location =
        tree->GetLocation(field, tree_index);
    if (location.line < 0) return result;
    result.line = location.line + 1;
    if (path.empty()) {
      result.field_present = true;
      return result;
    }
    descriptor = field->message_type();
    tree = descriptor == nullptr ? nullptr
                                 : tree->GetTreeForNested(field, tree_index);
  }
  return result;
}

// Keeps the parser's first complaint; later ones are usually consequences.
class FirstErrorCollector final : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber /*column*/,
                const std::string& message) override {
    if (has_error_) return;
    has_error_ = true;
    // The parser reports errors that belong to no line as -1.
    line_ = std::max(line, 0) + 1;
    message_ = message;
  }

  bool has_error() const { return has_error_; }
  int line() const { return line_; }
  const std::string& message() const { return message_; }

 private:
  bool has_error_ = false;
  int line_ = 1;
  std::string message_;
};

absl::Status ErrorAt(std::string_view file, int line, std::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat(AsAbsl(file), ":", line, ": ", AsAbsl(what)));
}

absl::Status CannotRead(const std::filesystem::path& path, int error) {
  std::string message =
      absl::StrCat(path.string(), ": cannot read: ",
                   std::error_code(error, std::generic_category()).message());
  if (error == ENOENT || error == ENOTDIR) {
    return absl::NotFoundError(message);
  }
  return absl::FailedPreconditionError(message);
}

// Closes a file descriptor on every return path.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;
  ~FdCloser() { ::close(fd_); }

 private:
  int fd_;
};

// The access table: one rule per RPC, each either public or granted to at
// least one role, never both ways to the same role.
// The kvo.v1.Person fields a visibility rule may name.
constexpr std::string_view kPersonFields[] = {
    "given_names", "surname_prefix", "surname",        "address",
    "residence",   "date_of_birth",  "place_of_birth", "description"};

void ValidatePersonFields(const kvo::v1::Policy& policy, Checker& check) {
  std::unordered_map<int, int> seen;
  for (int i = 0; i < policy.person_fields_size(); ++i) {
    const kvo::v1::FieldVisibility& rule = policy.person_fields(i);
    const std::string at = absl::StrCat("person_fields[", i, "]");
    check.Require(rule.role() != kvo::v1::ROLE_UNSPECIFIED, at + ".role",
                  "must be a role", "ROLE_UNSPECIFIED");
    auto [it, inserted] = seen.emplace(rule.role(), i);
    check.Require(
        inserted, at + ".role",
        absl::StrCat("must be unique (also person_fields[", it->second, "])"),
        kvo::v1::Role_Name(rule.role()));
    for (int f = 0; f < rule.fields_size(); ++f) {
      const bool known =
          std::find(std::begin(kPersonFields), std::end(kPersonFields),
                    rule.fields(f)) != std::end(kPersonFields);
      check.Require(known, absl::StrCat(at, ".fields[", f, "]"),
                    "must be one of given_names, surname_prefix, surname, "
                    "address, residence, date_of_birth, place_of_birth, "
                    "description",
                    Quote(rule.fields(f)));
    }
  }
}

// A list of codes: each 1-40 lowercase letters and underscores, unique.
void CodeList(const std::string& field,
              const google::protobuf::RepeatedPtrField<std::string>& codes,
              Checker& check) {
  for (int i = 0; i < codes.size(); ++i) {
    const std::string& code = codes.Get(i);
    const std::string at = absl::StrCat(field, "[", i, "]");
    check.Require(
        !code.empty() && code.size() <= 40 &&
            std::all_of(
                code.begin(), code.end(),
                [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; }),
        at, "must be 1-40 lowercase letters and underscores", Quote(code));
    for (int j = 0; j < i; ++j) {
      check.Require(codes.Get(j) != code, at,
                    absl::StrCat("must be unique (also ", field, "[", j, "])"),
                    Quote(code));
    }
  }
}

void ValidateCycle(const kvo::v1::CyclePolicy& cycle, Checker& check) {
  check.Between("cycle.recertification_interval_years",
                cycle.recertification_interval_years(), {1},
                {kMaxRecertificationYears});
  for (int i = 0; i < cycle.intent_parties_size(); ++i) {
    const std::string& party = cycle.intent_parties(i);
    const std::string at = absl::StrCat("cycle.intent_parties[", i, "]");
    check.Require(FindPartyKind(party) != nullptr, at,
                  absl::StrCat("must be one of ", kPartyKindList),
                  Quote(party));
    for (int j = 0; j < i; ++j) {
      check.Require(
          cycle.intent_parties(j) != party, at,
          absl::StrCat("must be unique (also cycle.intent_parties[", j, "])"),
          Quote(party));
    }
  }
  CodeList("cycle.figure_categories", cycle.figure_categories(), check);
  CodeList("cycle.measures", cycle.measures(), check);
  CodeList("cycle.schouw_categories", cycle.schouw_categories(), check);
  // 0: the default (60 and 180 days).
  check.Between("cycle.licence_notice_days", cycle.licence_notice_days(), {0},
                {kMaxNoticeDays});
  check.Between("cycle.recertification_notice_days",
                cycle.recertification_notice_days(), {0}, {kMaxNoticeDays});
}

void ValidateAccess(const kvo::v1::Policy& policy, Checker& check) {
  std::unordered_map<std::string, int> seen;
  for (int i = 0; i < policy.access_size(); ++i) {
    const kvo::v1::AccessRule& rule = policy.access(i);
    const std::string at = absl::StrCat("access[", i, "]");
    const auto slash = rule.method().find('/');
    check.Require(slash != std::string::npos && slash > 0 &&
                      slash + 1 < rule.method().size(),
                  at + ".method", "must be \"package.Service/Method\"",
                  Quote(rule.method()));
    auto [it, inserted] = seen.emplace(rule.method(), i);
    check.Require(
        inserted, at + ".method",
        absl::StrCat("must be unique (also access[", it->second, "])"),
        Quote(rule.method()));
    const bool has_roles = rule.any_area_size() + rule.own_areas_size() > 0;
    check.Require(rule.public_() != has_roles, at + ".public",
                  "a rule is either public or lists roles, not both or "
                  "neither",
                  rule.public_() ? "true" : "false");
    for (int r = 0; r < rule.own_areas_size(); ++r) {
      for (int a = 0; a < rule.any_area_size(); ++a) {
        check.Require(rule.own_areas(r) != rule.any_area(a),
                      absl::StrCat(at, ".own_areas[", r, "]"),
                      "must not also be in any_area",
                      kvo::v1::Role_Name(rule.own_areas(r)));
      }
    }
    for (int r = 0; r < rule.any_area_size(); ++r) {
      check.Require(rule.any_area(r) != kvo::v1::ROLE_UNSPECIFIED,
                    absl::StrCat(at, ".any_area[", r, "]"), "must be a role",
                    "ROLE_UNSPECIFIED");
    }
    for (int r = 0; r < rule.own_areas_size(); ++r) {
      check.Require(rule.own_areas(r) != kvo::v1::ROLE_UNSPECIFIED,
                    absl::StrCat(at, ".own_areas[", r, "]"), "must be a role",
                    "ROLE_UNSPECIFIED");
    }
  }
}

}  // namespace

std::string PolicyViolation::Message() const {
  return absl::StrCat(field, ": ", requirement, ", got ", found);
}

std::vector<PolicyViolation> ValidatePolicy(const kvo::v1::Policy& policy) {
  std::vector<PolicyViolation> violations;
  Checker check(violations);
  check.NonEmpty("profile", policy.profile());
  check.Utf8("profile", policy.profile());
  ValidateCards(policy.cards(), check);
  ValidateOffenceTypes(policy, check);
  ValidatePersons(policy.persons(), check);
  ValidateDonations(policy.donations(), check);
  ValidateRetention(policy.retention(), check);
  ValidateAudit(policy.audit(), check);
  ValidateCycle(policy.cycle(), check);
  ValidateIdentity(policy.identity(), check);
  const kvo::v1::RateLimitPolicy& limits = policy.rate_limits();
  check.Positive("rate_limits.gallery_syncs_per_hour",
                 limits.gallery_syncs_per_hour());
  check.Positive("rate_limits.photo_reads_per_hour",
                 limits.photo_reads_per_hour());
  check.Positive("rate_limits.logins_per_address_per_minute",
                 limits.logins_per_address_per_minute());
  // 0: the default (20).
  check.Between(
      "rate_limits.unauthenticated_refusals_audited_per_address_per_minute",
      limits.unauthenticated_refusals_audited_per_address_per_minute(), {0},
      {100000});
  ValidatePhotos(policy.photos(), check);
  check.Between("door.max_offline_hours", policy.door().max_offline_hours(),
                {1}, {kMaxOfflineHoursCap});
  check.Between("reports.max_period_days", policy.reports().max_period_days(),
                {0}, {3660});
  check.Between("reports.small_count_threshold",
                policy.reports().small_count_threshold(), {0}, {100});
  check.Between("incident_backdate_days", policy.incident_backdate_days(), {0},
                {3660});
  ValidatePrivacy(policy.privacy(), check);
  ValidateAccess(policy, check);
  ValidatePersonFields(policy, check);
  return violations;
}

absl::StatusOr<kvo::v1::Policy> ParsePolicy(
    std::string_view text, std::string_view file_name_for_errors) {
  if (text.size() > static_cast<std::size_t>(INT_MAX)) {
    return ErrorAt(file_name_for_errors, 1, "too large for a policy");
  }
  google::protobuf::io::ArrayInputStream input(text.data(),
                                               static_cast<int>(text.size()));
  FirstErrorCollector errors;
  TextFormat::ParseInfoTree locations;
  TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  parser.WriteLocationsTo(&locations);
  kvo::v1::Policy policy;
  if (!parser.Parse(&input, &policy)) {
    if (!errors.has_error()) {
      return ErrorAt(file_name_for_errors, 1, "not a valid text-format Policy");
    }
    return ErrorAt(file_name_for_errors, errors.line(), errors.message());
  }

  const std::vector<PolicyViolation> violations = ValidatePolicy(policy);
  const PolicyViolation* first = nullptr;
  TextLocation first_location;
  for (const PolicyViolation& violation : violations) {
    const TextLocation location = Locate(locations, violation.field);
    if (first == nullptr || location.line < first_location.line) {
      first = &violation;
      first_location = location;
    }
  }
  if (first == nullptr) return policy;
  // proto3 numbers have no presence: a field left out reads as 0, and
  // "got 0" would send the reader looking for a 0 that is not in the file.
  const std::string what =
      first_location.field_present
          ? first->Message()
          : absl::StrCat(first->field, ": missing, ", first->requirement);
  return ErrorAt(file_name_for_errors, first_location.line, what);
}

absl::StatusOr<kvo::v1::Policy> LoadPolicyFile(
    const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return CannotRead(path, errno);
  FdCloser closer(fd);
  struct stat info;
  if (::fstat(fd, &info) != 0) return CannotRead(path, errno);
  if (S_ISDIR(info.st_mode)) return CannotRead(path, EISDIR);

  std::string text;
  char buffer[8192];
  while (true) {
    const ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n < 0) {
      if (errno == EINTR) continue;
      return CannotRead(path, errno);
    }
    if (n == 0) break;
    if (text.size() + static_cast<std::size_t>(n) > kMaxPolicyFileBytes) {
      return absl::FailedPreconditionError(
          absl::StrCat(path.string(), ": cannot read: larger than ",
                       kMaxPolicyFileBytes, " bytes"));
    }
    text.append(buffer, static_cast<std::size_t>(n));
  }
  return ParsePolicy(text, path.string());
}

const kvo::v1::OffenceType* FindOffenceType(const kvo::v1::Policy& policy,
                                            std::string_view code) {
  for (const kvo::v1::OffenceType& type : policy.offence_types()) {
    if (type.code() == code) return &type;
  }
  return nullptr;
}

}  // namespace kvo::common
