#include <gtest/gtest.h>

#include <filesystem>

#include "pangeo/grid.hpp"
#include "pangeo/rechunk.hpp"
#include "pangeo/reduce.hpp"

using namespace pangeo;

namespace {
// The ERSST-like layout: 2040 x 180 x 360 float32.
const Shape kShape{2040, 180, 360};

bool divides_or_whole(uint64_t part, uint64_t slab, uint64_t len) { return slab >= len || slab % part == 0; }
}  // namespace

TEST(Rechunk, InPlaceInputNeedsOneStage) {
  // Uncompressed netCDF-4 read in place: slabs grow toward the input's chunk, no copy.
  RechunkLayout l{kShape, {1, 180, 360}, true, {2040, 10, 10}, 4};
  RechunkPlan p = plan_rechunk(l, 64u << 20, 2, true);
  EXPECT_FALSE(p.staged());
  // Whole time series, rows as long as the slab and the copies of its chunks allow, in
  // slabs of even lengths.
  EXPECT_EQ(p.write, (Shape{2040, 10, 180}));
  EXPECT_EQ(p.read_factor, 1);
  EXPECT_LE(p.task_bytes, 64u << 20);
}

TEST(Rechunk, CompressedInputTooLargeForAlignedSlabsGoesThroughAnIntermediate) {
  // Zarr chunks of 12 months to time series: an aligned slab is the whole array.
  RechunkLayout l{kShape, {12, 180, 360}, false, {2040, 10, 10}, 4};
  const uint64_t budget = 64u << 20;
  RechunkPlan p = plan_rechunk(l, budget, 2, true);
  ASSERT_TRUE(p.staged());
  EXPECT_LE(p.task_bytes, budget);
  for (size_t d = 0; d < 3; ++d) {
    // Stage 1 reads whole input chunks; its slabs and stage 2's hold whole intermediate chunks.
    EXPECT_TRUE(divides_or_whole(12u * (d == 0) + 180u * (d == 1) + 360u * (d == 2), p.read[d], kShape[d])) << d;
    EXPECT_TRUE(divides_or_whole(p.intermediate[d], p.read[d], kShape[d])) << d;
    EXPECT_TRUE(divides_or_whole(p.intermediate[d], p.write[d], kShape[d])) << d;
  }
  EXPECT_EQ(p.write[0], 2040u);
  EXPECT_EQ(p.write[1] % 10, 0u);
  // Intermediate chunks are not tiny.
  EXPECT_GE(element_count(p.intermediate) * 4, 256u << 10);
  // Without the permission to stage: one stage that reads the input many times.
  RechunkPlan q = plan_rechunk(l, budget, 2, false);
  EXPECT_FALSE(q.staged());
  EXPECT_GT(q.read_factor, 2);
}

TEST(Rechunk, AlignedSlabsWithinTheBudgetNeedOneStage) {
  // Input chunks 100 x 18 x 36, output 2040 x 18 x 36: slabs of whole time series.
  RechunkLayout l{kShape, {100, 18, 36}, false, {2040, 18, 36}, 4};
  RechunkPlan p = plan_rechunk(l, 64u << 20, 2, true);
  EXPECT_FALSE(p.staged());
  EXPECT_EQ(p.read_factor, 1);
  EXPECT_EQ(p.write, (Shape{2040, 18, 36}));
  // Output chunks that are a whole number of input chunks: slabs are the output chunks.
  RechunkLayout m{kShape, {12, 180, 360}, false, {24, 180, 360}, 4};
  EXPECT_EQ(plan_rechunk(m, 64u << 20, 2, true).write, (Shape{24, 180, 360}));
}

TEST(Rechunk, SlabCostAndHelpers) {
  EXPECT_EQ(slab_cost({10, 10}, {5, 10}, 4), (100u + 100u + 50u) * 4);  // slab, its parts, one encoded
  EXPECT_EQ(slab_cost({5, 10}, {5, 10}, 4), 3u * 50 * 4);                // one chunk: padded copy, encoded
  EXPECT_EQ(slab_cost({4096, 1024}, {1, 1024}, 4), 2u * (4096u * 1024 * 4) + 4096);
  EXPECT_TRUE(holds_whole_units({10, 7}, {4, 7}, {2, 3}));
  EXPECT_FALSE(holds_whole_units({10, 9}, {4, 4}, {2, 3}));
  EXPECT_EQ(task_budget(128u << 20, 2), 64u << 20);
  EXPECT_GT(task_budget(0, 2), 0u);
  auto cost = [](const Shape& s) { return element_count(s) * 8; };
  // Grows the last dimension first, to the target rounded up to the step, within the cap.
  EXPECT_EQ(grow_slab({4, 1, 1}, {4, 6, 6}, {1, 3, 4}, {4, 6, 6}, 4 * 6 * 6 * 8, cost), (Shape{4, 6, 6}));
  EXPECT_EQ(grow_slab({4, 1, 1}, {4, 6, 6}, {1, 1, 1}, {4, 6, 6}, 4 * 2 * 6 * 8, cost), (Shape{4, 2, 6}));
}

TEST(Rechunk, StagedReaderReadsTheSameValuesAndRemovesItsCopy) {
  const Shape shape{30, 8, 9};
  Group g;
  Variable v;
  v.name = "x";
  v.dims = {"t", "y", "x"};
  v.shape = shape;
  v.dtype = DType::of(DTypeKind::kFloat32);
  g.vars.push_back(v);
  g.dims = {{"t", 30, false}, {"y", 8, false}, {"x", 9, false}};
  NdArray a(v.dtype, shape);
  for (size_t i = 0; i < a.size(); ++i) a.data<float>()[i] = float(i) * 0.5f;
  auto source = std::make_shared<DerivedReader>(nullptr, g, "memory");
  source->set_array("x", a);
  const auto dir = std::filesystem::temp_directory_path() / "pg-rechunk-test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  ExecOptions exec;
  exec.threads = 2;
  exec.scratch = dir.string();
  RechunkPlan p = plan_staging(RechunkLayout{shape, {6, 8, 9}, false, {30, 2, 3}, 4}, {30, 4, 9}, 1u << 20);
  ASSERT_TRUE(p.staged());
  {
    auto staged = stage_variables(*source, {{"x", p}}, exec);
    ASSERT_TRUE(staged.ok()) << staged.status().message();
    EXPECT_EQ((*staged)->read_chunks("x"), p.intermediate);
    EXPECT_TRUE(std::filesystem::is_empty(dir));  // the copy's file is unlinked at once
    Box box{{3, 1, 2}, {20, 5, 6}};
    auto got = (*staged)->read("x", box);
    ASSERT_TRUE(got.ok());
    NdArray want(v.dtype, box.count);
    copy_region(a, Shape(3, 0), want, box.start, box);
    EXPECT_EQ(got->bytes, want.bytes);
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir));  // the copy went with the reader
  exec.scratch = (dir / "missing").string();
  auto bad = stage_variables(*source, {{"x", p}}, exec);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("missing"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(Rechunk, IntermediateCopyIsLz4ShuffledOnlyInObjectStorage) {
  EXPECT_EQ(intermediate_compressor(false).at("cname"), "lz4");
  EXPECT_EQ(intermediate_compressor(false).at("shuffle"), 0);
  EXPECT_EQ(intermediate_compressor(true).at("shuffle"), 1);
}
