// The key store apart from the data, against a real PostgreSQL: a backup
// (scripts/backup, real pg_dump) restored after an erasure does not open the
// erased person; keys of an older layout move over; key rotation while
// others read and write.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <pqxx/pqxx>
#include <sstream>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/crypto.h"
#include "services/common/db_pool.h"
#include "services/common/embedded_postgres.h"
#include "services/common/source_dir.h"
#include "services/common/sql_values.h"
#include "services/keystore/pg_key_store.h"
#include "services/registry/key_ring.h"
#include "services/registry/person_erasure.h"
#include "services/registry/pg_registry_store.h"
#include "services/registry/vault.h"
#include "tests/support/pg_environment.h"
#include "tests/support/subprocess.h"

namespace kvo::registry {
namespace {

namespace fs = std::filesystem;
using kvo::testing::CommandResult;
using kvo::testing::Describe;
using kvo::testing::RunCommand;
using kvo::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

// The door's part of an erasure: the photo goes.
class PhotoSink final : public CardChangeSink {
 public:
  void CardsChanged(pqxx::transaction_base&,
                    const std::vector<ChangedCard>&) override {}
  void PersonErased(pqxx::transaction_base& tx, int64_t person_id) override {
    tx.exec0(absl::StrCat("DELETE FROM person_photos WHERE person_id = ",
                          person_id));
  }
  void CardsCommitted(const std::vector<ChangedCard>&) override {}
  void ShopMembersChanged(pqxx::transaction_base&) override {}
  void ShopMembersCommitted() override {}
};

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class KeyStorePgTest : public kvo::testing::PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    pool_ = std::make_unique<common::DbPool>(conninfo(), 8);
    key_pool_ = std::make_unique<common::DbPool>(keystore_conninfo(), 8);
    store_ = std::make_unique<keystore::PgKeyStore>(*key_pool_);
    auto ring = KeyRing::Open(root_, *store_);
    ASSERT_TRUE(ring.ok()) << ring.status();
    keys_ = std::move(*ring);
    pqxx::connection conn(conninfo());
    pqxx::work tx(conn);
    area_ = tx.exec1(
                  "INSERT INTO areas (name, kind, municipality) VALUES "
                  "('A', 'shopping_area', 'Deventer') RETURNING id")[0]
                .as<int64_t>();
    tx.commit();
  }

  // A person with a sealed surname and photo, registered as CreatePerson
  // does (the key store has the key before the data commits).
  absl::StatusOr<int64_t> Register(const std::string& surname) {
    return pool_->InTransaction(
        "register", [&](pqxx::work& tx) -> absl::StatusOr<int64_t> {
          OpenPerson p;
          p.row.id = PgRegistryStore::InsertPerson(
              tx, absl::StrCat("ps-", surname, "-", next_++), "b" + surname,
              area_, 0, absl::Now());
          auto key = keys_->CreateDataKey(p.row.id);
          if (!key.ok()) return key.status();
          p.key = std::move(*key);
          Vault vault(*keys_);
          PgRegistryStore::InsertPersonField(tx, p.row.id, "surname",
                                             vault.Seal(p, "surname", surname));
          tx.exec_params0(
              "INSERT INTO person_photos (person_id, sealed_jpeg, "
              "sealed_thumbnail, width, height) VALUES ($1, decode($2, "
              "'hex'), '\\x00', 1, 1)",
              p.row.id,
              common::HexEncode(vault.Seal(p, "photo", "jpeg of " + surname)));
          return p.row.id;
        });
  }

  // The surname and photo of `id` as the database `conn_info` and the
  // current key store give them.
  absl::StatusOr<std::string> Read(const std::string& conn_info, int64_t id) {
    pqxx::connection conn(conn_info);
    pqxx::work tx(conn);
    auto row = PgRegistryStore::PersonById(tx, id);
    if (!row) return absl::NotFoundError("no row");
    Vault vault(*keys_);
    auto person = vault.Open(tx, *row, {"surname"});
    if (!person.ok()) return person.status();
    auto sealed = tx.exec_params1(
        "SELECT encode(sealed_jpeg, 'hex') FROM person_photos WHERE "
        "person_id = $1",
        id);
    auto photo = vault.OpenValue(*person, "photo", common::SqlBytes(sealed[0]));
    if (!photo.ok()) return photo.status();
    return person->fields["surname"] + "|" + *photo;
  }

