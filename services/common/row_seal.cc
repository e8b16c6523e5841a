#include "services/common/row_seal.h"

#include <sodium.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/common/crypto.h"

namespace kvo::common {
namespace {

std::shared_ptr<const RowSeal>& ProcessSealSlot() {
  static std::shared_ptr<const RowSeal> seal;
  return seal;
}

void AppendField(std::string& out, absl::string_view field) {
  const auto n = static_cast<uint32_t>(field.size());
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((n >> shift) & 0xff));
  }
  out.append(field.data(), field.size());
}

}  // namespace

std::string RowSeal::Mac(
    absl::string_view tag,
    std::initializer_list<absl::string_view> fields) const {
  std::string bytes;
  AppendField(bytes, tag);
  for (absl::string_view f : fields) AppendField(bytes, f);
  return common::Mac(key_, bytes);
}

std::string RowSeal::SecretHash(absl::string_view purpose,
                                absl::string_view secret) const {
  return Mac("kvo.secret.v1", {purpose, secret});
}

std::string RowSeal::Session(absl::string_view token_hash, int64_t principal_id,
                             int64_t expires_ms) const {
  return Mac("kvo.row.sessions.v1", {token_hash, absl::StrCat(principal_id),
                                     absl::StrCat(expires_ms)});
}

std::string RowSeal::Principal(int64_t id, absl::string_view login,
                               absl::string_view role, absl::string_view status,
                               absl::string_view password_hash,
                               absl::Span<const int64_t> area_ids) const {
  std::vector<int64_t> areas(area_ids.begin(), area_ids.end());
  std::sort(areas.begin(), areas.end());
  areas.erase(std::unique(areas.begin(), areas.end()), areas.end());
  return Mac("kvo.row.principals.v1",
             {absl::StrCat(id), login, role, status, password_hash,
              absl::StrJoin(areas, ",")});
}

std::string RowSeal::ShopMember(int64_t shop_id, int64_t principal_id) const {
  return Mac("kvo.row.shop_members.v1",
             {absl::StrCat(shop_id), absl::StrCat(principal_id)});
}

std::string RowSeal::Licence(int64_t id, int64_t area_id,
                             absl::string_view kind, absl::string_view number,
                             absl::string_view holder,
                             absl::string_view valid_from,
                             absl::string_view valid_until) const {
  return Mac("kvo.row.licences.v1",
             {absl::StrCat(id), absl::StrCat(area_id), kind, number, holder,
              valid_from, valid_until});
}

std::string RowSeal::Participant(int64_t shop_id,
                                 absl::string_view agreement_on,
                                 absl::string_view declaration_on) const {
  return Mac("kvo.row.participants.v1",
             {absl::StrCat(shop_id), agreement_on, declaration_on});
}

bool RowSeal::Matches(absl::string_view expected, absl::string_view stored) {
  return SecretsEqual(expected, stored);
}

void InstallProcessRowSeal(std::shared_ptr<const RowSeal> seal) {
  ProcessSealSlot() = std::move(seal);
}

const RowSeal& ProcessRowSeal() {
  const auto& seal = ProcessSealSlot();
  if (seal == nullptr) {
    throw std::logic_error("no row seal key installed in this process");
  }
  return *seal;
}

}  // namespace kvo::common
