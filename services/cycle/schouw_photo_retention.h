#ifndef KVO_SERVICES_CYCLE_SCHOUW_PHOTO_RETENTION_H_
#define KVO_SERVICES_CYCLE_SCHOUW_PHOTO_RETENTION_H_

#include "services/common/retention_rule.h"

namespace kvo::cycle {

// Kind "schouw_photo", plugged into the one retention job: a schouw
// finding's photo (it may show bystanders) is deleted `days`
// (retention.schouw_photo_days) Europe/Amsterdam days after the finding
// was resolved (schouw_photo_rules.h). A finding reopened before then
// keeps its photo. The finding stays, with when its photo went. Subjects
// are "schouw-finding:<id>" (no person is named).
class SchouwPhotoRetention final : public common::RetentionRule {
 public:
  explicit SchouwPhotoRetention(int days) : days_(days) {}
  std::string kind() const override { return "schouw_photo"; }
  common::RetentionItem Due(pqxx::transaction_base& tx,
                            absl::Time now) override;
  common::RetentionItem Apply(pqxx::transaction_base& tx,
                              absl::Time now) override;

 private:
  const int days_;
};

}  // namespace kvo::cycle

#endif  // KVO_SERVICES_CYCLE_SCHOUW_PHOTO_RETENTION_H_
