// main() for test binaries that need PostgreSQL: one cluster per binary.
#include <gmock/gmock.h>

#include "services/audit/audit_mac.h"
#include "services/common/crypto.h"
#include "services/common/row_seal.h"
#include "tests/support/pg_environment.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleMock(&argc, argv);
  // Code under test appends audit entries; they carry a MAC like kvod's.
  if (!kvo::common::InitCrypto()) return 1;
  kvo::audit::InstallProcessAuditMac(
      std::make_shared<const kvo::audit::AuditMac>(
          kvo::common::SecretKey::FromBytes(std::string(32, 'm')).value()));
  // Stores seal and check the rows that grant access like kvod's.
  kvo::common::InstallProcessRowSeal(
      std::make_shared<const kvo::common::RowSeal>(
          kvo::common::SecretKey::FromBytes(std::string(32, 's')).value()));
  ::testing::AddGlobalTestEnvironment(new kvo::testing::PgEnvironment());
  return RUN_ALL_TESTS();
}
