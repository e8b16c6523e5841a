#ifndef KVO_TESTS_SUPPORT_KVOD_FIXTURE_H_
#define KVO_TESTS_SUPPORT_KVOD_FIXTURE_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "kvo/v1/audit.grpc.pb.h"
#include "kvo/v1/identity.grpc.pb.h"
#include "tests/support/kvod_process.h"
#include "tests/support/pg_environment.h"

namespace kvo::testing {

inline constexpr char kPassword[] = "correct horse battery staple";

// A client context with a 20 s deadline and, when given, the bearer token.
std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token = "");

// Text replacements in the policy file: {"gallery_syncs_per_hour: 600",
// "gallery_syncs_per_hour: 3"}.
using PolicyEdits = std::vector<std::pair<std::string, std::string>>;

// The default policy with a login rate limit high enough for tests that
// log many principals in, and `edits`; written into `dir`.
std::filesystem::path TestPolicy(const std::filesystem::path& dir,
                                 const PolicyEdits& edits = {});

// A real kvod (own embedded cluster, TLS) with a bootstrapped admin, two
// areas ("Binnenstad" = area_a_, "Keizerslanden" = area_b_) and helpers to
// make principals and look into the database.
class KvodFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  // Stops kvod gracefully (and its cluster with it) before the temp dir
  // goes, so nothing is left running or half-deleted.
  void TearDown() override;

  std::string Login(const std::string& login,
                    const std::string& password = kPassword,
                    grpc::Status* status = nullptr);
  int64_t MakeArea(const std::string& name);
  // Licence first: lets the door gallery serve `area`. Records a licence
  // in force (from a year ago for three years), gives each of
  // `shopkeepers` (principal ids) a shop of their own in the area, and
  // records every shop of the area as a participant that signed the
  // agreement and the declaration to follow the model protocol; all as the
  // admin, through the real CycleService. Call it again after adding shops
  // whose shopkeepers sync.
  void AdmitToDoor(int64_t area, const std::vector<int64_t>& shopkeepers = {});
  // Records the area's letterhead as its coordinator would (`kvo area
  // contact`, as the admin through the real CycleService): objection
  // address and e-mail, and with `with_account` the payee and IBAN
  // (kKvoIban) nuisance donations are paid to. Notices need the former;
  // donation letters both.
  void RecordLetterhead(int64_t area, bool with_account = true);
  static constexpr char kKvoIban[] = "NL91ABNA0417164300";
  // Creates, enrolls and logs in a principal; its token.
  std::string MakeUser(const std::string& login, kvo::v1::Role role,
                       std::vector<int64_t> areas, int64_t* id = nullptr);
  void Sql(const std::string& sql);
  // The one number `sql` returns, from the data database or `db`
  // ("kvo_keys": the key store).
  int64_t Count(const std::string& sql, const std::string& db = "kvo");
  // Waits until the sequencer has signed every entry logged so far.
  kvo::v1::SignedTreeHead WaitForSignedHead(const std::string& token);
  // kvod again on the same data and address, its clock `days` ahead
  // (--clock-offset-days: the policy edits must allow clock control).
  void RestartWithClockAhead(int days);

  // More kvod flags for SetUp (later ones win: "--pg-setting=fsync=on").
  std::vector<std::string> extra_kvod_args_;
  // Changes to the test policy for SetUp.
  PolicyEdits policy_edits_;
  TempDir tmp_;
  std::filesystem::path data_;
  std::unique_ptr<KvodProcess> kvod_;
  std::unique_ptr<kvo::v1::IdentityService::Stub> identity_;
  std::unique_ptr<kvo::v1::AuditService::Stub> audit_;
  std::string admin_;
  int64_t area_a_ = 0;
  int64_t area_b_ = 0;
};

// The fixture's kvod and helpers outside of a test, for the benches: call
// SetUp (after setting extra_kvod_args_ and policy_edits_) and TearDown.
class KvodEnv final : public KvodFixture {
 public:
  void TestBody() override {}
  using KvodFixture::admin_;
  using KvodFixture::AdmitToDoor;
  using KvodFixture::area_a_;
  using KvodFixture::area_b_;
  using KvodFixture::data_;
  using KvodFixture::extra_kvod_args_;
  using KvodFixture::kvod_;
  using KvodFixture::MakeUser;
  using KvodFixture::policy_edits_;
  using KvodFixture::SetUp;
  using KvodFixture::TearDown;
  using KvodFixture::tmp_;
};

}  // namespace kvo::testing

#endif  // KVO_TESTS_SUPPORT_KVOD_FIXTURE_H_
