// The benches' load generator: keeps N server-streaming calls in flight on
// the gRPC callback API, each started again as soon as it finishes, and
// records each call's latency.
#ifndef KVO_TESTS_BENCH_BENCH_LOAD_H_
#define KVO_TESTS_BENCH_BENCH_LOAD_H_

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace kvo::testing {

// KVO_BENCH_KVOD_ARGS="--db-pool-size=4 --pg-nice=10": kvod settings to
// compare (space-separated), after the bench's own.
inline void AddKvodArgsFromEnv(std::vector<std::string>& args) {
  const char* more = std::getenv("KVO_BENCH_KVOD_ARGS");
  if (more == nullptr) return;
  for (absl::string_view arg : absl::StrSplit(more, ' ', absl::SkipEmpty())) {
    args.emplace_back(arg);
  }
}

using BenchClock = std::chrono::steady_clock;

// The `p` quantile (0.99: p99) of `v`; 0 when empty.
inline double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  const size_t at = std::min(v.size() - 1, size_t(p * v.size()));
  std::nth_element(v.begin(), v.begin() + at, v.end());
  return v[at];
}

struct LoadResult {
  int64_t calls = 0;
  int64_t failed = 0;
  double seconds = 0;
  int64_t bytes = 0;  // payload received (serialized messages)
  std::vector<double> latencies_ms;

  double qps() const { return calls / seconds; }
  double mb_per_s() const { return bytes / seconds / 1e6; }
  double percentile(double p) const { return Percentile(latencies_ms, p); }
};

// What the calls of a load report as they finish, and whether each is
// started again: until the load's time is up (or 100 calls failed).
class Tally final {
 public:
  void Begin(int concurrency, BenchClock::duration duration) {
    begin_ = BenchClock::now();
    end_ = begin_ + duration;
    in_flight_ = concurrency;
  }
  // Whether the caller starts another call.
  bool Finished(bool ok, double ms, int64_t bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    if (ok) {
      ++result_.calls;
      result_.bytes += bytes;
      result_.latencies_ms.push_back(ms);
    } else {
      ++result_.failed;
    }
    const bool again = BenchClock::now() < end_ && result_.failed < 100;
    if (!again && --in_flight_ == 0) all_done_.notify_all();
    return again;
  }
  LoadResult Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    all_done_.wait(lock, [&] { return in_flight_ == 0; });
    result_.seconds =
        std::chrono::duration<double>(BenchClock::now() - begin_).count();
    return result_;
  }

 private:
  BenchClock::time_point begin_, end_;
  std::mutex mu_;
  std::condition_variable all_done_;
  int in_flight_ = 0;  // guarded by mu_
  LoadResult result_;  // guarded by mu_
};

// Starts one server-streaming call with `reactor` (and its context).
template <typename Reply>
using Starter =
    std::function<void(grpc::ClientContext*, grpc::ClientReadReactor<Reply>*)>;

// Keeps `concurrency` calls in flight for `duration`.
template <typename Reply>
class Load final {
 public:
  Load(Starter<Reply> start, std::string token)
      : start_(std::move(start)), token_(std::move(token)) {}

  LoadResult Run(int concurrency, BenchClock::duration duration) {
    tally_.Begin(concurrency, duration);
    for (int i = 0; i < concurrency; ++i) (new Call(this))->Begin();
    return tally_.Wait();
  }

 private:
  class Call final : public grpc::ClientReadReactor<Reply> {
   public:
    explicit Call(Load* load) : load_(load) {}
    void Begin() {
      if (!load_->token_.empty()) {
        ctx_.AddMetadata("authorization", "Bearer " + load_->token_);
      }
      ctx_.set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(30));
      started_ = BenchClock::now();
      load_->start_(&ctx_, this);
      this->StartRead(&reply_);
      this->StartCall();
    }
    void OnReadDone(bool ok) override {
      if (!ok) return;
      bytes_ += static_cast<int64_t>(reply_.ByteSizeLong());
      this->StartRead(&reply_);
    }
    void OnDone(const grpc::Status& status) override {
      const double ms = std::chrono::duration<double, std::milli>(
                            BenchClock::now() - started_)
                            .count();
      Load* load = load_;
      load->Finished(status.ok(), ms, bytes_);
      delete this;
    }

   private:
    Load* load_;
    grpc::ClientContext ctx_;
    Reply reply_;
    BenchClock::time_point started_;
    int64_t bytes_ = 0;
  };

  void Finished(bool ok, double ms, int64_t bytes) {
    if (tally_.Finished(ok, ms, bytes)) (new Call(this))->Begin();
  }

  Starter<Reply> start_;
  std::string token_;
  Tally tally_;
};

inline void Report(const char* what, const LoadResult& r) {
  std::printf(
      "  %-28s %8.0f calls/s  p50 %6.2f ms  p99 %6.2f ms  %8.1f MB/s%s\n", what,
      r.qps(), r.percentile(0.5), r.percentile(0.99), r.mb_per_s(),
      r.failed > 0 ? absl::StrCat("  (", r.failed, " failed)").c_str() : "");
}

template <typename Stub, typename Request, typename Reply>
Starter<Reply> Streamer(
    Stub* stub, Request request,
    void (Stub::async_interface::*method)(grpc::ClientContext*, const Request*,
                                          grpc::ClientReadReactor<Reply>*)) {
  auto shared = std::make_shared<Request>(std::move(request));
  return [stub, shared, method](grpc::ClientContext* ctx,
                                grpc::ClientReadReactor<Reply>* reactor) {
    (stub->async()->*method)(ctx, shared.get(), reactor);
  };
}

// Keeps `concurrency` unary calls of `method` in flight for `duration`.
template <typename Stub, typename Request, typename Reply>
class UnaryLoad final {
 public:
  using Method = void (Stub::async_interface::*)(grpc::ClientContext*,
                                                 const Request*, Reply*,
                                                 grpc::ClientUnaryReactor*);
  UnaryLoad(Stub* stub, Method method, Request request, std::string token)
      : stub_(stub),
        method_(method),
        request_(std::move(request)),
        token_(std::move(token)) {}

  LoadResult Run(int concurrency, BenchClock::duration duration) {
    tally_.Begin(concurrency, duration);
    for (int i = 0; i < concurrency; ++i) (new Call(this))->Begin();
    return tally_.Wait();
  }

 private:
  class Call final : public grpc::ClientUnaryReactor {
   public:
    explicit Call(UnaryLoad* load) : load_(load) {}
    void Begin() {
      if (!load_->token_.empty()) {
        ctx_.AddMetadata("authorization", "Bearer " + load_->token_);
      }
      ctx_.set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(30));
      started_ = BenchClock::now();
      (load_->stub_->async()->*load_->method_)(&ctx_, &load_->request_, &reply_,
                                               this);
      StartCall();
    }
    void OnDone(const grpc::Status& status) override {
      const double ms = std::chrono::duration<double, std::milli>(
                            BenchClock::now() - started_)
                            .count();
      load_->Finished(status.ok(), ms,
                      static_cast<int64_t>(reply_.ByteSizeLong()));
      delete this;
    }

   private:
    UnaryLoad* load_;
    grpc::ClientContext ctx_;
    Reply reply_;
    BenchClock::time_point started_;
  };

  void Finished(bool ok, double ms, int64_t bytes) {
    if (tally_.Finished(ok, ms, bytes)) (new Call(this))->Begin();
  }

  Stub* stub_;
  Method method_;
  const Request request_;
  std::string token_;
  Tally tally_;
};

}  // namespace kvo::testing

#endif  // KVO_TESTS_BENCH_BENCH_LOAD_H_
