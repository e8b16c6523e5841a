#ifndef KVO_TESTS_SIM_WORLD_H_
#define KVO_TESTS_SIM_WORLD_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "kvo/v1/audit.grpc.pb.h"
#include "kvo/v1/cycle.grpc.pb.h"
#include "kvo/v1/donations.grpc.pb.h"
#include "kvo/v1/gallery.grpc.pb.h"
#include "kvo/v1/identity.grpc.pb.h"
#include "kvo/v1/keys.grpc.pb.h"
#include "kvo/v1/privacy.grpc.pb.h"
#include "kvo/v1/registry.grpc.pb.h"
#include "kvo/v1/reports.grpc.pb.h"
#include "kvo/v1/retention.grpc.pb.h"
#include "kvo/v1/testing.grpc.pb.h"
#include "tests/support/kvod_process.h"
#include "tests/support/pg_environment.h"

namespace kvo::sim {

// The real kvod the simulation drives, and the stubs of its public API.
// kvod runs the shipped policy (policy/default.textproto) with clock
// control and its access rows added, and rate limits a simulated year of
// door syncs in a few real minutes does not trip. Its clock moves only
// through TestingService/AdvanceClock; a restart starts it again on the
// same data with --clock-offset-days, so time never goes back. Not
// thread-safe.
class World final {
 public:
  // A fresh kvod in a temporary directory; nullptr (and `error`) when it
  // does not start.
  static std::unique_ptr<World> Start(std::string* error);
  ~World();

  // Moves kvod's clock a day and runs its time jobs at the new time;
  // `erased_persons` whom the retention run erased ("person:<pseudonym>").
  bool NextDay(std::vector<std::string>* erased_persons, std::string* error);
  // kvod stopped (SIGTERM) or killed (SIGKILL), then started again on the
  // same data at the same clock.
  bool Restart(bool kill, std::string* error);
  // kvod's clock as the simulation holds it (real time plus the offset).
  absl::Time Now() const;
  int offset_days() const { return offset_days_; }
  // The door page ("https://127.0.0.1:PORT/", a free port on every start)
  // and the CA its certificate is signed by.
  std::string door_url() const { return kvod_->door_url(); }
  std::string ca_path() const { return kvod_->ca_path(); }

  std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token) const;
  // A door's SyncGallery from `since`, read to its end.
  struct DoorSync {
    grpc::Status status;
    std::vector<kvo::v1::GalleryEntry> entries;
    std::vector<int64_t> removed;
    kvo::v1::GalleryVersion version;
  };
  DoorSync SyncDoor(const std::string& token, int64_t since);
  // Bootstrap (first call only), create, enrol and log in.
  std::string Bootstrap(std::string* error);
  std::string Login(const std::string& login);

  kvo::v1::IdentityService::Stub& identity() { return *identity_; }
  kvo::v1::RegistryService::Stub& registry() { return *registry_; }
  kvo::v1::GalleryService::Stub& gallery() { return *gallery_; }
  kvo::v1::PrivacyService::Stub& privacy() { return *privacy_; }
  kvo::v1::AuditService::Stub& audit() { return *audit_; }
  kvo::v1::RetentionService::Stub& retention() { return *retention_; }
  kvo::v1::CycleService::Stub& cycle() { return *cycle_; }
  kvo::v1::TestingService::Stub& testing() { return *testing_; }
  kvo::v1::DonationService::Stub& donations() { return *donations_; }
  kvo::v1::ReportService::Stub& reports() { return *reports_; }
  kvo::v1::KeyService::Stub& keys() { return *keys_; }

  // The payment provider's shared secret (kvod has it from
  // --donations-secret-file).
  static constexpr char kProviderSecret[] = "simulated-provider-secret";

  // The admin's token (after Bootstrap).
  std::string admin;

 private:
  World() = default;
  bool Launch(std::string* error);

  kvo::testing::TempDir tmp_;
  std::filesystem::path data_;
  std::filesystem::path policy_;
  std::filesystem::path provider_secret_;
  std::string address_;
  std::unique_ptr<kvo::testing::KvodProcess> kvod_;
  int offset_days_ = 0;
  std::unique_ptr<kvo::v1::IdentityService::Stub> identity_;
  std::unique_ptr<kvo::v1::RegistryService::Stub> registry_;
  std::unique_ptr<kvo::v1::GalleryService::Stub> gallery_;
  std::unique_ptr<kvo::v1::PrivacyService::Stub> privacy_;
  std::unique_ptr<kvo::v1::AuditService::Stub> audit_;
  std::unique_ptr<kvo::v1::RetentionService::Stub> retention_;
  std::unique_ptr<kvo::v1::CycleService::Stub> cycle_;
  std::unique_ptr<kvo::v1::TestingService::Stub> testing_;
  std::unique_ptr<kvo::v1::DonationService::Stub> donations_;
  std::unique_ptr<kvo::v1::ReportService::Stub> reports_;
  std::unique_ptr<kvo::v1::KeyService::Stub> keys_;
};

// The password every simulated principal has.
inline constexpr char kSimPassword[] = "simulated horse battery staple";

}  // namespace kvo::sim

#endif  // KVO_TESTS_SIM_WORLD_H_
