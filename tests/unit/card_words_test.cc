#include "services/common/card_words.h"

#include <gtest/gtest.h>

#include "services/common/local_time.h"

namespace kvo::common {
namespace {

absl::Time At(int y, int m, int d, int h, int min) {
  return absl::FromCivil(absl::CivilMinute(y, m, d, h, min), Amsterdam());
}

TEST(CardWordsTest, TheLastWholeDayIsTheDayBeforeTheEnd) {
  EXPECT_EQ(LastWholeDay(At(2027, 12, 7, 0, 16)), absl::CivilDay(2027, 12, 6));
  EXPECT_EQ(LastWholeDay(At(2027, 12, 8, 0, 0)), absl::CivilDay(2027, 12, 7));
  EXPECT_EQ(DoorCardLastDay(At(2026, 12, 8, 9, 30), "nl"),
            "geldig tot en met 7 december 2026");
  EXPECT_EQ(DoorCardLastDay(At(2026, 12, 8, 9, 30), "en"),
            "valid through 7 December 2026");
  // 23:30 UTC on 29 November is already 30 November in Amsterdam.
  EXPECT_EQ(
      DoorCardLastDay(absl::FromCivil(absl::CivilMinute(2027, 11, 29, 23, 30),
                                      absl::UTCTimeZone()),
                      "nl"),
      "geldig tot en met 29 november 2027");
}

TEST(CardWordsTest, TheShopsOwnBanIsNamedApartFromCollectiveCards) {
  EXPECT_EQ(DoorCardLabel(kvo::v1::CARD_KIND_INDIVIDUAL_BAN, "nl"),
            "Eigen winkelverbod van deze winkel");
  EXPECT_EQ(DoorCardLabel(kvo::v1::CARD_KIND_COLLECTIVE_BAN, "nl"),
            "Collectief winkelverbod");
  EXPECT_EQ(DoorCardLabel(kvo::v1::CARD_KIND_COLLECTIVE_WARNING, "nl"),
            "Collectieve waarschuwing");
  EXPECT_EQ(DoorCardLabel(kvo::v1::CARD_KIND_INDIVIDUAL_BAN, "en"),
            "This shop's own shop ban");
}

}  // namespace
}  // namespace kvo::common
