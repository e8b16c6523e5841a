#ifndef KVO_CLIENTS_CLI_DEMO_PLAN_H_
#define KVO_CLIENTS_CLI_DEMO_PLAN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"

namespace kvo::cli {

// What `kvo demo seed` loads, made up from a seed: the same seed and day
// give the same plan (std::mt19937 and integer arithmetic only, so it is
// the same on every platform). Nothing in it is real: shop and person
// names are drawn from short lists of common Dutch words. Pure.

struct DemoShop {
  std::string name;
  int street = 0;  // index into streets
};

struct DemoPerson {
  std::string given_names;
  std::string surname_prefix;
  std::string surname;
  std::string address;
  std::string residence;
  std::string date_of_birth;  // YYYY-MM-DD
  std::string place_of_birth;
  std::string description;
};

struct DemoIncident {
  int shop = 0;          // index into shops
  int person = 0;        // index into persons
  absl::CivilSecond at;  // Europe/Amsterdam
  std::string offence_type;
  int64_t damage_cents = 0;
};

struct DemoPlan {
  std::string area_name;
  std::string municipality;
  std::vector<std::string> streets;  // 3
  std::vector<DemoShop> shops;       // about 40
  std::vector<DemoPerson> persons;
  // The 0-meting year before the plan started and the months since (whole
  // months from first_from to second_from; second_to is today); the
  // incidents of the second are visibly fewer.
  absl::CivilDay first_from, first_to, second_from, second_to;
  // The end of the second period as a report asks for it: the last day of
  // second_to's month.
  absl::CivilDay report_second_to() const {
    return absl::CivilDay(absl::CivilMonth(second_to) + 1) - 1;
  }
  std::vector<DemoIncident> incidents;  // in time order
  // Persons who get a card now, for a recent incident at a shop: the
  // serious ones (violence) get a ban straight away under the CCV model.
  std::vector<DemoIncident> carded;
  // Police figures of both years: "period,category,count" lines.
  std::string police_csv;
};

// The plan of a demo area named `area_name` in `municipality`, with
// `today` the last day of its second year.
DemoPlan MakeDemoPlan(uint32_t seed, absl::CivilDay today,
                      const std::string& area_name,
                      const std::string& municipality);

}  // namespace kvo::cli

#endif  // KVO_CLIENTS_CLI_DEMO_PLAN_H_
