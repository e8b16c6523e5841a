// How much does verifying the audit log cost compared with merely hashing its
// bytes? DESIGN.md asks that leaf hashing plus recomputing the Merkle root run
// at no less than half the throughput of one plain SHA-256 per entry.
//
// Both sides hash the same 1,000,000 synthetic entries of 180-220 bytes, held
// contiguously as rows fetched from the database would be. The baseline uses
// the fastest SHA-256 this OpenSSL offers, so the ratio measures the tree's
// overhead (the 0x00 prefix and about one 65-byte node hash per entry), not a
// difference between hashing APIs.

// The baseline calls the SHA256_* functions on purpose, like merkle.cc.
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <benchmark/benchmark.h>
#include <openssl/sha.h>

#include <cstdint>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "services/audit/audit_mac.h"
#include "services/audit/merkle.h"
#include "services/common/crypto.h"
#include "services/common/envelope.h"

namespace kvo::audit {
namespace {

constexpr size_t kEntries = 1'000'000;

struct Corpus {
  std::string bytes;
  std::vector<size_t> offsets;  // kEntries + 1 boundaries into `bytes`.
  std::vector<Hash> leaf_hashes;
  Hash root{};

  size_t size() const { return offsets.size() - 1; }
  absl::string_view Entry(size_t i) const {
    return absl::string_view(bytes).substr(offsets[i],
                                           offsets[i + 1] - offsets[i]);
  }
};

// Entries shaped like the audit rows of DESIGN.md (who, role, action,
// pseudonymous subject, purpose, outcome, time, request id), padded with a
// free-text reason to a length drawn uniformly from 180..220 bytes.
Corpus BuildCorpus() {
  static constexpr const char* kRoles[] = {"registrar", "clerk", "auditor",
                                           "privacy_officer", "door_agent"};
  static constexpr const char* kActions[] = {
      "READ_PERSON",        "UPDATE_ADDRESS", "ISSUE_CARD",
      "READ_GALLERY_PHOTO", "DENIED_CALL",    "EXPORT_RECORD"};
  static constexpr const char* kPurposes[] = {
      "card-issuance", "address-change", "door-check", "subject-access-request",
      "fraud-review"};
  static constexpr const char* kOutcomes[] = {"ALLOWED", "DENIED", "NOT_FOUND"};
  std::mt19937_64 rng(20240611);
  auto pick = [&rng](const auto& options) {
    return options[rng() % std::size(options)];
  };
  auto hex = [&rng](int digits) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (int i = 0; i < digits; ++i) out += kDigits[rng() % 16];
    return out;
  };

