#ifndef KVO_SERVICES_COMMON_RETENTION_RULE_H_
#define KVO_SERVICES_COMMON_RETENTION_RULE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace kvo::common {

// What one kind of data has due (or had deleted) at a moment.
struct RetentionItem {
  std::string kind;  // "audit_entry_content", "card", ...
  uint64_t count = 0;
  // When the next one falls due, if anything is kept that will.
  std::optional<absl::Time> next_due;
  // Pseudonymous ids of what went ("person:<id>"), at most kMaxSubjects.
  std::vector<std::string> subjects;
  // Run once the job's transaction committed (e.g. tell the door that
  // entries went); empty when nothing needs it.
  std::function<void()> after_commit;
};

// Every subject a run names is listed in the audit log's subject index, one
// row each, so that "what happened to my data" finds the run; the bound only
// keeps one entry's size sane.
inline constexpr size_t kMaxSubjects = 10000;

// One module's retention rule, plugged into the one retention job
// (services/retention) through this interface, which lives here so that
// modules below the job can implement it: the
// module decides what of its own tables is due and deletes it, with its
// own SQL, in the job's transaction (the job never touches a module's
// tables). `now` is the job's clock.
class RetentionRule {
 public:
  virtual ~RetentionRule() = default;
  virtual std::string kind() const = 0;
  // What is due at `now`, deleting nothing.
  virtual RetentionItem Due(pqxx::transaction_base& tx, absl::Time now) = 0;
  // Deletes what is due at `now`; what went.
  virtual RetentionItem Apply(pqxx::transaction_base& tx, absl::Time now) = 0;
};

}  // namespace kvo::common

#endif  // KVO_SERVICES_COMMON_RETENTION_RULE_H_
