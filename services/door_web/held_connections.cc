#include "services/door_web/held_connections.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <optional>

namespace kvo::door_web {
namespace {

using Clock = std::chrono::steady_clock;

// cpp-httplib hands every accepted socket to its task queue; this one runs
// the hand-over at once, on the accepting thread, so accepting never waits
// for a worker.
class AtOnce final : public httplib::TaskQueue {
 public:
  void enqueue(std::function<void()> fn) override { fn(); }
  void shutdown() override {}
};

int MillisUntil(Clock::time_point deadline) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      deadline - Clock::now())
                      .count();
  return static_cast<int>(std::clamp<int64_t>(ms, 0, INT_MAX));
}

bool WaitFor(int fd, short events, int ms) {
  if (ms <= 0) return false;
  pollfd p{fd, events, 0};
  int r;
  do {
    r = ::poll(&p, 1, ms);
  } while (r < 0 && errno == EINTR);
  return r > 0;
}

}  // namespace

struct HeldConnectionServer::Connection {
  Connection(uint64_t id_in, int fd_in, SSL* ssl_in)
      : id(id_in), fd(fd_in), ssl(ssl_in) {}
  ~Connection() {
    if (ssl != nullptr) {
      if (clean) SSL_shutdown(ssl);  // close_notify, without waiting
      SSL_free(ssl);
    }
    ::shutdown(fd, SHUT_RDWR);
    ::close(fd);
  }
  const uint64_t id;
  const int fd;
  SSL* const ssl;
  bool handshaken = false;
  bool clean = false;  // ends with a close_notify
  bool busy = false;   // a worker has it; guarded by mu_
  int requests = 0;
  Clock::time_point deadline;    // guarded by mu_ while held
  Clock::time_point idle_since;  // guarded by mu_ while held
};

// One request's reads and writes on a held connection's TLS session, the
// socket non-blocking and waited for with poll() (no select(), so no limit
// on descriptor numbers). The whole request must arrive within the timeout
// of the stream's start.
class HeldConnectionServer::ConnectionStream final : public httplib::Stream {
 public:
  ConnectionStream(Connection& c, int timeout_seconds)
      : c_(c),
        timeout_ms_(timeout_seconds * 1000),
        read_deadline_(Clock::now() + std::chrono::seconds(timeout_seconds)) {}

  bool is_readable() const override {
    return SSL_has_pending(c_.ssl) == 1 ||
           WaitFor(c_.fd, POLLIN, MillisUntil(read_deadline_));
  }
  bool is_writable() const override {
    return WaitFor(c_.fd, POLLOUT, timeout_ms_);
  }

