#include "clients/cli/labels.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"

namespace kvo::cli {

const std::vector<Label>& AllLabels() {
  static const std::vector<Label>* labels = new std::vector<Label>{
      {"", "yes", "ja", "yes"},
      {"", "no", "nee", "no"},
      // Cards.
      {"", "individual_ban", "individueel winkelverbod", "individual ban"},
      {"", "collective_warning", "collectieve waarschuwing",
       "collective warning"},
      {"", "collective_ban", "collectief winkelverbod", "collective ban"},
      {"", "issued", "uitgereikt", "issued"},
      {"", "erased", "gewist (gegevenssleutel vernietigd)",
       "erased (data key destroyed)"},
      // Offences: the codes of policy/*.textproto with its labels.
      {"", "theft", "diefstal", "theft"},
      {"", "pickpocketing", "zakkenrollerij", "pickpocketing"},
      {"", "violence", "geweld", "violence"},
      {"", "vandalism", "vernieling", "vandalism"},
      {"", "threat", "bedreiging", "threat"},
      {"", "assault", "mishandeling", "assault"},
      {"", "trespass", "huisvredebreuk", "trespass"},
      {"", "nuisance", "overlast", "nuisance"},
      {"", "revoked", "ingetrokken", "revoked"},
      // Objections and requests.
      {"", "open", "open", "open"},
      {"", "upheld", "gegrond", "upheld"},
      {"", "rejected", "ongegrond", "rejected"},
      {"", "overdue", "te laat", "overdue"},
      {"", "closed", "afgehandeld", "closed"},
      {"", "closed_late", "te laat afgehandeld", "closed late"},
      {"", "granted", "toegewezen", "granted"},
      {"", "refused", "afgewezen", "refused"},
      {"", "partially_granted", "deels toegewezen", "partially granted"},
      {"", "access", "inzage", "access"},
      {"", "rectification", "rectificatie", "rectification"},
      {"", "erasure", "verwijdering", "erasure"},
      {"", "objection", "bezwaar", "objection"},
      {"", "restriction", "beperking", "restriction"},
      {"", "letter", "brief", "letter"},
      {"", "email", "e-mail", "e-mail"},
      {"", "in_person", "aan de balie", "in person"},
      {"", "phone", "telefoon", "phone"},
      {"", "web", "website", "web"},
      // Principals.
      {"", "pending", "wacht op inschrijving", "pending"},
      {"", "active", "actief", "active"},
      {"", "suspended", "geschorst", "suspended"},
      {"", "shopkeeper", "winkelier", "shopkeeper"},
      {"", "security", "beveiliger", "security"},
      {"", "police", "politie", "police"},
      {"", "coordinator", "KVO-coördinator", "coordinator"},
      {"", "privacy_officer", "privacyfunctionaris", "privacy officer"},
      {"", "admin", "beheerder", "admin"},
      {"", "fire_brigade", "brandweer", "fire brigade"},
      {"", "shopping_area", "winkelgebied (KVO-W)", "shopping area (KVO-W)"},
      {"", "business_park", "bedrijventerrein (KVO-B)",
       "business park (KVO-B)"},
      // Keys and health.
      {"", "current", "in gebruik", "current"},
      {"", "retired", "buiten gebruik", "retired"},
      {"", "rewrapping", "wordt omgezet", "rewrapping"},
      {"", "SERVING", "in bedrijf", "serving"},
      {"", "NOT_SERVING", "niet in bedrijf", "not serving"},
      {"", "verified", "geverifieerd", "verified"},
      // Donations.
      {"", "claimed", "geëist", "claimed"},
      {"", "paid", "betaald", "paid"},
      {"", "waived", "kwijtgescholden", "waived"},
      {"", "dismissed", "vervallen", "dismissed"},
      {"", "lapsed", "verjaard", "lapsed"},
      {"", "refunded", "terugbetaald", "refunded"},
      {"", "partially_paid", "deels betaald", "partially paid"},
      {"", "refund_due", "terug te betalen", "refund due"},
      {"", "in_collection", "bij incasso", "in collection"},
      {"", "collection", "incasso", "collection"},
      {"", "payment", "betaling", "payment"},
      {"", "fee", "kosten", "fee"},
      {"", "shop_share", "deel van de winkel", "shop's share"},
      {"", "reminder", "herinnering", "reminder"},
      {"", "refund", "terugbetaling", "refund"},
      // The KVO cycle (kvo area, plan, cycle).
      {"", "municipality", "gemeente", "municipality"},
      {"", "entrepreneurs", "ondernemersvereniging", "entrepreneurs"},
      {"", "biz", "BIZ", "BIZ"},
      {"", "security_company", "beveiligingsbedrijf", "security company"},
      {"", "park_management", "parkmanagement", "park management"},
      {"", "ap", "AP-vergunning", "AP licence"},
      {"", "ccv_bulk", "CCV-bulkvergunning", "CCV bulk licence"},
      {"", "basis_samenwerken", "Basis Samenwerken", "Basis Samenwerken"},
      {"", "continu_samenwerken", "Continu Samenwerken", "Continu Samenwerken"},
      {"", "licence", "vergunning loopt af", "licence ends"},
      {"", "recertification", "hercertificering", "recertification"},
      {"", "passed", "geslaagd", "passed"},
      {"", "failed", "niet geslaagd", "failed"},
      {"step", "done", "gereed", "done"},
      {"step", "current", "nu", "now"},
      {"step", "next", "hierna", "next"},
      {"step", "later", "later", "later"},
      {"activity", "planned", "gepland", "planned"},
      {"activity", "in_progress", "bezig", "in progress"},
      {"activity", "done", "klaar", "done"},
      {"activity", "cancelled", "geannuleerd", "cancelled"},
      {"", "camera_surveillance", "cameratoezicht", "camera surveillance"},
      {"", "lighting", "verlichting", "lighting"},
      {"", "prevention_training", "preventietraining", "prevention training"},
      {"", "organised_surveillance", "georganiseerd toezicht",
       "organised surveillance"},
      {"", "fire_safety", "brandveiligheid", "fire safety"},
      {"", "collective_shop_ban", "collectief winkelverbod",
       "collective shop ban"},
      {"", "not_signed", "niet getekend", "not signed"},
      {"", "signed_by_all", "door alle partijen getekend", "signed by all"},
      {"", "incomplete", "nog niet compleet", "incomplete"},
      // Surveys and the schouw.
      {"", "saved", "opgeslagen", "saved"},
      {"", "replaced", "eerdere antwoorden vervangen",
       "earlier answers replaced"},
      {"", "dark", "in het donker", "in the dark"},
      {"", "daylight", "bij daglicht", "in daylight"},
      {"severity", "high", "hoog", "high"},
      {"severity", "medium", "middel", "medium"},
      {"severity", "low", "laag", "low"},
      {"", "cleanliness", "netheid", "cleanliness"},
      {"", "vacancy", "leegstand", "vacancy"},
      {"", "graffiti", "graffiti", "graffiti"},
      {"", "escape_routes", "vluchtwegen", "escape routes"},
      {"", "visibility", "zichtbaarheid", "visibility"},
      {"schouw", "access", "toegankelijkheid", "access"},
      {"", "other", "overig", "other"},
      {"finding", "open", "open", "open"},
      {"finding", "in_progress", "in behandeling", "in progress"},
      {"finding", "resolved", "opgelost", "resolved"},
  };
  return *labels;
}

std::string LabelText(absl::string_view code, Lang lang,
                      absl::string_view family) {
  static const auto* index = [] {
    auto* map = new absl::flat_hash_map<std::string, const Label*>;
    for (const Label& label : AllLabels()) {
      (*map)[absl::StrCat(label.family, "/", label.code)] = &label;
    }
    return map;
  }();
  auto it = index->find(absl::StrCat(family, "/", code));
  if (it == index->end()) it = index->find(absl::StrCat("/", code));
  if (it == index->end()) return std::string(code);
  return lang == Lang::kEn ? it->second->en : it->second->nl;
}

}  // namespace kvo::cli
