// Key rotation through the real kvod and kvo: an admin rotates while police
// register and read persons; kvod rewraps every data key in the background,
// retires the old key, and everything stays readable; then the root key,
// across a restart.
#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kvo/v1/keys.grpc.pb.h"
#include "tests/support/registry_fixture.h"
#include "tests/support/subprocess.h"

namespace kvo::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace kvo::v1;

using KeysE2E = RegistryFixture;

TEST_F(KeysE2E, RotationWhileServingKeepsEveryPersonReadable) {
  MakeUser("sleutelbeheer", ROLE_ADMIN, {});
  std::vector<Person> persons;
  for (int i = 0; i < 20; ++i) {
    persons.push_back(MakePerson(absl::StrCat("Voor", i)));
  }
  CommandResult login =
      kvod_->Kvo({"login", "--login", "sleutelbeheer", "--password-stdin"},
                 std::string(kPassword) + "\n");
  ASSERT_EQ(login.exit_code, 0) << Describe(login);
  CommandResult status = kvod_->Kvo({"keys", "status"});
  ASSERT_EQ(status.exit_code, 0) << Describe(status);
  EXPECT_THAT(status.out, HasSubstr("every data key is on version 1"));

  CommandResult bare = kvod_->Kvo({"keys", "rotate"});
  EXPECT_EQ(bare.exit_code, 2);
  EXPECT_THAT(bare.err, HasSubstr("--reason"));

  // Police keep registering and reading while the keys rotate.
  std::atomic<bool> stop{false};
  std::atomic<int> done{0};
  std::thread police([&] {
    for (int i = 0; !stop || done < 10; ++i) {
      Person p = MakePerson(absl::StrCat("Tijdens", i));
      GetPersonRequest get;
      get.set_person_id(persons[i % persons.size()].id());
      Person read;
      grpc::Status s = registry_->GetPerson(Ctx(police_).get(), get, &read);
      EXPECT_TRUE(s.ok()) << s.error_message();
      EXPECT_EQ(read.surname(), persons[i % persons.size()].surname());
      ++done;
    }
  });
  CommandResult rotate =
      kvod_->Kvo({"keys", "rotate", "--reason", "jaarlijkse sleutelrotatie"});
  ASSERT_EQ(rotate.exit_code, 0) << Describe(rotate);
  EXPECT_THAT(rotate.out, HasSubstr("current"));

  // kvod rewraps in the background (every 10 s) and retires version 1.
  bool finished = false;
  for (int i = 0; i < 60 && !finished; ++i) {
    status = kvod_->Kvo({"keys", "status"});
    finished = status.out.find("every data key is on version 2") !=
                   std::string::npos &&
               status.out.find("retired") != std::string::npos;
    if (!finished) std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  stop = true;
  police.join();
  EXPECT_TRUE(finished) << Describe(status);
  EXPECT_EQ(Count("SELECT count(*) FROM data_keys WHERE kek_version <> 2",
                  "kvo_keys"),
            0);
  EXPECT_EQ(Count("SELECT count(*) FROM key_encryption_keys WHERE version = "
                  "1 AND wrapped_key IS NULL",
                  "kvo_keys"),
            1);
  for (const Person& p : persons) {
    GetPersonRequest get;
    get.set_person_id(p.id());
    Person read;
    grpc::Status s = registry_->GetPerson(Ctx(police_).get(), get, &read);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(read.surname(), p.surname());
  }
  EXPECT_EQ(Count("SELECT count(*) FROM audit_entries WHERE action = "
                  "'keys.rotate' AND purpose = 'jaarlijkse sleutelrotatie'"),
            1);

  // The root key next: every KEK is rewrapped by a new keys/root.key.
  CommandResult root = kvod_->Kvo(
      {"keys", "rotate", "--root", "--reason", "nieuwe hoofdsleutel"});
  ASSERT_EQ(root.exit_code, 0) << Describe(root);
  EXPECT_THAT(root.out, HasSubstr("root key"));
  EXPECT_THAT(root.out, Not(HasSubstr("never rotated")));
  // kvod starts again on the new file: everything opens, and name and date
  // of birth still find the person (the blind index did not change).
  const std::string address = kvod_->address();
  ASSERT_EQ(kvod_->Stop(), 0);
  kvod_ = KvodProcess::Start(
      data_, {"--policy=" + TestPolicy(tmp_.path(), policy_edits_).string(),
              "--listen", address});
  ASSERT_NE(kvod_, nullptr);
  GetPersonRequest get;
  get.set_person_id(persons[3].id());
  Person read;
  grpc::Status got = registry_->GetPerson(Ctx(police_).get(), get, &read);
  ASSERT_TRUE(got.ok()) << got.error_message();
  EXPECT_EQ(read.surname(), "Voor3");
  FindPersonRequest find;
  find.set_given_names("Jan Willem");
  find.set_surname_prefix("van der");
  find.set_surname("Voor3");
  find.set_date_of_birth("1990-04-01");
  FindPersonResponse found;
  ASSERT_TRUE(registry_->FindPerson(Ctx(police_).get(), find, &found).ok());
  ASSERT_EQ(found.matches_size(), 1);
  EXPECT_EQ(found.matches(0).id(), persons[3].id());
  EXPECT_EQ(Count("SELECT count(*) FROM audit_entries WHERE action = "
                  "'keys.rotate_root'"),
            1);

  // Only admins rotate; a shopkeeper cannot even see the status.
  auto keys = KeyService::NewStub(kvod_->Channel());
  KeyStatus out;
  EXPECT_EQ(keys->GetKeyStatus(Ctx(shopkeeper_).get(), {}, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  RotateKeysRequest req;
  req.set_reason("ik wil ook");
  EXPECT_EQ(keys->RotateKeys(Ctx(police_).get(), req, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace kvo::testing
