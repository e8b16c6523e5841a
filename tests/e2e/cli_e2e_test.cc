// The identity and audit commands of the real kvo binary against the real
// kvod (embedded PostgreSQL, TLS): what a person types, end to end.
#include <pqxx/pqxx>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/kvod_process.h"
#include "tests/support/pg_environment.h"

namespace kvo::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kPassword[] = "correct horse battery staple\n";

TEST(KvoCliE2E, BootstrapEnrollLoginWhoAmILogoutAndAuditVerify) {
  TempDir tmp;
  const auto data = tmp.path() / "data";
  auto kvod = KvodProcess::Start(data);
  ASSERT_NE(kvod, nullptr);
  ASSERT_FALSE(kvod->bootstrap_code().empty());

  // The first admin, with the code kvod printed; the code works once.
  CommandResult boot =
      kvod->Kvo({"bootstrap", kvod->bootstrap_code(), "--login", "root",
                 "--name", "Operator", "--password-stdin"},
                kPassword);
  ASSERT_EQ(boot.exit_code, 0) << Describe(boot);
  CommandResult again =
      kvod->Kvo({"bootstrap", kvod->bootstrap_code(), "--login", "root2",
                 "--name", "Operator", "--password-stdin"},
                kPassword);
  EXPECT_EQ(again.exit_code, 1) << Describe(again);
  EXPECT_THAT(again.err, HasSubstr("UNAUTHENTICATED"));

  CommandResult wrong = kvod->Kvo(
      {"login", "--login", "root", "--password-stdin"}, "not the password\n");
  EXPECT_EQ(wrong.exit_code, 1) << Describe(wrong);
  EXPECT_THAT(wrong.err, HasSubstr("wrong login or password"));
  CommandResult login =
      kvod->Kvo({"login", "--login", "root", "--password-stdin"}, kPassword);
  ASSERT_EQ(login.exit_code, 0) << Describe(login);
  CommandResult me = kvod->Kvo({"whoami"});
  ASSERT_EQ(me.exit_code, 0) << Describe(me);
  EXPECT_EQ(Field(me.out, "login"), "root");
  EXPECT_EQ(Field(me.out, "role"), "beheerder");

  CommandResult area =
      kvod->Kvo({"area", "create", "--name", "Binnenstad", "--kind",
                 "shopping_area", "--municipality", "Deventer"});
  ASSERT_EQ(area.exit_code, 0) << Describe(area);
  const std::string area_id = Field(area.out, "id");
  ASSERT_FALSE(area_id.empty()) << area.out;
  CommandResult created =
      kvod->Kvo({"principal", "create", "--login", "bakker", "--name",
                 "Bakkerij", "--role", "shopkeeper", "--area", area_id});
  ASSERT_EQ(created.exit_code, 0) << Describe(created);
  const std::string code = Field(created.out, "enrollment_code");
  ASSERT_FALSE(code.empty()) << created.out;
  CommandResult bad_role =
      kvod->Kvo({"principal", "create", "--login", "x.y", "--name", "X",
                 "--role", "sheriff", "--area", area_id});
  EXPECT_EQ(bad_role.exit_code, 2) << Describe(bad_role);
  EXPECT_THAT(bad_role.err, HasSubstr("unknown role 'sheriff'"));

  // The audit log is intact, and an inclusion proof checks out in kvo.
  std::string verified;
  for (int i = 0; i < 50 && verified.empty(); ++i) {
    CommandResult v = kvod->Kvo({"audit", "verify"});
    ASSERT_EQ(v.exit_code, 0) << Describe(v);
    if (std::stoi(Field(v.out, "entries_checked")) >= 4) verified = v.out;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_FALSE(verified.empty()) << "the sequencer did not sign the entries";
  EXPECT_EQ(Field(verified, "ok"), "ja");
  EXPECT_EQ(Field(verified, "latest_signature"), "verified");
  CommandResult prove = kvod->Kvo({"audit", "prove", "--index", "1"});
  EXPECT_EQ(prove.exit_code, 0) << Describe(prove);

  // The shopkeeper enrolls (once), logs in, and may not read the audit log.
  CommandResult enroll =
      kvod->Kvo({"enroll", code, "--password-stdin"}, kPassword);
  ASSERT_EQ(enroll.exit_code, 0) << Describe(enroll);
  CommandResult reused =
      kvod->Kvo({"enroll", code, "--password-stdin"}, kPassword);
  EXPECT_EQ(reused.exit_code, 1) << Describe(reused);
  EXPECT_THAT(reused.err, HasSubstr("not valid"));
  ASSERT_EQ(
      kvod->Kvo({"login", "--login", "bakker", "--password-stdin"}, kPassword)
          .exit_code,
      0);
  EXPECT_EQ(Field(kvod->Kvo({"whoami"}).out, "login"), "bakker");
  CommandResult denied = kvod->Kvo({"audit", "verify"});
  EXPECT_EQ(denied.exit_code, 1) << Describe(denied);
  EXPECT_THAT(denied.err, HasSubstr("PERMISSION_DENIED"));
  ASSERT_EQ(kvod->Kvo({"logout"}).exit_code, 0);
  CommandResult after = kvod->Kvo({"whoami"});
  EXPECT_NE(after.exit_code, 0) << Describe(after);

  // Someone edits an audit row in PostgreSQL: verify names it, exits 1.
  {
    pqxx::connection conn(EmbeddedConninfo(data));
    pqxx::work tx(conn);
    tx.exec0("UPDATE audit_entries SET purpose = 'curiosity' WHERE seq = 2");
    tx.commit();
  }
  ASSERT_EQ(
      kvod->Kvo({"login", "--login", "root", "--password-stdin"}, kPassword)
          .exit_code,
      0);
  CommandResult tampered = kvod->Kvo({"audit", "verify"});
  EXPECT_EQ(tampered.exit_code, 1) << Describe(tampered);
  EXPECT_EQ(Field(tampered.out, "ok"), "nee");
  EXPECT_EQ(Field(tampered.out, "first_bad_index"), "2");
  EXPECT_THAT(Field(tampered.out, "problem"), HasSubstr("entry 2"));
  EXPECT_EQ(kvod->Stop(), 0);
}

}  // namespace
}  // namespace kvo::testing
