#ifndef KVO_SERVICES_REGISTRY_REGISTRY_SUBJECTS_H_
#define KVO_SERVICES_REGISTRY_REGISTRY_SUBJECTS_H_

#include "kvo/v1/policy.pb.h"
#include "services/common/clock.h"
#include "services/common/db_pool.h"
#include "services/privacy/subject_records.h"
#include "services/registry/card_changes.h"
#include "services/registry/key_ring.h"

namespace kvo::registry {

// The registry's side of the privacy officer's work: finds, opens,
// rectifies and erases persons for the privacy module through the
// interface that module owns (privacy::SubjectRecords), with the
// registry's own blind index, vault, store and erasure. The privacy use
// case owns the transaction and the audit entry. Thread-safe.
class RegistrySubjects final : public privacy::SubjectRecords {
 public:
  RegistrySubjects(const kvo::v1::Policy& policy, common::DbPool& pool,
                   const KeyRing& keys, CardChangeSink& card_changes,
                   const common::Clock& clock);

  absl::StatusOr<std::vector<privacy::SubjectRef>> FindByNameAndBirth(
      pqxx::transaction_base& tx, const std::string& given_names,
      const std::string& surname_prefix, const std::string& surname,
      const std::string& date_of_birth) const override;
  std::optional<privacy::SubjectRef> ByPseudonym(
      pqxx::transaction_base& tx, const std::string& pseudonym) const override;
  std::optional<privacy::SubjectRef> ById(pqxx::transaction_base& tx,
                                          int64_t person_id) const override;
  std::vector<privacy::SubjectCard> Cards(pqxx::transaction_base& tx,
                                          int64_t person_id) const override;
  absl::StatusOr<std::map<std::string, std::string>> Fields(
      pqxx::transaction_base& tx, const privacy::SubjectRef& ref,
      const std::vector<std::string>& fields) const override;
  absl::StatusOr<privacy::SubjectData> Everything(
      pqxx::transaction_base& tx,
      const privacy::SubjectRef& ref) const override;
  absl::StatusOr<privacy::SubjectRectification> Rectify(
      pqxx::transaction_base& tx, const privacy::SubjectRef& ref,
      const std::map<std::string, std::string>& changes) const override;
  void RectificationCommitted(
      const privacy::SubjectRectification& rectification) override;
  absl::StatusOr<privacy::SubjectErasure> Erase(pqxx::transaction_base& tx,
                                                const privacy::SubjectRef& ref,
                                                int64_t principal_id,
                                                absl::Time now) override;
  void ErasureCommitted(const privacy::SubjectErasure& erasure) override;
  absl::StatusOr<std::string> SealNote(pqxx::transaction_base& tx,
                                       const privacy::SubjectRef& ref,
                                       const std::string& binding,
                                       const std::string& plain) const override;
  absl::StatusOr<std::string> OpenNote(
      pqxx::transaction_base& tx, const privacy::SubjectRef& ref,
      const std::string& binding, const std::string& sealed) const override;

 private:
  const kvo::v1::Policy& policy_;
  common::DbPool& pool_;
  const KeyRing& keys_;
  CardChangeSink& card_changes_;
  const common::Clock& clock_;
};

}  // namespace kvo::registry

#endif  // KVO_SERVICES_REGISTRY_REGISTRY_SUBJECTS_H_