  Corpus corpus;
  corpus.bytes.reserve(kEntries * 201);
  corpus.offsets.reserve(kEntries + 1);
  corpus.offsets.push_back(0);
  std::uniform_int_distribution<size_t> length(180, 220);
  for (size_t i = 0; i < kEntries; ++i) {
    std::string entry = absl::StrCat(
        "v1|seq=", i, "|who=staff-", rng() % 5000, "|role=", pick(kRoles),
        "|action=", pick(kActions), "|subject=ps_", hex(32),
        "|purpose=", pick(kPurposes), "|outcome=", pick(kOutcomes),
        "|at=", 1700000000000 + i * 37, "|req=", hex(8), "-", hex(4), "-",
        hex(4), "|why=");
    const size_t target = length(rng);
    while (entry.size() < target) entry += static_cast<char>('a' + rng() % 26);
    entry.resize(target);
    corpus.bytes += entry;
    corpus.offsets.push_back(corpus.bytes.size());
  }
  corpus.leaf_hashes.reserve(kEntries);
  for (size_t i = 0; i < kEntries; ++i) {
    corpus.leaf_hashes.push_back(LeafHash(corpus.Entry(i)));
  }
  corpus.root = RootOf(corpus.leaf_hashes);
  return corpus;
}

const Corpus& TheCorpus() {
  static const Corpus* corpus = new Corpus(BuildCorpus());
  return *corpus;
}

void BM_RawSha256(benchmark::State& state) {
  const Corpus& corpus = TheCorpus();
  for (auto _ : state) {
    for (size_t i = 0; i < corpus.size(); ++i) {
      const absl::string_view entry = corpus.Entry(i);
      unsigned char digest[SHA256_DIGEST_LENGTH];
      SHA256_CTX ctx;
      SHA256_Init(&ctx);
      SHA256_Update(&ctx, entry.data(), entry.size());
      SHA256_Final(digest, &ctx);
      benchmark::DoNotOptimize(digest);
    }
  }
  state.SetBytesProcessed(state.iterations() * corpus.bytes.size());
  state.SetItemsProcessed(state.iterations() * corpus.size());
}

// What `verify` does: hash every entry and stream it into the tree.
void BM_VerifyCompactTree(benchmark::State& state) {
  const Corpus& corpus = TheCorpus();
  for (auto _ : state) {
    CompactTree tree;
    for (size_t i = 0; i < corpus.size(); ++i) {
      tree.Append(LeafHash(corpus.Entry(i)));
    }
    const Hash root = tree.Root();
    if (root != corpus.root) state.SkipWithError("CompactTree root mismatch");
  }
  state.SetBytesProcessed(state.iterations() * corpus.bytes.size());
  state.SetItemsProcessed(state.iterations() * corpus.size());
}

// Verify over entries retention has emptied: their leaf hash cannot be
// recomputed, so each stored leaf is vouched for by its sequence MAC
// (keyed BLAKE2b over index, time and leaf hash) instead. Whole entries
// cost what BM_VerifyCompactTree costs: their MACs are read only to name
// the entry under a root that does not match.
void BM_VerifyEmptiedEntries(benchmark::State& state) {
  const Corpus& corpus = TheCorpus();
  const AuditMac mac(common::SecretKey::Generate());
  std::vector<std::string> macs;
  macs.reserve(corpus.size());
  for (size_t i = 0; i < corpus.size(); ++i) {
    const Hash& leaf = corpus.leaf_hashes[i];
    macs.push_back(mac.SequenceMac(
        i, 1700000000000 + i,
        absl::string_view(reinterpret_cast<const char*>(leaf.data()),
                          leaf.size())));
  }
  for (auto _ : state) {
    CompactTree tree;
    for (size_t i = 0; i < corpus.size(); ++i) {
      const Hash& leaf = corpus.leaf_hashes[i];
      if (!mac.SequenceMacOk(
              i, 1700000000000 + i,
              absl::string_view(reinterpret_cast<const char*>(leaf.data()),
                                leaf.size()),
              macs[i])) {
        state.SkipWithError("MAC mismatch");
        break;
      }
      tree.Append(leaf);
    }
    if (tree.Root() != corpus.root) state.SkipWithError("root mismatch");
  }
  state.SetBytesProcessed(state.iterations() * corpus.bytes.size());
  state.SetItemsProcessed(state.iterations() * corpus.size());
}

// The same with all leaf hashes held in memory first.
void BM_VerifyRootOf(benchmark::State& state) {
  const Corpus& corpus = TheCorpus();
  std::vector<Hash> leaves;
  leaves.reserve(corpus.size());
  for (auto _ : state) {
    leaves.clear();
    for (size_t i = 0; i < corpus.size(); ++i) {
      leaves.push_back(LeafHash(corpus.Entry(i)));
    }
    const Hash root = RootOf(leaves);
    if (root != corpus.root) state.SkipWithError("RootOf root mismatch");
  }
  state.SetBytesProcessed(state.iterations() * corpus.bytes.size());
  state.SetItemsProcessed(state.iterations() * corpus.size());
}

// An outside auditor checking one entry against a signed head of 1,000,000
// entries: hash the entry, then walk its 20-hash inclusion proof.
void BM_VerifyInclusionProof(benchmark::State& state) {
  const Corpus& corpus = TheCorpus();
  struct Probe {
    uint64_t index;
    std::vector<Hash> proof;
  };
  std::vector<Probe> probes;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 8; ++i) {
    const uint64_t index = rng() % corpus.size();
    probes.push_back(
        {index, InclusionProof(corpus.leaf_hashes, index, corpus.size())});
  }
  size_t next = 0;
  for (auto _ : state) {
    const Probe& probe = probes[next++ % probes.size()];
    const bool ok =
        VerifyInclusion(LeafHash(corpus.Entry(probe.index)), probe.index,
                        corpus.size(), probe.proof, corpus.root);
    if (!ok) state.SkipWithError("inclusion proof rejected");
  }
  state.SetItemsProcessed(state.iterations());
}

