#include "services/common/dutch_labels.h"

#include <functional>
#include <map>
#include <regex>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace kvo::common {
namespace {

using Table = std::map<absl::string_view, absl::string_view>;

// Every action kvod writes to the audit log (audit_labels_test finds them
// in the source: a new one without a line here fails it).
const Table& Actions() {
  static const Table kActions = {
      {"audit.anomalies", "controle op ongebruikelijk gebruik"},
      {"audit.consistency_proof", "controle van het logboek"},
      {"audit.inclusion_proof", "controle van het logboek"},
      {"audit.quarantine", "logregel apart gezet"},
      {"audit.query_log", "logboek doorzocht"},
      {"audit.show_entry", "logregel ingezien"},
      {"audit.verify", "logboek gecontroleerd"},
      {"cycle.add_activity", "activiteit toegevoegd"},
      {"cycle.add_finding", "schouwbevinding vastgelegd"},
      {"cycle.add_objective", "doelstelling toegevoegd"},
      {"cycle.add_party", "partij toegevoegd"},
      {"cycle.add_street", "straat toegevoegd"},
      {"cycle.adjust_plan", "plan van aanpak bijgesteld"},
      {"cycle.answer_survey", "enquête ingevuld"},
      {"cycle.create_measurement", "meting geopend"},
      {"cycle.draft_intent", "intentieverklaring opgesteld"},
      {"cycle.get_finding_photo", "foto bij een schouwbevinding bekeken"},
      {"cycle.import_figures", "cijfers van politie of brandweer ingevoerd"},
      {"cycle.issue_certificate", "certificaat vastgelegd"},
      {"cycle.read_area", "gebied ingezien"},
      {"cycle.record_assessment", "beoordeling vastgelegd"},
      {"cycle.record_licence", "vergunning vastgelegd"},
      {"cycle.record_participant", "deelnemer vastgelegd"},
      {"cycle.record_schouw_round", "schouwronde vastgelegd"},
      {"cycle.set_activity_status", "status van een activiteit gewijzigd"},
      {"cycle.set_area_contact", "contactgegevens van het gebied vastgelegd"},
      {"cycle.set_finding_status", "status van een schouwbevinding gewijzigd"},
      {"cycle.sign_intent", "intentieverklaring ondertekend"},
      {"denied.unauthenticated.summary",
       "geweigerde verzoeken zonder aanmelding"},
      {"donations.create_case", "zaak voor een overlastdonatie geopend"},
      {"donations.dismiss", "overlastdonatie vervallen verklaard"},
      {"donations.get_case", "zaak voor een overlastdonatie ingezien"},
      {"donations.get_claim", "overlastdonatie ingezien"},
      {"donations.list_claims", "overzicht van overlastdonaties ingezien"},
      {"donations.plan_instalments", "betalingsregeling getroffen"},
      {"donations.provider_event", "betaling ontvangen via de betaaldienst"},
      {"donations.record_payment", "betaling vastgelegd"},
      {"donations.refund", "terugbetaling vastgelegd"},
      {"donations.remind", "betalingsherinnering opgesteld"},
      {"donations.report", "overzicht van overlastdonaties"},
      {"donations.waive", "overlastdonatie kwijtgescholden"},
      {"gallery.get_photo", "foto bekeken"},
      {"gallery.sync", "galerij bij de deur bijgewerkt"},
      {"gallery.upload_photo", "foto toegevoegd"},
      {"identity.bootstrap", "eerste beheerder ingesteld"},
      {"identity.create_area", "gebied aangemaakt"},
      {"identity.create_principal", "gebruiker aangemaakt"},
      {"identity.enroll", "gebruiker aangemeld met een code"},
      {"identity.list_principals", "gebruikers ingezien"},
      {"identity.login", "ingelogd"},
      {"identity.logout", "uitgelogd"},
      {"identity.reactivate", "gebruiker weer toegelaten"},
      {"identity.reset_password", "wachtwoord opnieuw ingesteld"},
      {"identity.suspend", "gebruiker geschorst"},
      {"identity.unlock", "gebruiker ontgrendeld"},
      {"identity.whoami", "eigen gegevens opgevraagd"},
      {"integrity.alarm", "integriteitsalarm"},
      {"keys.rotate", "sleutels vernieuwd"},
      {"keys.rotate_root", "hoofdsleutel vernieuwd"},
      {"keys.status", "sleutelstatus opgevraagd"},
      {"privacy.close_request", "verzoek van de betrokkene afgehandeld"},
      {"privacy.erase_subject", "gegevens gewist op verzoek"},
      {"privacy.export_access", "inzage opgesteld"},
      {"privacy.find_subject", "betrokkene opgezocht"},
      {"privacy.open_request", "verzoek van de betrokkene ontvangen"},
      {"privacy.rectify", "gegevens verbeterd"},
      {"privacy.resolve_pseudonym", "kenmerk opgezocht"},
      {"registry.add_shop_member", "medewerker aan een winkel toegevoegd"},
      {"registry.create_person", "persoon geregistreerd"},
      {"registry.create_shop", "winkel aangemaakt"},
      {"registry.decide_objection", "op bezwaar beslist"},
      {"registry.erase_person", "persoon gewist"},
      {"registry.file_objection", "bezwaar vastgelegd"},
      {"registry.find_person", "persoon gezocht"},
      {"registry.issue_card", "waarschuwing of winkelverbod opgelegd"},
      {"registry.list_cards", "waarschuwingen en winkelverboden ingezien"},
      {"registry.list_incidents", "incidenten ingezien"},
      {"registry.list_objections", "bezwaren ingezien"},
      {"registry.notice", "kennisgeving opgesteld"},
      {"registry.police_report_pdf", "aangifte opgesteld"},
      {"registry.read_person", "persoonsgegevens ingezien"},
      {"registry.record_incident", "incident vastgelegd"},
      {"registry.record_police_report", "aangiftenummer vastgelegd"},
      {"registry.revoke_card", "waarschuwing of winkelverbod ingetrokken"},
      {"reports.reduction", "rapport criminaliteitsreductie opgesteld"},
      {"reports.reduction_across",
       "rapport criminaliteitsreductie over gebieden opgesteld"},
      {"retention.dry_run", "bewaartermijnen nagelopen (proef)"},
      {"retention.run", "gewist na afloop van de bewaartermijn"},
      {"testing.advance_clock", "testklok verzet"},
      {"testing.get_clock", "testklok opgevraagd"},
  };
  return kActions;
}

// Purposes kvod writes as they are.
const Table& FixedPurposes() {
  static const Table kPurposes = {
      {"access control", "toegangscontrole"},
      {"administration", "beheer"},
      {"audit oversight", "toezicht op het logboek"},
      {"card overview", "overzicht van waarschuwingen en winkelverboden"},
      {"deurcontrole", "controle bij de deur"},
      {"door check", "controle bij de deur"},
      {"enrollment", "aanmelding van een gebruiker"},
      {"find a record before registering",
       "nagaan of de persoon al geregistreerd is"},
      {"first admin", "eerste beheerder"},
      {"incident overview", "overzicht van incidenten"},
      {"incident report", "melding van een incident"},
      {"login", "inloggen"},
      {"logout", "uitloggen"},
      {"objections", "behandeling van bezwaren"},
      {"own shop's incidents", "incidenten van de eigen winkel"},
      {"password reset", "wachtwoord opnieuw instellen"},
      {"person record", "inzien van het dossier"},
      {"police report", "aangifte bij de politie"},
      {"rate limit", "te veel pogingen"},
      {"reduction report", "rapport criminaliteitsreductie"},
      {"reduction report across areas",
       "rapport criminaliteitsreductie over gebieden"},
      {"registration", "registratie"},
      {"status change", "wijziging van de status"},
      {"unlock", "ontgrendelen"},
      {"written notice to the person",
       "schriftelijke kennisgeving aan de betrokkene"},
  };
  return kPurposes;
}

// Purposes kvod composes: the literal they start with, the shape of the
// whole, and its Dutch reading.
struct Family {
  absl::string_view leading;
  std::regex shape;
  std::function<std::string(const std::smatch&)> dutch;
};

const std::vector<Family>& Families() {
  static const std::vector<Family> kFamilies = [] {
    std::vector<Family> f;
    auto add = [&](absl::string_view leading, const char* shape,
                   std::function<std::string(const std::smatch&)> dutch) {
      f.push_back({leading, std::regex(shape), std::move(dutch)});
    };
    add("card ", R"(card (\d+) revoked)", [](const std::smatch& m) {
      return absl::StrCat("kenmerk ", m[1].str(), " ingetrokken");
    });
    add("card ", R"(card (\d+): (.*))", [](const std::smatch& m) {
      return absl::StrCat("kenmerk ", m[1].str(), ": ",
                          CardRuleLabel(m[2].str()));
    });
    add("objection ", R"(objection (\d+) to card (\d+))",
        [](const std::smatch& m) {
          return absl::StrCat("bezwaar ", m[1].str(), " tegen kenmerk ",
                              m[2].str());
        });
    add("objection ", R"(objection (\d+) (upheld|rejected))",
        [](const std::smatch& m) {
          return absl::StrCat("bezwaar ", m[1].str(), ": ",
                              ObjectionDecisionLabel(m[2].str()));
        });
    add("case for incident ", R"(case for incident (\d+))",
        [](const std::smatch& m) {
          return absl::StrCat("overlastdonatie bij incident ", m[1].str());
        });
    add("claim ", R"(claim (\d+): .*)", [](const std::smatch& m) {
      return absl::StrCat("overlastdonatie ", m[1].str());
    });
    add("event ", R"(event .*: claim (\d+).*)", [](const std::smatch& m) {
      return absl::StrCat("betaling van overlastdonatie ", m[1].str());
    });
    add("access request ", R"(access request (\d+).*)",
        [](const std::smatch& m) {
          return absl::StrCat("uw verzoek om inzage ", m[1].str(),
                              " (artikel 15 AVG)");
        });
    add("rectification request ", R"(rectification request (\d+).*)",
        [](const std::smatch& m) {
          return absl::StrCat("uw verzoek om verbetering ", m[1].str());
        });
    add("erasure request ", R"(erasure request (\d+).*)",
        [](const std::smatch& m) {
          return absl::StrCat("uw verzoek om wissing ", m[1].str());
        });
    add("data-subject request ", R"(data-subject request (\d+) \((\w+)\).*)",
        [](const std::smatch& m) {
          static const Table kKinds = {{"access", "om inzage"},
                                       {"rectification", "om verbetering"},
                                       {"erasure", "om wissing"},
                                       {"objection", "(bezwaar)"}};
          auto kind = kKinds.find(m[2].str());
          return absl::StrCat("uw verzoek ",
                              kind == kKinds.end() ? "" : kind->second,
                              kind == kKinds.end() ? "" : " ", m[1].str());
        });
    add("retention at ", R"(retention at .*)", [](const std::smatch&) {
      return std::string("afloop van de bewaartermijn");
    });
    add("login refused: ", R"(login refused: .*)",
        [](const std::smatch&) { return std::string("inloggen geweigerd"); });
    // A donations report's period ("2026-01-01..2026-03-31").
    add("..", R"((\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2}))",
        [](const std::smatch& m) {
          return absl::StrCat("periode ", m[1].str(), " t/m ", m[2].str());
        });
    add(" refusals of unauthenticated calls from ",
        R"(\d+ refusals of unauthenticated calls from .*)",
        [](const std::smatch&) {
          return std::string("geweigerde verzoeken zonder aanmelding");
        });
    add(": sealed record does not open, skipped",
        R"(.*: sealed record does not open, skipped)", [](const std::smatch&) {
          return std::string("versleuteld dossier opent niet");
        });
    return f;
  }();
  return kFamilies;
}

// Actions whose purpose is what a person typed (a reason, the privacy
// officer's stated purpose): shown in their words, in quotes.
bool TypedPurposeAction(absl::string_view action) {
  static const absl::string_view kTyped[] = {
      "audit.anomalies",       "audit.query_log",
      "audit.show_entry",      "gallery.get_photo",
      "identity.reactivate",   "identity.reset_password",
      "identity.suspend",      "identity.unlock",
      "keys.rotate",           "keys.rotate_root",
      "privacy.find_subject",  "privacy.resolve_pseudonym",
      "registry.erase_person", "testing.advance_clock"};
  for (absl::string_view a : kTyped) {
    if (a == action) return true;
  }
  return false;
}

std::string Quoted(absl::string_view text) {
  return absl::StrCat("“", text, "”");
}

std::string Find(const Table& table, absl::string_view code,
                 absl::string_view unknown) {
  auto it = table.find(code);
  if (it != table.end()) return std::string(it->second);
  return absl::StrCat(unknown, " (", code, ")");
}

}  // namespace

