#include <gtest/gtest.h>

#include "recent_batches.h"

namespace sluice::storage {
namespace {

// Three contiguous batches: offsets 0..4 at [0,100), 5..9 at [100,150), 10 at [150,180).
RecentBatches three() {
  RecentBatches r;
  r.push({0, 4, 0, 100});
  r.push({5, 9, 100, 50});
  r.push({10, 10, 150, 30});
  return r;
}

TEST(RecentBatches, EmptyKnowsNothing) {
  RecentBatches r;
  EXPECT_EQ(r.holding(0), nullptr);
  EXPECT_EQ(r.starting_at(0), nullptr);
}

TEST(RecentBatches, FindsTheBatchHoldingAnOffset) {
  auto r = three();
  ASSERT_NE(r.holding(0), nullptr);
  EXPECT_EQ(r.holding(0)->position, 0u);
  EXPECT_EQ(r.holding(4)->position, 0u);
  EXPECT_EQ(r.holding(5)->position, 100u);
  EXPECT_EQ(r.holding(9)->base_offset, 5);
  EXPECT_EQ(r.holding(10)->end(), 180u);
  EXPECT_EQ(r.holding(11), nullptr);  // past the newest
}

TEST(RecentBatches, FindsBatchStartsOnly) {
  auto r = three();
  ASSERT_NE(r.starting_at(100), nullptr);
  EXPECT_EQ(r.starting_at(100)->base_offset, 5);
  EXPECT_EQ(r.starting_at(150)->size, 30u);
  EXPECT_EQ(r.starting_at(120), nullptr);  // inside a batch
  EXPECT_EQ(r.starting_at(180), nullptr);  // the end, not a batch
}

TEST(RecentBatches, ASpanThatDoesNotFollowStartsAfresh) {
  auto r = three();
  r.push({20, 25, 500, 10});  // a gap in positions and offsets
  EXPECT_EQ(r.holding(0), nullptr);
  EXPECT_EQ(r.starting_at(100), nullptr);
  ASSERT_NE(r.holding(22), nullptr);
  EXPECT_EQ(r.holding(22)->position, 500u);

  auto s = three();
  s.push({12, 12, 180, 10});  // positions follow but offset 11 is missing
  EXPECT_EQ(s.holding(10), nullptr);
  ASSERT_NE(s.holding(12), nullptr);
}

TEST(RecentBatches, ForgetsTheOldestBeyondCapacity) {
  RecentBatches r;
  const int64_t n = static_cast<int64_t>(RecentBatches::kCapacity) + 10;
  for (int64_t i = 0; i < n; ++i) r.push({i, i, static_cast<uint64_t>(i) * 10, 10});
  EXPECT_EQ(r.holding(9), nullptr);
  EXPECT_EQ(r.starting_at(90), nullptr);
  ASSERT_NE(r.holding(10), nullptr);
  EXPECT_EQ(r.holding(10)->position, 100u);
  EXPECT_EQ(r.holding(n - 1)->position, static_cast<uint64_t>(n - 1) * 10);
}

}  // namespace
}  // namespace sluice::storage
