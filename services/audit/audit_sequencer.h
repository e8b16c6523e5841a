#ifndef KVO_SERVICES_AUDIT_AUDIT_SEQUENCER_H_
#define KVO_SERVICES_AUDIT_AUDIT_SEQUENCER_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "services/audit/merkle.h"
#include "services/audit/tree_head.h"

namespace kvo::audit {

// Places committed audit entries in the Merkle tree and signs tree heads.
// One per database: every kvod runs one, and the one holding a PostgreSQL
// session advisory lock does the work (another takes over when its
// connection goes). Each round, in one transaction, gives the unsequenced
// entries contiguous indexes in the order their commits became visible,
// stores their leaf hashes and a signed head of the new size. Writers never
// wait for it: they only INSERT.
//
// Thread-safe. Start() runs rounds every `interval` on its own thread;
// Stop() runs a last round so a clean shutdown leaves everything signed.
class AuditSequencer final {
 public:
  AuditSequencer(std::string conninfo, TreeHeadSigner signer,
                 std::chrono::milliseconds interval);
  ~AuditSequencer();
  AuditSequencer(const AuditSequencer&) = delete;
  AuditSequencer& operator=(const AuditSequencer&) = delete;

  void Start();
  void Stop();

  // One round on the caller's thread. The signed tree size, or nullopt when
  // another kvod is the sequencer. UNAVAILABLE when the database is gone.
  absl::StatusOr<std::optional<uint64_t>> RunOnce();

 private:
  bool EnsureLeader();
  void Loop();

  const std::string conninfo_;
  const TreeHeadSigner signer_;
  const std::chrono::milliseconds interval_;

  std::mutex mu_;  // one round at a time; guards everything below
  std::unique_ptr<pqxx::connection> conn_;
  bool leader_ = false;
  CompactTree tree_;
  uint64_t signed_size_ = 0;
  bool signed_any_ = false;
  int32_t key_id_ = 0;

  std::mutex loop_mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace kvo::audit

#endif  // KVO_SERVICES_AUDIT_AUDIT_SEQUENCER_H_
