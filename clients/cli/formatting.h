#ifndef KVO_CLIENTS_CLI_FORMATTING_H_
#define KVO_CLIENTS_CLI_FORMATTING_H_

#include <google/protobuf/message.h>
#include <google/protobuf/repeated_field.h>
#include <google/protobuf/timestamp.pb.h>

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "clients/cli/output.h"
#include "kvo/v1/common.pb.h"
#include "kvo/v1/identity.pb.h"
#include "kvo/v1/registry.pb.h"

namespace kvo::cli {

// How kvo spells the contract's values for people and scripts alike: enum
// values as the lowercase word after the prefix (ROLE_SHOPKEEPER ->
// "shopkeeper"), times in Europe/Amsterdam ("2026-11-22 14:05 CET"). The word
// lists follow the proto, so a new role needs no change here.

std::string RoleName(kvo::v1::Role role);
// nullopt for an unknown word or "unspecified"; case-insensitive.
std::optional<kvo::v1::Role> ParseRole(absl::string_view name);
// "shopkeeper, security, ..." for usage errors.
std::string KnownRoles();

std::string AreaKindName(kvo::v1::AreaKind kind);
std::optional<kvo::v1::AreaKind> ParseAreaKind(absl::string_view name);
std::string KnownAreaKinds();

// pending / active / suspended.
std::string PrincipalStatusName(kvo::v1::PrincipalStatus status);

// Europe/Amsterdam local time to the minute; UTC if tzdata is missing.
std::string FormatLocalTime(absl::Time time);
// The same to the second (audit rows: several a minute).
std::string FormatLocalSeconds(const google::protobuf::Timestamp& timestamp);
// The same for a Dutch reader: "30 november 2026 14:05".
std::string FormatDutchTime(absl::Time time);
// A day "2026-11-30" as "30 november 2026"; "-" for an empty one, the text
// itself when it is no day.
std::string FormatDutchDay(absl::string_view day);
// "-" for an unset timestamp (the epoch).
std::string FormatTimestamp(const google::protobuf::Timestamp& timestamp);
// The same as a typed cell (to the second when `seconds`); null when unset.
Value TimeValue(const google::protobuf::Timestamp& timestamp,
                bool seconds = false);
// "2026-11-20 14:30" (or with a T), or a day "2026-11-20" (its midnight), in
// Europe/Amsterdam; nullopt otherwise.
std::optional<absl::Time> ParseLocalTime(absl::string_view text);
std::string FormatUnixMillis(int64_t millis);

// "3,7,12".
std::string JoinIds(const google::protobuf::RepeatedField<int64_t>& ids);

// id, login, name, role, areas, status.
Record PrincipalRecord(const kvo::v1::Principal& principal);
// The same columns as PrincipalRecord, for tables.
Table PrincipalTable();
void AddPrincipalRow(const kvo::v1::Principal& principal, Table* table);

// A card's kind as a label code: individual_ban, collective_warning,
// collective_ban.
Value CardKindValue(kvo::v1::CardKind kind);

// id, name, kind, municipality.
Record AreaRecord(const kvo::v1::Area& area);

// A whole message as kvo's --json prints values: field names as in the
// proto, numbers (64-bit ones too) as numbers, enums as their lowercase
// word, timestamps as RFC 3339 in Europe/Amsterdam, bytes left out. (The
// protobuf JSON mapping would print 64-bit numbers as strings.)
std::string TypedJson(const google::protobuf::Message& message);

}  // namespace kvo::cli

#endif  // KVO_CLIENTS_CLI_FORMATTING_H_
