#include "services/reports/reduction_report.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "services/common/dutch_date.h"
#include "services/common/dutch_number.h"
#include "services/notice/notice_pdf.h"

namespace kvo::reports {
namespace {

using Unit = Figure::Unit;

bool Small(double v, int64_t threshold) { return v > 0 && v < threshold; }

std::string Label(const ReductionInputs& in, const std::string& key) {
  auto it = in.labels.find(key);
  // Never a bare English code beside Dutch labels: marked, so a missing
  // label shows.
  return it == in.labels.end() ? absl::StrCat("onbekend (", key, ")")
                               : it->second;
}

std::optional<double> PercentChange(double first, double second) {
  if (first == 0) return std::nullopt;
  return (second - first) / first * 100.0;
}

// A count (or an amount) in both periods; `small_first/second` hide it.
Figure CountFigure(std::string metric, std::string label, Unit unit,
                   double first, double second, bool small_first,
                   bool small_second) {
  Figure f;
  f.metric = std::move(metric);
  f.label = std::move(label);
  f.unit = unit;
  f.first = first;
  f.second = second;
  f.first_small = small_first;
  f.second_small = small_second;
  f.raw_change = PercentChange(first, second);
  if (!small_first && !small_second) f.change = f.raw_change;
  return f;
}

Figure Count(std::string metric, std::string label, int64_t first,
             int64_t second, int64_t threshold) {
  return CountFigure(std::move(metric), std::move(label), Unit::kCount,
                     double(first), double(second), Small(first, threshold),
                     Small(second, threshold));
}

// A share in percent of `of`; hidden when `of` is too small to show.
Figure Share(std::string metric, std::string label, int64_t part0, int64_t of0,
             int64_t part1, int64_t of1, int64_t threshold) {
  Figure f;
  f.metric = std::move(metric);
  f.label = std::move(label);
  f.unit = Unit::kPercent;
  f.first = of0 > 0 ? 100.0 * double(part0) / double(of0) : 0;
  f.second = of1 > 0 ? 100.0 * double(part1) / double(of1) : 0;
  f.first_small = Small(double(of0), threshold);
  f.second_small = Small(double(of1), threshold);
  if (of0 > 0 && of1 > 0) f.raw_change = f.second - f.first;
  if (!f.first_small && !f.second_small) f.change = f.raw_change;
  return f;
}

// Every key of both maps, in the order of their labels.
std::vector<std::string> Keys(const ReductionInputs& in,
                              const std::map<std::string, int64_t>& a,
                              const std::map<std::string, int64_t>& b) {
  std::set<std::string> keys;
  for (const auto& [k, v] : a) keys.insert(k);
  for (const auto& [k, v] : b) keys.insert(k);
  std::vector<std::string> out(keys.begin(), keys.end());
  std::stable_sort(out.begin(), out.end(), [&](const auto& x, const auto& y) {
    return Label(in, x) < Label(in, y);
  });
  return out;
}

int64_t Get(const std::map<std::string, int64_t>& m, const std::string& k) {
  auto it = m.find(k);
  return it == m.end() ? 0 : it->second;
}

int64_t Sum(const std::map<std::string, int64_t>& m) {
  int64_t total = 0;
  for (const auto& [k, v] : m) total += v;
  return total;
}

// A section of one figure per key and a total; the total is withheld in a
// period where a line is hidden.
Section ByKey(const ReductionInputs& in, std::string title,
              const std::string& prefix,
              const std::map<std::string, int64_t>& first,
              const std::map<std::string, int64_t>& second,
              const std::string& total_label) {
  Section s;
  s.title = std::move(title);
  for (const auto& key : Keys(in, first, second)) {
    s.figures.push_back(Count(absl::StrCat(prefix, ".", key), Label(in, key),
                              Get(first, key), Get(second, key),
                              in.small_count_threshold));
  }
  Figure total = Count(absl::StrCat(prefix, ".total"), total_label, Sum(first),
                       Sum(second), in.small_count_threshold);
  for (const Figure& f : s.figures) {
    if (f.first_small) Withhold(total, false);
    if (f.second_small) Withhold(total, true);
  }
  s.figures.push_back(std::move(total));
  return s;
}

// Figures imported from a source (police, fire brigade): a line per
// category and a total, small numbers hidden as ByKey hides them; a note
// instead when the source gave nothing for either period.
Section Imported(const ReductionInputs& in, const std::string& title,
                 const std::string& prefix,
                 const std::map<std::string, int64_t>& first,
                 const std::map<std::string, int64_t>& second,
                 const std::string& empty_note) {
  Section s = ByKey(in, title, prefix, first, second, title + " totaal");
  if (first.empty() && second.empty()) {
    s.figures.clear();
    s.note = empty_note;
  }
  return s;
}

// Every month of the period; `coverage` says how much of each a count
// covers.
std::vector<MonthPoint> Months(
    const Period& p, const std::map<absl::CivilMonth, int64_t>& m,
    int64_t threshold,
    const std::function<Coverage(absl::CivilMonth)>& coverage) {
  std::vector<MonthPoint> out;
  for (absl::CivilMonth month(p.from); month <= absl::CivilMonth(p.to);
       ++month) {
    auto it = m.find(month);
    const int64_t n = it == m.end() ? 0 : it->second;
    out.push_back(
        {month, n, Small(double(n), threshold), false, coverage(month)});
  }
  // The months add up to the period's total: hidden months whose sum is
  // small get the smallest month shown as company (complementary
  // suppression), so the total minus the months shown gives no small count.
  int64_t hidden = 0;
  for (const MonthPoint& mp : out) hidden += mp.small ? mp.count : 0;
  while (hidden > 0 && hidden < threshold) {
    MonthPoint* company = nullptr;
    for (MonthPoint& mp : out) {
      if (!mp.small && !mp.withheld && mp.count > 0 &&
          (company == nullptr || mp.count < company->count)) {
        company = &mp;
      }
    }
    if (company == nullptr) break;  // then the total itself is small
    company->withheld = true;
    hidden += company->count;
  }
  return out;
}

absl::Status CheckCounts(const PeriodFacts& f, absl::string_view which) {
  auto bad = [&](absl::string_view what) {
    return absl::InvalidArgumentError(
        absl::StrCat(which, " period: ", what, " must not be negative"));
  };
  for (const auto* m : {&f.incidents_by_type, &f.police_by_category,
                        &f.fire_by_category, &f.objections_by_outcome}) {
    for (const auto& [k, v] : *m) {
      if (v < 0) return bad(k);
    }
  }
  for (const auto& [k, v] : f.incidents_by_month) {
    if (v < 0) return bad("a month's incidents");
  }
  if (f.damage_cents < 0) return bad("damage");
  if (f.incidents_reported < 0) return bad("incidents reported");
  if (f.warnings_issued < 0 || f.bans_issued < 0) return bad("cards issued");
  if (f.repeat_offenders < 0) return bad("repeat offenders");
  if (f.survey && (f.survey->respondents < 0 || f.survey->feel_safe < 0 ||
                   f.survey->victimised < 0 || f.survey->reported < 0 ||
                   f.survey->feel_safe > f.survey->respondents ||
                   f.survey->victimised > f.survey->respondents ||
                   f.survey->reported > f.survey->victimised)) {
    return absl::InvalidArgumentError(
        absl::StrCat(which, " period: survey counts do not add up"));
  }
  return absl::OkStatus();
}

std::string Grouped(int64_t n) { return common::DutchCount(n); }

std::string OneDecimal(double v) { return common::DutchDecimal(v, 1); }

// `text` padded with spaces to `width` characters (UTF-8 code points, so
// that "€" counts as one); right-aligned unless `left`.
std::string Pad(const std::string& text, size_t width, bool left) {
  size_t chars = 0;
  for (unsigned char c : text) chars += (c & 0xC0) != 0x80;
  const std::string fill(width > chars ? width - chars : 0, ' ');
  return left ? text + fill : fill + text;
}

std::string Csv(const std::string& field) {
  if (field.find_first_of(",\"\n") == std::string::npos) return field;
  return absl::StrCat("\"", absl::StrReplaceAll(field, {{"\"", "\"\""}}), "\"");
}

}  // namespace

std::string CsvField(const std::string& field) { return Csv(field); }

std::string PadColumn(const std::string& text, size_t width, bool left) {
  return Pad(text, width, left);
}

Coverage MonthCoverage(absl::CivilMonth month, absl::CivilDay from,
                       absl::CivilDay to) {
  const absl::CivilDay first(month);
  const absl::CivilDay last = absl::CivilDay(month + 1) - 1;
  if (to < first || last < from || to < from) return Coverage::kNone;
  return from <= first && last <= to ? Coverage::kWhole : Coverage::kPartial;
}

void Withhold(Figure& f, bool second) {
  (second ? f.second_withheld : f.first_withheld) = true;
  f.change.reset();
}

absl::Status CheckPeriods(const Period& first, const Period& second) {
  for (const auto& [p, flag] :
       {std::pair{&first, "--from"}, std::pair{&second, "--to"}}) {
    if (p->to < p->from) {
      return absl::InvalidArgumentError(absl::StrCat(
          flag, ": the period ends before it starts (", FormatPeriod(*p), ")"));
    }
  }
  if (!(first.to < second.from || second.to < first.from)) {
    return absl::InvalidArgumentError(
        "--from, --to: the two periods overlap; compare two separate "
        "periods (for example the 0-meting year and the 1-meting year)");
  }
  return absl::OkStatus();
}

absl::StatusOr<ReductionReport> BuildReductionReport(
    const ReductionInputs& in) {
  if (in.area_name.empty()) {
    return absl::InvalidArgumentError("--area: the area has no name");
  }
  if (auto s = CheckPeriods(in.first, in.second); !s.ok()) return s;
  if (in.small_count_threshold < 1) {
    return absl::InvalidArgumentError(
        "the small-count threshold must be at least 1");
  }
  if (auto s = CheckCounts(in.first_facts, "first"); !s.ok()) return s;
  if (auto s = CheckCounts(in.second_facts, "second"); !s.ok()) return s;

  const int64_t t = in.small_count_threshold;
  const PeriodFacts& a = in.first_facts;
  const PeriodFacts& b = in.second_facts;
  ReductionReport r;
  r.area_name = in.area_name;
  r.first = in.first;
  r.second = in.second;
  r.threshold = t;

  r.sections.push_back(ByKey(in, "Incidenten (registratie)", "incidents",
                             a.incidents_by_type, b.incidents_by_type,
                             "Incidenten totaal"));
  // Damage of fewer incidents than the threshold could point at one shop's
  // one case: it is hidden with them.
  const int64_t n0 = Sum(a.incidents_by_type), n1 = Sum(b.incidents_by_type);
  r.sections.back().figures.push_back(CountFigure(
      "damage", "Schade", Unit::kCents, double(a.damage_cents),
      double(b.damage_cents), Small(double(n0), t), Small(double(n1), t)));
  // Aangiftebereidheid from the registry: of the incidents, those reported
  // to the police. The share is hidden with a small count of either.
  r.sections.back().figures.push_back(
      Count("police_reports", "Incidenten met aangifte", a.incidents_reported,
            b.incidents_reported, t));
  Figure rate =
      Share("police_reports.rate", "Aangiftebereidheid (van de incidenten)",
            a.incidents_reported, n0, b.incidents_reported, n1, t);
  if (Small(a.incidents_reported, t)) Withhold(rate, false);
  if (Small(b.incidents_reported, t)) Withhold(rate, true);
  r.sections.back().figures.push_back(std::move(rate));

  r.sections.push_back(
      Imported(in, "Politiecijfers", "police", a.police_by_category,
               b.police_by_category,
               "Geen politiecijfers ingelezen voor deze perioden."));
  r.sections.push_back(Imported(
      in, "Brandweercijfers", "fire", a.fire_by_category, b.fire_by_category,
      "Geen brandweercijfers ingelezen voor deze perioden."));

  Section cards;
  cards.title = "Waarschuwingen, verboden en bezwaren";
  cards.figures.push_back(Count("cards.collective_warning",
                                "Collectieve waarschuwingen", a.warnings_issued,
                                b.warnings_issued, t));
  cards.figures.push_back(
      Count("cards.ban", "Winkelverboden", a.bans_issued, b.bans_issued, t));
  for (const auto& key :
       Keys(in, a.objections_by_outcome, b.objections_by_outcome)) {
    cards.figures.push_back(Count(absl::StrCat("objections.", key),
                                  absl::StrCat("Bezwaren: ", Label(in, key)),
                                  Get(a.objections_by_outcome, key),
                                  Get(b.objections_by_outcome, key), t));
  }
  cards.figures.push_back(Count("repeat_offenders",
                                "Personen met meer dan een kaart",
                                a.repeat_offenders, b.repeat_offenders, t));
  r.sections.push_back(std::move(cards));

  Section survey;
  survey.title = "Ondernemersenquête";
  if (a.survey && b.survey) {
    const SurveyFacts& s0 = *a.survey;
    const SurveyFacts& s1 = *b.survey;
    survey.figures.push_back(Count("survey.respondents", "Respondenten",
                                   s0.respondents, s1.respondents, t));
    survey.figures.push_back(Share("survey.feel_safe", "Voelt zich veilig",
                                   s0.feel_safe, s0.respondents, s1.feel_safe,
                                   s1.respondents, t));
    survey.figures.push_back(
        Share("survey.victimisation", "Slachtoffer geworden", s0.victimised,
              s0.respondents, s1.victimised, s1.respondents, t));
    survey.figures.push_back(Share(
        "survey.reporting_rate", "Aangiftebereidheid (van de slachtoffers)",
        s0.reported, s0.victimised, s1.reported, s1.victimised, t));
  } else {
    std::vector<std::string> missing;
    if (!a.survey) missing.push_back("0-meting (eerste periode)");
    if (!b.survey) missing.push_back("1-meting (tweede periode)");
    survey.note =
        absl::StrCat("Geen enquête voor de ", absl::StrJoin(missing, " en de "),
                     ": doe de meting om dit te vergelijken.");
  }
  r.sections.push_back(std::move(survey));

  Section donations;
  donations.title = "Overlastdonaties";
  if (a.donations && b.donations) {
    const DonationFacts& d0 = *a.donations;
    const DonationFacts& d1 = *b.donations;
    // Every claim is the same amount: a sum of fewer than `t` claims
    // tells how many there were, so it is hidden as the count would be.
    for (const auto& [metric, label, v0, v1, n0, n1] :
         {std::tuple{"donations.claimed", "Gevorderd", d0.claimed_cents,
                     d1.claimed_cents, d0.claims, d1.claims},
          std::tuple{"donations.paid", "Betaald", d0.paid_cents, d1.paid_cents,
                     d0.paid_claims, d1.paid_claims},
          std::tuple{"donations.shop_share", "Aandeel winkels",
                     d0.shop_share_cents, d1.shop_share_cents,
                     d0.shop_share_claims, d1.shop_share_claims}}) {
      donations.figures.push_back(
          CountFigure(metric, label, Unit::kCents, double(v0), double(v1),
                      Small(double(n0), t), Small(double(n1), t)));
    }
  } else {
    donations.note =
        "Geen gegevens over overlastdonaties (de module is niet in gebruik).";
  }
  r.sections.push_back(std::move(donations));

  auto registry = [&](absl::CivilMonth m) {
    return in.registry_from && in.made_on
               ? MonthCoverage(m, *in.registry_from, *in.made_on)
               : Coverage::kWhole;
  };
  r.first_months = Months(in.first, a.incidents_by_month, t, registry);
  r.second_months = Months(in.second, b.incidents_by_month, t, registry);
  // Imported figures are whole months. Between the first and the last
  // month imported a month without a row is 0 (the police list the months
  // something happened); outside them there are no figures.
  for (const auto& [label, first, second] :
       {std::tuple{"Politie", &a.police_by_month, &b.police_by_month},
        std::tuple{"Brandweer", &a.fire_by_month, &b.fire_by_month}}) {
    if (first->empty() && second->empty()) continue;
    const absl::CivilMonth from =
        !first->empty() ? first->begin()->first : second->begin()->first;
    const absl::CivilMonth to =
        !second->empty() ? second->rbegin()->first : first->rbegin()->first;
    auto imported = [&](absl::CivilMonth month) {
      return from <= month && month <= to ? Coverage::kWhole : Coverage::kNone;
    };
    r.figure_months.push_back({label, Months(in.first, *first, t, imported),
                               Months(in.second, *second, t, imported)});
  }

  for (const Objective& o : in.objectives) {
    ObjectiveResult res{o, std::nullopt, false, std::nullopt, false};
    for (const Section& s : r.sections) {
      for (const Figure& f : s.figures) {
        if (f.metric == o.metric) {
          res.measured_change = f.raw_change;
          res.shown_change = f.change;
          res.in_points = f.unit == Unit::kPercent;
        }
      }
    }
    if (res.measured_change) {
      res.met = o.target_change_pct < 0
                    ? *res.measured_change <= o.target_change_pct
                    : *res.measured_change >= o.target_change_pct;
    }
    r.objectives.push_back(std::move(res));
  }
  return r;
}

std::string FormatValue(const Figure& f, bool second, int64_t threshold) {
  if (second ? f.second_withheld : f.first_withheld) return "verborgen";
  if (second ? f.second_small : f.first_small) {
    return f.unit == Unit::kCount
               ? absl::StrCat("< ", threshold)
               : std::string(f.unit == Unit::kCents ? "verborgen"
                                                    : "te weinig");
  }
  const double v = second ? f.second : f.first;
  switch (f.unit) {
    case Unit::kCount:
      return Grouped(int64_t(std::llround(v)));
    case Unit::kCents: {
      const int64_t cents = int64_t(std::llround(v));
      return absl::StrFormat("€ %s,%02d", Grouped(cents / 100), cents % 100);
    }
    case Unit::kPercent:
      return absl::StrCat(OneDecimal(v), " %");
  }
  return "";
}

std::string FormatChange(const Figure& f) {
  if (!f.change) return "";
  const std::string sign = *f.change > 0 ? "+" : "";
  return absl::StrCat(sign, OneDecimal(*f.change),
                      f.unit == Unit::kPercent ? " pp" : " %");
}

std::string FormatPeriod(const Period& p) {
  return absl::StrCat(
      common::DutchDate(int(p.from.year()), p.from.month(), p.from.day()),
      " t/m ", common::DutchDate(int(p.to.year()), p.to.month(), p.to.day()));
}

std::string ReductionText(const ReductionReport& r) {
  std::string out = absl::StrCat(
      "Rapport criminaliteitsreductie: ", r.area_name, "\n",
      "Periode 1 (0-meting): ", FormatPeriod(r.first), "\n",
      "Periode 2 (1-meting): ", FormatPeriod(r.second), "\n",
      "Aantallen van 1 tot ", r.threshold, " staan er als \"< ", r.threshold,
      "\": geen persoon mag herkenbaar zijn; een "
      "totaal dat zo'n aantal zou verraden staat er als "
      "\"verborgen\".\n");
  for (const Section& s : r.sections) {
    absl::StrAppend(&out, "\n", s.title, "\n");
    for (const Figure& f : s.figures) {
      absl::StrAppend(&out, "  ", Pad(f.label, 44, true), " ",
                      Pad(FormatValue(f, false, r.threshold), 14, false), " ",
                      Pad(FormatValue(f, true, r.threshold), 14, false), " ",
                      Pad(FormatChange(f), 10, false), "\n");
    }
    if (!s.note.empty()) absl::StrAppend(&out, "  ", s.note, "\n");
  }
  if (!r.objectives.empty()) {
    absl::StrAppend(&out, "\nDoelen van het plan van aanpak\n");
    for (const ObjectiveResult& o : r.objectives) {
      absl::StrAppend(&out, "  ",
                      !o.measured_change ? "[geen meting] "
                      : o.met            ? "[gehaald]     "
                                         : "[niet gehaald] ",
                      o.objective.text, " (doel ",
                      o.objective.target_change_pct > 0 ? "+" : "",
                      OneDecimal(o.objective.target_change_pct),
                      o.in_points ? " pp)\n" : " %)\n");
    }
  }
  return out;
}

std::string ReductionCsv(const ReductionReport& r) {
  std::string out = "section,figure,metric,first,second,change\n";
  for (const Section& s : r.sections) {
    for (const Figure& f : s.figures) {
      absl::StrAppend(&out,
                      absl::StrJoin({Csv(s.title), Csv(f.label), Csv(f.metric),
                                     Csv(FormatValue(f, false, r.threshold)),
                                     Csv(FormatValue(f, true, r.threshold)),
                                     Csv(FormatChange(f))},
                                    ","),
                      "\n");
    }
  }
  return out;
}

}  // namespace kvo::reports
