// The data-subject request's rules: deadline, days left, lateness, which
// steps a request allows, the order of the list.
#include "services/privacy/subject_request_rules.h"

#include <algorithm>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/dutch_date.h"

namespace kvo::privacy {
namespace {

using absl::CivilDay;
using ::testing::HasSubstr;

RequestState Request(int64_t id, RequestKind kind, CivilDay received,
                     std::optional<CivilDay> closed = std::nullopt) {
  return {id, kind, received, DueOn(received, 28), closed};
}

TEST(SubjectRequestRulesTest, DeadlineDaysLeftAndLateness) {
  const CivilDay today(2026, 11, 30);
  struct Case {
    const char* name;
    CivilDay received;
    std::optional<CivilDay> closed;
    CivilDay due;
    int days_left;
    bool late;
  } cases[] = {
      {"received today", today, std::nullopt, CivilDay(2026, 12, 28), 28,
       false},
      {"due today is not late", CivilDay(2026, 11, 2), std::nullopt, today, 0,
       false},
      {"one day past", CivilDay(2026, 11, 1), std::nullopt,
       CivilDay(2026, 11, 29), -1, true},
      {"over a leap day, closed on the deadline", CivilDay(2028, 2, 10),
       CivilDay(2028, 3, 9), CivilDay(2028, 3, 9), 0, false},
      {"closed in time stays in time", CivilDay(2026, 10, 1),
       CivilDay(2026, 10, 20), CivilDay(2026, 10, 29), 9, false},
      {"closed late stays late", CivilDay(2026, 10, 1), CivilDay(2026, 11, 5),
       CivilDay(2026, 10, 29), -7, true},
  };
  for (const Case& c : cases) {
    RequestState r = Request(1, RequestKind::kAccess, c.received, c.closed);
    EXPECT_EQ(r.due_on, c.due) << c.name;
    EXPECT_EQ(DaysLeft(r, today), c.days_left) << c.name;
    EXPECT_EQ(IsLate(r, today), c.late) << c.name;
  }
}

TEST(SubjectRequestRulesTest, StepsAllowedByKindAndState) {
  const CivilDay today(2026, 11, 30);
  const CivilDay received(2026, 11, 20);
  struct Case {
    RequestKind kind;
    bool open;
    bool export_ok, rectify_ok;
  } cases[] = {
      {RequestKind::kAccess, true, true, false},
      {RequestKind::kAccess, false, false, false},
      {RequestKind::kRectification, true, false, true},
      {RequestKind::kRectification, false, false, false},
      {RequestKind::kErasure, true, false, false},
      {RequestKind::kObjection, true, false, false},
  };
  for (const Case& c : cases) {
    const RequestState r =
        Request(7, c.kind, received,
                c.open ? std::nullopt : std::optional<CivilDay>(today));
    const absl::Status exp = CheckExport(r);
    const absl::Status rect = CheckRectify(r);
    EXPECT_EQ(exp.ok(), c.export_ok) << KindName(c.kind) << c.open;
    EXPECT_EQ(rect.ok(), c.rectify_ok) << KindName(c.kind) << c.open;
    for (const absl::Status& s : {exp, rect}) {
      if (s.ok()) continue;
      EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
      EXPECT_THAT(s.message(), HasSubstr("request_id: request 7"));
    }
    const absl::Status close = CheckClose(r, "granted", today, today);
    EXPECT_EQ(close.ok(), c.open);
  }
  const RequestState open = Request(7, RequestKind::kErasure, received);
  EXPECT_EQ(CheckClose(open, "maybe", today, today).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(CheckClose(open, "maybe", today, today).message(),
              HasSubstr("outcome"));
  EXPECT_THAT(CheckClose(open, "refused", received - 1, today).message(),
              HasSubstr("closed_on"));
  EXPECT_THAT(CheckClose(open, "refused", today + 1, today).message(),
              HasSubstr("closed_on"));
  EXPECT_TRUE(ClosingErases(open, "granted"));
  EXPECT_FALSE(ClosingErases(open, "refused"));
  EXPECT_FALSE(
      ClosingErases(Request(7, RequestKind::kAccess, received), "granted"));
  EXPECT_THAT(CheckReceived(today + 1, today).message(),
              HasSubstr("received_on"));
  EXPECT_TRUE(CheckReceived(today, today).ok());
}

TEST(SubjectRequestRulesTest, ListOrderOverdueFirstThenByDeadlineClosedLast) {
  const CivilDay today(2026, 11, 30);
  std::vector<RequestState> list = {
      Request(1, RequestKind::kAccess, CivilDay(2026, 11, 25)),
      Request(2, RequestKind::kAccess, CivilDay(2026, 10, 1), today),
      Request(3, RequestKind::kErasure, CivilDay(2026, 10, 20)),  // overdue
      Request(4, RequestKind::kAccess, CivilDay(2026, 11, 10)),
      Request(5, RequestKind::kAccess, CivilDay(2026, 10, 1),
              CivilDay(2026, 10, 5)),
      Request(6, RequestKind::kObjection, CivilDay(2026, 10, 10)),  // overdue
  };
  std::sort(list.begin(), list.end(),
            [&](const RequestState& a, const RequestState& b) {
              return ListsBefore(a, b, today);
            });
  std::vector<int64_t> ids;
  for (const auto& r : list) ids.push_back(r.id);
  EXPECT_THAT(ids, ::testing::ElementsAre(6, 3, 4, 1, 2, 5));
}

TEST(SubjectRequestRulesTest, NamesRoundTrip) {
  for (auto k : {RequestKind::kAccess, RequestKind::kRectification,
                 RequestKind::kErasure, RequestKind::kObjection}) {
    EXPECT_EQ(ParseKind(KindName(k)), k);
  }
  EXPECT_FALSE(ParseKind("complaint").has_value());
  EXPECT_TRUE(IsChannel("in_person"));
  EXPECT_FALSE(IsChannel("pigeon"));
}

TEST(DutchDateTest, WritesTheMonthInDutch) {
  EXPECT_EQ(common::DutchDate(2026, 11, 30), "30 november 2026");
  EXPECT_EQ(common::DutchDate(1990, 4, 1), "1 april 1990");
  EXPECT_EQ(common::DutchDate(2027, 3, 9), "9 maart 2027");
}

}  // namespace
}  // namespace kvo::privacy
