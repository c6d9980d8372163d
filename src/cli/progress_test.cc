#include "cli/progress.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>

namespace usaged::cli {
namespace {

TEST(ProgressTest, ALineSaysUnitsRateAndTimeLeft) {
  EXPECT_EQ(Progress::Line("compare", 12, 30, 4.0), "compare 12/30 units 40% 3.0/s ETA 0:06");
  EXPECT_EQ(Progress::Line("compare", 0, 30, 0.0), "compare 0/30 units 0% 0.0/s");
  EXPECT_EQ(Progress::Line("compare", 30, 30, 10.0), "compare 30/30 units 100% 3.0/s");
  EXPECT_EQ(Progress::Line("x", 1, 7201, 1.0), "x 1/7201 units 0% 1.0/s ETA 2:00:00");
}

TEST(ProgressTest, NotATerminalGetsPlainLinesOnlyEverySoOftenAndTheLast) {
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  {
    Progress p("compare", out, std::chrono::seconds(3600));
    for (int i = 1; i <= 5; ++i) p.Update(i, 5);
    p.Finish();
  }
  std::rewind(out);
  std::string text;
  for (int c; (c = std::fgetc(out)) != EOF;) text.push_back(static_cast<char>(c));
  std::fclose(out);
  // Within the hour only the last state is printed, on a line of its own.
  EXPECT_EQ(text.rfind("compare 5/5 units 100%", 0), 0u) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
  EXPECT_EQ(text.find('\r'), std::string::npos);
}

}  // namespace
}  // namespace usaged::cli
