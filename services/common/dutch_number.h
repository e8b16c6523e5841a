#ifndef KVO_SERVICES_COMMON_DUTCH_NUMBER_H_
#define KVO_SERVICES_COMMON_DUTCH_NUMBER_H_

#include <cstdint>
#include <string>

namespace kvo::common {

// Numbers as a Dutch reader writes them: a decimal comma. Pure.

// `decimals` decimals always: DutchDecimal(-12.5, 1) == "-12,5",
// DutchDecimal(10, 1) == "10,0".
std::string DutchDecimal(double v, int decimals);
// At most `max_decimals`, trailing zeros (and the comma) dropped:
// DutchShortDecimal(-7.5, 2) == "-7,5", DutchShortDecimal(-10, 2) == "-10".
std::string DutchShortDecimal(double v, int max_decimals);
// A whole number with a point between thousands: DutchCount(-1234567) ==
// "-1.234.567".
std::string DutchCount(int64_t n);
// An amount of euro cents as letters write it: DutchEuros(18100) ==
// "€ 181,00", DutchEuros(-250) == "-€ 2,50".
std::string DutchEuros(int64_t cents);

}  // namespace kvo::common

#endif  // KVO_SERVICES_COMMON_DUTCH_NUMBER_H_
