#include "services/door_web/door_web_requests.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/common/proto_time.h"
#include "services/door_web/door_web_rules.h"

namespace kvo::door_web {
namespace {

constexpr size_t kMaxLogin = 200;
constexpr size_t kMaxPassword = 1024;
constexpr size_t kMaxDescription = 5000;

std::string Field(const Form& form, const std::string& name) {
  auto it = form.find(name);
  return it == form.end() ? "" : it->second;
}

absl::StatusOr<int64_t> Id(const Form& form, const std::string& name) {
  int64_t id = 0;
  const std::string value = Field(form, name);
  if (value.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(name, ": required"));
  }
  if (!absl::SimpleAtoi(value, &id) || id <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(name, ": not an id"));
  }
  return id;
}

}  // namespace

absl::StatusOr<kvo::v1::LoginRequest> ParseLoginForm(const Form& form) {
  kvo::v1::LoginRequest request;
  request.set_login(Field(form, "login"));
  request.set_password(Field(form, "password"));
  if (request.login().empty() || request.login().size() > kMaxLogin) {
    return absl::InvalidArgumentError("login: required");
  }
  if (request.password().empty() || request.password().size() > kMaxPassword) {
    return absl::InvalidArgumentError("password: required");
  }
  return request;
}

absl::StatusOr<kvo::v1::GetPhotoRequest> ParsePhotoForm(const Form& form) {
  auto entry = Id(form, "entry");
  if (!entry.ok()) return entry.status();
  kvo::v1::GetPhotoRequest request;
  request.set_entry_id(*entry);
  return request;
}

absl::StatusOr<kvo::v1::RecordIncidentRequest> ParseIncidentForm(
    const Form& form, int64_t default_shop) {
  kvo::v1::RecordIncidentRequest request;
  auto person = Id(form, "person");
  if (!person.ok()) return person.status();
  request.set_person_id(*person);
  if (Field(form, "shop").empty() && default_shop > 0) {
    request.set_shop_id(default_shop);
  } else {
    auto shop = Id(form, "shop");
    if (!shop.ok()) return shop.status();
    request.set_shop_id(*shop);
  }
  request.set_offence_type(Field(form, "type"));
  if (request.offence_type().empty()) {
    return absl::InvalidArgumentError("type: required");
  }
  auto when = ParseLocalDateTime(Field(form, "time"));
  if (!when.ok()) return when.status();
  *request.mutable_occurred_at() = common::ToProto(*when);
  request.set_description(Field(form, "description"));
  if (request.description().empty()) {
    return absl::InvalidArgumentError("description: required");
  }
  if (request.description().size() > kMaxDescription) {
    return absl::InvalidArgumentError("description: too long");
  }
  const std::string damage = Field(form, "damage");
  if (!damage.empty()) {
    auto cents = ParseEuroCents(damage);
    if (!cents.ok()) return cents.status();
    request.set_damage_cents(*cents);
  }
  return request;
}

absl::StatusOr<int64_t> ParseSince(const std::string& value) {
  if (value.empty()) return 0;
  int64_t since = 0;
  if (!absl::SimpleAtoi(value, &since) || since < 0) {
    return absl::InvalidArgumentError("since: not a version");
  }
  return since;
}

}  // namespace kvo::door_web
