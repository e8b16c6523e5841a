#include "clients/cli/demo_plan.h"

#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace kvo::cli {
namespace {

constexpr const char* kStreets[] = {"Hoogstraat", "Kerkstraat", "Marktplein"};
constexpr const char* kTrades[] = {
    "Bakkerij",   "Slagerij",   "Boekhandel", "Drogisterij", "Juwelier",
    "Kaashandel", "Modehuis",   "Schoenen",   "Opticien",    "Speelgoed",
    "Bloemist",   "Telecom",    "Apotheek",   "Supermarkt",  "Parfumerie",
    "Fietsen",    "Kookwinkel", "Sport",      "Tassen",      "Wijnhandel"};
constexpr const char* kNames[] = {
    "De Vries", "Jansen",   "Bakker", "Visser", "Smit",     "Meijer",
    "Mulder",   "Bos",      "Vos",    "Peters", "Hendriks", "Dekker",
    "Brouwer",  "Dijkstra", "Kok",    "Prins",  "Postma",   "Kramer"};
constexpr const char* kGiven[] = {
    "Jan",   "Pieter", "Kees",  "Sanne", "Lotte", "Daan", "Bram",  "Femke",
    "Thijs", "Anouk",  "Ruben", "Noor",  "Stijn", "Iris", "Milan", "Eva"};
constexpr const char* kSurnames[] = {"Dam",   "Berg", "Veen",   "Horst",
                                     "Broek", "Wal",  "Heuvel", "Linden",
                                     "Meer",  "Hoek", "Laan",   "Beek"};
constexpr const char* kPrefixes[] = {"", "van", "van der", "de", "van den"};
constexpr const char* kTowns[] = {"Deventer", "Zwolle", "Apeldoorn", "Zutphen",
                                  "Raalte"};
constexpr const char* kLooks[] = {
    "lang, donkere jas, rugzak", "klein postuur, grijze capuchontrui",
    "gemiddeld postuur, pet, sporttas", "slank, lichte jas, fiets aan de hand"};

template <typename T, size_t N>
const T& Pick(std::mt19937& rng, const T (&items)[N]) {
  return items[rng() % N];
}

// An offence type by the shares a city centre sees.
std::string OffenceType(std::mt19937& rng) {
  const uint32_t r = rng() % 100;
  if (r < 68) return "theft";
  if (r < 76) return "pickpocketing";
  if (r < 86) return "nuisance";
  if (r < 92) return "vandalism";
  if (r < 96) return "threat";
  return "violence";
}

int64_t Damage(std::mt19937& rng, const std::string& type) {
  if (type == "theft" || type == "pickpocketing") {
    return 500 + int64_t(rng() % 15000);  // 5 to 155 euro
  }
  if (type == "vandalism") return 2500 + int64_t(rng() % 40000);
  return 0;
}

}  // namespace

DemoPlan MakeDemoPlan(uint32_t seed, absl::CivilDay today,
                      const std::string& area_name,
                      const std::string& municipality) {
  std::mt19937 rng(seed);
  DemoPlan plan;
  plan.area_name = area_name;
  plan.municipality = municipality;
  for (const char* s : kStreets) plan.streets.push_back(s);
  for (int i = 0; i < 40; ++i) {
    // Every trade twice at most, each with another owner's name.
    plan.shops.push_back(
        {absl::StrCat(kTrades[i % 20], " ", kNames[(i * 7 + i / 20) % 18]),
         i % 3});
  }
  for (int i = 0; i < 60; ++i) {
    DemoPerson p;
    p.given_names = Pick(rng, kGiven);
    p.surname_prefix = Pick(rng, kPrefixes);
    p.surname = absl::StrCat(Pick(rng, kSurnames), "demo");
    p.address = absl::StrCat(Pick(rng, kStreets), " ", 1 + rng() % 120);
    p.residence = Pick(rng, kTowns);
    p.date_of_birth = absl::StrFormat("%04d-%02d-%02d", 1965 + rng() % 40,
                                      1 + rng() % 12, 1 + rng() % 28);
    p.place_of_birth = Pick(rng, kTowns);
    p.description = Pick(rng, kLooks);
    plan.persons.push_back(std::move(p));
  }
  // Whole calendar months, as a report asks for: the plan started on the
  // first day of the month eleven months ago, the 0-meting is the twelve
  // months before; the second period runs up to today.
  plan.second_to = today;
  plan.second_from = absl::CivilDay(absl::CivilMonth(today) - 11);
  plan.first_to = plan.second_from - 1;
  plan.first_from = absl::CivilDay(absl::CivilMonth(plan.second_from) - 12);
  // About 30 incidents a month before the plan, about 19 after it; a few
  // repeat offenders account for much of it, as in practice.
  // Up to yesterday: today's hours may still be ahead of kvod's clock.
  for (absl::CivilDay day = plan.first_from; day < plan.second_to; ++day) {
    const bool before = day < plan.second_from;
    // Three chances a day: 1 incident a day on average before, 0,62 after.
    const uint32_t chance = before ? 333 : 207;
    for (int k = 0; k < 3; ++k) {
      if (rng() % 1000 >= chance) continue;
      DemoIncident in;
      in.shop = int(rng() % plan.shops.size());
      in.person = rng() % 3 == 0 ? int(rng() % 8) : int(rng() % 60);
      in.at = absl::CivilSecond(day.year(), day.month(), day.day(),
                                9 + rng() % 9, rng() % 60, 0);
      in.offence_type = OffenceType(rng);
      in.damage_cents = Damage(rng, in.offence_type);
      plan.incidents.push_back(std::move(in));
    }
  }
  // Cards: six persons, two of them for violence (a ban at once).
  for (int i = 0; i < 6; ++i) {
    DemoIncident in;
    in.shop = int(rng() % plan.shops.size());
    in.person = i;
    const absl::CivilDay day = today - (20 - 3 * i);
    in.at =
        absl::CivilSecond(day.year(), day.month(), day.day(), 14, 10 * i, 0);
    in.offence_type = i < 2 ? "violence" : "theft";
    in.damage_cents = Damage(rng, in.offence_type);
    plan.carded.push_back(std::move(in));
  }
  plan.police_csv = "period,category,count\n";
  for (absl::CivilMonth m(plan.first_from); m <= absl::CivilMonth(today); ++m) {
    const bool before = m < absl::CivilMonth(plan.second_from);
    for (const auto& [category, base] : {std::pair{"shoplifting", 14},
                                         {"pickpocketing", 4},
                                         {"vandalism", 3},
                                         {"violence", 2}}) {
      const int count = int(base * (before ? 100 : 70) / 100 + rng() % 3);
      absl::StrAppend(&plan.police_csv, absl::FormatCivilTime(m), ",", category,
                      ",", count, "\n");
    }
  }
  return plan;
}

}  // namespace kvo::cli
