#include "services/identity/access_control.h"

#include <google/protobuf/descriptor.h>

#include <filesystem>
#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kvo/v1/audit.pb.h"
#include "kvo/v1/cycle.pb.h"
#include "kvo/v1/donations.pb.h"
#include "kvo/v1/gallery.pb.h"
#include "kvo/v1/identity.pb.h"
#include "kvo/v1/keys.pb.h"
#include "kvo/v1/privacy.pb.h"
#include "kvo/v1/registry.pb.h"
#include "kvo/v1/reports.pb.h"
#include "kvo/v1/retention.pb.h"
#include "kvo/v1/testing.pb.h"
#include "services/common/policy_loader.h"
#include "services/common/source_dir.h"

namespace kvo::identity {
namespace {

namespace fs = std::filesystem;
using kvo::v1::ROLE_ADMIN;
using kvo::v1::ROLE_COORDINATOR;
using kvo::v1::ROLE_SHOPKEEPER;

kvo::v1::Policy DefaultPolicy() {
  auto policy = common::LoadPolicyFile(fs::path(KVO_SOURCE_DIR) / "policy" /
                                       "default.textproto");
  EXPECT_TRUE(policy.ok()) << policy.status();
  return policy.value_or(kvo::v1::Policy());
}

// Every RPC of every kvo.v1 service, from the .proto files on disk, so a
// new file or RPC is covered without touching this test.
std::vector<std::string> AllMethods() {
  // Linking the generated code registers the files in the pool.
  (void)kvo::v1::Principal::descriptor();
  (void)kvo::v1::AuditEntry::descriptor();
  (void)kvo::v1::Card::descriptor();
  (void)kvo::v1::GalleryEntry::descriptor();
  (void)kvo::v1::RetentionReport::descriptor();
  (void)kvo::v1::KeyStatus::descriptor();
  (void)kvo::v1::SubjectRequest::descriptor();
  (void)kvo::v1::ReductionReportRequest::descriptor();
  (void)kvo::v1::Claim::descriptor();
  (void)kvo::v1::CycleStatus::descriptor();
  (void)kvo::v1::ClockState::descriptor();
  std::vector<std::string> methods;
  for (const auto& entry :
       fs::directory_iterator(fs::path(KVO_SOURCE_DIR) / "proto/kvo/v1")) {
    const std::string name = "kvo/v1/" + entry.path().filename().string();
    const auto* file =
        google::protobuf::DescriptorPool::generated_pool()->FindFileByName(
            name);
    EXPECT_NE(file, nullptr) << name << " is not linked into kvo_proto";
    if (file == nullptr) continue;
    for (int s = 0; s < file->service_count(); ++s) {
      for (int m = 0; m < file->service(s)->method_count(); ++m) {
        methods.push_back(file->service(s)->full_name() + "/" +
                          file->service(s)->method(m)->name());
      }
    }
  }
  return methods;
}

TEST(AccessTableTest, EveryRpcHasExactlyOneRuleAndNoRuleIsStale) {
  const kvo::v1::Policy policy = DefaultPolicy();
  std::set<std::string> ruled;
  for (const auto& rule : policy.access()) ruled.insert(rule.method());
  const std::vector<std::string> methods = AllMethods();
  ASSERT_GT(methods.size(), 10u);
  for (const std::string& method : methods) {
    // Moving the clock is for tests and the simulation only: no shipped
    // policy grants it (their policies add the row).
    if (method.starts_with("kvo.v1.TestingService/")) {
      EXPECT_FALSE(ruled.contains(method)) << method << " is for tests only";
      continue;
    }
    EXPECT_TRUE(ruled.contains(method))
        << "RPC " << method << " has no rule in policy/default.textproto";
  }
  for (const std::string& rule : ruled) {
    EXPECT_NE(std::find(methods.begin(), methods.end(), rule), methods.end())
        << "rule for " << rule << " names no RPC";
  }
}

// Login is public, so a principal of any role can hold a token: each must
// be able to end it and to ask who it is, in every shipped policy. Over the
// enum, so a role added later cannot be left out.
TEST(AccessTableTest, EveryRoleCanLogOutAndAskWhoItIs) {
  const auto* roles = kvo::v1::Role_descriptor();
  ASSERT_GT(roles->value_count(), 7);
  for (const char* file : {"default.textproto", "deventer.textproto"}) {
    auto policy =
        common::LoadPolicyFile(fs::path(KVO_SOURCE_DIR) / "policy" / file);
    ASSERT_TRUE(policy.ok()) << policy.status();
    AccessControl access(*policy);
    ASSERT_TRUE(access.IsPublic("kvo.v1.IdentityService/Login")) << file;
    for (int i = 0; i < roles->value_count(); ++i) {
      const auto role = static_cast<kvo::v1::Role>(roles->value(i)->number());
      if (role == kvo::v1::ROLE_UNSPECIFIED) continue;
      const Caller caller{1, role, {}, "someone"};
      for (const char* method :
           {"kvo.v1.IdentityService/Logout", "kvo.v1.IdentityService/WhoAmI"}) {
        EXPECT_TRUE(access.CheckRole(caller, method).ok())
            << file << ": " << roles->value(i)->name() << " may not call "
            << method;
        EXPECT_FALSE(access.LimitedToOwnAreas(caller, method))
            << file << ": " << roles->value(i)->name() << ", " << method
            << ": a principal without areas must reach it too";
      }
    }
  }
}

TEST(AccessControlTest, DeniesUnknownMethods) {
  AccessControl access(DefaultPolicy());
  Caller admin{1, ROLE_ADMIN, {}, "root"};
  EXPECT_EQ(
      access.CheckRole(admin, "kvo.v1.IdentityService/NoSuchThing").code(),
      absl::StatusCode::kPermissionDenied);
  EXPECT_FALSE(access.IsPublic("kvo.v1.IdentityService/NoSuchThing"));
}

TEST(AccessControlTest, AreaScopes) {
  AccessControl access(DefaultPolicy());
  const std::string create = "kvo.v1.IdentityService/CreatePrincipal";
  Caller admin{1, ROLE_ADMIN, {}, "root"};
  Caller coordinator{2, ROLE_COORDINATOR, {10, 11}, "coord"};
  Caller shopkeeper{3, ROLE_SHOPKEEPER, {10}, "shop"};
  EXPECT_TRUE(access.CheckAreas(admin, create, {99}).ok());
  EXPECT_TRUE(access.CheckAreas(coordinator, create, {10, 11}).ok());
  absl::Status other = access.CheckAreas(coordinator, create, {10, 12});
  EXPECT_EQ(other.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(other.message(), ::testing::HasSubstr("area 12"));
  EXPECT_EQ(access.CheckAreas(shopkeeper, create, {10}).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(access.LimitedToOwnAreas(coordinator, create));
  EXPECT_FALSE(access.LimitedToOwnAreas(admin, create));
  EXPECT_TRUE(access.IsPublic("kvo.v1.IdentityService/Login"));
}

TEST(AccessControlTest, PolicyValidationRejectsBrokenRules) {
  kvo::v1::Policy policy = DefaultPolicy();
  auto* dup = policy.add_access();
  *dup = policy.access(0);
  auto violations = common::ValidatePolicy(policy);
  ASSERT_FALSE(violations.empty());
  EXPECT_THAT(violations.back().requirement, ::testing::HasSubstr("unique"));

  kvo::v1::Policy both = DefaultPolicy();
  both.mutable_access(0)->add_any_area(ROLE_ADMIN);  // public and a role
  EXPECT_FALSE(common::ValidatePolicy(both).empty());
}

}  // namespace
}  // namespace kvo::identity
