#ifndef KVO_SERVICES_REGISTRY_VAULT_H_
#define KVO_SERVICES_REGISTRY_VAULT_H_

#include <cstdint>
#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "services/common/envelope.h"
#include "services/registry/key_ring.h"
#include "services/registry/pg_registry_store.h"

namespace kvo::registry {

// How the audit log names a person: by pseudonym, never by name.
inline std::string AuditSubject(const PersonRow& p) {
  return "person:" + p.pseudonym;
}

// What the vault binds an incident's and an objection's sealed texts to.
inline std::string IncidentField(int64_t incident_id, absl::string_view what) {
  return absl::StrCat("incident:", incident_id, "/", what);
}
inline std::string ObjectionField(int64_t card_id, absl::string_view what) {
  return absl::StrCat("card:", card_id, "/objection/", what);
}

// A person's record as a use case sees it: the row, its opened data key and
// the plain values of the fields opened so far.
struct OpenPerson {
  PersonRow row;
  common::SecretKey key;
  std::map<std::string, std::string> fields;
};

// The one place that seals and opens personal data (fields, incident and
// objection texts, photos) with a person's data key, which it fetches from
// the key store (once per person per Vault: make one per request).
// Errors: NOT_FOUND when the record was erased, DATA_LOSS when a sealed
// value does not open or the key store has no key for a record that is not
// erased (it was erased after this data was backed up, or the key store
// belongs to other data). Not thread-safe.
class Vault final {
 public:
  explicit Vault(const KeyRing& keys) : keys_(keys) {}

  // Fetches the data keys of `person_ids` in one call to the key store; an
  // id may appear more than once (a person with two cards).
  absl::Status Prefetch(const std::vector<int64_t>& person_ids) const;

  // Opens the person's data key and reads and opens the named fields.
  absl::StatusOr<OpenPerson> Open(pqxx::transaction_base& tx,
                                  const PersonRow& row,
                                  const std::vector<std::string>& fields) const;
  // The same with sealed field values the caller read already (field ->
  // sealed bytes).
  absl::StatusOr<OpenPerson> OpenSealed(
      const PersonRow& row,
      const std::map<std::string, std::string>& sealed) const;

  // `field` names what is sealed ("description", "photo", ...): the
  // associated data binds it and the person, so a value moved elsewhere
  // does not open.
  std::string Seal(const OpenPerson& p, absl::string_view field,
                   absl::string_view plain) const;
  absl::StatusOr<std::string> OpenValue(const OpenPerson& p,
                                        absl::string_view field,
                                        absl::string_view sealed) const;

 private:
  const KeyRing& keys_;
  // Keys fetched so far; an id mapped to nullopt has none in the key store.
  mutable std::map<int64_t, std::optional<common::SecretKey>> fetched_;
};

}  // namespace kvo::registry

#endif  // KVO_SERVICES_REGISTRY_VAULT_H_