std::string ActionLabel(absl::string_view action) {
  if (absl::StartsWith(action, "kvo.v1.")) return "verzoek geweigerd";
  return Find(Actions(), action, "onbekende handeling");
}

std::string PurposeLabel(absl::string_view action, absl::string_view purpose) {
  if (purpose.empty()) return "";
  auto fixed = FixedPurposes().find(purpose);
  if (fixed != FixedPurposes().end()) return std::string(fixed->second);
  const std::string text(purpose);
  for (const Family& f : Families()) {
    std::smatch m;
    if (std::regex_match(text, m, f.shape)) return f.dutch(m);
  }
  if (TypedPurposeAction(action)) {
    return absl::StrCat("toelichting: ", Quoted(purpose));
  }
  return absl::StrCat("onbekend doel (", purpose, ")");
}

std::string RoleLabel(absl::string_view role) {
  static const Table kRoles = {
      {"shopkeeper", "winkelier"},
      {"security", "beveiliger"},
      {"police", "politie"},
      {"fire_brigade", "brandweer"},
      {"coordinator", "KVO-coördinator"},
      {"privacy_officer", "functionaris gegevensbescherming"},
      {"admin", "beheerder van het systeem"},
      {"payment_provider", "betaaldienst"},
      {"system", "het systeem zelf"},
      {"", "het systeem zelf"}};
  return Find(kRoles, role, "onbekende functie");
}

