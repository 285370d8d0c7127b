#include <gtest/gtest.h>

#include "pangeo/cf.hpp"

using namespace pangeo;

TEST(Calendar, GregorianReformGap) {
  // 1582-10-04 (Julian) is followed by 1582-10-15 (Gregorian) in the standard calendar.
  EXPECT_EQ(days_from_date(Calendar::kStandard, 1582, 10, 15) - days_from_date(Calendar::kStandard, 1582, 10, 4), 1);
}

TEST(Calendar, ProlepticEpochs) {
  EXPECT_EQ(days_from_date(Calendar::kProlepticGregorian, 1, 1, 1), 0);
  // 1970-01-01 is 719162 days after 0001-01-01 (proleptic Gregorian, as Python's date.toordinal()-1).
  EXPECT_EQ(days_from_date(Calendar::kProlepticGregorian, 1970, 1, 1), 719162);
  EXPECT_EQ(days_from_date(Calendar::kJulian, 1, 1, 3) - days_from_date(Calendar::kProlepticGregorian, 1, 1, 1), 0);
}

TEST(Calendar, RoundTripEveryCalendar) {
  for (Calendar c : {Calendar::kStandard, Calendar::kProlepticGregorian, Calendar::kNoLeap, Calendar::kAllLeap,
                     Calendar::k360Day, Calendar::kJulian}) {
    for (int64_t z = -800000; z < 800000; z += 97) {
      int64_t y;
      int m, d;
      date_from_days(c, z, &y, &m, &d);
      ASSERT_EQ(days_from_date(c, y, m, d), z) << calendar_name(c) << " day " << z;
    }
  }
}

TEST(TimeUnits, DecodesLikeCftime) {
  auto t = TimeUnits::parse("days since 2000-01-01", "noleap");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->to_datetime(59).iso(), "2000-03-01");  // no Feb 29 in noleap
  auto s = TimeUnits::parse("days since 2000-01-01", "standard");
  EXPECT_EQ(s->to_datetime(59).iso(), "2000-02-29");
  auto d360 = TimeUnits::parse("hours since 1990-01-01 00:00:00", "360_day");
  EXPECT_EQ(d360->to_datetime(24 * 30 * 2 + 12).iso(), "1990-03-01T12:00:00");
  auto julian = TimeUnits::parse("days since 1582-10-04", "julian");
  EXPECT_EQ(julian->to_datetime(1).iso(), "1582-10-05");
}

TEST(TimeUnits, RejectsGarbage) {
  EXPECT_FALSE(TimeUnits::parse("furlongs since 2000-01-01", "").ok());
  EXPECT_FALSE(TimeUnits::parse("days after 2000-01-01", "").ok());
  EXPECT_FALSE(TimeUnits::parse("days since 2000-01-01", "martian").ok());
}
