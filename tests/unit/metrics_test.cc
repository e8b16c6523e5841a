// The metrics' text exposition (Prometheus format 0.0.4) and the call
// counting kvod's interceptor does, without a server.
#include "services/common/metrics.h"

#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/rpc_metrics.h"

namespace kvo::common {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(MetricsTest, CounterAndGaugeAreRenderedWithHelpAndType) {
  MetricRegistry registry;
  registry.GetCounter("kvo_things_total", "Things done.").Increment(3);
  Gauge& g = registry.GetGauge("kvo_level", "A level.");
  g.Set(2.5);
  g.Add(-1);
  EXPECT_EQ(registry.Render(),
            "# HELP kvo_things_total Things done.\n"
            "# TYPE kvo_things_total counter\n"
            "kvo_things_total 3\n"
            "# HELP kvo_level A level.\n"
            "# TYPE kvo_level gauge\n"
            "kvo_level 1.5\n");
}

TEST(MetricsTest, SameNameAndLabelsGiveTheSameObject) {
  MetricRegistry registry;
  Counter& a = registry.GetCounter("kvo_x_total", "X.", {{"kind", "a"}});
  Counter& again = registry.GetCounter("kvo_x_total", "X.", {{"kind", "a"}});
  Counter& b = registry.GetCounter("kvo_x_total", "X.", {{"kind", "b"}});
  EXPECT_EQ(&a, &again);
  EXPECT_NE(&a, &b);
  a.Increment();
  b.Increment(2);
  const std::string text = registry.Render();
  // One HELP and TYPE for the family, one line per label set.
  EXPECT_EQ(text,
            "# HELP kvo_x_total X.\n"
            "# TYPE kvo_x_total counter\n"
            "kvo_x_total{kind=\"a\"} 1\n"
            "kvo_x_total{kind=\"b\"} 2\n");
}

TEST(MetricsTest, LabelValuesAndHelpAreEscaped) {
  MetricRegistry registry;
  registry
      .GetCounter("kvo_esc_total", "Back\\slash and\nnewline \"quoted\".",
                  {{"v", "a\\b\"c\nd"}})
      .Increment();
  const std::string text = registry.Render();
  // HELP escapes backslash and newline, not quotes; label values all three.
  EXPECT_THAT(text,
              HasSubstr("# HELP kvo_esc_total Back\\\\slash and\\nnewline "
                        "\"quoted\".\n"));
  EXPECT_THAT(text, HasSubstr("kvo_esc_total{v=\"a\\\\b\\\"c\\nd\"} 1\n"));
  EXPECT_EQ(EscapeLabelValue("plain"), "plain");
}

TEST(MetricsTest, HistogramBucketsAreCumulativeWithSumAndCount) {
  MetricRegistry registry;
  Histogram& h = registry.GetHistogram("kvo_wait_seconds", "Waits.",
                                       {0.25, 0.5, 1}, {{"pool", "main"}});
  h.Observe(0.125);
  h.Observe(0.25);  // on a bound: counted in that bucket (le)
  h.Observe(0.375);
  h.Observe(7);
  EXPECT_EQ(registry.Render(),
            "# HELP kvo_wait_seconds Waits.\n"
            "# TYPE kvo_wait_seconds histogram\n"
            "kvo_wait_seconds_bucket{pool=\"main\",le=\"0.25\"} 2\n"
            "kvo_wait_seconds_bucket{pool=\"main\",le=\"0.5\"} 3\n"
            "kvo_wait_seconds_bucket{pool=\"main\",le=\"1\"} 3\n"
            "kvo_wait_seconds_bucket{pool=\"main\",le=\"+Inf\"} 4\n"
            "kvo_wait_seconds_sum{pool=\"main\"} 7.75\n"
            "kvo_wait_seconds_count{pool=\"main\"} 4\n");
}

TEST(MetricsTest, HistogramWithoutLabelsHasOnlyLe) {
  MetricRegistry registry;
  registry.GetHistogram("kvo_h", "H.", {1}).Observe(2);
  const std::string text = registry.Render();
  EXPECT_THAT(text, HasSubstr("kvo_h_bucket{le=\"1\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("kvo_h_bucket{le=\"+Inf\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("kvo_h_sum 2\n"));
  EXPECT_THAT(text, HasSubstr("kvo_h_count 1\n"));
}

TEST(MetricsTest, GaugeSpecialValues) {
  MetricRegistry registry;
  registry.GetGauge("kvo_inf", "Inf.").Set(1.0 / 0.0);
  EXPECT_THAT(registry.Render(), HasSubstr("kvo_inf +Inf\n"));
}

TEST(MetricsDeathTest, BadNamesAndRedefinitionsAbort) {
  MetricRegistry registry;
  registry.GetCounter("kvo_once_total", "Once.");
  EXPECT_DEATH(registry.GetGauge("kvo_once_total", "Once."), "another type");
  EXPECT_DEATH(registry.GetCounter("kvo bad", "Bad."), "bad metric name");
  EXPECT_DEATH(registry.GetCounter("kvo_l_total", "L.", {{"le", "1"}}),
               "bad label name");
  EXPECT_DEATH(registry.GetHistogram("kvo_b", "B.", {2, 1}), "ascend");
}

TEST(MetricsTest, CountsFromManyThreadsAddUp) {
  MetricRegistry registry;
  Counter& c = registry.GetCounter("kvo_n_total", "N.");
  Histogram& h = registry.GetHistogram("kvo_d", "D.", {1});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        c.Increment();
        h.Observe(0.5);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.value(), 40000u);
  const Histogram::Snapshot s = h.Take();
  EXPECT_EQ(s.count, 40000u);
  EXPECT_DOUBLE_EQ(s.sum, 20000);
}

TEST(RpcMetricsTest, CallsByMethodAndCodeNameWithDuration) {
  MetricRegistry registry;
  RpcMetrics rpc(registry, {"/kvo.v1.GalleryService/SyncGallery"});
  const auto* sync = rpc.Find("/kvo.v1.GalleryService/SyncGallery");
  rpc.Record(sync, 0, 0.002);
  rpc.Record(sync, 8, 0.004);  // RESOURCE_EXHAUSTED
  const std::string text = registry.Render();
  EXPECT_THAT(text, HasSubstr("kvo_rpc_calls_total{method=\"kvo.v1."
                              "GalleryService/SyncGallery\",code=\"OK\"} 1\n"));
  EXPECT_THAT(text,
              HasSubstr("kvo_rpc_calls_total{method=\"kvo.v1.GalleryService/"
                        "SyncGallery\",code=\"RESOURCE_EXHAUSTED\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("kvo_rpc_duration_seconds_count{method=\"kvo.v1."
                              "GalleryService/SyncGallery\"} 2\n"));
}

TEST(RpcMetricsTest, UnknownMethodsCountAsOtherSoNoCallerGrowsTheLabels) {
  MetricRegistry registry;
  RpcMetrics rpc(registry, {"/kvo.v1.GalleryService/SyncGallery"});
  const auto* made_up = rpc.Find("/kvo.v1.Anything/Jansen");
  EXPECT_EQ(made_up, rpc.Find("/x/y"));
  rpc.Record(made_up, 12, 0.001);
  rpc.Record(made_up, 99, 0.001);  // no code: UNKNOWN
  const std::string text = registry.Render();
  EXPECT_THAT(text, HasSubstr("kvo_rpc_calls_total{method=\"other\",code="
                              "\"UNIMPLEMENTED\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("kvo_rpc_calls_total{method=\"other\",code="
                              "\"UNKNOWN\"} 1\n"));
  EXPECT_THAT(text, Not(HasSubstr("Jansen")));
}

TEST(RpcMetricsTest, CodeNames) {
  EXPECT_EQ(RpcMetrics::CodeName(0), "OK");
  EXPECT_EQ(RpcMetrics::CodeName(14), "UNAVAILABLE");
  EXPECT_EQ(RpcMetrics::CodeName(16), "UNAUTHENTICATED");
  EXPECT_EQ(RpcMetrics::CodeName(17), "UNKNOWN");
}

}  // namespace
}  // namespace kvo::common