  ssize_t read(char* ptr, size_t size) override {
    return Io(
        size, [&](int n) { return SSL_read(c_.ssl, ptr, n); }, true);
  }
  ssize_t write(const char* ptr, size_t size) override {
    return Io(
        size, [&](int n) { return SSL_write(c_.ssl, ptr, n); }, false);
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    Name(::getpeername, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    Name(::getsockname, ip, port);
  }
  // cpp-httplib reads this only to refuse descriptors beyond select()'s
  // FD_SETSIZE, and this stream does not use select().
  socket_t socket() const override { return INVALID_SOCKET; }

 private:
  // The address `get` (getpeername or getsockname) gives, numeric.
  void Name(int (*get)(int, sockaddr*, socklen_t*), std::string& ip,
            int& port) const {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (get(c_.fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return;
    char host[NI_MAXHOST] = {};
    char serv[NI_MAXSERV] = {};
    if (::getnameinfo(reinterpret_cast<const sockaddr*>(&addr), len, host,
                      sizeof host, serv, sizeof serv,
                      NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
      ip = host;
      port = std::atoi(serv);
    }
  }

  template <typename Op>
  ssize_t Io(size_t size, Op op, bool reading) {
    const int n = static_cast<int>(std::min<size_t>(size, INT_MAX));
    for (;;) {
      ERR_clear_error();
      const int r = op(n);
      if (r > 0) return r;
      switch (SSL_get_error(c_.ssl, r)) {
        case SSL_ERROR_WANT_READ:
          if (!WaitFor(c_.fd, POLLIN,
                       reading ? MillisUntil(read_deadline_) : timeout_ms_)) {
            return -1;
          }
          break;
        case SSL_ERROR_WANT_WRITE:
          if (!WaitFor(c_.fd, POLLOUT, timeout_ms_)) return -1;
          break;
        case SSL_ERROR_ZERO_RETURN:
          return 0;
        default:
          return -1;
      }
    }
  }

  Connection& c_;
  const int timeout_ms_;
  const Clock::time_point read_deadline_;
};

HeldConnectionServer::HeldConnectionServer(
    const std::function<bool(SSL_CTX&)>& setup, Limits limits)
    : limits_(limits) {
  ctx_ = SSL_CTX_new(TLS_method());
  if (ctx_ != nullptr) {
    // An idle connection keeps no TLS buffers.
    SSL_CTX_set_mode(ctx_, SSL_MODE_RELEASE_BUFFERS |
                               SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                               SSL_MODE_ENABLE_PARTIAL_WRITE);
    if (!setup(*ctx_)) {
      SSL_CTX_free(ctx_);
      ctx_ = nullptr;
    }
  }
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = 0;  // connection ids start at 1
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
  new_task_queue = [] { return new AtOnce; };
}

HeldConnectionServer::~HeldConnectionServer() {
  Shutdown();
  held_.clear();
  if (wake_fd_ >= 0) ::close(wake_fd_);
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
  if (ctx_ != nullptr) SSL_CTX_free(ctx_);
}

void HeldConnectionServer::Serve() {
  serving_ = true;
  workers_ = std::make_unique<httplib::ThreadPool>(
      static_cast<size_t>(std::max(1, limits_.workers)));
  wait_thread_ = std::thread([this] { WaitLoop(); });
  if (!stopping_) listen_after_bind();
  listen_done_ = true;
  stopping_ = true;
  const uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
  wait_thread_.join();
  // Requests in flight finish; connections that became readable meanwhile
  // are closed by their worker.
  workers_->shutdown();
  std::lock_guard<std::mutex> lock(mu_);
  held_.clear();
}

void HeldConnectionServer::Shutdown() {
  stopping_ = true;
  const uint64_t one = 1;
  if (wake_fd_ >= 0) (void)!::write(wake_fd_, &one, sizeof one);
  // stop() does nothing before the accept loop runs: wait for it to run or
  // to have failed.
  while (serving_ && !listen_done_ && !is_running()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  stop();
}

bool HeldConnectionServer::process_and_close_socket(socket_t sock) {
  if (stopping_ || ctx_ == nullptr) {
    ::close(sock);
    return false;
  }
  const int flags = ::fcntl(sock, F_GETFL, 0);
  ::fcntl(sock, F_SETFL, flags | O_NONBLOCK);
  const int yes = 1;
  // Headers and body go out in separate writes: without this a kept-alive
  // poll waits for the client's delayed ACK (40 ms).
  ::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
  SSL* ssl = SSL_new(ctx_);
  if (ssl == nullptr) {
    ::close(sock);
    return false;
  }
  SSL_set_fd(ssl, sock);
  SSL_set_accept_state(ssl);

  std::lock_guard<std::mutex> lock(mu_);
  if (held_.size() >= limits_.max_connections &&
      !CloseIdleLocked(limits_.max_connections - 1)) {
    auto refused = std::make_unique<Connection>(0, sock, ssl);
    return false;
  }
  const uint64_t id = next_id_++;
  auto c = std::make_unique<Connection>(id, sock, ssl);
  const auto now = Clock::now();
  // The handshake must be done within the timeout, however it trickles.
  c->deadline = now + std::chrono::seconds(limits_.timeout_seconds);
  c->idle_since = now;
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLONESHOT;
  ev.data.u64 = id;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, sock, &ev) != 0) return false;
  held_.emplace(id, std::move(c));
  return true;
}

bool HeldConnectionServer::CloseIdleLocked(size_t keep) {
  while (held_.size() > keep) {
    auto oldest = held_.end();
    for (auto it = held_.begin(); it != held_.end(); ++it) {
      if (it->second->busy) continue;
      if (oldest == held_.end() ||
          it->second->idle_since < oldest->second->idle_since) {
        oldest = it;
      }
    }
    if (oldest == held_.end()) return false;
    held_.erase(oldest);
  }
  return true;
}

void HeldConnectionServer::WaitLoop() {
  constexpr int kMaxEvents = 256;
  constexpr int kSweepMillis = 250;
  epoll_event events[kMaxEvents];
  auto next_sweep = Clock::now();
  while (!stopping_) {
    const int n = ::epoll_wait(epoll_fd_, events, kMaxEvents, kSweepMillis);
    for (int i = 0; i < n; ++i) {
      const uint64_t id = events[i].data.u64;
      if (id == 0) {
        uint64_t count;
        (void)!::read(wake_fd_, &count, sizeof count);
        continue;
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        auto it = held_.find(id);
        if (it == held_.end() || it->second->busy) continue;
        it->second->busy = true;
      }
      workers_->enqueue([this, id] { Advance(id); });
    }
    const auto now = Clock::now();
    if (now < next_sweep) continue;
    next_sweep = now + std::chrono::milliseconds(kSweepMillis);
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = held_.begin(); it != held_.end();) {
      if (!it->second->busy && it->second->deadline < now) {
        it = held_.erase(it);
      } else {
        ++it;
      }
    }
  }
}

void HeldConnectionServer::Advance(uint64_t id) {
  Connection* c = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = held_.find(id);
    if (it == held_.end()) return;
    c = it->second.get();  // busy: nobody else closes it
  }
  if (stopping_) return Close(id);
  if (!c->handshaken) {
    ERR_clear_error();
    const int r = SSL_accept(c->ssl);
    if (r != 1) {
      const int e = SSL_get_error(c->ssl, r);
      if (e == SSL_ERROR_WANT_READ) return Hold(*c, std::nullopt, EPOLLIN);
      if (e == SSL_ERROR_WANT_WRITE) return Hold(*c, std::nullopt, EPOLLOUT);
      return Close(id);
    }
    c->handshaken = true;
    // The first request is due within the timeout too.
    if (SSL_has_pending(c->ssl) != 1) {
      return Hold(*c, std::chrono::seconds(limits_.timeout_seconds), EPOLLIN);
    }
  }
  do {
    ++c->requests;
    const bool last = c->requests >= limits_.max_requests || stopping_;
    bool closed = false;
    ConnectionStream stream(*c, limits_.timeout_seconds);
    const bool ok = process_request(stream, last, closed, nullptr);
    if (!ok || closed || last) {
      c->clean = ok;
      return Close(id);
    }
    // A request the client sent right behind this one is already here.
  } while (SSL_has_pending(c->ssl) == 1);
  Hold(*c, std::chrono::seconds(limits_.keep_alive_seconds), EPOLLIN);
}

void HeldConnectionServer::Hold(Connection& c,
                                std::optional<std::chrono::seconds> deadline,
                                uint32_t events) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) {
    held_.erase(c.id);
    return;
  }
  const auto now = Clock::now();
  if (deadline) c.deadline = now + *deadline;
  c.idle_since = now;
  c.busy = false;
  epoll_event ev{};
  ev.events = events | EPOLLONESHOT;
  ev.data.u64 = c.id;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd, &ev) != 0) held_.erase(c.id);
}

void HeldConnectionServer::Close(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  held_.erase(id);
}

}  // namespace kvo::door_web
