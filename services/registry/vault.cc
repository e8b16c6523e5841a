#include "services/registry/vault.h"

#include <set>

#include "absl/strings/str_cat.h"

namespace kvo::registry {

absl::Status Vault::Prefetch(const std::vector<int64_t>& person_ids) const {
  // Once per person: a list names a person once per card, and each key is
  // moved out of the answer once.
  const std::set<int64_t> distinct(person_ids.begin(), person_ids.end());
  std::vector<int64_t> wanted;
  for (int64_t id : distinct) {
    if (!fetched_.contains(id)) wanted.push_back(id);
  }
  if (wanted.empty()) return absl::OkStatus();
  auto keys = keys_.OpenDataKeys(wanted);
  if (!keys.ok()) return keys.status();
  for (int64_t id : wanted) {
    auto it = keys->find(id);
    if (it == keys->end()) {
      fetched_[id] = std::nullopt;
    } else {
      fetched_[id] = std::move(it->second);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<OpenPerson> Vault::Open(
    pqxx::transaction_base& tx, const PersonRow& row,
    const std::vector<std::string>& fields) const {
  if (row.erased) return OpenSealed(row, {});
  return OpenSealed(row, PgRegistryStore::PersonFields(tx, row.id, fields));
}

absl::StatusOr<OpenPerson> Vault::OpenSealed(
    const PersonRow& row,
    const std::map<std::string, std::string>& sealed) const {
  if (row.erased) {
    return absl::NotFoundError(absl::StrCat(
        "person ", row.id, ": the record was erased (its key is destroyed)"));
  }
  if (auto s = Prefetch({row.id}); !s.ok()) return s;
  const auto& key = fetched_[row.id];
  if (!key.has_value()) {
    return absl::DataLossError(absl::StrCat(
        "person ", row.id,
        ": the key store has no data key for this record (it was erased "
        "after this data was backed up, or the key store belongs to other "
        "data)"));
  }
  auto copy = common::SecretKey::FromBytes(key->bytes());
  if (!copy.ok()) return copy.status();
  OpenPerson out{row, std::move(*copy), {}};
  for (const auto& [field, value] : sealed) {
    auto plain = OpenValue(out, field, value);
    if (!plain.ok()) return plain.status();
    out.fields[field] = std::move(*plain);
  }
  return out;
}

std::string Vault::Seal(const OpenPerson& p, absl::string_view field,
                        absl::string_view plain) const {
  return common::Seal(p.key, plain, FieldBinding(p.row.id, field));
}

absl::StatusOr<std::string> Vault::OpenValue(const OpenPerson& p,
                                             absl::string_view field,
                                             absl::string_view sealed) const {
  return common::Open(p.key, sealed, FieldBinding(p.row.id, field),
                      absl::StrCat("person ", p.row.id, " ", field));
}

}  // namespace kvo::registry
