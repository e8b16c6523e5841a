#ifndef KVO_SERVICES_DOOR_WEB_DOOR_WEB_ASSETS_H_
#define KVO_SERVICES_DOOR_WEB_DOOR_WEB_ASSETS_H_

#include "absl/strings/string_view.h"

namespace kvo::door_web {

// A file of services/door_web/assets/, built into the binary.
struct Asset {
  absl::string_view content_type;
  absl::string_view body;
};

// The asset served at `path` ("/assets/app.js"), or nullptr.
const Asset* FindAsset(absl::string_view path);

}  // namespace kvo::door_web

#endif  // KVO_SERVICES_DOOR_WEB_DOOR_WEB_ASSETS_H_