// Checking that a newer signed head extends an older one.
void BM_VerifyConsistencyProof(benchmark::State& state) {
  const Corpus& corpus = TheCorpus();
  struct Probe {
    uint64_t first_size;
    Hash first_root;
    std::vector<Hash> proof;
  };
  std::vector<Probe> probes;
  std::mt19937_64 rng(11);
  for (int i = 0; i < 4; ++i) {
    const uint64_t first = 1 + rng() % (corpus.size() - 1);
    CompactTree old_tree;
    for (uint64_t j = 0; j < first; ++j) old_tree.Append(corpus.leaf_hashes[j]);
    probes.push_back(
        {first, old_tree.Root(),
         ConsistencyProof(corpus.leaf_hashes, first, corpus.size())});
  }
  size_t next = 0;
  for (auto _ : state) {
    const Probe& probe = probes[next++ % probes.size()];
    if (!VerifyConsistency(probe.first_size, corpus.size(), probe.first_root,
                           corpus.root, probe.proof)) {
      state.SkipWithError("consistency proof rejected");
    }
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_RawSha256)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_VerifyCompactTree)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_VerifyRootOf)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_VerifyEmptiedEntries)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_VerifyInclusionProof)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_VerifyConsistencyProof)->Unit(benchmark::kMicrosecond);

// Console output as usual, plus the throughputs needed for the ratio.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.run_type != Run::RT_Iteration || run.error_occurred) continue;
      auto it = run.counters.find("bytes_per_second");
      if (it == run.counters.end()) continue;
      const std::string name = run.benchmark_name();
      bytes_per_second_[name.substr(0, name.find('/'))] = it->second.value;
    }
    ConsoleReporter::ReportRuns(runs);
  }

  void PrintRatios() const {
    auto find = [this](const char* name) {
      auto it = bytes_per_second_.find(name);
      return it == bytes_per_second_.end() ? 0.0 : it->second;
    };
    const double raw = find("BM_RawSha256");
    if (raw <= 0) return;
    std::printf("\nraw SHA-256: %.1f MiB/s\n", raw / (1 << 20));
    for (const char* name : {"BM_VerifyCompactTree", "BM_VerifyRootOf",
                             "BM_VerifyEmptiedEntries"}) {
      const double verify = find(name);
      if (verify <= 0) continue;
      std::printf("%s: %.1f MiB/s, ratio to raw SHA-256 %.3f (target >= 0.5)\n",
                  name, verify / (1 << 20), verify / raw);
    }
    std::fflush(stdout);
  }

 private:
  std::map<std::string, double> bytes_per_second_;
};

}  // namespace
}  // namespace kvo::audit

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  if (!kvo::common::InitCrypto()) return 1;
  // Build the corpus before any timing starts.
  const kvo::audit::Corpus& corpus = kvo::audit::TheCorpus();
  std::printf("corpus: %zu entries, %zu bytes (mean %.1f bytes/entry)\n",
              corpus.size(), corpus.bytes.size(),
              static_cast<double>(corpus.bytes.size()) / corpus.size());
  kvo::audit::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintRatios();
  benchmark::Shutdown();
  return 0;
}
