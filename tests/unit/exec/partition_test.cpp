#include <gtest/gtest.h>

#include <map>

#include "pangeo/partition.hpp"

using namespace pangeo;

TEST(Partition, PartsCoverEveryItemOnceInOrder) {
  for (uint64_t n : {0u, 1u, 5u, 7u, 100u, 101u})
    for (uint64_t count : {1u, 2u, 3u, 7u, 200u}) {
      uint64_t next = 0;
      for (uint64_t i = 0; i < count; ++i) {
        auto [a, b] = part_range(n, Part{i, count});
        EXPECT_EQ(a, next);
        EXPECT_LE(b - a, n / count + 1);
        next = b;
      }
      EXPECT_EQ(next, n);
    }
}

TEST(Partition, ParsesIOverN) {
  auto p = parse_part("2/7");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->index, 2u);
  EXPECT_EQ(p->count, 7u);
  for (const char* bad : {"7/7", "1/0", "a/3", "1", "-1/3", "1/3/4", ""}) EXPECT_FALSE(parse_part(bad).ok()) << bad;
}

TEST(Partition, FromSchedulersAndLaunchers) {
  auto with = [](std::map<std::string, std::string> vars) {
    return part_from_environment([vars](const std::string& k) {
      auto it = vars.find(k);
      return it == vars.end() ? std::string() : it->second;
    });
  };
  auto p = with({{"SLURM_ARRAY_TASK_ID", "5"}, {"SLURM_ARRAY_TASK_MIN", "4"}, {"SLURM_ARRAY_TASK_COUNT", "3"}});
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->index, 1u);
  EXPECT_EQ(p->count, 3u);
  p = with({{"OMPI_COMM_WORLD_RANK", "2"}, {"OMPI_COMM_WORLD_SIZE", "3"}});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->index, 2u);
  p = with({{"PMI_RANK", "0"}, {"PMI_SIZE", "2"}});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->count, 2u);
  p = with({{"JOB_COMPLETION_INDEX", "3"}, {"PG_PART_COUNT", "4"}});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->index, 3u);
  // What is missing or wrong is named.
  auto bad = with({{"JOB_COMPLETION_INDEX", "3"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("PG_PART_COUNT"), std::string::npos);
  bad = with({{"OMPI_COMM_WORLD_RANK", "3"}, {"OMPI_COMM_WORLD_SIZE", "3"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_FALSE(with({}).ok());
}

TEST(Partition, LauncherRank) {
  auto with = [](std::map<std::string, std::string> vars) {
    return launcher_rank([vars](const std::string& k) {
      auto it = vars.find(k);
      return it == vars.end() ? std::string() : it->second;
    });
  };
  auto same = [](const Part& p, uint64_t index, uint64_t count) { return p.index == index && p.count == count; };
  EXPECT_TRUE(same(with({}), 0, 1));
  EXPECT_TRUE(same(with({{"OMPI_COMM_WORLD_RANK", "2"}, {"OMPI_COMM_WORLD_SIZE", "3"}}), 2, 3));
  EXPECT_TRUE(same(with({{"PMI_RANK", "1"}, {"PMI_SIZE", "4"}}), 1, 4));
  EXPECT_TRUE(same(with({{"PMIX_RANK", "3"}, {"PMIX_SIZE", "5"}}), 3, 5));
  EXPECT_TRUE(same(with({{"PMIX_RANK", "1"}, {"PMI_SIZE", "2"}}), 1, 2));
  // A scheduler's array index is not a launcher's rank; nonsense is no launcher.
  EXPECT_TRUE(same(with({{"SLURM_ARRAY_TASK_ID", "5"}, {"SLURM_ARRAY_TASK_COUNT", "8"}}), 0, 1));
  EXPECT_TRUE(same(with({{"OMPI_COMM_WORLD_RANK", "3"}, {"OMPI_COMM_WORLD_SIZE", "3"}}), 0, 1));
  EXPECT_TRUE(same(with({{"OMPI_COMM_WORLD_RANK", "x"}, {"OMPI_COMM_WORLD_SIZE", "3"}}), 0, 1));
}
