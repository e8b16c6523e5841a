#include "tests/sim/names.h"

#include <array>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace kvo::sim {

PersonNames NamesFromSeed(uint64_t seed) {
  static constexpr std::array<const char*, 12> kGiven = {
      "Jan",  "Piet", "Kees",  "Mohamed", "Sanne", "Fleur",
      "Daan", "Emma", "Lucas", "Noor",    "Bram",  "Yara"};
  static constexpr std::array<const char*, 4> kPrefix = {"", "van", "de",
                                                         "van der"};
  static constexpr std::array<const char*, 12> kSurname = {
      "Berg", "Jansen", "Visser", "Bakker",   "Smit",     "Mulder",
      "Bos",  "Vos",    "Peters", "Hendriks", "Dijkstra", "Meijer"};
  static constexpr std::array<const char*, 6> kLooks = {
      "lang, rood jack",    "klein, blauwe pet",   "grijze hoodie, baard",
      "zwarte jas, rugzak", "blond, groene sjaal", "bril, bruine laarzen"};
  std::mt19937_64 rng(seed);
  auto pick = [&rng](const auto& list) {
    return std::string(list[rng() % list.size()]);
  };
  PersonNames n;
  n.given = pick(kGiven);
  n.prefix = pick(kPrefix);
  n.surname = pick(kSurname);
  n.date_of_birth = absl::StrFormat("%04d-%02d-%02d", 1960 + rng() % 45,
                                    1 + rng() % 12, 1 + rng() % 28);
  n.address = absl::StrCat("Brink ", 1 + rng() % 120);
  n.description = absl::StrCat(pick(kLooks), ", kenmerk ", rng() % 100000);
  return n;
}

}  // namespace kvo::sim
