#ifndef KVO_SERVICES_DOOR_WEB_HELD_CONNECTIONS_H_
#define KVO_SERVICES_DOOR_WEB_HELD_CONNECTIONS_H_

#include <httplib.h>
#include <openssl/ssl.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

namespace kvo::door_web {

// cpp-httplib's routing and request parsing with connections held the way
// an event-driven server holds them. cpp-httplib's own server gives each
// connection a worker thread for its whole life, kept-alive idle time
// included, so a few idle or slowly handshaking browsers take every worker
// and the next request waits for one to time out. Here one thread waits
// for all connections at once (epoll); a worker takes a connection only
// when bytes have arrived (a TLS handshake step, or a request), serves
// one request, and hands the connection back. So workers bound the
// requests served at once, not the connections open.
//
// Limits: a connection idle longer than `keep_alive_seconds`, or still in
// its TLS handshake after `timeout_seconds`, is closed; a request must
// arrive whole within `timeout_seconds` of its first byte (a slow sender
// holds a worker at most that long); past `max_connections` the
// connection idle longest is closed to make room. Thread-safe.
class HeldConnectionServer final : public httplib::Server {
 public:
  struct Limits {
    int workers = 8;
    int keep_alive_seconds = 5;
    int max_requests = 100;  // per connection
    int timeout_seconds = 10;
    size_t max_connections = 4096;
  };
  // `setup` prepares the TLS context (certificate and key); false leaves
  // the server invalid (is_valid()).
  HeldConnectionServer(const std::function<bool(SSL_CTX&)>& setup,
                       Limits limits);
  ~HeldConnectionServer() override;

  bool is_valid() const override { return ctx_ != nullptr; }

  // After bind_to_port/bind_to_any_port: serves until Shutdown, then
  // finishes the requests in flight and closes every connection.
  void Serve();
  void Shutdown();

 private:
  struct Connection;
  class ConnectionStream;

  bool process_and_close_socket(socket_t sock) override;
  void WaitLoop();
  void Advance(uint64_t id);
  // Hands the connection back to the wait loop to wait for `events`, its
  // deadline `deadline` from now (nullopt: unchanged).
  void Hold(Connection& c, std::optional<std::chrono::seconds> deadline,
            uint32_t events);
  void Close(uint64_t id);
  // Closes the connections idle longest until `keep` are left; false when
  // every one left is being served.
  bool CloseIdleLocked(size_t keep);

  const Limits limits_;
  SSL_CTX* ctx_ = nullptr;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> serving_{false};
  std::atomic<bool> listen_done_{false};
  std::mutex mu_;
  uint64_t next_id_ = 1;  // guarded by mu_
  std::unordered_map<uint64_t, std::unique_ptr<Connection>> held_;  // mu_
  std::unique_ptr<httplib::ThreadPool> workers_;
  std::thread wait_thread_;
};

}  // namespace kvo::door_web

#endif  // KVO_SERVICES_DOOR_WEB_HELD_CONNECTIONS_H_
