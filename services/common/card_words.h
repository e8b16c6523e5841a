#ifndef KVO_SERVICES_COMMON_CARD_WORDS_H_
#define KVO_SERVICES_COMMON_CARD_WORDS_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "kvo/v1/registry.pb.h"

namespace kvo::common {

// How a card is put to the people who act on it (the door page, `kvo
// gallery show`, letters), so every reader sees the same words. Pure;
// thread-safe.

// The last whole day (Europe/Amsterdam) a card is in force, the day it
// holds "tot en met". A card is in force from valid_from up to but not
// including valid_until (a whole number of 24-hour days after the moment
// of issue), so the day valid_until falls on is never a whole day: a card
// valid until 2027-12-07 00:16 ends its last whole day on 6 December 2027,
// and one valid until 2027-12-08 00:00 on 7 December 2027.
absl::CivilDay LastWholeDay(absl::Time valid_until);

// What the card is, at the door, in `language` ("nl", the default, or
// "en"): "Collectief winkelverbod", "Collectieve waarschuwing", and for an
// individual ban (only ever shown at its own shop's door) "Eigen
// winkelverbod van deze winkel".
std::string DoorCardLabel(kvo::v1::CardKind kind, absl::string_view language);

// "geldig tot en met 6 december 2027" / "valid through 6 December 2027":
// the last whole day of a card ending at `valid_until`.
std::string DoorCardLastDay(absl::Time valid_until, absl::string_view language);

}  // namespace kvo::common

#endif  // KVO_SERVICES_COMMON_CARD_WORDS_H_
