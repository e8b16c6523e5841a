#include "services/common/commit_outcome.h"

#include <algorithm>
#include <vector>

namespace kvo::common {
namespace {

thread_local std::vector<CommitListener*> listeners;

}  // namespace

void ListenToThisCommit(CommitListener* listener) {
  if (std::find(listeners.begin(), listeners.end(), listener) ==
      listeners.end()) {
    listeners.push_back(listener);
  }
}

void TellCommitOutcome(bool committed) {
  if (listeners.empty()) return;
  std::vector<CommitListener*> told;
  told.swap(listeners);
  for (CommitListener* l : told) l->CommitOutcome(committed);
}

}  // namespace kvo::common
