#include <gtest/gtest.h>

#include "pangeo/cf.hpp"

#include <cmath>
#include <cstring>

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

TEST(TimeUnits, FormsOtherProducersWrite) {
  auto iso = [](const char* units, const char* calendar, double value) {
    auto t = TimeUnits::parse(units, calendar);
    return t.ok() ? t->to_datetime(value).iso() : "error: " + t.status().message();
  };
  EXPECT_EQ(iso("msec since 2000-01-01", "", 1.5), "2000-01-01T00:00:00.001500");  // microseconds kept
  EXPECT_EQ(iso("millisecs since 2000-01-01", "", 2000), "2000-01-01T00:00:02");
  EXPECT_EQ(iso("microsec since 2000-01-01", "", 3e6), "2000-01-01T00:00:03");
  EXPECT_EQ(iso("months since 2000-01-01", "360_day", 13), "2001-02-01");
  EXPECT_EQ(iso("common_years since 2000-01-01", "noleap", 2), "2002-01-01");
  EXPECT_NE(iso("months since 2000-01-01", "standard", 1).rfind("error", 0), std::string::npos);
  EXPECT_NE(iso("common_years since 2000-01-01", "360_day", 1).rfind("error", 0), std::string::npos);
  // An hour without minutes: pandas (standard calendars) reads it, cftime (the others) does not.
  EXPECT_EQ(iso("days since 2000-1-1 12", "standard", 0), "2000-01-01T12:00:00");
  EXPECT_EQ(iso("hours since 1990-01-01T06", "proleptic_gregorian", 1), "1990-01-01T07:00:00");
  EXPECT_EQ(iso("days since 2000-1-1 12", "noleap", 0), "2000-01-01");
  EXPECT_EQ(iso("days since 2000-01-01 00:00:00 GMT", "", 1), "2000-01-02");
  EXPECT_EQ(iso("days since 2000-01-01 06:30 +01:00", "", 0), "2000-01-01T05:30:00");
}

TEST(TimeUnits, RejectsGarbage) {
  EXPECT_FALSE(TimeUnits::parse("furlongs since 2000-01-01", "").ok());
  EXPECT_FALSE(TimeUnits::parse("days after 2000-01-01", "").ok());
  EXPECT_FALSE(TimeUnits::parse("days since 2000-01-01", "martian").ok());
}

namespace {
Variable stored(DTypeKind kind, std::vector<std::pair<std::string, AttrValue>> attrs) {
  Variable v;
  v.name = "v";
  v.dtype = DType::of(kind);
  v.dims = {"x"};
  v.shape = {4};
  for (auto& [k, a] : attrs) v.attrs.set(k, a);
  return v;
}
}  // namespace

TEST(DecodedType, AsXarrayDecodes) {
  const DType f32 = DType::of(DTypeKind::kFloat32), f64 = DType::of(DTypeKind::kFloat64);
  const auto F32 = [](double x) { return AttrValue::number(x, DType::of(DTypeKind::kFloat32)); };
  const auto F64 = [](double x) { return AttrValue::number(x); };
  const auto I16 = [](int64_t x) { return AttrValue::integer(x, DType::of(DTypeKind::kInt16)); };
  using K = DTypeKind;
  // (the cases checked against xarray 2023.01, the Debian 12 oracle)
  EXPECT_EQ(decoded_dtype(stored(K::kInt16, {{"scale_factor", F32(0.01)}, {"add_offset", F32(10)}})), f64);
  EXPECT_EQ(decoded_dtype(stored(K::kInt16, {{"scale_factor", F64(0.01)}})), f32);  // the scale's width does not count
  EXPECT_EQ(decoded_dtype(stored(K::kInt16, {{"scale_factor", F32(0.01)}})), f32);
  EXPECT_EQ(decoded_dtype(stored(K::kInt32, {{"scale_factor", F32(0.01)}})), f64);
  EXPECT_EQ(decoded_dtype(stored(K::kUInt8, {{"scale_factor", F32(0.5)}})), f32);
  EXPECT_EQ(decoded_dtype(stored(K::kInt16, {{"add_offset", F32(3)}})), f64);
  EXPECT_EQ(decoded_dtype(stored(K::kInt16, {{"scale_factor", I16(2)}})), f32);
  // The mask comes first: a masked short is float32 already, and stays so with an offset.
  EXPECT_EQ(decoded_dtype(stored(K::kInt16, {{"_FillValue", I16(-1)}, {"scale_factor", F64(0.01)}, {"add_offset", F64(1)}})), f32);
  EXPECT_EQ(decoded_dtype(stored(K::kInt32, {{"missing_value", AttrValue::integer(-1, DType::of(K::kInt32))}})), f64);
  // A NaN fill value masks nothing: the integers stay integers.
  EXPECT_EQ(decoded_dtype(stored(K::kInt16, {{"_FillValue", F64(std::nan(""))}})), DType::of(K::kInt16));
  EXPECT_EQ(decoded_dtype(stored(K::kFloat64, {{"scale_factor", F32(2)}})), f64);
  EXPECT_EQ(decoded_dtype(stored(K::kFloat32, {{"scale_factor", F64(2)}})), f32);
  // _Unsigned: the twin type, then the rules above.
  EXPECT_EQ(decoded_dtype(stored(K::kInt8, {{"_Unsigned", AttrValue::text("true")}})), DType::of(K::kUInt8));
  EXPECT_EQ(decoded_dtype(stored(K::kUInt16, {{"_Unsigned", AttrValue::text("false")}})), DType::of(K::kInt16));
  EXPECT_EQ(decoded_dtype(stored(K::kInt32, {{"_Unsigned", AttrValue::text("false")}})), DType::of(K::kInt32));
  // Booleans as xarray stores them in netCDF.
  EXPECT_EQ(decoded_dtype(stored(K::kInt8, {{"dtype", AttrValue::text("bool")}})), DType::of(K::kBool));
  EXPECT_EQ(decoded_dtype(stored(K::kInt8, {{"dtype", AttrValue::text("int8")}})), DType::of(K::kInt8));
}

