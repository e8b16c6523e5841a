#include "services/common/card_words.h"

#include "absl/strings/str_cat.h"
#include "services/common/dutch_date.h"
#include "services/common/local_time.h"

namespace kvo::common {

absl::CivilDay LastWholeDay(absl::Time valid_until) {
  return absl::ToCivilDay(valid_until, Amsterdam()) - 1;
}

std::string DoorCardLabel(kvo::v1::CardKind kind, absl::string_view language) {
  const bool en = language == "en";
  switch (kind) {
    case kvo::v1::CARD_KIND_INDIVIDUAL_BAN:
      return en ? "This shop's own shop ban"
                : "Eigen winkelverbod van deze winkel";
    case kvo::v1::CARD_KIND_COLLECTIVE_BAN:
      return en ? "Collective shop ban" : "Collectief winkelverbod";
    default:
      return en ? "Collective warning" : "Collectieve waarschuwing";
  }
}

std::string DoorCardLastDay(absl::Time valid_until,
                            absl::string_view language) {
  const bool en = language == "en";
  return absl::StrCat(en ? "valid through " : "geldig tot en met ",
                      LongDate(LastWholeDay(valid_until), en ? "en" : "nl"));
}

}  // namespace kvo::common
