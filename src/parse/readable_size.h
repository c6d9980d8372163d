#pragma once

#include <cstdint>
#include <string>

namespace usaged::parse {

// A byte count as CloudStack's usage server writes it into descriptions
// (NumbersUtil.toHumanReadableSize with human-readable sizes on, the usage
// server's setting): "(<readable>) <bytes>", readable part first, where
// <readable> is "<n> bytes" for 0..1023, else the value in KB, MB or GB with
// two decimals or in TB with four (no larger unit), computed in Java float and
// rounded half-up; a negative count always takes the KB branch. E.g.
// 21474836480 -> "(20.00 GB) 21474836480".
std::string JavaHumanReadableSize(int64_t bytes);

// `value` with `decimals` fraction digits as java.util.Formatter's "%.Nf"
// prints it: the shortest decimal that reads back as `value`, rounded half-up.
std::string JavaFixed(double value, int decimals);

}  // namespace usaged::parse
