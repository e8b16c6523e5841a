#include "clients/cli/audit_commands.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "clients/cli/audit_log_commands.h"
#include "clients/cli/formatting.h"
#include "clients/cli/global_options.h"
#include "clients/cli/log_memory.h"
#include "clients/cli/output.h"
#include "clients/cli/proof_check.h"
#include "kvo/v1/audit.grpc.pb.h"
#include "services/audit/audit_entry.h"
#include "services/common/crypto.h"
#include "services/common/proto_time.h"

namespace kvo::cli {
namespace {

using kvo::common::HexDecode;
using kvo::common::HexEncode;
using kvo::v1::AuditService;
using kvo::v1::SignedTreeHead;

struct AuditArgs {
  std::string public_key_hex;
  std::string pin_head;
  bool accept_new_key = false;
  uint64_t head_size = 0;
  uint64_t index = 0;
  uint64_t size = 0;
  uint64_t from = 0;
  uint64_t to = 0;
  bool has_index = false;
  bool has_from = false;
  std::string purpose;
};

std::unique_ptr<AuditService::Stub> NewStub(const Connection& connection) {
  return AuditService::NewStub(connection.channel);
}

// The --public-key the user pinned: empty when none, nullopt (reported,
// exit 2) when it is not 32 bytes of hex.
std::optional<std::string> PinnedKey(const AuditArgs& args) {
  if (args.public_key_hex.empty()) return std::string();
  auto key = HexDecode(args.public_key_hex);
  if (!key || key->size() != 32) {
    ReportError(
        "--public-key must be 64 hex characters (an Ed25519 public key)");
    return std::nullopt;
  }
  return key;
}

std::string KeyTrust(const std::string& pinned_key) {
  return pinned_key.empty()
             ? "as sent by kvod (pin it with --public-key or kvo audit head)"
             : "pinned";
}

// What kvo holds the log to: the key (from --public-key, else the one kvo
// pinned for this server the first time) and the last head it checked.
struct LogTrust {
  std::filesystem::path path;
  std::string server;
  LogMemory memory;
  std::string key;  // raw; empty until the first head pins it
  std::string how;  // for the "key" line of the output
};

int LoadTrust(const GlobalOptions& opts, const Connection& connection,
              const AuditArgs& args, LogTrust* trust) {
  auto explicit_key = PinnedKey(args);
  if (!explicit_key) return kExitUsage;
  trust->path = LogMemoryPath(ConfigPath(opts));
  trust->server = connection.config.server;
  std::string error;
  auto memory = LoadLogMemory(trust->path, trust->server, &error);
  if (!memory) return ReportError(error, kExitFailed);
  trust->memory = *memory;
  if (!explicit_key->empty() && !memory->public_key.empty() &&
      *explicit_key != memory->public_key && !args.accept_new_key) {
    return ReportError(
        absl::StrCat("--public-key is not the key kvo pinned for ",
                     trust->server, " (",
                     HexEncode(memory->public_key).substr(0, 16),
                     "...); add --accept-new-key only if the log's key "
                     "really changed"),
        kExitFailed);
  }
  trust->key = explicit_key->empty() ? memory->public_key : *explicit_key;
  trust->how = explicit_key->empty() ? "pinned by kvo earlier" : "--public-key";
  return kExitOk;
}

// `head` extends `earlier` (same root at the same size, or a consistency
// proof kvod cannot fake without rewriting nothing).
absl::Status ConsistentWith(const Connection& connection,
                            const LogMemory& earlier,
                            const SignedTreeHead& head,
                            const std::string& key) {
  if (head.tree_size() < earlier.tree_size) {
    return absl::DataLossError(absl::StrCat(
        "kvod's log now has ", head.tree_size(), " entries but a head of ",
        earlier.tree_size, " was checked before: truncated or rolled back"));
  }
  if (head.tree_size() == earlier.tree_size) {
    if (head.root_hash() == earlier.root_hash) return absl::OkStatus();
    return absl::DataLossError(absl::StrCat(
        "kvod's head of size ", head.tree_size(),
        " differs from the one checked before: history was rewritten"));
  }
  // Every log extends the empty one; RFC 6962 has no proof from size 0.
  if (earlier.tree_size == 0) return absl::OkStatus();
  kvo::v1::ConsistencyProofRequest request;
  request.set_first_size(earlier.tree_size);
  request.set_second_size(head.tree_size());
  kvo::v1::ConsistencyProof proof;
  auto ctx = connection.Context();
  grpc::Status status =
      NewStub(connection)->GetConsistencyProof(ctx.get(), request, &proof);
  if (!status.ok()) {
    return absl::DataLossError(absl::StrCat(
        "cannot prove the log still extends the head of size ",
        earlier.tree_size, " checked before: ", status.error_message()));
  }
  if (auto s = CheckConsistencyProof(proof, earlier.tree_size, head.tree_size(),
                                     key);
      !s.ok()) {
    return s;
  }
  if (proof.first().root_hash() != earlier.root_hash ||
      proof.second().root_hash() != head.root_hash()) {
    return absl::DataLossError(absl::StrCat(
        "the log no longer extends the head of size ", earlier.tree_size,
        " checked before: history was rewritten"));
  }
  return absl::OkStatus();
}

// Checks `head` against the pinned key, --pin-head and the last head kvo
// checked, then remembers it. Adds what it checked to `record`.
absl::Status CheckHistory(const Connection& connection, const AuditArgs& args,
                          const SignedTreeHead& head, LogTrust& trust,
                          Record* record) {
  if (trust.key.empty()) {
    trust.key = head.public_key();
    trust.how = "pinned now (first use): later heads must carry this key";
  } else if (head.public_key() != trust.key && args.accept_new_key) {
    trust.key = head.public_key();
    trust.how = "changed with --accept-new-key";
  }
  if (auto s = CheckTreeHead(head, trust.key); !s.ok()) return s;
  if (!args.pin_head.empty()) {
    auto pinned = ParsePinnedHead(args.pin_head);
    if (auto s = ConsistentWith(connection, *pinned, head, trust.key);
        !s.ok()) {
      return absl::DataLossError(absl::StrCat("--pin-head: ", s.message()));
    }
    record->emplace_back("pinned_head", "consistent");
  }
  if (!trust.memory.root_hash.empty()) {
    if (auto s = ConsistentWith(connection, trust.memory, head, trust.key);
        !s.ok()) {
      return s;
    }
    record->emplace_back(
        "previous_head",
        absl::StrCat("size ", trust.memory.tree_size, ": consistent"));
  }
  LogMemory next{trust.key, head.tree_size(), head.root_hash()};
  std::string error;
  if (!SaveLogMemory(trust.path, trust.server, next, &error)) {
    return absl::UnavailableError(error);
  }
  return absl::OkStatus();
}

int RunVerify(const GlobalOptions& opts, const AuditArgs& args) {
  Connection connection;
  if (int rc = Connect(opts, &connection); rc != kExitOk) return rc;
  LogTrust trust;
  if (int rc = LoadTrust(opts, connection, args, &trust); rc != kExitOk) {
    return rc;
  }
  kvo::v1::VerifyResponse response;
  auto ctx = connection.Context();
  grpc::Status status =
      NewStub(connection)
          ->Verify(ctx.get(), kvo::v1::VerifyRequest(), &response);
  if (!status.ok()) return ReportRpcError(status);
  Record record = {
      {"ok", Value::Bool(response.ok())},
      {"entries_checked", Value::Int(response.entries_checked())},
      {"tree_heads_checked", Value::Int(response.tree_heads_checked())},
      {"witnessed_heads_checked",
       Value::Int(response.witnessed_heads_checked())}};
  if (!response.ok()) {
    record.emplace_back("first_bad_index",
                        Value::Int(response.first_bad_index()));
    record.emplace_back("problem", response.problem());
  }
  // kvod's word that the log is intact is checked where it can be: the
  // latest head it vouches for must carry a valid signature.
  bool latest_ok = true;
  if (!response.has_latest()) {
    latest_ok = false;
    record.emplace_back("latest_signature", "FAILED: kvod sent no signed head");
  } else {
    const SignedTreeHead& latest = response.latest();
    absl::Status signature =
        CheckHistory(connection, args, latest, trust, &record);
    latest_ok = signature.ok();
    record.emplace_back("latest_tree_size", Value::Int(latest.tree_size()));
    record.emplace_back("latest_root_hash", HexEncode(latest.root_hash()));
    record.emplace_back(
        "latest_signed_at",
        Value::Time(absl::FromUnixMillis(latest.timestamp_ms()), true));
    record.emplace_back(
        "latest_signature",
        latest_ok ? "verified" : absl::StrCat("FAILED: ", signature.message()));
    record.emplace_back("key", trust.how);
  }
  const bool ok = response.ok() && latest_ok;
  record.front().second = Value::Bool(ok);
  PrintRecord(record, opts.Style());
  return ok ? kExitOk : kExitFailed;
}

int RunHead(const GlobalOptions& opts, const AuditArgs& args) {
  Connection connection;
  if (int rc = Connect(opts, &connection); rc != kExitOk) return rc;
  LogTrust trust;
  if (int rc = LoadTrust(opts, connection, args, &trust); rc != kExitOk) {
    return rc;
  }
  kvo::v1::GetTreeHeadRequest request;
  request.set_tree_size(args.head_size);
  SignedTreeHead head;
  auto ctx = connection.Context();
  grpc::Status status =
      NewStub(connection)->GetTreeHead(ctx.get(), request, &head);
  if (!status.ok()) return ReportRpcError(status);
  Record record = {
      {"tree_size", Value::Int(head.tree_size())},
      {"root_hash", HexEncode(head.root_hash())},
      {"signed_at",
       Value::Time(absl::FromUnixMillis(head.timestamp_ms()), true)},
      {"timestamp_ms", Value::Int(head.timestamp_ms())},
      {"public_key", HexEncode(head.public_key())}};
  // An older head by --size is checked against the key only; the latest
  // also against every head kvo checked before.
  absl::Status s =
      args.head_size == 0
          ? CheckHistory(connection, args, head, trust, &record)
          : CheckTreeHead(head,
                          trust.key.empty() ? head.public_key() : trust.key);
  if (!s.ok()) {
    return ReportError(absl::StrCat("tree head FAILED: ", s.message()),
                       kExitFailed);
  }
  record.emplace_back("key", trust.how);
  record.emplace_back("signature", "verified");
  PrintRecord(record, opts.Style());
  return kExitOk;
}

int RunProveInclusion(const GlobalOptions& opts, const AuditArgs& args,
                      const Connection& connection, const std::string& pinned) {
  kvo::v1::InclusionProofRequest request;
  request.set_index(args.index);
  request.set_tree_size(args.size);
  kvo::v1::InclusionProof proof;
  auto ctx = connection.Context();
  grpc::Status status =
      NewStub(connection)->GetInclusionProof(ctx.get(), request, &proof);
  if (!status.ok()) return ReportRpcError(status);

  if (auto s = CheckInclusionProof(proof, args.index, args.size, pinned);
      !s.ok()) {
    return ReportError(absl::StrCat("inclusion proof of entry ", args.index,
                                    " FAILED: ", s.message()),
                       kExitFailed);
  }
  const SignedTreeHead& head = proof.tree_head();
  PrintRecord({{"result", "inclusion proof verified"},
               {"index", Value::Int(args.index)},
               {"tree_size", Value::Int(head.tree_size())},
               {"leaf_hash", HexEncode(proof.leaf_hash())},
               {"root_hash", HexEncode(head.root_hash())},
               {"signed_at",
                Value::Time(absl::FromUnixMillis(head.timestamp_ms()), true)},
               {"public_key", HexEncode(head.public_key())},
               {"key", KeyTrust(pinned)}},
              opts.Style());
  return kExitOk;
}

int RunProveConsistency(const GlobalOptions& opts, const AuditArgs& args,
                        const Connection& connection,
                        const std::string& pinned) {
  kvo::v1::ConsistencyProofRequest request;
  request.set_first_size(args.from);
  request.set_second_size(args.to);
  kvo::v1::ConsistencyProof proof;
  auto ctx = connection.Context();
  grpc::Status status =
      NewStub(connection)->GetConsistencyProof(ctx.get(), request, &proof);
  if (!status.ok()) return ReportRpcError(status);

  if (auto s = CheckConsistencyProof(proof, args.from, args.to, pinned);
      !s.ok()) {
    return ReportError(absl::StrCat("consistency proof from ", args.from,
                                    " to ", args.to, " FAILED: ", s.message()),
                       kExitFailed);
  }
  const SignedTreeHead& first = proof.first();
  const SignedTreeHead& second = proof.second();
  PrintRecord({{"result", "consistency proof verified"},
               {"from", Value::Int(args.from)},
               {"to", Value::Int(args.to)},
               {"first_root_hash", HexEncode(first.root_hash())},
               {"first_signed_at",
                Value::Time(absl::FromUnixMillis(first.timestamp_ms()), true)},
               {"second_root_hash", HexEncode(second.root_hash())},
               {"second_signed_at",
                Value::Time(absl::FromUnixMillis(second.timestamp_ms()), true)},
               {"public_key", HexEncode(second.public_key())},
               {"key", KeyTrust(pinned)}},
              opts.Style());
  return kExitOk;
}

int RunProve(const GlobalOptions& opts, const AuditArgs& args) {
  if (!args.has_index && !args.has_from) {
    return ReportError(
        "audit prove needs --index N [--size S] or --from M --to N");
  }
  if (args.has_index && args.size != 0 && args.index >= args.size) {
    return ReportError(absl::StrCat("--index ", args.index,
                                    " is not in a tree of --size ", args.size,
                                    " (indexes start at 0)"));
  }
  if (args.has_from && args.from > args.to) {
    return ReportError(
        absl::StrCat("--from ", args.from, " is larger than --to ", args.to));
  }
  Connection connection;
  if (int rc = Connect(opts, &connection); rc != kExitOk) return rc;
  // The key verify and head pinned holds for proofs too.
  LogTrust trust;
  if (int rc = LoadTrust(opts, connection, args, &trust); rc != kExitOk) {
    return rc;
  }
  return args.has_index
             ? RunProveInclusion(opts, args, connection, trust.key)
             : RunProveConsistency(opts, args, connection, trust.key);
}

// The canonical bytes of the entry kvod showed, as the leaf hashes them: the
// proof then covers exactly what is on the screen.
std::string ShownBytes(const kvo::v1::AuditEntry& e) {
  audit::SequencedEntry s;
  s.index = e.index();
  s.at_micros = absl::ToUnixMicros(common::FromProto(e.at()));
  s.principal_id = e.principal_id();
  s.role = e.role();
  s.action = e.action();
  s.subject = e.subject();
  s.purpose = e.purpose();
  s.outcome = e.outcome();
  s.request_id = e.request_id();
  s.area_id = e.area_id();
  s.peer = e.peer();
  return audit::CanonicalBytes(s);
}

int RunShow(const GlobalOptions& opts, const AuditArgs& args) {
  Connection connection;
  if (int rc = Connect(opts, &connection); rc != kExitOk) return rc;
  LogTrust trust;
  if (int rc = LoadTrust(opts, connection, args, &trust); rc != kExitOk) {
    return rc;
  }
  kvo::v1::GetEntryRequest request;
  request.set_index(args.index);
  request.set_purpose(args.purpose);
  kvo::v1::LogRow row;
  auto ctx = connection.Context();
  grpc::Status status = NewStub(connection)->GetEntry(ctx.get(), request, &row);
  if (!status.ok()) return ReportRpcError(status);
  kvo::v1::InclusionProofRequest proof_request;
  proof_request.set_index(args.index);
  kvo::v1::InclusionProof proof;
  auto proof_ctx = connection.Context();
  status = NewStub(connection)
               ->GetInclusionProof(proof_ctx.get(), proof_request, &proof);
  if (!status.ok()) return ReportRpcError(status);

  Table table = AuditLogTable();
  AddAuditLogRow(row, &table);
  Record record;
  for (size_t c = 0; c < table.columns.size(); ++c) {
    record.emplace_back(table.columns[c], table.rows[0][c]);
  }
  const kvo::v1::AuditEntry& e = row.entry();
  if (!row.content_erased()) {
    record.emplace_back("address", e.peer());
    record.emplace_back("request_id", e.request_id());
  }
  record.emplace_back("content_erased",
                      row.content_erased() ? "true" : "false");
  absl::Status check = CheckInclusionProof(proof, args.index, 0, trust.key);
  if (check.ok() && row.content_erased() != proof.content_erased()) {
    check = absl::DataLossError(
        "kvod shows the entry and proves it differently (erased or not)");
  }
  if (check.ok() && !row.content_erased() && ShownBytes(e) != proof.entry()) {
    check = absl::DataLossError(
        "the entry kvod shows is not the entry its proof covers");
  }
  if (!check.ok()) {
    PrintRecord(record, opts.Style());
    return ReportError(absl::StrCat("inclusion proof of entry ", args.index,
                                    " FAILED: ", check.message()),
                       kExitFailed);
  }
  const SignedTreeHead& head = proof.tree_head();
  record.emplace_back("inclusion",
                      absl::StrCat("verified against the signed head of size ",
                                   head.tree_size(), " (",
                                   FormatUnixMillis(head.timestamp_ms()), ")"));
  record.emplace_back("key", KeyTrust(trust.key));
  PrintRecord(record, opts.Style());
  return kExitOk;
}

CLI::Option* AddPublicKey(CLI::App* sub, std::string* hex) {
  return sub
      ->add_option("--public-key", *hex,
                   "the log's Ed25519 public key (hex), obtained out of band; "
                   "tree heads signed by another key fail")
      ->envname("KVO_AUDIT_PUBLIC_KEY");
}

// verify and head remember the key and the last head in audit-trust beside
// the config file, and hold kvod to them.
void AddHistoryOptions(CLI::App* sub, AuditArgs* args) {
  AddPublicKey(sub, &args->public_key_hex);
  sub->add_option("--pin-head", args->pin_head,
                  "SIZE:ROOT_HEX of a head from your own records: the log "
                  "must still extend it")
      ->check([](const std::string& v) -> std::string {
        return ParsePinnedHead(v) ? ""
                                  : "--pin-head: expected SIZE:ROOT_HEX (a "
                                    "size of at least 1, 64 hex characters)";
      });
  sub->add_flag("--accept-new-key", args->accept_new_key,
                "accept a signing key other than the one kvo pinned (only "
                "when the log's key was really replaced)");
}

}  // namespace

void AddAuditCommands(CLI::App* app, const GlobalOptions* opts,
                      std::function<int()>* action) {
  auto args = std::make_shared<AuditArgs>();
  auto* audit = app->add_subcommand("audit", "check the audit log");
  audit->require_subcommand(1);

  auto* verify = audit->add_subcommand(
      "verify",
      "have kvod recompute the whole log and its signed heads, and check "
      "the latest extends the last head kvo checked (privacy_officer, "
      "admin)");
  AddHistoryOptions(verify, args.get());
  verify->callback([opts, args, action] {
    *action = [opts, args] { return RunVerify(*opts, *args); };
  });

  auto* head = audit->add_subcommand(
      "head",
      "the latest signed tree head, its signature and history checked here "
      "(privacy_officer, admin)");
  head->add_option("--size", args->head_size,
                   "the signed head of this tree size (default: the latest)")
      ->check(PositiveInteger());
  AddHistoryOptions(head, args.get());
  head->callback([opts, args, action] {
    *action = [opts, args] { return RunHead(*opts, *args); };
  });

  auto* prove = audit->add_subcommand(
      "prove",
      "fetch an inclusion (--index) or consistency (--from/--to) proof and "
      "verify it here, against the key kvo pinned (privacy_officer, admin)");
  auto* index = prove->add_option("--index", args->index,
                                  "the entry to prove (0-based tree index)");
  auto* size = prove->add_option(
      "--size", args->size,
      "against the signed head of this size (default: the latest)");
  size->check(PositiveInteger())->needs(index);
  auto* from = prove->add_option("--from", args->from, "the older tree size");
  auto* to = prove->add_option("--to", args->to, "the newer tree size");
  from->check(PositiveInteger())->needs(to);
  to->check(PositiveInteger())->needs(from);
  index->excludes(from)->excludes(to);
  AddPublicKey(prove, &args->public_key_hex);
  prove->add_flag("--accept-new-key", args->accept_new_key,
                  "accept a --public-key other than the one kvo pinned");
  prove->callback([opts, args, action, index, from] {
    args->has_index = index->count() > 0;
    args->has_from = from->count() > 0;
    *action = [opts, args] { return RunProve(*opts, *args); };
  });

  auto* show = audit->add_subcommand(
      "show",
      "one audit entry in full, its inclusion proof checked here against the "
      "latest signed head and the key kvo pinned (privacy_officer)");
  show->add_option("INDEX", args->index, "the entry's tree index")->required();
  show->add_option("--purpose", args->purpose,
                   "why you read the entry; recorded with your request")
      ->required();
  AddPublicKey(show, &args->public_key_hex);
  show->callback([opts, args, action] {
    *action = [opts, args] { return RunShow(*opts, *args); };
  });

  AddAuditLogCommands(audit, opts, action);
}

}  // namespace kvo::cli
