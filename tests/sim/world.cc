#include "tests/sim/world.h"

#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "services/common/crypto.h"
#include "services/common/source_dir.h"

namespace kvo::sim {
namespace fs = std::filesystem;
using namespace kvo::v1;

namespace {

constexpr int64_t kDaySeconds = 24 * 3600;

// The shipped policy, changed only where a simulation needs it.
absl::Status WritePolicy(const fs::path& out) {
  std::ifstream in(fs::path(KVO_SOURCE_DIR) / "policy" / "default.textproto");
  std::stringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  const std::vector<std::pair<std::string, std::string>> edits = {
      // Clock control and the one role that may use it.
      {"audit {",
       "testing { clock_control: true }\n"
       "access { method: \"kvo.v1.TestingService/AdvanceClock\" any_area: "
       "[ROLE_ADMIN] }\n"
       "access { method: \"kvo.v1.TestingService/GetClock\" any_area: "
       "[ROLE_ADMIN] }\n"
       "audit {"},
      // A simulated year passes in real minutes: per-hour limits would
      // count a year of door traffic as one hour's.
      {"gallery_syncs_per_hour: 600", "gallery_syncs_per_hour: 1000000"},
      {"photo_reads_per_hour: 200", "photo_reads_per_hour: 1000000"},
      {"logins_per_address_per_minute: 20",
       "logins_per_address_per_minute: 1000000"},
  };
  for (const auto& [was, now] : edits) {
    const size_t at = s.find(was);
    if (at == std::string::npos) {
      return absl::FailedPreconditionError(
          absl::StrCat("policy/default.textproto has no '", was, "'"));
    }
    s.replace(at, was.size(), now);
  }
  std::ofstream(out) << s;
  return absl::OkStatus();
}

}  // namespace

std::unique_ptr<World> World::Start(std::string* error) {
  if (!common::InitCrypto()) {
    *error = "libsodium cannot initialise";
    return nullptr;
  }
  auto world = std::unique_ptr<World>(new World());
  world->data_ = world->tmp_.path() / "data";
  world->policy_ = world->tmp_.path() / "policy.textproto";
  if (auto s = WritePolicy(world->policy_); !s.ok()) {
    *error = std::string(s.message());
    return nullptr;
  }
  world->provider_secret_ = world->tmp_.path() / "provider.secret";
  std::ofstream(world->provider_secret_) << kProviderSecret << "\n";
  ::chmod(world->provider_secret_.c_str(), 0600);
  if (!world->Launch(error)) return nullptr;
  return world;
}

World::~World() {
  if (kvod_ != nullptr) kvod_->Stop();
}

bool World::Launch(std::string* error) {
  std::vector<std::string> args = {
      "--policy=" + policy_.string(),
      "--clock-offset-days=" + std::to_string(offset_days_),
      "--donations-secret-file=" + provider_secret_.string()};
  // Clients keep the address across restarts.
  if (!address_.empty()) args.push_back("--listen=" + address_);
  kvod_ = kvo::testing::KvodProcess::Start(data_, args);
  if (kvod_ == nullptr) {
    *error = "kvod did not start";
    return false;
  }
  address_ = kvod_->address();
  auto channel = kvod_->Channel();
  identity_ = IdentityService::NewStub(channel);
  registry_ = RegistryService::NewStub(channel);
  gallery_ = GalleryService::NewStub(channel);
  privacy_ = PrivacyService::NewStub(channel);
  audit_ = AuditService::NewStub(channel);
  retention_ = RetentionService::NewStub(channel);
  cycle_ = CycleService::NewStub(channel);
  testing_ = TestingService::NewStub(channel);
  donations_ = DonationService::NewStub(channel);
  reports_ = ReportService::NewStub(channel);
  keys_ = KeyService::NewStub(channel);
  return true;
}

bool World::NextDay(std::vector<std::string>* erased_persons,
                    std::string* error) {
  AdvanceClockRequest req;
  req.set_seconds(kDaySeconds);
  req.set_reason("simulation: next day");
  req.set_run_jobs(true);
  ClockState state;
  grpc::Status s = testing_->AdvanceClock(Ctx(admin).get(), req, &state);
  if (!s.ok()) {
    *error =
        absl::StrCat("AdvanceClock: ", s.error_code(), " ", s.error_message());
    return false;
  }
  ++offset_days_;
  // Sessions end on kvod's clock: a day later, the operator logs in again.
  admin = Login("root");
  erased_persons->assign(state.erased_persons().begin(),
                         state.erased_persons().end());
  return true;
}

bool World::Restart(bool kill, std::string* error) {
  if (kill) {
    kvod_->process().Signal(SIGKILL);
    kvod_->process().Wait(std::chrono::seconds(60));
  } else {
    kvod_->Stop();
  }
  kvod_.reset();
  return Launch(error);
}

absl::Time World::Now() const {
  return absl::Now() + absl::Hours(24) * offset_days_;
}

std::unique_ptr<grpc::ClientContext> World::Ctx(
    const std::string& token) const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(60));
  if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
  return ctx;
}

World::DoorSync World::SyncDoor(const std::string& token, int64_t since) {
  kvo::v1::SyncGalleryRequest req;
  req.set_since_version(since);
  auto ctx = Ctx(token);
  auto reader = gallery().SyncGallery(ctx.get(), req);
  DoorSync r;
  kvo::v1::GalleryUpdate update;
  while (reader->Read(&update)) {
    if (update.has_entry()) r.entries.push_back(update.entry());
    if (update.update_case() == kvo::v1::GalleryUpdate::kRemovedEntryId) {
      r.removed.push_back(update.removed_entry_id());
    }
    if (update.has_version()) r.version = update.version();
  }
  r.status = reader->Finish();
  return r;
}

std::string World::Bootstrap(std::string* error) {
  BootstrapRequest boot;
  boot.set_code(kvod_->bootstrap_code());
  boot.set_login("root");
  boot.set_display_name("Simulation operator");
  boot.set_password(kSimPassword);
  BootstrapResponse booted;
  grpc::Status s = identity_->Bootstrap(Ctx("").get(), boot, &booted);
  if (!s.ok()) {
    *error = "bootstrap: " + s.error_message();
    return "";
  }
  admin = Login("root");
  return admin;
}

std::string World::Login(const std::string& login) {
  LoginRequest req;
  req.set_login(login);
  req.set_password(kSimPassword);
  LoginResponse resp;
  grpc::Status s = identity_->Login(Ctx("").get(), req, &resp);
  return s.ok() ? resp.token() : "";
}

}  // namespace kvo::sim
