#include "services/registry/vault.h"

#include "absl/strings/str_cat.h"

namespace kvo::registry {

absl::StatusOr<OpenPerson> Vault::Open(
    pqxx::transaction_base& tx, const PersonRow& row,
    const std::vector<std::string>& fields) const {
  if (!row.wrapped_dek.has_value()) return OpenSealed(row, {});
  return OpenSealed(row, PgRegistryStore::PersonFields(tx, row.id, fields));
}

absl::StatusOr<OpenPerson> Vault::OpenSealed(
    const PersonRow& row,
    const std::map<std::string, std::string>& sealed) const {
  if (!row.wrapped_dek.has_value()) {
    return absl::NotFoundError(absl::StrCat(
        "person ", row.id, ": the record was erased (its key is destroyed)"));
  }
  auto key = keys_.OpenDataKey(row.id, row.kek_version, *row.wrapped_dek);
  if (!key.ok()) return key.status();
  OpenPerson out{row, std::move(*key), {}};
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
