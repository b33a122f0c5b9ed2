// RFC 3339 parsing and formatting. Expected epoch values were checked with `date -u -d ... +%s`.

#include "core/time.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace vf {
namespace {

TEST(ParseRfc3339, EpochIsZero) { EXPECT_EQ(ParseRfc3339("1970-01-01T00:00:00Z"), 0); }

TEST(ParseRfc3339, UtcTimestamp) {
  EXPECT_EQ(ParseRfc3339("2026-11-26T06:07:19Z"), 1'795'673'239'000);
  EXPECT_EQ(ParseRfc3339("2025-11-26T06:07:19Z"), 1'764'137'239'000);
}

TEST(ParseRfc3339, PositiveOffsetIsConvertedToUtc) {
  // 06:07:19 at +02:00 is 04:07:19 UTC.
  EXPECT_EQ(ParseRfc3339("2026-11-26T06:07:19+02:00"), 1'795'666'039'000);
}

TEST(ParseRfc3339, NegativeHalfHourOffsetIsConvertedToUtc) {
  // 06:07:19 at -05:30 is 11:37:19 UTC.
  EXPECT_EQ(ParseRfc3339("2026-11-26T06:07:19-05:30"), 1'795'693'039'000);
}

TEST(ParseRfc3339, ZeroOffsetEqualsZ) {
  EXPECT_EQ(ParseRfc3339("2026-11-26T06:07:19+00:00"), ParseRfc3339("2026-11-26T06:07:19Z"));
  EXPECT_EQ(ParseRfc3339("2026-11-26T06:07:19-00:00"), ParseRfc3339("2026-11-26T06:07:19Z"));
}

TEST(ParseRfc3339, OffsetCanCrossMidnight) {
  EXPECT_EQ(ParseRfc3339("2026-11-27T01:00:00+02:00"), ParseRfc3339("2026-11-26T23:00:00Z"));
}

TEST(ParseRfc3339, FractionalSecondsBecomeMilliseconds) {
  const EpochMs base = 1'795'673'239'000;
  EXPECT_EQ(ParseRfc3339("2026-11-26T06:07:19.5Z"), base + 500);
  EXPECT_EQ(ParseRfc3339("2026-11-26T06:07:19.05Z"), base + 50);
  EXPECT_EQ(ParseRfc3339("2026-11-26T06:07:19.123Z"), base + 123);
  EXPECT_EQ(ParseRfc3339("2026-11-26T06:07:19.000Z"), base);
  // Digits beyond milliseconds are accepted and truncated.
  EXPECT_EQ(ParseRfc3339("2026-11-26T06:07:19.123999Z"), base + 123);
  EXPECT_EQ(ParseRfc3339("2026-11-26T06:07:19.250+02:00"), 1'795'666'039'250);
}

TEST(ParseRfc3339, LowercaseSeparatorAndZuluAreAccepted) {
  EXPECT_EQ(ParseRfc3339("2026-11-26t06:07:19z"), 1'795'673'239'000);
}

TEST(ParseRfc3339, DateOnlyIsMidnightUtc) {
  EXPECT_EQ(ParseRfc3339("2026-11-26"), 1'795'651'200'000);
  EXPECT_EQ(ParseRfc3339("1970-01-01"), 0);
}

TEST(ParseRfc3339, LeapDays) {
  EXPECT_EQ(ParseRfc3339("2024-02-29"), 1'709'164'800'000);
  EXPECT_EQ(ParseRfc3339("2000-02-29T12:00:00Z"), 951'825'600'000);  // divisible by 400
  EXPECT_EQ(ParseRfc3339("2023-02-29"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2023-02-29T00:00:00Z"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("1900-02-29"), std::nullopt);  // divisible by 100, not by 400
}

TEST(ParseRfc3339, PreEpochDates) {
  EXPECT_EQ(ParseRfc3339("1900-01-01T00:00:00Z"), -2'208'988'800'000);
  EXPECT_EQ(ParseRfc3339("1969-07-20T20:17:40Z"), -14'182'940'000);
  EXPECT_EQ(ParseRfc3339("1969-12-31T23:59:59.500Z"), -500);
}

TEST(ParseRfc3339, RejectsImpossibleDates) {
  EXPECT_EQ(ParseRfc3339("2026-13-01"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2026-00-10"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2026-11-00"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2026-04-31"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2026-13-01T00:00:00Z"), std::nullopt);
}

TEST(ParseRfc3339, RejectsImpossibleTimes) {
  EXPECT_EQ(ParseRfc3339("2026-11-26T25:00:00Z"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2026-11-26T24:00:00Z"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2026-11-26T23:60:00Z"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2026-11-26T23:00:61Z"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2026-11-26T06:07:19+24:00"), std::nullopt);
}

TEST(ParseRfc3339, RejectsMissingOffset) {
  EXPECT_EQ(ParseRfc3339("2026-11-26T06:07:19"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2026-11-26T06:07:19.5"), std::nullopt);
}

TEST(ParseRfc3339, RejectsTrailingJunk) {
  EXPECT_EQ(ParseRfc3339("2026-11-26T06:07:19Zjunk"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2026-11-26T06:07:19+02:00 "), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2026-11-26x"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2026-11-26T"), std::nullopt);
}

TEST(ParseRfc3339, RejectsMalformedText) {
  EXPECT_EQ(ParseRfc3339(""), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2026"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("26-11-2026"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2026/11/26"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2026-11-26T06:07Z"), std::nullopt);         // seconds are required
  EXPECT_EQ(ParseRfc3339("2026-11-26T06:07:19.Z"), std::nullopt);     // empty fraction
  EXPECT_EQ(ParseRfc3339("2026-11-26T06:07:19+0200"), std::nullopt);  // offset needs a colon
  EXPECT_EQ(ParseRfc3339("2026-11-26T06:07:19+02"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2026-1l-26"), std::nullopt);
}

TEST(FormatRfc3339, KnownValue) {
  // `date -u -d @1764137239` prints Wed Nov 26 06:07:19 UTC 2025.
  EXPECT_EQ(FormatRfc3339(1'764'137'239'000), "2025-11-26T06:07:19Z");
  EXPECT_EQ(FormatRfc3339(0), "1970-01-01T00:00:00Z");
}

TEST(FormatRfc3339, MillisecondsOnlyWhenNonZero) {
  EXPECT_EQ(FormatRfc3339(1'764'137'239'123), "2025-11-26T06:07:19.123Z");
  EXPECT_EQ(FormatRfc3339(1'764'137'239'005), "2025-11-26T06:07:19.005Z");
}

TEST(FormatRfc3339, PreEpochTimes) {
  EXPECT_EQ(FormatRfc3339(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatRfc3339(-1000), "1969-12-31T23:59:59Z");
  EXPECT_EQ(FormatRfc3339(-86'400'000), "1969-12-31T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(-14'182'940'000), "1969-07-20T20:17:40Z");
  EXPECT_EQ(FormatRfc3339(-2'208'988'800'000), "1900-01-01T00:00:00Z");
}

TEST(FormatRfc3339, RoundTripsThroughParse) {
  const EpochMs values[] = {0,
                            1,
                            999,
                            1'000,
                            1'764'137'239'000,
                            1'764'137'239'123,
                            1'709'164'800'000,  // leap day
                            951'825'600'000,
                            4'107'542'400'000,  // 2100-03-01, after a non-leap century
                            -1,
                            -500,
                            -1'001,
                            -86'400'000,
                            -86'400'001,
                            -14'182'940'123,
                            -2'208'988'800'000};
  for (EpochMs ms : values) {
    std::string text = FormatRfc3339(ms);
    EXPECT_EQ(ParseRfc3339(text), ms) << text;
  }
}

TEST(NowMs, IsAfterThisCodeWasWritten) {
  EXPECT_GT(NowMs(), 1'700'000'000'000);  // 2023-11-14
}

}  // namespace
}  // namespace vf
