#ifndef KVO_SERVICES_COMMON_DUTCH_LABELS_H_
#define KVO_SERVICES_COMMON_DUTCH_LABELS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace kvo::common {

// The one table through which the codes kvod writes reach a Dutch reader:
// audit actions and purposes, roles, card kinds and rules, revocation
// reasons, objection decisions and the police and fire-brigade figure
// categories. Offence types are labelled by the policy (label_nl).
//
// The log itself stays English (codes, and purposes as kvod writes them);
// these functions are for what a citizen, an offender or a shopkeeper reads.
// An unknown code is never shown as if it were Dutch: it comes back marked,
// "onbekende handeling (code)", so that a missing label shows in the text
// and in the test that enumerates every code the source writes. Pure.

// "registry.create_person" -> "persoon geregistreerd". A refusal recorded
// under an RPC's method name ("kvo.v1.RegistryService/GetPerson") reads
// "verzoek geweigerd".
std::string ActionLabel(absl::string_view action);

// What a purpose means: a fixed purpose ("registration" -> "registratie"),
// one of the families kvod composes ("card 8: first offence: collective
// warning" -> "kenmerk 8: eerste overtreding, collectieve waarschuwing"), or,
// for an action whose purpose a person types (the privacy officer's reason),
// their words in quotes: "toelichting: “verzoek om inzage 3”". Empty for an
// empty purpose; "onbekend doel (text)" for anything else.
std::string PurposeLabel(absl::string_view action, absl::string_view purpose);

std::string RoleLabel(absl::string_view role);  // "police" -> "politie"
// "collective_warning" -> "Collectieve waarschuwing" (capitalised: it
// starts a sentence where it is used).
std::string CardKindLabel(absl::string_view kind);
// card_rules' reason for a card: "first offence: collective warning" ->
// "eerste overtreding: collectieve waarschuwing".
std::string CardRuleLabel(absl::string_view rule);
// "objection 2 upheld" -> "bezwaar 2 gegrond verklaard"; a reason a
// coordinator typed comes back in quotes.
std::string RevokeReasonLabel(absl::string_view reason);
// "upheld" -> "gegrond", "rejected" -> "ongegrond", "" -> "nog niet beslist".
std::string ObjectionDecisionLabel(absl::string_view decision);
// Imported police and fire-brigade figures: "burglary" -> "inbraak".
std::string FigureCategoryLabel(absl::string_view category);

// For the tests that hold the table complete: whether a code has a label of
// its own (not the "onbekend" fallback).
bool HasActionLabel(absl::string_view action);
// A purpose literal kvod writes as is.
bool HasFixedPurposeLabel(absl::string_view purpose);
// The leading literal of a purpose kvod composes ("card ", "objection ").
bool HasPurposeFamily(absl::string_view leading_literal);
// An action whose purpose is a person's own words (shown in quotes).
bool TakesTypedPurpose(absl::string_view action);
bool HasFigureCategoryLabel(absl::string_view category);

}  // namespace kvo::common

#endif  // KVO_SERVICES_COMMON_DUTCH_LABELS_H_