  void Erase(int64_t id) {
    PhotoSink sink;
    ASSERT_TRUE(pool_
                    ->InTransaction(
                        "erase",
                        [&](pqxx::work& tx) {
                          auto row = PgRegistryStore::PersonForUpdate(tx, id);
                          ErasePerson(tx, sink, *row, 0, absl::Now());
                          return absl::OkStatus();
                        })
                    .ok());
    DestroyErasedKeys(*pool_, *keys_, {id});
  }

  CommandResult Backup(const fs::path& out) {
    return RunCommand({std::string(KVO_SOURCE_DIR) + "/scripts/backup", "--out",
                       out.string(), "--database-url", conninfo(),
                       "--keystore-url", keystore_conninfo()});
  }

  common::SecretKey root_ = common::SecretKey::Generate();
  std::unique_ptr<common::DbPool> pool_, key_pool_;
  std::unique_ptr<keystore::PgKeyStore> store_;
  std::unique_ptr<KeyRing> keys_;
  int64_t area_ = 0;
  int next_ = 0;
};

TEST_F(KeyStorePgTest, AnOldDataBackupRestoredAfterAnErasureDoesNotOpenIt) {
  auto erased = Register("Aalders");
  auto kept = Register("Bakker");
  ASSERT_TRUE(erased.ok() && kept.ok());
  TempDir tmp;
  const fs::path out = tmp.path() / "backup";
  CommandResult backup = Backup(out);
  ASSERT_EQ(backup.exit_code, 0) << Describe(backup);
  EXPECT_THAT(backup.out, HasSubstr("at most 7 days"));
  const std::string data = ReadFile(out / "data.sql");
  const std::string keys = ReadFile(out / "keystore.sql");
  EXPECT_THAT(data, HasSubstr("COPY public.person_fields"));
  EXPECT_THAT(data, Not(HasSubstr("data_keys")));
  EXPECT_THAT(keys, HasSubstr("COPY public.data_keys"));
  EXPECT_EQ(fs::status(out / "keystore.sql").permissions() &
                (fs::perms::group_all | fs::perms::others_all),
            fs::perms::none);

  Erase(*erased);
  EXPECT_EQ(Read(conninfo(), *erased).status().code(),
            absl::StatusCode::kNotFound);

  // Last backup's data, restored beside today's key store.
  auto& pg = kvo::testing::PgEnvironment::Get()->postgres();
  const std::string restored_db = dbname() + "_restored";
  ASSERT_TRUE(pg.CreateDatabaseIfMissing(restored_db).ok());
  const std::string restored = pg.ConnectionString(restored_db);
  auto bin = common::FindPostgresBinDir();
  ASSERT_TRUE(bin.ok());
  CommandResult psql =
      RunCommand({(*bin / "psql").string(), "-q", "-v", "ON_ERROR_STOP=1", "-d",
                  restored, "-f", (out / "data.sql").string()});
  ASSERT_EQ(psql.exit_code, 0) << Describe(psql);

  // The erased person's fields and photo are in the restored data, and do
  // not open: their key is gone. Everyone else's do.
  auto old = Read(restored, *erased);
  EXPECT_EQ(old.status().code(), absl::StatusCode::kDataLoss) << old.status();
  EXPECT_THAT(old.status().message(), HasSubstr("no data key"));
  auto other = Read(restored, *kept);
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ(*other, "Bakker|jpeg of Bakker");
  EXPECT_TRUE(pg.DropDatabase(restored_db).ok());
}

TEST_F(KeyStorePgTest, ABackupIsRefusedIntoANonEmptyDirectory) {
  TempDir tmp;
  std::ofstream(tmp.path() / "last-week.sql") << "older backup";
  CommandResult backup = Backup(tmp.path());
  EXPECT_EQ(backup.exit_code, 2);
  EXPECT_THAT(backup.err, HasSubstr("--out"));
  EXPECT_THAT(backup.err, HasSubstr("not empty"));
  EXPECT_EQ(std::distance(fs::directory_iterator(tmp.path()),
                          fs::directory_iterator()),
            1);
  EXPECT_EQ(ReadFile(tmp.path() / "last-week.sql"), "older backup");
}

