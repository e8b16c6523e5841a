#ifndef KVO_SERVICES_COMMON_LISTEN_ADDRESS_H_
#define KVO_SERVICES_COMMON_LISTEN_ADDRESS_H_

#include <sys/socket.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace kvo::common {

// An address kvod listens on, as its flags take it: "host:port", the host
// an IPv6 address in brackets or not, port 0 for one the system picks.
struct ListenAddress {
  std::string host;  // without brackets
  int port = 0;
};

// INVALID_ARGUMENT naming `flag` ("--listen") and giving `example`
// ("127.0.0.1:50051") when `listen` is not host:port with a port from 0 to
// 65535.
absl::StatusOr<ListenAddress> ParseListenAddress(absl::string_view listen,
                                                 absl::string_view flag,
                                                 absl::string_view example);

// Binds a cpp-httplib server (HttpServer: httplib::Server or SSLServer;
// this header does not include httplib) to `listen`; the port it took, or
// UNAVAILABLE naming `flag` when the address is in use or not this
// machine's. The caller then runs server.listen_after_bind().
//
// The socket gets SO_REUSEADDR instead of cpp-httplib's SO_REUSEPORT: a
// kvod restarted after a crash must bind its port again while connections
// it closed (HAProxy's checks) wait out TIME_WAIT, and no second process
// may bind a port kvod listens on and take some of its connections.
template <typename HttpServer>
absl::StatusOr<int> BindHttpServer(HttpServer& server,
                                   const std::string& listen,
                                   absl::string_view flag,
                                   absl::string_view example) {
  auto address = ParseListenAddress(listen, flag, example);
  if (!address.ok()) return address.status();
  server.set_socket_options([](int sock) {
    const int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  int port = address->port;
  if (port == 0) {
    port = server.bind_to_any_port(address->host);
  } else if (!server.bind_to_port(address->host, port)) {
    port = -1;
  }
  if (port <= 0) {
    return absl::UnavailableError(
        absl::StrCat(flag, ": cannot listen on ", listen,
                     ": address in use or not available"));
  }
  return port;
}

}  // namespace kvo::common

#endif  // KVO_SERVICES_COMMON_LISTEN_ADDRESS_H_
