#include "clients/cli/formatting.h"

#include <google/protobuf/descriptor.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "services/common/dutch_date.h"
#include "services/common/local_time.h"

namespace kvo::cli {
namespace {

using google::protobuf::EnumDescriptor;

// The value names of an enum all start with `prefix` ("ROLE_"); the word is
// what follows, lowercased.
std::string EnumWord(const EnumDescriptor* descriptor, absl::string_view prefix,
                     int number) {
  const auto* value = descriptor->FindValueByNumber(number);
  if (value == nullptr) return absl::StrCat("unknown(", number, ")");
  absl::string_view name = value->name();
  if (absl::StartsWith(name, prefix)) name.remove_prefix(prefix.size());
  return absl::AsciiStrToLower(name);
}

std::optional<int> ParseEnumWord(const EnumDescriptor* descriptor,
                                 absl::string_view prefix,
                                 absl::string_view word) {
  if (word.empty()) return std::nullopt;
  const std::string name = absl::StrCat(prefix, absl::AsciiStrToUpper(word));
  const auto* value = descriptor->FindValueByName(name);
  if (value == nullptr || value->number() == 0) return std::nullopt;
  return value->number();
}

std::string EnumWords(const EnumDescriptor* descriptor,
                      absl::string_view prefix) {
  std::vector<std::string> words;
  for (int i = 0; i < descriptor->value_count(); ++i) {
    const int number = descriptor->value(i)->number();
    if (number != 0) words.push_back(EnumWord(descriptor, prefix, number));
  }
  return absl::StrJoin(words, ", ");
}

const absl::TimeZone& LocalZone() { return common::Amsterdam(); }

constexpr absl::string_view kRolePrefix = "ROLE_";
constexpr absl::string_view kAreaKindPrefix = "AREA_KIND_";
constexpr absl::string_view kStatusPrefix = "PRINCIPAL_STATUS_";

}  // namespace

std::string RoleName(kvo::v1::Role role) {
  return EnumWord(kvo::v1::Role_descriptor(), kRolePrefix, role);
}

std::optional<kvo::v1::Role> ParseRole(absl::string_view name) {
  auto number = ParseEnumWord(kvo::v1::Role_descriptor(), kRolePrefix, name);
  if (!number) return std::nullopt;
  return static_cast<kvo::v1::Role>(*number);
}

std::string KnownRoles() {
  return EnumWords(kvo::v1::Role_descriptor(), kRolePrefix);
}

std::string AreaKindName(kvo::v1::AreaKind kind) {
  return EnumWord(kvo::v1::AreaKind_descriptor(), kAreaKindPrefix, kind);
}

std::optional<kvo::v1::AreaKind> ParseAreaKind(absl::string_view name) {
  auto number =
      ParseEnumWord(kvo::v1::AreaKind_descriptor(), kAreaKindPrefix, name);
  if (!number) return std::nullopt;
  return static_cast<kvo::v1::AreaKind>(*number);
}

std::string KnownAreaKinds() {
  return EnumWords(kvo::v1::AreaKind_descriptor(), kAreaKindPrefix);
}

std::string PrincipalStatusName(kvo::v1::PrincipalStatus status) {
  return EnumWord(kvo::v1::PrincipalStatus_descriptor(), kStatusPrefix, status);
}

std::string FormatLocalTime(absl::Time time) {
  return absl::FormatTime("%Y-%m-%d %H:%M %Z", time, LocalZone());
}

std::string FormatLocalSeconds(const google::protobuf::Timestamp& timestamp) {
  if (timestamp.seconds() == 0 && timestamp.nanos() == 0) return "-";
  return absl::FormatTime("%Y-%m-%d %H:%M:%S %Z",
                          absl::FromUnixSeconds(timestamp.seconds()),
                          LocalZone());
}

std::optional<absl::Time> ParseLocalTime(absl::string_view text) {
  absl::Time t;
  std::string error;
  for (const char* format : {"%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d"}) {
    if (absl::ParseTime(format, text, LocalZone(), &t, &error)) return t;
  }
  return std::nullopt;
}

std::string FormatDutchTime(absl::Time time) {
  const absl::CivilMinute local = absl::ToCivilMinute(time, LocalZone());
  return absl::StrFormat("%d %s %d %02d:%02d", local.day(),
                         common::DutchMonth(local.month()), local.year(),
                         local.hour(), local.minute());
}

std::string FormatDutchDay(absl::string_view day) {
  absl::CivilDay parsed;
  if (day.empty() || !absl::ParseCivilTime(day, &parsed)) {
    return day.empty() ? "-" : std::string(day);
  }
  return common::DutchDay(parsed);
}

std::string FormatTimestamp(const google::protobuf::Timestamp& timestamp) {
  if (timestamp.seconds() == 0 && timestamp.nanos() == 0) return "-";
  return FormatLocalTime(absl::FromUnixSeconds(timestamp.seconds()) +
                         absl::Nanoseconds(timestamp.nanos()));
}

Value TimeValue(const google::protobuf::Timestamp& timestamp, bool seconds) {
  return Value::Time(absl::FromUnixSeconds(timestamp.seconds()) +
                         absl::Nanoseconds(timestamp.nanos()),
                     seconds);
}

std::string FormatUnixMillis(int64_t millis) {
  if (millis == 0) return "-";
  return FormatLocalTime(absl::FromUnixMillis(millis));
}

std::string JoinIds(const google::protobuf::RepeatedField<int64_t>& ids) {
  return absl::StrJoin(ids, ",");
}

Record PrincipalRecord(const kvo::v1::Principal& principal) {
  return {{"id", Value::Int(principal.id())},
          {"login", principal.login()},
          {"name", principal.display_name()},
          {"role", Value::Label(RoleName(principal.role()))},
          {"areas", JoinIds(principal.area_ids())},
          {"status", Value::Label(PrincipalStatusName(principal.status()))}};
}

Table PrincipalTable() {
  return Table{{"id", "login", "name", "role", "areas", "status"}, {}};
}

void AddPrincipalRow(const kvo::v1::Principal& principal, Table* table) {
  std::vector<Value> row;
  for (auto& [key, value] : PrincipalRecord(principal)) {
    row.push_back(std::move(value));
  }
  table->rows.push_back(std::move(row));
}

Value CardKindValue(kvo::v1::CardKind kind) {
  switch (kind) {
    case kvo::v1::CARD_KIND_INDIVIDUAL_BAN:
      return Value::Label("individual_ban");
    case kvo::v1::CARD_KIND_COLLECTIVE_WARNING:
      return Value::Label("collective_warning");
    case kvo::v1::CARD_KIND_COLLECTIVE_BAN:
      return Value::Label("collective_ban");
    default:
      return Value::Null();
  }
}

Record AreaRecord(const kvo::v1::Area& area) {
  return {{"id", Value::Int(area.id())},
          {"name", area.name()},
          {"kind", Value::Label(AreaKindName(area.kind()))},
          {"municipality", area.municipality()},
          {"demo", Value::Bool(area.demo())}};
}

namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

void AppendJson(const Message& message, std::string* out);

// CARD_KIND_COLLECTIVE_BAN of enum CardKind -> "collective_ban".
std::string EnumCode(const google::protobuf::EnumValueDescriptor& value) {
  std::string prefix;
  for (char c : value.type()->name()) {
    if (absl::ascii_isupper(c) && !prefix.empty()) prefix += '_';
    prefix += absl::ascii_toupper(c);
  }
  prefix += '_';
  absl::string_view name = value.name();
  if (absl::StartsWith(name, prefix)) name.remove_prefix(prefix.size());
  return absl::AsciiStrToLower(name);
}

void AppendScalar(const Message& m, const Reflection& r,
                  const FieldDescriptor* f, int index, std::string* out) {
  const bool rep = f->is_repeated();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      absl::StrAppend(out,
                      rep ? r.GetRepeatedInt32(m, f, index) : r.GetInt32(m, f));
      return;
    case FieldDescriptor::CPPTYPE_INT64:
      absl::StrAppend(out,
                      rep ? r.GetRepeatedInt64(m, f, index) : r.GetInt64(m, f));
      return;
    case FieldDescriptor::CPPTYPE_UINT32:
      absl::StrAppend(
          out, rep ? r.GetRepeatedUInt32(m, f, index) : r.GetUInt32(m, f));
      return;
    case FieldDescriptor::CPPTYPE_UINT64:
      absl::StrAppend(
          out, rep ? r.GetRepeatedUInt64(m, f, index) : r.GetUInt64(m, f));
      return;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      absl::StrAppend(
          out, rep ? r.GetRepeatedDouble(m, f, index) : r.GetDouble(m, f));
      return;
    case FieldDescriptor::CPPTYPE_FLOAT:
      absl::StrAppend(out,
                      rep ? r.GetRepeatedFloat(m, f, index) : r.GetFloat(m, f));
      return;
    case FieldDescriptor::CPPTYPE_BOOL:
      absl::StrAppend(out,
                      (rep ? r.GetRepeatedBool(m, f, index) : r.GetBool(m, f))
                          ? "true"
                          : "false");
      return;
    case FieldDescriptor::CPPTYPE_ENUM: {
      const auto* value =
          rep ? r.GetRepeatedEnum(m, f, index) : r.GetEnum(m, f);
      absl::StrAppend(out, Value(EnumCode(*value)).Json());
      return;
    }
    case FieldDescriptor::CPPTYPE_STRING:
      absl::StrAppend(
          out, Value(rep ? r.GetRepeatedString(m, f, index) : r.GetString(m, f))
                   .Json());
      return;
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      const Message& sub =
          rep ? r.GetRepeatedMessage(m, f, index) : r.GetMessage(m, f);
      if (sub.GetDescriptor()->full_name() == "google.protobuf.Timestamp") {
        const auto& ts = static_cast<const google::protobuf::Timestamp&>(sub);
        absl::StrAppend(out, TimeValue(ts, true).Json());
        return;
      }
      AppendJson(sub, out);
      return;
    }
  }
}

void AppendJson(const Message& message, std::string* out) {
  const Reflection& r = *message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r.ListFields(message, &fields);
  *out += '{';
  bool first = true;
  for (const FieldDescriptor* f : fields) {
    if (f->type() == FieldDescriptor::TYPE_BYTES) continue;
    if (!first) *out += ',';
    first = false;
    absl::StrAppend(out, Value(f->name()).Json(), ":");
    if (!f->is_repeated()) {
      AppendScalar(message, r, f, 0, out);
      continue;
    }
    *out += '[';
    for (int i = 0; i < r.FieldSize(message, f); ++i) {
      if (i > 0) *out += ',';
      AppendScalar(message, r, f, i, out);
    }
    *out += ']';
  }
  *out += '}';
}

}  // namespace

std::string TypedJson(const google::protobuf::Message& message) {
  std::string out;
  AppendJson(message, &out);
  return out;
}

}  // namespace kvo::cli
