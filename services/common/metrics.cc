#include "services/common/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <iostream>

namespace kvo::common {
namespace {

bool ValidName(std::string_view name, bool colons) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    if (!(letter || (colons && c == ':') || (i > 0 && digit))) return false;
  }
  return true;
}

[[noreturn]] void Misuse(std::string_view what, std::string_view name) {
  std::cerr << "metrics: " << what << ": " << name << std::endl;
  std::abort();
}

// Shortest text that reads back as the same double; Prometheus's spelling
// of the special values.
std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[32];
  // Shortest in %g's style: 0.0005, not 5e-04.
  auto [end, ec] =
      std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general);
  return std::string(buf, end);
}

void AppendLabels(std::string& out, const MetricLabels& labels,
                  std::string_view extra_name = "",
                  std::string_view extra_value = "") {
  if (labels.empty() && extra_name.empty()) return;
  out += '{';
  bool first = true;
  for (const auto& [name, value] : labels) {
    if (!first) out += ',';
    first = false;
    out += name;
    out += "=\"";
    out += EscapeLabelValue(value);
    out += '"';
  }
  if (!extra_name.empty()) {
    if (!first) out += ',';
    out += extra_name;
    out += "=\"";
    out += extra_value;
    out += '"';
  }
  out += '}';
}

}  // namespace

Histogram::Histogram(std::vector<double> upper_bounds)
    : upper_bounds_(std::move(upper_bounds)),
      buckets_(new std::atomic<uint64_t>[upper_bounds_.size() + 1]) {
  for (size_t i = 0; i <= upper_bounds_.size(); ++i) buckets_[i] = 0;
}

void Histogram::Observe(double v) {
  // A bucket counts what is less than or equal to its bound.
  const size_t i =
      std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), v) -
      upper_bounds_.begin();
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Take() const {
  Snapshot s;
  s.upper_bounds = upper_bounds_;
  uint64_t running = 0;
  for (size_t i = 0; i <= upper_bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative.push_back(running);
  }
  s.count = running;
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

std::vector<double> LatencySecondsBuckets() {
  // From a door sync answered from memory (a fraction of a millisecond) to
  // a report.
  return {0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
          0.1,     0.25,   0.5,   1,      2.5,   5,    10};
}

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string EscapeHelp(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

MetricRegistry::Child& MetricRegistry::Find(std::string_view name,
                                            std::string_view help, Type type,
                                            const MetricLabels& labels) {
  if (!ValidName(name, /*colons=*/true)) Misuse("bad metric name", name);
  for (const auto& [label, value] : labels) {
    if (!ValidName(label, /*colons=*/false) || label.rfind("__", 0) == 0 ||
        label == "le") {
      Misuse("bad label name", label);
    }
  }
  std::lock_guard lock(mu_);
  Family* family = nullptr;
  for (const auto& f : families_) {
    if (f->name == name) family = f.get();
  }
  if (family == nullptr) {
    families_.push_back(std::make_unique<Family>(
        Family{std::string(name), std::string(help), type, {}}));
    family = families_.back().get();
  } else if (family->type != type || family->help != help) {
    Misuse("registered again with another type or help", name);
  }
  auto& child = family->children[labels];
  if (child == nullptr) {
    child = std::make_unique<Child>();
    child->labels = labels;
  }
  return *child;
}

Counter& MetricRegistry::GetCounter(std::string_view name,
                                    std::string_view help,
                                    const MetricLabels& labels) {
  Child& c = Find(name, help, Type::kCounter, labels);
  std::lock_guard lock(mu_);
  if (c.counter == nullptr) c.counter = std::make_unique<Counter>();
  return *c.counter;
}

Gauge& MetricRegistry::GetGauge(std::string_view name, std::string_view help,
                                const MetricLabels& labels) {
  Child& c = Find(name, help, Type::kGauge, labels);
  std::lock_guard lock(mu_);
  if (c.gauge == nullptr) c.gauge = std::make_unique<Gauge>();
  return *c.gauge;
}

Histogram& MetricRegistry::GetHistogram(std::string_view name,
                                        std::string_view help,
                                        const std::vector<double>& upper_bounds,
                                        const MetricLabels& labels) {
  if (!std::is_sorted(upper_bounds.begin(), upper_bounds.end()) ||
      std::adjacent_find(upper_bounds.begin(), upper_bounds.end()) !=
          upper_bounds.end()) {
    Misuse("bucket bounds must ascend", name);
  }
  Child& c = Find(name, help, Type::kHistogram, labels);
  std::lock_guard lock(mu_);
  if (c.histogram == nullptr) {
    c.histogram = std::make_unique<Histogram>(upper_bounds);
  }
  return *c.histogram;
}

std::string MetricRegistry::Render() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& f : families_) {
    out += "# HELP " + f->name + " " + EscapeHelp(f->help) + "\n";
    out += "# TYPE " + f->name + " ";
    out += f->type == Type::kCounter ? "counter"
           : f->type == Type::kGauge ? "gauge"
                                     : "histogram";
    out += "\n";
    for (const auto& [labels, child] : f->children) {
      if (child->counter != nullptr) {
        out += f->name;
        AppendLabels(out, labels);
        out += " " + std::to_string(child->counter->value()) + "\n";
      } else if (child->gauge != nullptr) {
        out += f->name;
        AppendLabels(out, labels);
        out += " " + FormatValue(child->gauge->value()) + "\n";
      } else if (child->histogram != nullptr) {
        const Histogram::Snapshot s = child->histogram->Take();
        for (size_t i = 0; i < s.cumulative.size(); ++i) {
          out += f->name + "_bucket";
          AppendLabels(out, labels, "le",
                       i < s.upper_bounds.size()
                           ? FormatValue(s.upper_bounds[i])
                           : std::string("+Inf"));
          out += " " + std::to_string(s.cumulative[i]) + "\n";
        }
        out += f->name + "_sum";
        AppendLabels(out, labels);
        out += " " + FormatValue(s.sum) + "\n";
        out += f->name + "_count";
        AppendLabels(out, labels);
        out += " " + std::to_string(s.count) + "\n";
      }
    }
  }
  return out;
}

MetricRegistry& ProcessMetrics() {
  static MetricRegistry* const registry = new MetricRegistry();
  return *registry;
}

}  // namespace kvo::common
