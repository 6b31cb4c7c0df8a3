#pragma once
// Batches of offset-commit records for __consumer_offsets, shared by plain and transactional
// commits, deletions and expiry.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "group.h"
#include "sluice/protocol/batch_builder.h"

namespace sluice::group {

// A value to commit, or nullopt for a tombstone.
using OffsetItems = std::vector<std::pair<TopicPartitionKey, std::optional<CommittedOffset>>>;

// One batch of the group's offset records in item order, so the record of items[i] lands at the
// batch's base offset + i. `options` carries the producer fields; the timestamp is the wall clock.
std::string offsets_batch(const std::string& group, const OffsetItems& items,
                          protocol::BatchOptions options = {});

int64_t wall_clock_ms();

}  // namespace sluice::group
