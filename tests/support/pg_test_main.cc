// main() for test binaries that need PostgreSQL: one cluster per binary.
#include <gmock/gmock.h>

#include "tests/support/pg_environment.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleMock(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new kvo::testing::PgEnvironment());
  return RUN_ALL_TESTS();
}
