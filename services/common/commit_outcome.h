#ifndef KVO_SERVICES_COMMON_COMMIT_OUTCOME_H_
#define KVO_SERVICES_COMMON_COMMIT_OUTCOME_H_

namespace kvo::common {

// Lets what a store wrote in the transaction open on this thread learn
// whether that transaction committed as far as kvod saw: DbPool's
// InTransaction tells the listeners registered during the transaction right
// after commit() returned (true), or when the transaction was rolled back
// or its commit failed (false; after a failover a failed commit may still
// have committed on the old primary, and been lost with it), then forgets
// them. Thread-local: a listener hears only of the transaction it wrote in.
class CommitListener {
 public:
  virtual ~CommitListener() = default;
  virtual void CommitOutcome(bool committed) = 0;
};

// Registers `listener` for the transaction open on this thread (once).
void ListenToThisCommit(CommitListener* listener);
// Tells and forgets this thread's listeners.
void TellCommitOutcome(bool committed);

}  // namespace kvo::common

#endif  // KVO_SERVICES_COMMON_COMMIT_OUTCOME_H_