TEST(MaskAndScale, UnsignedStoredAsSigned) {
  using K = DTypeKind;
  const auto I8 = [](int64_t x) { return AttrValue::integer(x, DType::of(K::kInt8)); };
  Variable v = stored(K::kInt8, {{"_Unsigned", AttrValue::text("true")}, {"_FillValue", I8(-1)}, {"missing_value", I8(-2)}});
  NdArray raw(DType::of(K::kInt8), {4});
  const int8_t vals[] = {10, -56, -1, -2};
  std::memcpy(raw.bytes.data(), vals, 4);
  const MaskAndScale ms(v);
  std::vector<double> out;
  ms.decode_all(raw, out);
  EXPECT_EQ(out[0], 10);
  EXPECT_EQ(out[1], 200);
  EXPECT_TRUE(std::isnan(out[2]));  // _FillValue -1 is 255 as the twin type
  EXPECT_EQ(out[3], 254);           // missing_value is left as given (-2), as xarray leaves it
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(std::isnan(ms.decode(raw, i)), std::isnan(out[i])) << i;
  EXPECT_EQ(ms.decode(raw, 1), 200);
  // unsigned storage read as signed
  Variable u = stored(K::kUInt16, {{"_Unsigned", AttrValue::text("false")}});
  NdArray r16(DType::of(K::kUInt16), {2});
  const uint16_t w[] = {65535, 7};
  std::memcpy(r16.bytes.data(), w, 4);
  MaskAndScale(u).decode_all(r16, out);
  EXPECT_EQ(out[0], -1);
  EXPECT_EQ(out[1], 7);
}

TEST(MaskAndScale, UnpacksInFloat32WhereXarrayDecodesToFloat32) {
  using K = DTypeKind;
  // float attributes hold float values (as read from files)
  const auto F32 = [](double x) { return AttrValue::number(double(float(x)), DType::of(K::kFloat32)); };
  Variable v = stored(K::kInt16, {{"_FillValue", AttrValue::integer(-32767, DType::of(K::kInt16))},
                                  {"scale_factor", F32(0.01)}, {"add_offset", F32(20)}});
  NdArray raw(DType::of(K::kInt16), {1});
  const MaskAndScale ms(v);
  int differ = 0;
  for (int x = -5000; x <= 5000; ++x) {
    const int16_t s = int16_t(x);
    std::memcpy(raw.bytes.data(), &s, 2);
    const float want = float(x) * float(0.01) + float(20);  // numpy: float32 steps
    EXPECT_EQ(ms.decode(raw, 0), double(want)) << x;
    differ += float(double(x) * double(float(0.01)) + 20.0) != want;
  }
  EXPECT_GT(differ, 0);  // one rounding in double would not give these
  // Decoded to float64 (an int32, say): double steps.
  Variable w = stored(K::kInt32, {{"scale_factor", F32(0.01)}});
  EXPECT_EQ(MaskAndScale(w).unpack(3), 3 * double(float(0.01)));
}
