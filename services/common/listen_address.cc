#include "services/common/listen_address.h"

#include "absl/strings/numbers.h"

namespace kvo::common {

absl::StatusOr<ListenAddress> ParseListenAddress(absl::string_view listen,
                                                 absl::string_view flag,
                                                 absl::string_view example) {
  const auto colon = listen.rfind(':');
  if (colon == absl::string_view::npos || colon == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, " ", listen, ": expected host:port, e.g. ", example));
  }
  ListenAddress out;
  if (!absl::SimpleAtoi(listen.substr(colon + 1), &out.port) || out.port < 0 ||
      out.port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, " ", listen, ": port must be a number from 0 to 65535"));
  }
  out.host = std::string(listen.substr(0, colon));
  if (out.host.size() > 2 && out.host.front() == '[' &&
      out.host.back() == ']') {
    out.host = out.host.substr(1, out.host.size() - 2);
  }
  return out;
}

}  // namespace kvo::common
