// Key rotation through the real kvod and kvo: an admin rotates while police
// register and read persons; kvod rewraps every data key in the background,
// retires the old key, and everything stays readable; then the root key,
// across a restart.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <pqxx/pqxx>
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
  EXPECT_THAT(rotate.out, HasSubstr("in gebruik"));

  // kvod rewraps in the background (every 10 s) and retires version 1.
  bool finished = false;
  for (int i = 0; i < 60 && !finished; ++i) {
    status = kvod_->Kvo({"keys", "status"});
    finished = status.out.find("every data key is on version 2") !=
                   std::string::npos &&
               status.out.find("buiten gebruik") != std::string::npos;
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

// Issue 25, attack 7: a deleted data key survived in the key store's files:
// as a dead row in the table's pages, and in pg_statistic, where kvod's own
// ANALYZE copied sampled keys. The key columns are never sampled, and the
// key tables are rewritten within 10 s of an erasure.
TEST_F(KeysE2E, AnErasedKeyLeavesNoDeadRowAndNoKeyIsEverSampled) {
  const std::string officer = MakeUser("fg.sleutels", ROLE_PRIVACY_OFFICER, {});
  std::vector<Person> persons;
  for (int i = 0; i < 30; ++i) {
    persons.push_back(MakePerson(absl::StrCat("Steekproef", i)));
  }
  // kvod analyses the key store's tables at start (they grew by more than
  // half), and any ANALYZE (autovacuum's) may run at any time.
  RestartWithClockAhead(0);
  if (HasFatalFailure()) return;
  registry_ = RegistryService::NewStub(kvod_->Channel());
  pqxx::connection keys(EmbeddedConninfo(data_, "kvo_keys"));
  pqxx::connection data(EmbeddedConninfo(data_, "kvo"));
  EXPECT_EQ(Count("SELECT count(*) FROM pg_stats WHERE tablename = "
                  "'data_keys' AND attname = 'person_id'",
                  "kvo_keys"),
            1)
      << "kvod's ANALYZE at start ran";
  {
    pqxx::nontransaction tx(keys);
    tx.exec("ANALYZE");
    pqxx::nontransaction dtx(data);
    dtx.exec("ANALYZE persons");
  }
  EXPECT_EQ(Count("SELECT count(*) FROM pg_stats WHERE (tablename, attname) "
                  "IN (('data_keys', 'wrapped_key'), ('key_encryption_keys', "
                  "'wrapped_key'), ('root_key', 'blind_key'))",
                  "kvo_keys"),
            0)
      << "no key column is sampled into pg_statistic";
  EXPECT_EQ(Count("SELECT count(*) FROM pg_stats WHERE tablename = 'persons' "
                  "AND attname = 'blind_index'"),
            0);

  // Registered after the restart (whose rewrite of the key tables moved
  // the WAL on): its key as written is in the current WAL.
  const Person gone = MakePerson("Gewist");
  std::string wrapped;
  {
    pqxx::work tx(keys);
    tx.exec0("CREATE EXTENSION IF NOT EXISTS pageinspect");
    wrapped = tx.exec_params1(
                    "SELECT encode(wrapped_key, 'hex') FROM "
                    "data_keys WHERE person_id = $1",
                    gone.id())[0]
                  .as<std::string>();
    tx.commit();
  }
  // How many of the key table's pages hold the erased key's bytes.
  auto pages_with_key = [&] {
    pqxx::work tx(keys);
    return tx
        .exec_params1(
            "SELECT count(*) FROM generate_series(0, pg_relation_size("
            "'data_keys') / 8192 - 1) b WHERE position(decode($1, 'hex') IN "
            "get_raw_page('data_keys', b::int)) > 0",
            wrapped)[0]
        .as<int64_t>();
  };
  ASSERT_EQ(pages_with_key(), 1);
  // Whether a file of the cluster's WAL holds the key's bytes.
  const std::string raw = [&] {
    std::string out;
    for (size_t i = 0; i + 1 < wrapped.size(); i += 2) {
      out.push_back(char(std::stoi(wrapped.substr(i, 2), nullptr, 16)));
    }
    return out;
  }();
  auto wal_with_key = [&] {
    int files = 0;
    for (const auto& e :
         std::filesystem::recursive_directory_iterator(data_ / "pg")) {
      if (!e.is_regular_file() ||
          e.path().parent_path().filename() != "pg_wal") {
        continue;
      }
      std::ifstream in(e.path(), std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
      if (bytes.find(raw) != std::string::npos) ++files;
    }
    return files;
  };
  EXPECT_GT(wal_with_key(), 0) << "the key as written is in the WAL";

  ErasePersonRequest erase;
  erase.set_person_id(gone.id());
  erase.set_reason("AVG-verzoek 2026-25");
  ErasePersonResponse erased;
  grpc::Status s = registry_->ErasePerson(Ctx(officer).get(), erase, &erased);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(Count("SELECT count(*) FROM data_keys WHERE person_id = " +
                      std::to_string(gone.id()),
                  "kvo_keys"),
            0);
  // Gone from the pages within the stated bound (10 s and the rewrite).
  const auto start = std::chrono::steady_clock::now();
  while (pages_with_key() > 0 &&
         std::chrono::steady_clock::now() - start < std::chrono::seconds(15)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  EXPECT_EQ(pages_with_key(), 0) << "the deleted key's dead row is still there";
  while (wal_with_key() > 0 &&
         std::chrono::steady_clock::now() - start < std::chrono::seconds(20)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  EXPECT_EQ(wal_with_key(), 0) << "the deleted key is still in the WAL";
  // Everyone else's key still opens.
  GetPersonRequest get;
  get.set_person_id(persons[4].id());
  Person read;
  s = registry_->GetPerson(Ctx(police_).get(), get, &read);
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(read.surname(), "Steekproef4");
}

}  // namespace
}  // namespace kvo::testing