std::string CardKindLabel(absl::string_view kind) {
  static const Table kKinds = {
      {"individual_ban", "Individueel winkelverbod"},
      {"collective_warning", "Collectieve waarschuwing"},
      {"collective_ban", "Collectief winkelverbod"}};
  return Find(kKinds, kind, "Onbekende soort kaart");
}

std::string CardRuleLabel(absl::string_view rule) {
  static const Table kRules = {
      {"individual ban: the issuing shop only",
       "individueel winkelverbod: alleen voor de winkel die het oplegt"},
      {"first offence: collective warning",
       "eerste overtreding: collectieve waarschuwing"}};
  auto it = kRules.find(rule);
  if (it != kRules.end()) return std::string(it->second);
  // "collective ban: <reason> (serious or repeat: up to 730 days)" or
  // "collective ban: <reason> (365 days)".
  static const std::regex kBan(
      R"(collective ban: (.*) \((serious or repeat: up to )?(\d+) days\))");
  static const Table kReasons = {
      {"offence during an active collective warning",
       "nieuwe overtreding tijdens een collectieve waarschuwing"},
      {"repeat: an earlier collective ban in this area",
       "herhaling: eerder een collectief winkelverbod in dit gebied"},
      {"serious offence", "ernstige overtreding"}};
  const std::string text(rule);
  std::smatch m;
  if (std::regex_match(text, m, kBan)) {
    return absl::StrCat(
        "collectief winkelverbod: ",
        Find(kReasons, m[1].str(), "onbekende reden"),
        m[2].matched ? " (ernstig of herhaald: ten hoogste " : " (", m[3].str(),
        " dagen)");
  }
  return absl::StrCat("onbekende regel (", rule, ")");
}

