#pragma once

#include <cstdint>
#include <string>

namespace usaged::parse {

// A byte count as CloudStack's usage server writes it into descriptions
// (NumbersUtil.toHumanReadableSize with human-readable sizes on, the usage
// server's setting): "<bytes> (<readable>)", where <readable> is "<n> bytes"
// below 1 KiB, else the value in KB, MB or GB with two decimals or in TB with
// four, computed in Java float and rounded half-up, e.g.
// 21474836480 -> "21474836480 (20.00 GB)".
std::string JavaHumanReadableSize(int64_t bytes);

// `value` with `decimals` fraction digits as java.util.Formatter's "%.Nf"
// prints it: the shortest decimal that reads back as `value`, rounded half-up.
std::string JavaFixed(double value, int decimals);

}  // namespace usaged::parse