// scripts/backup keeps key-store backups at most retention.key_backup_days
// (7): an earlier backup's keystore.sql older than that is deleted when the
// next backup is written beside it; its data.sql stays.
TEST_F(KeyStorePgTest, ABackupDeletesKeyStoreBackupsOlderThanTheirDays) {
  TempDir tmp;
  const auto days_ago = [](int days) {
    return fs::file_time_type::clock::now() - std::chrono::hours(24 * days) -
           std::chrono::minutes(5);
  };
  for (const auto& [name, age] :
       {std::pair{"eight-days", 8}, std::pair{"six-days", 6}}) {
    fs::create_directories(tmp.path() / name);
    for (const char* file : {"data.sql", "keystore.sql", "MANIFEST"}) {
      std::ofstream(tmp.path() / name / file) << file;
      fs::last_write_time(tmp.path() / name / file, days_ago(age));
    }
  }
  CommandResult backup = Backup(tmp.path() / "today");
  ASSERT_EQ(backup.exit_code, 0) << Describe(backup);
  EXPECT_FALSE(fs::exists(tmp.path() / "eight-days" / "keystore.sql"));
  EXPECT_TRUE(fs::exists(tmp.path() / "eight-days" / "data.sql"));
  EXPECT_THAT(ReadFile(tmp.path() / "eight-days" / "MANIFEST"),
              HasSubstr("keystore.sql deleted"));
  EXPECT_THAT(backup.out, HasSubstr("eight-days/keystore.sql"));
  EXPECT_TRUE(fs::exists(tmp.path() / "six-days" / "keystore.sql"));
  EXPECT_TRUE(fs::exists(tmp.path() / "today" / "keystore.sql"));
}

// Keys an older kvod kept in the data database move to the key store, and
// everything still opens.
TEST_F(KeyStorePgTest, KeysOfTheOlderLayoutMoveToTheKeyStore) {
  auto fresh_pool = std::make_unique<common::DbPool>(conninfo(), 2);
  // A new key store beside data written the old way.
  const common::SecretKey kek = common::SecretKey::Generate();
  const common::SecretKey dek = common::SecretKey::Generate();
  int64_t id = 0;
  {
    pqxx::connection conn(conninfo());
    pqxx::work tx(conn);
    tx.exec0("DELETE FROM key_encryption_keys");
    tx.exec_params0(
        "INSERT INTO key_encryption_keys (version, wrapped_key) VALUES (7, "
        "decode($1, 'hex'))",
        common::HexEncode(common::WrapKey(root_, kek, "kek:7")));
    id =
        tx.exec1(absl::StrCat("INSERT INTO persons (pseudonym, blind_index, "
                              "registered_area_id) VALUES ('old', 'b', ",
                              area_, ") RETURNING id"))[0]
            .as<int64_t>();
    tx.exec_params0(
        "UPDATE persons SET kek_version = 7, wrapped_dek = decode($2, 'hex') "
        "WHERE id = $1",
        id,
        common::HexEncode(common::WrapKey(kek, dek, FieldBinding(id, "dek"))));
    tx.exec_params0(
        "INSERT INTO person_fields (person_id, field, sealed) VALUES ($1, "
        "'surname', decode($2, 'hex'))",
        id,
        common::HexEncode(
            common::Seal(dek, "Oldenburg", FieldBinding(id, "surname"))));
    tx.exec_params0(
        "INSERT INTO person_photos (person_id, sealed_jpeg, sealed_thumbnail, "
        "width, height) VALUES ($1, decode($2, 'hex'), '\\x00', 1, 1)",
        id,
        common::HexEncode(
            common::Seal(dek, "jpeg", FieldBinding(id, "photo"))));
    tx.commit();
  }
  const std::string store_name = dbname() + "_keys2";
  auto& pg = kvo::testing::PgEnvironment::Get()->postgres();
  ASSERT_TRUE(
      pg.CreateDatabaseIfMissing(
            store_name, kvo::testing::PgEnvironment::kKeyStoreTemplateDb)
          .ok());
  {
    common::DbPool key_pool(pg.ConnectionString(store_name), 2);
    keystore::PgKeyStore store(key_pool);
    // Twice: a second start finds nothing left to move.
    ASSERT_TRUE(MoveKeysToKeyStore(*fresh_pool, store).ok());
    ASSERT_TRUE(MoveKeysToKeyStore(*fresh_pool, store).ok());
    auto ring = KeyRing::Open(root_, store);
    ASSERT_TRUE(ring.ok()) << ring.status();
    EXPECT_EQ((*ring)->current_version(), 7);
    keys_ = std::move(*ring);
    auto read = Read(conninfo(), id);
    ASSERT_TRUE(read.ok()) << read.status();
    EXPECT_EQ(*read, "Oldenburg|jpeg");
    pqxx::connection conn(conninfo());
    pqxx::work tx(conn);
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM persons WHERE wrapped_dek IS "
                       "NOT NULL")[0]
                  .as<int>(),
              0);
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM key_encryption_keys")[0].as<int>(),
              0);
    keys_.reset();
  }
  EXPECT_TRUE(pg.DropDatabase(store_name).ok());
}

