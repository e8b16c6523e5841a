#ifndef KVO_SERVICES_REPORTS_REDUCTION_REPORT_H_
#define KVO_SERVICES_REPORTS_REDUCTION_REPORT_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"

namespace kvo::reports {

// The theft-reduction report of one area over two periods (issue 17): the
// figures computed from plain, already aggregated inputs. Pure: no SQL, no
// I/O; the store hands it counts per period, never rows about persons.

// Calendar days in Europe/Amsterdam, both ends included.
struct Period {
  absl::CivilDay from;
  absl::CivilDay to;
};

// The survey of one period (0-meting, 1-meting), as counts of answers.
struct SurveyFacts {
  int64_t respondents = 0;
  int64_t feel_safe = 0;   // answered "(very) safe"
  int64_t victimised = 0;  // a victim of crime in the period asked about
  int64_t reported = 0;    // of the victims, those who reported to police
};

// Nuisance donations of one period, in cents.
struct DonationFacts {
  int64_t claimed_cents = 0;
  int64_t paid_cents = 0;
  int64_t shop_share_cents = 0;
  // The claims behind each sum: a sum of fewer than the threshold is
  // hidden like a small count (every claim is the same amount).
  int64_t claims = 0;
  int64_t paid_claims = 0;
  int64_t shop_share_claims = 0;
};

// What the registry, the police figures and the cycle give for one period.
struct PeriodFacts {
  std::map<std::string, int64_t> incidents_by_type;   // offence type code
  std::map<std::string, int64_t> police_by_category;  // imported figures
  std::map<std::string, int64_t> fire_by_category;    // the fire brigade's
  int64_t damage_cents = 0;
  // Of the registry's incidents, those reported to the police (aangifte).
  int64_t incidents_reported = 0;
  int64_t warnings_issued = 0;
  int64_t bans_issued = 0;
  std::map<std::string, int64_t> objections_by_outcome;
  int64_t repeat_offenders = 0;            // persons with more than one card
  std::optional<SurveyFacts> survey;       // none: no measurement
  std::optional<DonationFacts> donations;  // none: module absent
  std::map<absl::CivilMonth, int64_t> incidents_by_month;
  // Police and fire-brigade figures by month, every category together;
  // a month without figures is absent.
  std::map<absl::CivilMonth, int64_t> police_by_month;
  std::map<absl::CivilMonth, int64_t> fire_by_month;
};

// An objective of the plan: the figure it is measured on ("incidents.theft",
// "incidents.total", "police.<category>", "fire.<category>", "damage",
// "survey.feel_safe", "survey.reporting_rate", ...) and its target change in
// percent against the first period (-10: "ten percent fewer"); for a share (a
// survey figure) in percentage points.
struct Objective {
  std::string text;
  std::string metric;
  double target_change_pct = 0;
};

struct ReductionInputs {
  std::string area_name;
  Period first;   // the 0-meting period
  Period second;  // the 1-meting period
  PeriodFacts first_facts;
  PeriodFacts second_facts;
  std::vector<Objective> objectives;
  // Counts from 1 to threshold - 1 are shown as "< threshold".
  int64_t small_count_threshold = 5;
  // Labels of offence types, police categories, objection outcomes.
  std::map<std::string, std::string> labels;
  // The days the registry can hold incidents of the area: from the first
  // day an incident could be recorded (the day it joined, less the policy's
  // backdating) to the day the report is made. A month not wholly within is
  // partial (or none of it is): its count is no month's count. Unset: every
  // month is whole.
  std::optional<absl::CivilDay> registry_from;
  std::optional<absl::CivilDay> made_on;
};

// One line of the report: a figure in both periods and its change.
struct Figure {
  std::string metric;  // "incidents.theft": what an objective refers to
  std::string label;   // as a person reads it
  enum class Unit { kCount, kCents, kPercent } unit = Unit::kCount;
  double first = 0;
  double second = 0;
  bool first_small = false;  // shown as "< threshold"
  bool second_small = false;
  // A total that would give a hidden line away (the total minus the lines
  // shown): "verborgen", and no change.
  bool first_withheld = false;
  bool second_withheld = false;
  // Change in percent (counts, cents) or percentage points (kPercent);
  // none when the first is 0 or a value is too small to show.
  std::optional<double> change;
  // The same, also when a value is too small to show: only for judging an
  // objective (met or not), never printed.
  std::optional<double> raw_change;
};

struct Section {
  std::string title;
  std::vector<Figure> figures;
  std::string note;  // why it is empty or partial ("geen 0-meting")
};

struct ObjectiveResult {
  Objective objective;
  std::optional<double> measured_change;  // none: figure missing
  bool met = false;
  // What may be printed: none when a value is too small to show (the
  // change and the other period's value would give it away).
  std::optional<double> shown_change;
  // Percentage points for a share (a survey figure), else percent.
  bool in_points = false;
};

// How much of a month a count covers.
enum class Coverage {
  kWhole,
  kPartial,  // some of its days: a count that would look like a dip
  kNone,     // none (before the registry, after today, no figures imported)
};

// Whether the days [from, to] cover `month` wholly, partly or not at all.
Coverage MonthCoverage(absl::CivilMonth month, absl::CivilDay from,
                       absl::CivilDay to);

struct MonthPoint {
  absl::CivilMonth month;
  int64_t count = 0;
  bool small = false;  // shown as "< threshold"
  // Not shown at all: the smallest other month of a period with a hidden
  // one, so that the total minus the months shown cannot give it back.
  bool withheld = false;
  Coverage coverage = Coverage::kWhole;
};

// A line of the monthly chart beside the registry's: the police's or the
// fire brigade's figures (every category together) in both periods.
struct MonthSeries {
  std::string label;  // "Politie"
  std::vector<MonthPoint> first;
  std::vector<MonthPoint> second;
};

struct ReductionReport {
  std::string area_name;
  Period first;
  Period second;
  int64_t threshold = 5;
  std::vector<Section> sections;
  std::vector<ObjectiveResult> objectives;
  std::vector<MonthPoint> first_months;  // every month of the period
  std::vector<MonthPoint> second_months;
  // Police, then fire brigade, each only when it has figures in a period.
  std::vector<MonthSeries> figure_months;
};

// Marks `f` withheld in a period (printed "verborgen") and drops its change.
void Withhold(Figure& f, bool second);

// INVALID_ARGUMENT naming kvo's flag (--from, --to) for an inverted period
// or two periods that overlap.
absl::Status CheckPeriods(const Period& first, const Period& second);

// INVALID_ARGUMENT for an empty area name, CheckPeriods' refusals, a
// threshold below 1 or a negative count.
absl::StatusOr<ReductionReport> BuildReductionReport(const ReductionInputs& in);

// The report as text a person reads (Dutch), one section after another;
// as CSV (section,figure,first,second,change; "< 5" kept as text) for a
// spreadsheet. Numbers in Dutch notation: "1.234", "€ 12,50", "-12,5 %".
std::string ReductionText(const ReductionReport& r);
std::string ReductionCsv(const ReductionReport& r);

// How a figure's value and change read ("< 5", "€ 1.234,50", "+3,2 pp").
std::string FormatValue(const Figure& f, bool second, int64_t threshold);
std::string FormatChange(const Figure& f);
// "1 januari 2026 t/m 31 december 2026".
std::string FormatPeriod(const Period& p);

// A CSV field, quoted when it needs to be; `text` padded with spaces to
// `width` characters (UTF-8 code points), right-aligned unless `left`.
std::string CsvField(const std::string& field);
std::string PadColumn(const std::string& text, size_t width, bool left);

}  // namespace kvo::reports

#endif  // KVO_SERVICES_REPORTS_REDUCTION_REPORT_H_
