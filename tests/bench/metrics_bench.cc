// What the metrics cost per call (issue 27): kvod counts every gRPC call in
// its interceptor (find the method once, then a counter and a histogram)
// and every door sync (one counter), whether or not --metrics-listen
// serves them. These are those steps alone, from one and from several
// threads (all on the same method: the worst case for shared cache lines),
// and a scrape of a registry the size of kvod's; the baseline is one bare
// atomic addition.
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "services/common/metrics.h"
#include "services/common/rpc_metrics.h"

namespace kvo::common {
namespace {

std::vector<std::string> Methods() {
  std::vector<std::string> out;
  for (int s = 0; s < 11; ++s) {
    for (int m = 0; m < 10; ++m) {
      out.push_back("/kvo.v1.Service" + std::to_string(s) + "/Method" +
                    std::to_string(m));
    }
  }
  out.push_back("/kvo.v1.GalleryService/SyncGallery");
  return out;
}

MetricRegistry& Registry() {
  static MetricRegistry* registry = new MetricRegistry();
  return *registry;
}

const RpcMetrics& Rpc() {
  static const RpcMetrics* rpc = new RpcMetrics(Registry(), Methods());
  return *rpc;
}

// The baseline: one relaxed atomic addition on a shared counter.
void BM_BaselineAtomicAdd(benchmark::State& state) {
  static std::atomic<uint64_t> n{0};
  for (auto _ : state) n.fetch_add(1, std::memory_order_relaxed);
}
BENCHMARK(BM_BaselineAtomicAdd)->Threads(1)->Threads(2)->Threads(4);

// The interceptor's whole addition to one call.
void BM_RpcFindAndRecord(benchmark::State& state) {
  const RpcMetrics& rpc = Rpc();
  for (auto _ : state) {
    const auto* m = rpc.Find("/kvo.v1.GalleryService/SyncGallery");
    rpc.Record(m, 0, 0.0004);
  }
}
BENCHMARK(BM_RpcFindAndRecord)->Threads(1)->Threads(2)->Threads(4);

// The door sync's outcome counter.
void BM_DoorSyncCounter(benchmark::State& state) {
  Counter& c = Registry().GetCounter("kvo_door_syncs_total", "Door syncs.",
                                     {{"outcome", "no_change"}});
  for (auto _ : state) c.Increment();
}
BENCHMARK(BM_DoorSyncCounter)->Threads(1)->Threads(2)->Threads(4);

// One scrape of every method's counters and histograms.
void BM_Render(benchmark::State& state) {
  const RpcMetrics& rpc = Rpc();
  for (const std::string& m : Methods()) rpc.Record(rpc.Find(m), 0, 0.01);
  size_t bytes = 0;
  for (auto _ : state) bytes = Registry().Render().size();
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_Render);

}  // namespace
}  // namespace kvo::common

BENCHMARK_MAIN();
