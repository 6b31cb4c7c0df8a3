#pragma once
// The per-partition part of a commit, shared by OffsetCommit and TxnOffsetCommit: both requests
// (and their responses) have the same topic and partition fields, but are distinct types.
#include <cstdint>
#include <string>

#include "offsets_batch.h"
#include "sluice/group/group_coordinator.h"
#include "sluice/protocol/error_code.h"

namespace sluice::group {

// Answers every partition of the request with `e`.
template <typename RequestTopics, typename ResponseTopics>
void answer_all_partitions(const RequestTopics& topics, ResponseTopics& out,
                           protocol::ErrorCode e) {
  for (const auto& t : topics) {
    auto& tr = out.emplace_back();
    tr.name = t.name;
    for (const auto& p : t.partitions)
      tr.partitions.push_back({p.partition_index, protocol::to_wire(e)});
  }
}

// OffsetCommit v1 carries the client's commit time per partition (-1: none); Kafka keeps it as
// the commit timestamp, which offset retention counts from.
template <typename RequestPartition>
int64_t commit_time(const RequestPartition& p, int64_t now) {
  if constexpr (requires { p.commit_timestamp; })
    return p.commit_timestamp == -1 ? now : p.commit_timestamp;
  return now;
}

// Checks each partition of the request: it must exist and its metadata must fit within
// `metadata_max_bytes`. Every partition gets its answer in `out`; the ones that pass are
// returned, in request order, as offsets committed at `now`.
template <typename RequestTopics, typename ResponseTopics>
OffsetItems accept_offsets(const RequestTopics& topics, ResponseTopics& out,
                           const GroupCoordinator::PartitionExists& partition_exists,
                           int32_t metadata_max_bytes, int64_t now) {
  OffsetItems accepted;
  for (const auto& t : topics) {
    auto& tr = out.emplace_back();
    tr.name = t.name;
    for (const auto& p : t.partitions) {
      protocol::ErrorCode e = protocol::ErrorCode::none;
      if (!partition_exists(t.name, p.partition_index))
        e = protocol::ErrorCode::unknown_topic_or_partition;
      else if (p.committed_metadata &&
               p.committed_metadata->size() > static_cast<size_t>(metadata_max_bytes))
        e = protocol::ErrorCode::offset_metadata_too_large;
      else
        accepted.push_back(
            {{t.name, p.partition_index},
             CommittedOffset{p.committed_offset, p.committed_leader_epoch,
                             p.committed_metadata.value_or(""), commit_time(p, now)}});
      tr.partitions.push_back({p.partition_index, protocol::to_wire(e)});
    }
  }
  return accepted;
}

}  // namespace sluice::group
