#ifndef KVO_SERVICES_DOOR_WEB_DOOR_WEB_SERVER_H_
#define KVO_SERVICES_DOOR_WEB_DOOR_WEB_SERVER_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "kvo/v1/policy.pb.h"
#include "services/common/no_change_calls.h"
#include "services/common/tls_material.h"
#include "services/door_web/client_address.h"
#include "services/gallery/door_gallery.h"
#include "services/identity/rpc_guard.h"
#include "services/identity/sessions.h"
#include "services/registry/incident_recording.h"

namespace kvo::door_web {

struct DoorWebOptions {
  std::string listen = "127.0.0.1:8443";  // host:port; port 0 picks one
  int poll_seconds = 60;                  // how often the page asks for news
  // Workers serving requests at once. Connections are held apart from
  // them (HeldConnectionServer): an idle kept-alive or slow connection
  // takes no worker.
  int threads = 8;
  // A kept-alive connection idle this long is closed.
  int keep_alive_seconds = 5;
  // Past this many open connections the one idle longest is closed.
  size_t max_connections = 4096;
  size_t max_body_bytes = 64 << 10;  // larger requests get 413
  // A TLS handshake, and a request from its first byte, must be done
  // within this; each write too.
  int timeout_seconds = 10;
  // Peers whose X-Forwarded-For names the client (HAProxy in HTTP mode);
  // empty: every client is its TCP peer.
  TrustedProxies trusted_proxies;
  // Polls that found nothing new are counted here (as no-change gRPC syncs
  // are) instead of logged one by one; nullptr: logged.
  common::NoChangeCounter* no_change = nullptr;
  // The key of the page's CSRF tokens. Kept across restarts and the same
  // on every replica (kvod derives it from the row seal key they share), a
  // page open before a restart, or polling another replica, keeps syncing;
  // empty: a random one, and open pages get 403 until reloaded.
  std::string csrf_key;
  // A former key whose tokens are still accepted (none are issued with
  // it); empty: none.
  std::string csrf_also_accepted;
};

// The door page: a thin HTTPS adapter (cpp-httplib) in front of the same use
// cases the gRPC adapters call (identity::Sessions for login and logout,
// the guard and access table with the gRPC method names, DoorGallery's
// per-person delta sync and audited photo, IncidentRecording), with the
// session token in an HttpOnly, Secure, SameSite=Strict cookie, a CSRF
// token on every POST, the headers of SecurityHeaders() on every response
// and short Dutch (or English) pages for every refusal. Start, then Stop
// before the use cases go; thread-safe.
class DoorWebServer final {
 public:
  DoorWebServer(const kvo::v1::Policy& policy, identity::RpcGuard& guard,
                identity::Sessions& sessions, gallery::DoorGallery& door,
                registry::IncidentRecording& incidents,
                const common::TlsMaterial& tls, DoorWebOptions options);
  ~DoorWebServer();
  DoorWebServer(const DoorWebServer&) = delete;
  DoorWebServer& operator=(const DoorWebServer&) = delete;

  // Binds and serves on a thread of its own; the port bound.
  absl::StatusOr<int> Start();
  // Stops accepting and waits for the requests in flight.
  void Stop();

 private:
  class Impl;
  std::string listen_;  // before impl_, which takes the options
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
};

}  // namespace kvo::door_web

#endif  // KVO_SERVICES_DOOR_WEB_DOOR_WEB_SERVER_H_
