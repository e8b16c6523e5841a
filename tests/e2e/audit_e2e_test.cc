// The attacks of someone who holds the database (issue: "An access log that
// holds against whoever holds the database"), against the real kvod and the
// real kvo, with the SQL an attacker would run.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstring>
#include <limits>
#include <pqxx/pqxx>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kvo/v1/audit.grpc.pb.h"
#include "kvo/v1/identity.grpc.pb.h"
#include "services/audit/tree_head.h"
#include "services/common/crypto.h"
#include "tests/support/kvod_fixture.h"
#include "tests/support/kvod_process.h"
#include "tests/support/pg_environment.h"

namespace kvo::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kPassword[] = "correct horse battery staple\n";

class AuditAttackE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(common::InitCrypto());
    data_ = tmp_.path() / "data";
    Start();
    ASSERT_EQ(kvod_
                  ->Kvo({"bootstrap", kvod_->bootstrap_code(), "--login",
                         "root", "--name", "Operator", "--password-stdin"},
                        kPassword)
                  .exit_code,
              0);
    Login();
    // Some history: areas created by the admin, each an audited change.
    for (const char* name : {"Binnenstad", "Keizerslanden", "Colmschate"}) {
      CommandResult r =
          kvod_->Kvo({"area", "create", "--name", name, "--kind",
                      "shopping_area", "--municipality", "Deventer"});
      ASSERT_EQ(r.exit_code, 0) << Describe(r);
    }
    head_size_ = WaitUntilSigned();
    ASSERT_GE(head_size_, 5u);
    // kvo pins the key and remembers the head.
    CommandResult head = kvod_->Kvo({"audit", "head"});
    ASSERT_EQ(head.exit_code, 0) << Describe(head);
    EXPECT_THAT(Field(head.out, "key"), HasSubstr("pinned now"));
  }
  void TearDown() override {
    if (kvod_ != nullptr) kvod_->Stop();
  }

  // A restart listens where kvod listened before: kvo remembers the log
  // per server address.
  void Start() {
    std::vector<std::string> args;
    if (kvod_ != nullptr) args = {"--listen", kvod_->address()};
    kvod_ = KvodProcess::Start(data_, args);
    ASSERT_NE(kvod_, nullptr);
  }
  void Login() {
    CommandResult r =
        kvod_->Kvo({"login", "--login", "root", "--password-stdin"}, kPassword);
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
  }
  void Sql(const std::string& sql) {
    pqxx::connection conn(EmbeddedConninfo(data_));
    pqxx::work tx(conn);
    tx.exec(sql);
    tx.commit();
  }
  int64_t Count(const std::string& sql) {
    pqxx::connection conn(EmbeddedConninfo(data_));
    pqxx::work tx(conn);
    return tx.exec1(sql)[0].as<int64_t>();
  }
  // Waits until every entry logged so far is under a signed head.
  uint64_t WaitUntilSigned() {
    for (int i = 0; i < 100; ++i) {
      if (Count("SELECT count(*) FROM audit_entries WHERE seq IS NULL AND "
                "quarantined_at IS NULL") == 0) {
        return static_cast<uint64_t>(
            Count("SELECT COALESCE(max(tree_size), 0) FROM audit_tree_heads"));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "the sequencer did not sign";
    return 0;
  }
  std::unique_ptr<kvo::v1::AuditService::Stub> AuditStub() {
    return kvo::v1::AuditService::NewStub(kvod_->Channel());
  }

  TempDir tmp_;
  std::filesystem::path data_;
  std::unique_ptr<KvodProcess> kvod_;
  uint64_t head_size_ = 0;
};

TEST_F(AuditAttackE2E, TruncatedLogMakesKvodFailClosedAfterARestart) {
  // Delete the last entries and the signed heads above them, then restart
  // kvod: before, it signed a different head for a size it had signed.
  const uint64_t keep = head_size_ - 2;
  Sql("DELETE FROM audit_entries WHERE seq >= " + std::to_string(keep) +
      "; DELETE FROM audit_tree_heads WHERE tree_size > " +
      std::to_string(keep - 1));
  ASSERT_EQ(kvod_->Stop(), 0);
  Start();
  Login();  // login stays open: the officer must be able to investigate
  // Everything that discloses or changes personal data is refused.
  CommandResult refused;
  for (int i = 0; i < 50; ++i) {
    refused = kvod_->Kvo({"area", "create", "--name", "Diepenveen", "--kind",
                          "shopping_area", "--municipality", "Deventer"});
    if (refused.exit_code != 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(refused.exit_code, 1) << Describe(refused);
  EXPECT_THAT(refused.err, HasSubstr("UNAVAILABLE"));
  EXPECT_THAT(refused.err, HasSubstr("audit integrity failure"));
  CommandResult health = kvod_->Kvo({"health"});
  EXPECT_EQ(health.exit_code, 1) << Describe(health);
  EXPECT_EQ(Field(health.out, "status"), "niet in bedrijf");
  // kvod never signed a head for the truncated log.
  EXPECT_EQ(Count("SELECT count(*) FROM audit_tree_heads WHERE tree_size >= " +
                  std::to_string(keep)),
            0);
  CommandResult verify = kvod_->Kvo({"audit", "verify"});
  EXPECT_EQ(verify.exit_code, 1) << Describe(verify);
  EXPECT_EQ(Field(verify.out, "ok"), "nee");
  // kvo holds kvod to the head it checked before, too.
  CommandResult head = kvod_->Kvo({"audit", "head"});
  EXPECT_EQ(head.exit_code, 1) << Describe(head);
  EXPECT_THAT(head.err, HasSubstr("truncated or rolled back"));
  // The alarm is in kvod's log.
  EXPECT_THAT(kvod_->process().Stderr(),
              HasSubstr("\"alarm\":\"audit_integrity\""));
}

TEST_F(AuditAttackE2E, ForgedEntryIsQuarantinedAndARogueKeyIsRefused) {
  // "principal 1 read person 42", written straight into the table.
  Sql("INSERT INTO audit_entries (principal_id, role, action, subject, "
      "purpose, outcome) VALUES (1, 'police', 'registry.get_person', "
      "'person:42', 'door check', 'ok')");
  WaitUntilSigned();
  EXPECT_EQ(Count("SELECT count(*) FROM audit_entries WHERE subject = "
                  "'person:42' AND seq IS NULL AND quarantined_at IS NOT NULL"),
            1);
  CommandResult verify = kvod_->Kvo({"audit", "verify"});
  EXPECT_EQ(verify.exit_code, 1) << Describe(verify);
  EXPECT_THAT(Field(verify.out, "problem"), HasSubstr("outside kvod"));

  // Add a key of one's own to the key table and re-sign the latest head.
  const uint64_t size = static_cast<uint64_t>(
      Count("SELECT max(tree_size) FROM audit_tree_heads"));
  audit::TreeHeadSigner rogue =
      audit::TreeHeadSigner::FromSeed(std::string(32, 'r'));
  {
    pqxx::connection conn(EmbeddedConninfo(data_));
    pqxx::work tx(conn);
    pqxx::row row = tx.exec_params1(
        "SELECT encode(root_hash, 'hex'), timestamp_ms FROM audit_tree_heads "
        "WHERE tree_size = $1",
        size);
    audit::TreeHead th;
    th.tree_size = size;
    th.timestamp_ms = row[1].as<int64_t>();
    const std::string root = *common::HexDecode(row[0].as<std::string>());
    std::memcpy(th.root.data(), root.data(), th.root.size());
    const int key = tx.exec_params1(
                          "INSERT INTO audit_signing_keys (public_key) VALUES "
                          "(decode($1, 'hex')) RETURNING id",
                          common::HexEncode(rogue.public_key()))[0]
                        .as<int>();
    tx.exec_params0(
        "UPDATE audit_tree_heads SET key_id = $1, signature = decode($2, "
        "'hex') WHERE tree_size = $3",
        key, common::HexEncode(rogue.Sign(th)), size);
    tx.commit();
  }
  CommandResult head =
      kvod_->Kvo({"audit", "head", "--size", std::to_string(size)});
  EXPECT_EQ(head.exit_code, 1) << Describe(head);
  EXPECT_THAT(head.err, HasSubstr("FAILED"));
  CommandResult again = kvod_->Kvo({"audit", "verify"});
  EXPECT_EQ(again.exit_code, 1) << Describe(again);
  // A proof against the re-signed head fails too: kvo holds proofs to the
  // key it pinned.
  CommandResult prove = kvod_->Kvo(
      {"audit", "prove", "--index", "1", "--size", std::to_string(size)});
  EXPECT_EQ(prove.exit_code, 1) << Describe(prove);
  EXPECT_THAT(prove.err, HasSubstr("not the pinned key"));
}

TEST_F(AuditAttackE2E, ProofsOverABrokenLogAnswerWithAStatusNotACrash) {
  Sql("DELETE FROM audit_entries WHERE seq = 1");
  CommandResult prove = kvod_->Kvo({"audit", "prove", "--index", "2"});
  EXPECT_EQ(prove.exit_code, 1) << Describe(prove);
  EXPECT_THAT(prove.err, HasSubstr("DATA_LOSS"));
  EXPECT_THAT(prove.err, HasSubstr("audit entry 1 is missing"));

  // Sizes near 2^64 from a hand-made client.
  kvo::v1::IdentityService::Stub identity(kvod_->Channel());
  kvo::v1::LoginRequest login;
  login.set_login("root");
  login.set_password("correct horse battery staple");
  kvo::v1::LoginResponse session;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(identity.Login(&ctx, login, &session).ok());
  }
  auto call = [&](auto method, const auto& request, auto* response) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + session.token());
    return (AuditStub().get()->*method)(&ctx, request, response);
  };
  constexpr uint64_t kHuge = std::numeric_limits<uint64_t>::max();
  kvo::v1::GetTreeHeadRequest head_request;
  head_request.set_tree_size(kHuge);
  kvo::v1::SignedTreeHead head;
  EXPECT_EQ(call(&kvo::v1::AuditService::Stub::GetTreeHead, head_request, &head)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  kvo::v1::InclusionProofRequest inclusion;
  inclusion.set_index(kHuge);
  kvo::v1::InclusionProof proof;
  EXPECT_EQ(
      call(&kvo::v1::AuditService::Stub::GetInclusionProof, inclusion, &proof)
          .error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
  kvo::v1::ConsistencyProofRequest consistency;
  consistency.set_first_size(1);
  consistency.set_second_size(kHuge - 1);
  kvo::v1::ConsistencyProof cproof;
  EXPECT_EQ(call(&kvo::v1::AuditService::Stub::GetConsistencyProof, consistency,
                 &cproof)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  // kvod still answers (the deleted entry makes the running kvod fail
  // closed within seconds: health may say NOT_SERVING, never a crash).
  CommandResult health = kvod_->Kvo({"health"});
  EXPECT_THAT(health.out, HasSubstr("in bedrijf")) << Describe(health);
}

// Retention through the real binaries, with kvod's clock moved past the
// five years audit entries are kept.
TEST(AuditRetentionE2E, OldEntriesLoseTheirContentAndTheLogStillVerifies) {
  TempDir tmp;
  // The default policy refuses to move the clock.
  CommandResult refused =
      RunCommand(KvodCommand({"--data-dir=" + (tmp.path() / "refused").string(),
                              "--clock-offset-days=2000"}));
  EXPECT_EQ(refused.exit_code, 2) << Describe(refused);
  EXPECT_THAT(refused.err, HasSubstr("testing { clock_control: true }"));

  const auto policy =
      TestPolicy(tmp.path(), {{"audit {",
                               "testing { clock_control: true }\n"
                               "audit {"}});
  auto kvod = KvodProcess::Start(
      tmp.path() / "data",
      {"--policy=" + policy.string(), "--clock-offset-days=2000"});
  ASSERT_NE(kvod, nullptr);
  ASSERT_EQ(kvod->Kvo({"bootstrap", kvod->bootstrap_code(), "--login", "root",
                       "--name", "Operator", "--password-stdin"},
                      kPassword)
                .exit_code,
            0);
  ASSERT_EQ(
      kvod->Kvo({"login", "--login", "root", "--password-stdin"}, kPassword)
          .exit_code,
      0);
  ASSERT_EQ(kvod->Kvo({"area", "create", "--name", "Binnenstad", "--kind",
                       "shopping_area", "--municipality", "Deventer"})
                .exit_code,
            0);
  // Everything logged so far is "2000 days old" by kvod's clock once
  // sequenced.
  const std::string conninfo = EmbeddedConninfo(tmp.path() / "data");
  auto count = [&](const std::string& sql) {
    pqxx::connection conn(conninfo);
    pqxx::work tx(conn);
    return tx.exec1(sql)[0].as<int64_t>();
  };
  for (int i = 0; i < 100 && count("SELECT count(*) FROM audit_entries "
                                   "WHERE seq IS NULL") > 0;
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const int64_t sequenced =
      count("SELECT count(*) FROM audit_entries WHERE seq IS NOT NULL");
  ASSERT_GE(sequenced, 3);

  CommandResult report = kvod->Kvo({"--json", "retention", "report"});
  ASSERT_EQ(report.exit_code, 0) << Describe(report);
  EXPECT_THAT(report.out, HasSubstr("\"kind\":\"audit_entry_content\""));
  CommandResult run = kvod->Kvo({"retention", "run"});
  ASSERT_EQ(run.exit_code, 0) << Describe(run);
  EXPECT_THAT(run.out, HasSubstr("audit_entry_content"));
  EXPECT_GE(count("SELECT count(*) FROM audit_entries WHERE "
                  "content_erased_at IS NOT NULL AND subject = '' AND "
                  "principal_id IS NULL"),
            sequenced);
  // The run itself is on record, by whom and what went.
  EXPECT_EQ(count("SELECT count(*) FROM audit_entries WHERE action = "
                  "'retention.run' AND purpose LIKE "
                  "'%audit_entry_content=%'"),
            1);

  // The tree, the heads and the proofs still hold.
  CommandResult verify;
  for (int i = 0; i < 50; ++i) {
    verify = kvod->Kvo({"audit", "verify"});
    if (verify.exit_code == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(verify.exit_code, 0) << Describe(verify);
  EXPECT_EQ(Field(verify.out, "ok"), "ja");
  CommandResult prove = kvod->Kvo({"audit", "prove", "--index", "1"});
  EXPECT_EQ(prove.exit_code, 0) << Describe(prove);
  EXPECT_EQ(kvod->Stop(), 0);
}

}  // namespace
}  // namespace kvo::testing
