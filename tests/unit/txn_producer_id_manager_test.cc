#include <gtest/gtest.h>

#include <set>

#include "sluice/txn/producer_id_manager.h"
#include "storage_test_util.h"

namespace sluice::txn {
namespace {

using storage::testing::TempDir;

TEST(ProducerIdManager, IdsAreNeverReusedAcrossRestarts) {
  TempDir dir;
  std::set<int64_t> seen;
  for (int run = 0; run < 3; ++run) {
    ProducerIdManager m(dir.path());  // as after kill -9: nothing is written at exit
    for (int i = 0; i < 5; ++i) {
      auto id = m.next();
      ASSERT_TRUE(id);
      EXPECT_TRUE(seen.insert(*id).second) << *id;
    }
    EXPECT_EQ(m.block_end(), (run + 1) * ProducerIdManager::kBlockSize);
  }
  EXPECT_EQ(*seen.begin(), 0);
}

TEST(ProducerIdManager, BlockIsPersistedBeforeItsIdsAreHandedOut) {
  TempDir dir;
  ProducerIdManager m(dir.path());
  for (int64_t i = 0; i < ProducerIdManager::kBlockSize + 1; ++i) ASSERT_EQ(m.next(), i);
  ProducerIdManager after(dir.path());
  EXPECT_EQ(after.next(), 2 * ProducerIdManager::kBlockSize);
}

TEST(ProducerIdManager, MalformedFileStopsStartUp) {
  TempDir dir;
  storage::testing::write_file(dir.path() / ProducerIdManager::kFileName, "garbage");
  EXPECT_THROW(ProducerIdManager m(dir.path()), std::runtime_error);
}

}  // namespace
}  // namespace sluice::txn
