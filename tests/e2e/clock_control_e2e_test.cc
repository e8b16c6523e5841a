// TestingService/AdvanceClock through the real kvod: refused (and audited)
// under the shipped policy and under a policy without clock control, never
// backwards, never more than 31 days a call, admin only; and a collective
// warning leaves the door once the clock was moved past its end.
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kvo/v1/gallery.grpc.pb.h"
#include "kvo/v1/testing.grpc.pb.h"
#include "tests/support/registry_fixture.h"

namespace kvo::testing {
namespace {

using ::testing::HasSubstr;
using namespace kvo::v1;

constexpr int64_t kDay = 24 * 3600;
constexpr char kAccessRows[] =
    "access { method: \"kvo.v1.TestingService/AdvanceClock\" any_area: "
    "[ROLE_ADMIN] }\n"
    "access { method: \"kvo.v1.TestingService/GetClock\" any_area: "
    "[ROLE_ADMIN] }\n";

class ClockControlE2E : public RegistryFixture {
 protected:
  grpc::Status Advance(int64_t seconds, const std::string& token,
                       ClockState* out = nullptr, bool run_jobs = false) {
    auto stub = TestingService::NewStub(kvod_->Channel());
    AdvanceClockRequest req;
    req.set_seconds(seconds);
    req.set_reason("clock test");
    req.set_run_jobs(run_jobs);
    ClockState state;
    grpc::Status s = stub->AdvanceClock(Ctx(token).get(), req, &state);
    if (out != nullptr) *out = state;
    return s;
  }
  int64_t Offset() {
    auto stub = TestingService::NewStub(kvod_->Channel());
    ClockState state;
    grpc::Status s = stub->GetClock(Ctx(admin_).get(), {}, &state);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return state.offset_seconds();
  }
  int64_t Audited(const std::string& action, const std::string& outcome) {
    return Count(
        absl::StrCat("SELECT count(*) FROM audit_entries WHERE action "
                     "= '",
                     action, "' AND outcome = '", outcome, "'"));
  }
};

class ShippedPolicy : public ClockControlE2E {};

TEST_F(ShippedPolicy, RefusesAndAudits) {
  grpc::Status s = Advance(kDay, admin_);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Audited("kvo.v1.TestingService/AdvanceClock", "denied"), 1);
}

class AccessWithoutClockControl : public ClockControlE2E {
 protected:
  AccessWithoutClockControl() {
    policy_edits_ = {{"audit {", absl::StrCat(kAccessRows, "audit {")}};
  }
};

TEST_F(AccessWithoutClockControl, RefusesAndAudits) {
  grpc::Status s = Advance(kDay, admin_);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("clock_control"));
  EXPECT_EQ(Audited("testing.advance_clock", "denied"), 1);
  EXPECT_EQ(Audited("testing.advance_clock", "ok"), 0);
}

class ClockControlOn : public ClockControlE2E {
 protected:
  ClockControlOn() {
    policy_edits_ = {
        {"audit {", absl::StrCat("testing { clock_control: true }\n",
                                 kAccessRows, "audit {")}};
  }
};

TEST_F(ClockControlOn, NeverBackwardsNorMoreThanAMonthNorForOthers) {
  for (int64_t seconds : {int64_t{-kDay}, int64_t{0}, 31 * kDay + 1}) {
    grpc::Status s = Advance(seconds, admin_);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << seconds;
    EXPECT_THAT(s.error_message(), HasSubstr("seconds"));
  }
  EXPECT_EQ(Audited("testing.advance_clock", "denied"), 3);
  EXPECT_EQ(Offset(), 0);
  EXPECT_EQ(Advance(kDay, police_).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Offset(), 0);
  ClockState state;
  ASSERT_TRUE(Advance(31 * kDay, admin_, &state).ok());
  EXPECT_EQ(state.offset_seconds(), 31 * kDay);
  EXPECT_EQ(Audited("testing.advance_clock", "ok"), 1);
  // Sessions end on kvod's clock too: a month later the token is over.
  grpc::Status over = Advance(kDay, admin_);
  EXPECT_EQ(over.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  admin_ = Login("root");
  EXPECT_EQ(Offset(), 31 * kDay);
}

// The door's delta sync: entries and removals since `since`; the version.
struct DoorView {
  std::vector<GalleryEntry> entries;
  std::vector<int64_t> removed;
  int64_t version = 0;
};
DoorView Sync(GalleryService::Stub& stub, const std::string& token,
              int64_t since) {
  SyncGalleryRequest req;
  req.set_since_version(since);
  auto ctx = Ctx(token);
  auto reader = stub.SyncGallery(ctx.get(), req);
  DoorView view;
  GalleryUpdate update;
  while (reader->Read(&update)) {
    if (update.has_entry()) view.entries.push_back(update.entry());
    if (update.update_case() == GalleryUpdate::kRemovedEntryId) {
      view.removed.push_back(update.removed_entry_id());
    }
    if (update.has_version()) view.version = update.version().version();
  }
  grpc::Status s = reader->Finish();
  EXPECT_TRUE(s.ok()) << s.error_message();
  return view;
}

TEST_F(ClockControlOn, AWarningLeavesTheDoorAYearLater) {
  AdmitToDoor(area_a_);
  const Person person = MakePerson("Jaarlater");
  Card card;
  ASSERT_TRUE(Issue(Incident(person.id()), &card).ok());
  ASSERT_EQ(card.kind(), CARD_KIND_COLLECTIVE_WARNING);
  auto gallery = GalleryService::NewStub(kvod_->Channel());
  const DoorView first = Sync(*gallery, shopkeeper_, 0);
  ASSERT_EQ(first.entries.size(), 1u);

  // Eleven months: still in force.
  for (int i = 0; i < 11; ++i) {
    ASSERT_TRUE(Advance(31 * kDay, admin_, nullptr, /*run_jobs=*/true).ok());
    admin_ = Login("root");  // sessions end on kvod's clock
  }
  shopkeeper_ = Login("bakker");
  EXPECT_TRUE(Sync(*gallery, shopkeeper_, first.version).removed.empty());
  // Past its end (the 12th step ends at 372 days): the entry goes.
  ASSERT_TRUE(Advance(31 * kDay, admin_, nullptr, /*run_jobs=*/true).ok());
  shopkeeper_ = Login("bakker");
  const DoorView later = Sync(*gallery, shopkeeper_, first.version);
  EXPECT_EQ(later.removed, std::vector<int64_t>{first.entries[0].entry_id()});
  EXPECT_TRUE(Sync(*gallery, shopkeeper_, 0).entries.empty());
}

}  // namespace
}  // namespace kvo::testing
