#ifndef KVO_SERVICES_AUDIT_HEAD_COMMAND_H_
#define KVO_SERVICES_AUDIT_HEAD_COMMAND_H_

#include <sys/types.h>

#include <mutex>
#include <string>
#include <vector>

#include "services/audit/audit_entry.h"

namespace kvo::audit {

// Sends each signed tree head out of the database and out of this machine
// if the operator wants: runs `/bin/sh -c COMMAND` (kvod's
// --audit-head-command) with the head in the environment:
// KVO_HEAD_SIZE, KVO_HEAD_ROOT, KVO_HEAD_TIMESTAMP_MS, KVO_HEAD_SIGNATURE,
// KVO_HEAD_PUBLIC_KEY (hex). `logger -t kvo-audit "$KVO_HEAD_SIZE
// $KVO_HEAD_ROOT"` puts every head in syslog. Does not wait for the
// command (a slow receiver never holds the sequencer up); finished ones
// are reaped on the next call, the rest when this object goes. At most
// kMaxRunning run at once; a head that finds them all busy is logged as
// not sent (the witness file still has it). Thread-safe.
class HeadCommand final {
 public:
  explicit HeadCommand(std::string command) : command_(std::move(command)) {}
  ~HeadCommand();
  HeadCommand(const HeadCommand&) = delete;
  HeadCommand& operator=(const HeadCommand&) = delete;

  void Publish(const StoredTreeHead& head);

  static constexpr size_t kMaxRunning = 4;

 private:
  void Reap(bool wait);

  const std::string command_;
  std::mutex mu_;
  std::vector<pid_t> running_;
};

}  // namespace kvo::audit

#endif  // KVO_SERVICES_AUDIT_HEAD_COMMAND_H_