// Rotation while four writers register and read persons: nothing fails,
// every key moves to the new version, the old one is retired.
TEST_F(KeyStorePgTest, RotationUnderLoadKeepsEverythingReadable) {
  std::vector<int64_t> before;
  for (int i = 0; i < 300; ++i) {
    auto id = Register(absl::StrCat("Voor", i));
    ASSERT_TRUE(id.ok()) << id.status();
    before.push_back(*id);
  }
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0}, written{0};
  std::vector<std::thread> clients;
  std::mutex mu;
  std::vector<int64_t> during;
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&, c] {
      for (int i = 0; !stop; ++i) {
        auto id = Register(absl::StrCat("Tijdens", c, "x", i));
        if (!id.ok()) {
          ++failures;
          ADD_FAILURE() << id.status();
          continue;
        }
        ++written;
        {
          std::lock_guard<std::mutex> lock(mu);
          during.push_back(*id);
        }
        const int64_t old = before[(c * 37 + i) % before.size()];
        auto read = Read(conninfo(), old);
        if (!read.ok()) {
          ++failures;
          ADD_FAILURE() << read.status();
        }
      }
    });
  }
  auto v2 = keys_->Rotate();
  ASSERT_TRUE(v2.ok()) << v2.status();
  EXPECT_EQ(*v2, 2);
  // A second rotation while the first one's rewrap runs is refused.
  auto again = keys_->Rotate();
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(again.status().message(), HasSubstr("still running"));
  for (int step = 0; step < 1000; ++step) {
    auto moved = keys_->RewrapStep(25);
    ASSERT_TRUE(moved.ok()) << moved.status();
    if (*moved == 0) break;
  }
  while (written < 20 && failures == 0) std::this_thread::yield();
  stop = true;
  for (auto& t : clients) t.join();
  EXPECT_EQ(failures, 0);
  // Keys written under version 1 by a writer that raced the rotation are
  // rewrapped too.
  for (int step = 0; step < 100; ++step) {
    auto moved = keys_->RewrapStep(25);
    ASSERT_TRUE(moved.ok());
    if (*moved == 0) break;
  }
  auto status = keys_->Status();
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->current_version, 2);
  EXPECT_EQ(status->data_keys_behind, 0);
  ASSERT_EQ(status->versions.size(), 2u);
  EXPECT_TRUE(status->versions[0].retired_at.has_value());
  EXPECT_EQ(status->versions[0].data_keys, 0);
  EXPECT_EQ(status->versions[1].data_keys,
            static_cast<int64_t>(before.size() + during.size()));
  {
    pqxx::connection conn(keystore_conninfo());
    pqxx::work tx(conn);
    EXPECT_TRUE(
        tx.exec1("SELECT wrapped_key IS NULL FROM key_encryption_keys WHERE "
                 "version = 1")[0]
            .as<bool>());
  }
  // Everything opens, also through a kvod started after the rotation.
  auto fresh = KeyRing::Open(root_, *store_);
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  keys_ = std::move(*fresh);
  for (const auto& ids : {before, during}) {
    for (int64_t id : ids) {
      ASSERT_TRUE(Read(conninfo(), id).ok()) << id;
    }
  }
}

// Another kvod rotated: a new key wrapped with the version this one still
// thinks newest is refused by the key store, wrapped again and stored.
TEST_F(KeyStorePgTest, ANewKeyFollowsARotationByAnotherReplica) {
  auto other = KeyRing::Open(root_, *store_);
  ASSERT_TRUE(other.ok());
  ASSERT_EQ(keys_->current_version(), 1);
  ASSERT_TRUE((*other)->Rotate().ok());
  auto id = Register("Na");
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(keys_->current_version(), 2);
  pqxx::connection conn(keystore_conninfo());
  pqxx::work tx(conn);
  EXPECT_EQ(tx.exec_params1("SELECT kek_version FROM data_keys WHERE "
                            "person_id = $1",
                            *id)[0]
                .as<int>(),
            2);
  EXPECT_TRUE(Read(conninfo(), *id).ok());
}

