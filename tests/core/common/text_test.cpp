#include "common/text.h"

#include <gtest/gtest.h>

#include "common/errors.h"

namespace reclab::text {
namespace {

TEST(ParseInt64, AcceptsPlainAndSignedIntegers) {
  EXPECT_EQ(parseInt64("0").value, 0);
  EXPECT_EQ(parseInt64("-17").value, -17);
  EXPECT_EQ(parseInt64("+42").value, 42);
  EXPECT_EQ(parseInt64("9223372036854775807").value, INT64_MAX);
}

TEST(ParseInt64, ReportsWhyItFailed) {
  EXPECT_STREQ(parseInt64("").error, "empty");
  EXPECT_STREQ(parseInt64("12a4").error, "not an integer");
  EXPECT_STREQ(parseInt64("1.5").error, "not an integer");
  EXPECT_STREQ(parseInt64("99999999999999999999").error, "number out of range");
}

TEST(ParseDouble, ParsesAndRejectsGarbage) {
  EXPECT_DOUBLE_EQ(*parseDouble("3.5").value, 3.5);
  EXPECT_DOUBLE_EQ(*parseDouble("-1e-3").value, -0.001);
  EXPECT_STREQ(parseDouble("3.5x").error, "not a number");
  EXPECT_STREQ(parseDouble("1e999").error, "number out of range");
  EXPECT_FALSE(parseDouble("nan").value.has_value());
}

TEST(ParseIso8601, MatchesKnownEpochValues) {
  // 2014-04-07T10:51:09.277Z: 1396867869 s since the epoch (checked with `date -u -d`).
  EXPECT_EQ(parseIso8601Millis("2014-04-07T10:51:09.277Z").value, 1396867869277LL);
  EXPECT_EQ(parseIso8601Millis("1970-01-01T00:00:00Z").value, 0);
  EXPECT_EQ(parseIso8601Millis("2000-02-29 12:00:00").value, 951825600000LL);
  EXPECT_EQ(parseIso8601Millis("2014-04-07T12:51:09+02:00").value, 1396867869000LL);
}

TEST(ParseIso8601, RejectsImpossibleDates) {
  EXPECT_STREQ(parseIso8601Millis("2014-02-30T00:00:00Z").error, "impossible date or time");
  EXPECT_STREQ(parseIso8601Millis("2014-13-01T00:00:00Z").error, "impossible date or time");
  EXPECT_STREQ(parseIso8601Millis("yesterday").error, "not an ISO-8601 timestamp");
  EXPECT_STREQ(parseIso8601Millis("2014-04-07T10:51:09.Z").error, "not an ISO-8601 timestamp");
}

TEST(Utf8, ValidatesAndLocatesTheFirstBadByte) {
  std::size_t bad = 0;
  EXPECT_TRUE(isValidUtf8("caf\xC3\xA9"));
  EXPECT_FALSE(isValidUtf8("caf\xE9!", &bad));
  EXPECT_EQ(bad, 3u);
  EXPECT_FALSE(isValidUtf8("\xC0\xAF", &bad));  // overlong '/'
  EXPECT_EQ(bad, 0u);
  EXPECT_FALSE(isValidUtf8("\xED\xA0\x80"));  // surrogate
}

TEST(Latin1, TranscodesHighBytes) {
  EXPECT_EQ(latin1ToUtf8("Caf\xE9"), "Caf\xC3\xA9");
  EXPECT_EQ(latin1ToUtf8("plain"), "plain");
}

TEST(Split, SingleAndMultiCharDelimiters) {
  std::vector<std::string_view> f;
  EXPECT_EQ(splitFields("a,,b,", ',', f), 4u);
  EXPECT_EQ(f[1], "");
  EXPECT_EQ(f[3], "");
  EXPECT_EQ(splitFields("1::2::5::978300760", "::", f), 4u);
  EXPECT_EQ(f[3], "978300760");
}

TEST(Split, CsvQuoting) {
  std::vector<std::string_view> f;
  std::vector<std::string> storage;
  ASSERT_TRUE(splitCsvQuoted("1,\"Toy Story, The (1995)\",\"a\"\"b\"", ',', f, storage));
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[1], "Toy Story, The (1995)");
  EXPECT_EQ(f[2], "a\"b");
  EXPECT_FALSE(splitCsvQuoted("1,\"open", ',', f, storage));
}

TEST(Errors, FormatsLocations) {
  EXPECT_EQ(formatLocated({"events.csv", 17, "timestamp"}, "not an integer: '12a4'"),
            "events.csv:17: field 'timestamp': not an integer: '12a4'");
  EXPECT_EQ(formatLocated({"u.data", 0, ""}, "empty file"), "u.data: empty file");
}

}  // namespace
}  // namespace reclab::text
