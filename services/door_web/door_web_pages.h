#ifndef KVO_SERVICES_DOOR_WEB_DOOR_WEB_PAGES_H_
#define KVO_SERVICES_DOOR_WEB_DOOR_WEB_PAGES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "kvo/v1/gallery.pb.h"
#include "kvo/v1/policy.pb.h"
#include "services/door_web/door_web_rules.h"

namespace kvo::door_web {

// The door page's HTML and JSON, in Dutch or English. Every value that
// comes from data is escaped. Pure; thread-safe.

struct ShopChoice {
  int64_t id = 0;
  std::string name;
};

std::string LoginPage(Lang lang, absl::string_view csrf,
                      absl::string_view message);
// A short page for a refusal or an error: what happened and what to do.
std::string ErrorPage(Lang lang, int status);
// The one sentence of ErrorPage, also the "error" of JSON answers.
std::string ErrorText(Lang lang, int status);
// The same for a field of a form the use case or the form parser refused
// (INVALID_ARGUMENT "damage: ...").
std::string FieldErrorText(Lang lang, absl::string_view status_message);
std::string JsonError(absl::string_view text);

std::string GalleryPage(Lang lang, absl::string_view csrf, int poll_seconds,
                        absl::string_view login,
                        const std::vector<ShopChoice>& shops,
                        const kvo::v1::Policy& policy);

// A sync as the page's JSON: one tile per person with the card in words
// ("Collectief winkelverbod", or "Eigen winkelverbod van deze winkel" with
// "own" for the shop's own ban), "geldig tot en met 29 november 2027" (the
// last whole day) and the thumbnail in base64; removed entry ids; the
// version.
std::string SyncJson(Lang lang,
                     const std::vector<const kvo::v1::GalleryEntry*>& entries,
                     const std::vector<int64_t>& removed, int64_t version,
                     bool reset);
std::string SyncJson(Lang lang,
                     const std::vector<kvo::v1::GalleryEntry>& entries,
                     const std::vector<int64_t>& removed, int64_t version,
                     bool reset);

}  // namespace kvo::door_web

#endif  // KVO_SERVICES_DOOR_WEB_DOOR_WEB_PAGES_H_