// Root key rotation: every KEK and the blind-index key are rewrapped by a
// new root key, the root key file is replaced, the old key opens nothing
// any more, and the blind index (finding a person) does not change.
TEST_F(KeyStorePgTest, RootKeyRotationRewrapsTheKeysAndKeepsTheBlindIndex) {
  TempDir dir;
  const fs::path file = dir.path() / "keys" / "root.key";
  ASSERT_TRUE(common::WriteKeyFile(file, root_.bytes()).ok());
  auto ring = KeyRing::Open(root_, *store_, file);
  ASSERT_TRUE(ring.ok()) << ring.status();
  keys_ = std::move(*ring);
  // A replica that still holds the old root key after the rotation.
  auto replica = KeyRing::Open(root_, *store_);
  ASSERT_TRUE(replica.ok());
  const std::string blind = common::BlindIndex(keys_->blind_key(), "jan|1990");
  std::vector<int64_t> ids;
  for (const char* name : {"Aalders", "Bakker", "Claassen"}) {
    auto id = Register(name);
    ASSERT_TRUE(id.ok()) << id.status();
    ids.push_back(*id);
  }
  ASSERT_TRUE(keys_->Rotate().ok());  // two KEK versions to rewrap

  ASSERT_TRUE(keys_->RotateRoot().ok());
  auto new_root = common::LoadOrCreateKeyFile(file, "root key");
  ASSERT_TRUE(new_root.ok());
  EXPECT_NE(new_root->bytes(), root_.bytes());
  EXPECT_FALSE(fs::exists(file.string() + ".next"));
  auto status = keys_->Status();
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(status->root_rotated_at.has_value());
  EXPECT_EQ(status->root_key_id.size(), 16u);
  for (int64_t id : ids) EXPECT_TRUE(Read(conninfo(), id).ok()) << id;

  // A kvod starting with the new file opens everything, same blind index.
  auto fresh = KeyRing::Open(*new_root, *store_, file);
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  EXPECT_EQ(common::BlindIndex((*fresh)->blind_key(), "jan|1990"), blind);
  keys_ = std::move(*fresh);
  for (int64_t id : ids) EXPECT_TRUE(Read(conninfo(), id).ok()) << id;
  // The old root key opens nothing.
  auto old = KeyRing::Open(root_, *store_);
  EXPECT_EQ(old.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(old.status().message(), HasSubstr("another root key"));
  // The replica with the old key cannot add a KEK its peers cannot open.
  auto stale = (*replica)->Rotate();
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(stale.status().message(), HasSubstr("rotated by another kvod"));
  // A root key from KVO_ROOT_KEY is not kvod's to replace.
  EXPECT_EQ((*replica)->RotateRoot().code(),
            absl::StatusCode::kFailedPrecondition);
}

// kvod stopped half-way through a root key rotation: at the next start the
// key store decides whether root.key.next is the key (committed: it
// replaces root.key) or not (dropped).
TEST_F(KeyStorePgTest, ARootRotationCutShortIsFinishedOrDroppedAtStart) {
  TempDir dir;
  const fs::path file = dir.path() / "root.key";
  const fs::path next = file.string() + ".next";
  ASSERT_TRUE(common::WriteKeyFile(file, root_.bytes()).ok());
  auto id = Register("Dekker");
  ASSERT_TRUE(id.ok());

  // Never committed: a stray next file is dropped.
  ASSERT_TRUE(
      common::WriteKeyFile(next, common::SecretKey::Generate().bytes()).ok());
  auto ring = KeyRing::Open(root_, *store_, file);
  ASSERT_TRUE(ring.ok()) << ring.status();
  EXPECT_FALSE(fs::exists(next));

  // Committed but not renamed: the rotated key is put back as next and the
  // old one as root.key, as a crash between commit and rename leaves them.
  ASSERT_TRUE((*ring)->RotateRoot().ok());
  fs::rename(file, next);
  ASSERT_TRUE(common::WriteKeyFile(file, root_.bytes()).ok());
  auto again = KeyRing::Open(root_, *store_, file);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(fs::exists(next));
  auto now = common::LoadOrCreateKeyFile(file, "root key");
  ASSERT_TRUE(now.ok());
  EXPECT_NE(now->bytes(), root_.bytes());
  keys_ = std::move(*again);
  EXPECT_TRUE(Read(conninfo(), *id).ok());
}

}  // namespace
}  // namespace kvo::registry
