#include "services/privacy/access_report.h"

#include <google/protobuf/util/json_util.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "services/common/dutch_date.h"
#include "services/common/dutch_labels.h"
#include "services/common/local_time.h"
#include "services/common/proto_time.h"
#include "services/notice/notice_pdf.h"

namespace kvo::privacy {
namespace {

using common::FromProto;
using common::ToProto;
using notice::Paragraph;
using Style = notice::Paragraph::Style;
using common::ActionLabel;
using common::CardKindLabel;
using common::CardRuleLabel;
using common::ObjectionDecisionLabel;
using common::PurposeLabel;
using common::RevokeReasonLabel;
using common::RoleLabel;

}  // namespace

kvo::v1::SubjectCard CardProto(const SubjectCard& c) {
  kvo::v1::SubjectCard out;
  out.set_card_id(c.card_id);
  out.set_kind(c.kind);
  out.set_area_id(c.area_id);
  out.set_shop_id(c.shop_id);
  *out.mutable_valid_from() = ToProto(c.valid_from);
  *out.mutable_valid_until() = ToProto(c.valid_until);
  out.set_revoked(c.revoked);
  out.set_revoke_reason(c.revoke_reason);
  out.set_rule(c.rule);
  for (const auto& s : c.shops) out.add_shops(s);
  return out;
}

namespace {

std::string Day(absl::Time t) {
  const absl::CivilDay d = absl::ToCivilDay(t, common::Amsterdam());
  return common::DutchDate(static_cast<int>(d.year()), d.month(), d.day());
}
std::string Day(const google::protobuf::Timestamp& t) {
  return Day(FromProto(t));
}
std::string DayTime(const google::protobuf::Timestamp& t) {
  return absl::StrCat(
      Day(t), " ",
      absl::FormatTime("%H:%M", FromProto(t), common::Amsterdam()));
}
std::string BirthDate(const std::string& ymd) {
  absl::CivilDay d;
  if (!absl::ParseCivilTime(ymd, &d)) return ymd;
  return common::DutchDate(static_cast<int>(d.year()), d.month(), d.day());
}

// A text as a sentence in a paragraph: ends with a full stop.
std::string Sentence(const std::string& text) {
  if (text.empty() || absl::EndsWith(text, ".") || absl::EndsWith(text, "!") ||
      absl::EndsWith(text, "?")) {
    return text;
  }
  return text + ".";
}

std::string Euro(int64_t cents) {
  return absl::StrFormat("€ %d,%02d", cents / 100, cents % 100);
}

template <typename Map, typename Key>
std::string Label(const Map& m, const Key& key, const std::string& fallback) {
  auto it = m.find(key);
  return it == m.end() ? fallback : it->second;
}

}  // namespace

kvo::v1::AccessReport BuildAccessReport(const ReportInput& in) {
  kvo::v1::AccessReport r;
  r.set_pseudonym(in.data.ref.pseudonym);
  *r.mutable_produced_at() = ToProto(in.produced_at);
  r.set_registered_area_id(in.data.ref.registered_area_id);
  for (const auto& [field, value] : in.data.fields) {
    (*r.mutable_fields())[field] = value;
  }
  for (const auto& c : in.data.cards) *r.add_cards() = CardProto(c);
  for (const auto& i : in.data.incidents) {
    auto* out = r.add_incidents();
    out->set_id(i.id);
    out->set_area_id(i.area_id);
    out->set_shop_id(i.shop_id);
    *out->mutable_occurred_at() = ToProto(i.occurred_at);
    out->set_offence_type(i.offence_type);
    out->set_damage_cents(i.damage_cents);
    out->set_description(i.description);
    out->set_police_report_number(i.police_report_number);
  }
  for (const auto& o : in.data.objections) {
    auto* out = r.add_objections();
    out->set_id(o.id);
    out->set_card_id(o.card_id);
    out->set_grounds(o.grounds);
    *out->mutable_filed_at() = ToProto(o.filed_at);
    out->set_decision(o.decision);
    out->set_reasons(o.reasons);
    if (o.decided_at.has_value()) {
      *out->mutable_decided_at() = ToProto(*o.decided_at);
    }
  }
  if (in.photo.has_value()) {
    r.set_photo_jpeg(in.photo->jpeg);
    r.set_photo_width(in.photo->width);
    r.set_photo_height(in.photo->height);
  }
  for (const auto& a : in.accesses) {
    auto* out = r.add_accesses();
    *out->mutable_at() = ToProto(a.at);
    out->set_role(a.role);
    for (const auto& area : a.areas) out->add_areas(area);
    out->set_action(a.action);
    out->set_purpose(a.purpose);
  }
  return r;
}

absl::StatusOr<std::string> AccessReportJson(
    const kvo::v1::AccessReport& report) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  std::string json;
  auto status =
      google::protobuf::util::MessageToJsonString(report, &json, options);
  if (!status.ok()) {
    return absl::InternalError(absl::StrCat(
        "the access report could not be written as JSON: ", status.ToString()));
  }
  return json;
}

