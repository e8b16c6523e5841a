#ifndef KVO_SERVICES_DOOR_WEB_DOOR_WEB_REQUESTS_H_
#define KVO_SERVICES_DOOR_WEB_DOOR_WEB_REQUESTS_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "kvo/v1/gallery.pb.h"
#include "kvo/v1/identity.pb.h"
#include "kvo/v1/registry.pb.h"

namespace kvo::door_web {

// What the door page's forms must hold on their own, as the requests the
// shared use cases take (which validate them further). INVALID_ARGUMENT
// whose message begins with the form field's name ("damage: ..."), which
// the page turns into a sentence in the reader's language. Pure;
// thread-safe.

using Form = std::map<std::string, std::string>;

absl::StatusOr<kvo::v1::LoginRequest> ParseLoginForm(const Form& form);

// `entry`: the tile's entry id (the person's).
absl::StatusOr<kvo::v1::GetPhotoRequest> ParsePhotoForm(const Form& form);

// person, shop, type, time (datetime-local, Europe/Amsterdam), description,
// damage (euros). `default_shop` is used when the form names none (the
// user has one shop); 0 makes `shop` required.
absl::StatusOr<kvo::v1::RecordIncidentRequest> ParseIncidentForm(
    const Form& form, int64_t default_shop);

// The gallery poll's ?since=: a version the page holds (0: none yet).
absl::StatusOr<int64_t> ParseSince(const std::string& value);

}  // namespace kvo::door_web

#endif  // KVO_SERVICES_DOOR_WEB_DOOR_WEB_REQUESTS_H_
