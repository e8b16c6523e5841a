#include "tests/sim/report_invariants.h"

#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/common/local_time.h"
#include "tests/sim/calls.h"

namespace kvo::sim {
namespace {

using namespace kvo::v1;

constexpr char kName[] = "reduction_report_recounts";
// policy reports.small_count_threshold.
constexpr int64_t kSmall = 5;

// A count as the report prints it: "< 5" from 1 to 4, else the number
// with a dot between thousands.
std::string Shown(int64_t n) {
  if (n > 0 && n < kSmall) return absl::StrCat("< ", kSmall);
  std::string digits = absl::StrCat(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += '.';
    out += digits[i];
  }
  return out;
}

// The model's incidents of `area` that occurred in `month`, per type.
std::map<std::string, int64_t> Recount(const Model& model, int area,
                                       absl::CivilMonth month) {
  std::map<std::string, int64_t> out;
  for (const auto& [h, inc] : model.incidents) {
    if (inc.area != area) continue;
    if (absl::CivilMonth(absl::ToCivilDay(inc.occurred, common::Amsterdam())) ==
        month) {
      ++out[inc.type];
    }
  }
  return out;
}

// What the report should print for period `p`'s total: "verborgen" when a
// type's count is hidden (the total would give it away).
std::string ShownTotal(const std::map<std::string, int64_t>& by_type) {
  int64_t total = 0;
  for (const auto& [type, n] : by_type) {
    if (n > 0 && n < kSmall) return "verborgen";
    total += n;
  }
  return Shown(total);
}

// The model's incidents of `area` in `month` with a police report recorded.
int64_t RecountReported(const Model& model, int area, absl::CivilMonth month) {
  int64_t n = 0;
  for (const auto& [h, inc] : model.incidents) {
    if (inc.area == area && !inc.report_number.empty() &&
        absl::CivilMonth(absl::ToCivilDay(inc.occurred, common::Amsterdam())) ==
            month) {
      ++n;
    }
  }
  return n;
}

}  // namespace

void ReductionReportRecounts(World& world, const Model& model,
                             std::vector<Broken>& out) {
  const absl::CivilMonth second(model.today);
  const absl::CivilMonth first = second - 1;
  auto first_day = [](absl::CivilMonth m) { return absl::CivilDay(m); };
  auto last_day = [](absl::CivilMonth m) { return absl::CivilDay(m + 1) - 1; };
  std::vector<std::string> diffs;
  for (size_t a = 0; a < model.areas.size(); ++a) {
    const Area& area = model.areas[a];
    ReductionReportRequest req;
    req.set_area_id(area.id);
    req.set_first_from(absl::FormatCivilTime(first_day(first)));
    req.set_first_to(absl::FormatCivilTime(last_day(first)));
    req.set_second_from(absl::FormatCivilTime(first_day(second)));
    req.set_second_to(absl::FormatCivilTime(last_day(second)));
    ReductionReportResponse got;
    grpc::Status s = world.reports().ReductionReport(
        world.Ctx(area.coordinator.token).get(), req, &got);
    if (!s.ok()) {
      diffs.push_back(absl::StrCat("ReductionReport of area ", area.id, " (",
                                   req.first_from(), "..", req.second_to(),
                                   "): ", Describe(s)));
      continue;
    }
    const std::map<std::string, int64_t> counts[2] = {
        Recount(model, static_cast<int>(a), first),
        Recount(model, static_cast<int>(a), second)};
    const absl::CivilMonth months[2] = {first, second};
    std::set<std::string> types;
    for (const auto& c : counts) {
      for (const auto& [type, n] : c) types.insert(type);
    }
    std::set<std::string> seen;
    for (const ReductionFigure& f : got.figures()) {
      // Aangiftebereidheid: reports recorded with the incident or later.
      if (f.metric() == "police_reports") {
        for (int p = 0; p < 2; ++p) {
          const std::string want =
              Shown(RecountReported(model, static_cast<int>(a), months[p]));
          const std::string& shown = p == 0 ? f.first() : f.second();
          if (shown != want) {
            diffs.push_back(absl::StrCat("area ", area.id, ", ",
                                         absl::FormatCivilTime(months[p]),
                                         ", police_reports: shows '", shown,
                                         "', the model recounts '", want, "'"));
          }
        }
        continue;
      }
      if (!absl::StartsWith(f.metric(), "incidents.")) continue;
      const std::string type = f.metric().substr(10);
      seen.insert(type);
      for (int p = 0; p < 2; ++p) {
        const std::string& shown = p == 0 ? f.first() : f.second();
        std::string want;
        if (type == "total") {
          want = ShownTotal(counts[p]);
        } else {
          auto it = counts[p].find(type);
          want = Shown(it == counts[p].end() ? 0 : it->second);
        }
        if (shown != want) {
          diffs.push_back(absl::StrCat("area ", area.id, ", ",
                                       absl::FormatCivilTime(months[p]), ", ",
                                       f.metric(), ": shows '", shown,
                                       "', the model recounts '", want, "'"));
        }
      }
    }
    for (const std::string& type : types) {
      if (!seen.count(type)) {
        diffs.push_back(absl::StrCat("area ", area.id, ": no line incidents.",
                                     type, " though the model recorded some"));
      }
    }
    for (const ReductionMonth& m : got.months()) {
      const int p = m.period() == 1 ? 0 : 1;
      int64_t total = 0;
      for (const auto& [type, n] : counts[p]) total += n;
      if (m.month() != absl::FormatCivilTime(months[p]) ||
          m.count() != Shown(total)) {
        diffs.push_back(absl::StrCat(
            "area ", area.id, ", month ", m.month(), " of period ", m.period(),
            ": shows '", m.count(), "', the model recounts '", Shown(total),
            "' for ", absl::FormatCivilTime(months[p])));
      }
    }
  }
  if (diffs.empty()) return;
  const size_t more = diffs.size() > 5 ? diffs.size() - 5 : 0;
  diffs.resize(std::min<size_t>(diffs.size(), 5));
  if (more > 0) diffs.push_back(absl::StrCat("and ", more, " more"));
  out.push_back({kName, absl::StrJoin(diffs, "; ")});
}

}  // namespace kvo::sim