std::vector<Paragraph> AccessReportParagraphs(const kvo::v1::AccessReport& r,
                                              const ReportLabels& labels) {
  std::vector<Paragraph> out;
  auto body = [&](std::string text) {
    out.push_back({Style::kBody, std::move(text)});
  };
  auto heading = [&](std::string text) {
    out.push_back({Style::kHeading, std::move(text)});
  };
  auto area = [&](int64_t id) {
    return Label(labels.areas, id, absl::StrCat("gebied ", id));
  };
  out.push_back({Style::kTitle, "Inzage in uw persoonsgegevens"});
  body(absl::StrCat(
      "Dit is een overzicht van alle gegevens die het KVO-register over u "
      "bevat (artikel 15 van de Algemene verordening gegevensbescherming), "
      "opgemaakt op ",
      Day(r.produced_at()), ". Uw kenmerk in het register is ", r.pseudonym(),
      "."));

  heading("Uw gegevens");
  const std::pair<const char*, const char*> fields[] = {
      {"given_names", "Voornamen"},
      {"surname_prefix", "Tussenvoegsel"},
      {"surname", "Achternaam"},
      {"date_of_birth", "Geboortedatum"},
      {"place_of_birth", "Geboorteplaats"},
      {"address", "Adres"},
      {"residence", "Woonplaats"},
      {"description", "Signalement"}};
  for (const auto& [field, label] : fields) {
    auto it = r.fields().find(field);
    if (it == r.fields().end()) continue;
    body(absl::StrCat(label, ": ",
                      std::string(field) == "date_of_birth"
                          ? BirthDate(it->second)
                          : it->second));
  }
  body(absl::StrCat("Geregistreerd in: ", area(r.registered_area_id()), "."));

  heading("Foto");
  if (r.photo_jpeg().empty()) {
    body("Er is geen foto van u opgeslagen.");
  } else {
    body("Deze foto van u is opgeslagen:");
    Paragraph photo{Style::kPhoto, ""};
    photo.jpeg = r.photo_jpeg();
    photo.width = r.photo_width();
    photo.height = r.photo_height();
    out.push_back(std::move(photo));
  }

  heading("Waarschuwingen en winkelverboden");
  if (r.cards().empty()) body("Er zijn geen waarschuwingen of verboden.");
  for (const auto& c : r.cards()) {
    std::string text =
        absl::StrCat(CardKindLabel(c.kind()), " in ", area(c.area_id()),
                     ", geldig van ", Day(c.valid_from()), " tot en met ",
                     Day(c.valid_until()), " (kenmerk ", c.card_id(), ").");
    if (!c.rule().empty()) {
      absl::StrAppend(&text, " Grond: ", CardRuleLabel(c.rule()), ".");
    }
    if (c.revoked()) {
      absl::StrAppend(
          &text, " Ingetrokken",
          c.revoke_reason().empty()
              ? "."
              : absl::StrCat(": ", RevokeReasonLabel(c.revoke_reason()), "."));
    }
    if (!c.shops().empty()) {
      absl::StrAppend(&text, " Winkels: ", absl::StrJoin(c.shops(), ", "), ".");
    }
    body(std::move(text));
  }

  heading("Incidenten");
  if (r.incidents().empty()) body("Er zijn geen incidenten vastgelegd.");
  for (const auto& i : r.incidents()) {
    std::string text =
        absl::StrCat(Day(i.occurred_at()), ": ",
                     Label(labels.offences, i.offence_type(), i.offence_type()),
                     " in ", area(i.area_id()), ", schade ",
                     Euro(i.damage_cents()), ". ", Sentence(i.description()));
    if (!i.police_report_number().empty()) {
      absl::StrAppend(&text, " Aangifte: ", i.police_report_number(), ".");
    }
    body(std::move(text));
  }

  heading("Bezwaren");
  if (r.objections().empty()) body("U heeft geen bezwaar gemaakt.");
  for (const auto& o : r.objections()) {
    std::string text =
        absl::StrCat("Bezwaar van ", Day(o.filed_at()), " tegen kenmerk ",
                     o.card_id(), ": ", Sentence(o.grounds()), " ");
    if (o.decision().empty()) {
      absl::StrAppend(&text, "Hierop is nog niet beslist.");
    } else {
      absl::StrAppend(&text, "Beslissing op ", Day(o.decided_at()), ": ",
                      ObjectionDecisionLabel(o.decision()), ". ", o.reasons());
    }
    body(std::move(text));
  }

  heading("Wie uw gegevens heeft ingezien");
  body(
      "Elke inzage en wijziging wordt vastgelegd. Hieronder staat wie (naar "
      "functie en organisatie) uw gegevens heeft gebruikt, wanneer en "
      "waarvoor.");
  for (const auto& a : r.accesses()) {
    std::string who = RoleLabel(a.role());
    if (!a.areas().empty()) {
      absl::StrAppend(&who, ", ", absl::StrJoin(a.areas(), ", "));
    }
    out.push_back(
        {Style::kSmall,
         absl::StrCat(
             DayTime(a.at()), " - ", who, " - ", ActionLabel(a.action()),
             a.purpose().empty()
                 ? ""
                 : absl::StrCat(" - doel: ",
                                PurposeLabel(a.action(), a.purpose())))});
  }

  heading("Uw rechten");
  body(
      "U kunt vragen om onjuiste gegevens te verbeteren, om uw gegevens te "
      "verwijderen, en bezwaar maken tegen een waarschuwing of verbod. Bent u "
      "het niet eens met hoe wij met uw gegevens omgaan, dan kunt u een klacht "
      "indienen bij de Autoriteit Persoonsgegevens.");
  out.push_back({Style::kSmall, absl::StrCat("Kenmerk ", r.pseudonym())});
  return out;
}

}  // namespace kvo::privacy
