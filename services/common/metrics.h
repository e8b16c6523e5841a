#ifndef KVO_SERVICES_COMMON_METRICS_H_
#define KVO_SERVICES_COMMON_METRICS_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kvo::common {

// Counters, gauges and histograms an operator reads with Prometheus (the
// text exposition format 0.0.4), for kvod's --metrics-listen endpoint.
// Updating one is a few relaxed atomic operations and never takes a lock,
// so the door's hot path can count; only registering (once per metric and
// label set, usually at construction) and rendering lock. Labels hold
// names of methods, status codes, outcomes and kinds: never a value that
// names a person, a principal or a shop.

class Counter final {
 public:
  void Increment(uint64_t n = 1) { value_.fetch_add(n, kRelaxed); }
  uint64_t value() const { return value_.load(kRelaxed); }

 private:
  static constexpr auto kRelaxed = std::memory_order_relaxed;
  std::atomic<uint64_t> value_{0};
};

class Gauge final {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double v) { value_.fetch_add(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Observations counted in buckets with the given upper bounds (ascending;
// +Inf is implied). Rendered cumulative, with _sum and _count.
class Histogram final {
 public:
  explicit Histogram(std::vector<double> upper_bounds);

  void Observe(double v);

  struct Snapshot {
    std::vector<double> upper_bounds;  // without +Inf
    std::vector<uint64_t> cumulative;  // one more than upper_bounds (+Inf)
    double sum = 0;
    uint64_t count = 0;
  };
  // Counts read one by one while others may observe: each bucket is exact,
  // the whole only as consistent as Prometheus itself asks (the +Inf bucket
  // is the count).
  Snapshot Take() const;

 private:
  const std::vector<double> upper_bounds_;
  const std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // not cumulative
  std::atomic<double> sum_{0};
};

// Latency buckets in seconds, 0.25 ms to 10 s: what a call takes, from a
// no-change door sync to a report.
std::vector<double> LatencySecondsBuckets();

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// The metrics of one process (ProcessMetrics) or of a test. The same name
// and labels always give the same object, so a module registers in its
// constructor and keeps the reference. A name registered as another type,
// or with another help text, or a name or label name Prometheus does not
// accept, is a programming error and aborts. Thread-safe.
class MetricRegistry final {
 public:
  MetricRegistry() = default;
  MetricRegistry(const MetricRegistry&) = delete;
  MetricRegistry& operator=(const MetricRegistry&) = delete;

  Counter& GetCounter(std::string_view name, std::string_view help,
                      const MetricLabels& labels = {});
  Gauge& GetGauge(std::string_view name, std::string_view help,
                  const MetricLabels& labels = {});
  Histogram& GetHistogram(std::string_view name, std::string_view help,
                          const std::vector<double>& upper_bounds,
                          const MetricLabels& labels = {});

  // Every metric in the text format, families in the order they were
  // first registered, each with its # HELP and # TYPE lines.
  std::string Render() const;

 private:
  enum class Type { kCounter, kGauge, kHistogram };
  struct Child {
    MetricLabels labels;
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
  };
  struct Family {
    std::string name;
    std::string help;
    Type type;
    std::map<MetricLabels, std::unique_ptr<Child>> children;
  };

  Child& Find(std::string_view name, std::string_view help, Type type,
              const MetricLabels& labels);

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Family>> families_;  // guarded by mu_
};

// The registry kvod serves on --metrics-listen.
MetricRegistry& ProcessMetrics();

// The Content-Type of Render()'s text.
inline constexpr char kMetricsContentType[] =
    "text/plain; version=0.0.4; charset=utf-8";

// The text format's escaping: a label value escapes backslash, double quote
// and newline; a help text backslash and newline.
std::string EscapeLabelValue(std::string_view value);
std::string EscapeHelp(std::string_view help);

}  // namespace kvo::common

#endif  // KVO_SERVICES_COMMON_METRICS_H_