std::string RevokeReasonLabel(absl::string_view reason) {
  static const std::regex kUpheld(R"(objection (\d+) upheld)");
  const std::string text(reason);
  std::smatch m;
  if (std::regex_match(text, m, kUpheld)) {
    return absl::StrCat("bezwaar ", m[1].str(), " gegrond verklaard");
  }
  return Quoted(reason);
}

std::string ObjectionDecisionLabel(absl::string_view decision) {
  static const Table kDecisions = {{"upheld", "gegrond"},
                                   {"rejected", "ongegrond"},
                                   {"pending", "nog niet beslist"},
                                   {"", "nog niet beslist"}};
  return Find(kDecisions, decision, "onbekende beslissing");
}

namespace {
const Table& FigureCategories() {
  static const Table kCategories = {{"shoplifting", "winkeldiefstal"},
                                    {"pickpocketing", "zakkenrollerij"},
                                    {"burglary", "inbraak"},
                                    {"robbery", "overval"},
                                    {"violence", "geweld"},
                                    {"vandalism", "vernieling"},
                                    {"nuisance", "overlast"},
                                    {"fire", "brand"},
                                    {"false_alarm", "loos alarm"},
                                    {"theft", "diefstal"},
                                    {"threat", "bedreiging"},
                                    {"assault", "mishandeling"},
                                    {"trespass", "huisvredebreuk"}};
  return kCategories;
}
}  // namespace

std::string FigureCategoryLabel(absl::string_view category) {
  return Find(FigureCategories(), category, "onbekende categorie");
}

bool HasActionLabel(absl::string_view action) {
  return Actions().count(action) > 0;
}
bool HasFixedPurposeLabel(absl::string_view purpose) {
  return FixedPurposes().count(purpose) > 0;
}
bool HasPurposeFamily(absl::string_view leading_literal) {
  for (const Family& f : Families()) {
    if (f.leading == leading_literal) return true;
  }
  return false;
}
bool TakesTypedPurpose(absl::string_view action) {
  return TypedPurposeAction(action);
}
bool HasFigureCategoryLabel(absl::string_view category) {
  return FigureCategories().count(category) > 0;
}

}  // namespace kvo::common
