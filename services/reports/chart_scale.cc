#include "services/reports/chart_scale.h"

#include <algorithm>
#include <cmath>

namespace kvo::reports {

std::vector<int64_t> NiceTicks(double max) {
  if (!(max > 0)) return {0, 1};
  // A fifth of the range, rounded to the nearest 1, 2 or 5 times a power of
  // ten (Heckbert's "nice numbers", Graphics Gems 1990), at least 1.
  constexpr double kSteps = 5;
  const double rough = max / kSteps;
  const double power = std::pow(10.0, std::floor(std::log10(rough)));
  const double fraction = rough / power;
  const double nice = fraction < 1.5 ? 1
                      : fraction < 3 ? 2
                      : fraction < 7 ? 5
                                     : 10;
  const int64_t step = std::max<int64_t>(1, std::llround(nice * power));
  const int64_t top =
      static_cast<int64_t>(std::ceil(max / double(step))) * step;
  std::vector<int64_t> ticks;
  for (int64_t t = 0; t <= top; t += step) ticks.push_back(t);
  return ticks;
}

}  // namespace kvo::reports
