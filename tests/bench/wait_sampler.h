// What the benches' profiles share: the wait events of kvod's PostgreSQL
// backends, sampled while a load runs.
#ifndef KVO_TESTS_BENCH_WAIT_SAMPLER_H_
#define KVO_TESTS_BENCH_WAIT_SAMPLER_H_

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace kvo::testing {

// Samples, every 5 ms until stopped, what the active backends of database
// kvo wait on (CPU when nothing), the bench's own sampling connection apart.
class WaitSampler final {
 public:
  explicit WaitSampler(const std::string& conninfo)
      : thread_([this, conninfo] {
          pqxx::connection conn(conninfo);
          while (!stop_) {
            pqxx::nontransaction tx(conn);
            for (const auto& r : tx.exec(
                     "SELECT COALESCE(wait_event_type || ':' || wait_event, "
                     "'CPU') FROM pg_stat_activity WHERE state = 'active' "
                     "AND datname = 'kvo' AND pid <> pg_backend_pid()")) {
              ++counts_[r[0].as<std::string>()];
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
          }
        }) {}
  // Stops sampling; the counts, most first.
  std::vector<std::pair<int, std::string>> Stop() {
    stop_ = true;
    thread_.join();
    std::vector<std::pair<int, std::string>> out;
    for (const auto& [what, n] : counts_) out.emplace_back(n, what);
    std::sort(out.rbegin(), out.rend());
    return out;
  }

 private:
  std::atomic<bool> stop_{false};
  std::map<std::string, int> counts_;
  std::thread thread_;
};

}  // namespace kvo::testing

#endif  // KVO_TESTS_BENCH_WAIT_SAMPLER_H_
