#pragma once
// Kafka's classic group protocol on one node: membership and rebalances (JoinGroup, SyncGroup,
// Heartbeat, LeaveGroup), committed offsets (OffsetCommit, OffsetFetch, OffsetDelete, and
// TxnOffsetCommit with the transaction coordinator) and admin (DescribeGroups, ListGroups,
// DeleteGroups). Runs on the event loop thread. Offsets and group metadata are written to
// __consumer_offsets before they take effect, and loaded back at start.
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>

#include "sluice/group/offsets_log.h"
#include "sluice/protocol/error_code.h"
#include "sluice/protocol/messages/forward.h"

namespace sluice::group {

struct GroupConfig {
  int32_t min_session_timeout_ms = 6000;                  // group.min.session.timeout.ms
  int32_t max_session_timeout_ms = 1800000;               // group.max.session.timeout.ms
  int32_t initial_rebalance_delay_ms = 3000;              // group.initial.rebalance.delay.ms
  int32_t max_size = INT32_MAX;                           // group.max.size
  int64_t offsets_retention_ms = 7LL * 24 * 3600 * 1000;  // offsets.retention.minutes
  int32_t offset_metadata_max_bytes = 4096;               // offset.metadata.max.bytes
  int32_t max_member_metadata_bytes = 1 << 20;            // per member protocol metadata
};

struct ClientInfo {
  std::string client_id;
  std::string client_host;
};

class Group;
struct CommittedOffset;

class GroupCoordinator {
 public:
  template <typename R>
  using Respond = std::function<void(R&&)>;
  // Tells whether a topic partition exists (commits to unknown partitions are refused).
  using PartitionExists = std::function<bool(const std::string& topic, int32_t partition)>;

  GroupCoordinator(asio::io_context& io, OffsetsLog& log, GroupConfig config,
                   PartitionExists partition_exists);
  ~GroupCoordinator();

  // Rebuilds every group and committed offset from the log, then starts the timers.
  void load();
  void stop();

  void join(protocol::JoinGroupRequest& req, int16_t version, const ClientInfo& client,
            Respond<protocol::JoinGroupResponse> respond);
  void sync(protocol::SyncGroupRequest& req, int16_t version,
            Respond<protocol::SyncGroupResponse> respond);
  void heartbeat(const protocol::HeartbeatRequest& req,
                 Respond<protocol::HeartbeatResponse> respond);
  void leave(const protocol::LeaveGroupRequest& req, int16_t version,
             Respond<protocol::LeaveGroupResponse> respond);
  void commit(const protocol::OffsetCommitRequest& req,
              Respond<protocol::OffsetCommitResponse> respond);
  void fetch(const protocol::OffsetFetchRequest& req, int16_t version,
             Respond<protocol::OffsetFetchResponse> respond);
  // TxnOffsetCommit: the offsets go to the group's __consumer_offsets partition as one
  // transactional batch of the request's producer, and once durable they are pending: invisible
  // to OffsetFetch until complete_transaction. The partition refuses the batch (INVALID_TXN_STATE)
  // unless the transaction coordinator has added the producer to it first (AddOffsetsToTxn).
  void txn_commit(const protocol::TxnOffsetCommitRequest& req, int16_t version,
                  Respond<protocol::TxnOffsetCommitResponse> respond);
  // Called by the transaction coordinator once the COMMIT or ABORT marker of producer_id is
  // durable in __consumer_offsets partition offsets_partition: on commit the producer's pending
  // offsets in that partition's groups become committed, unless a commit later in the log has
  // replaced them already; on abort they are dropped. Unknown producers are a no-op.
  void complete_transaction(int32_t offsets_partition, int64_t producer_id, bool commit);
  void describe(const protocol::DescribeGroupsRequest& req, int16_t version,
                Respond<protocol::DescribeGroupsResponse> respond);
  void list(const protocol::ListGroupsRequest& req, Respond<protocol::ListGroupsResponse> respond);
  void delete_groups(const protocol::DeleteGroupsRequest& req,
                     Respond<protocol::DeleteGroupsResponse> respond);
  void delete_offsets(const protocol::OffsetDeleteRequest& req,
                      Respond<protocol::OffsetDeleteResponse> respond);

  // Kafka's onPartitionsDeleted: every group's committed and pending offsets of partitions that
  // no longer exist are tombstoned, so that a topic re-created under the same name does not
  // inherit them. Called after DeleteTopics and at load.
  void forget_deleted_partitions();

  int32_t partition_for(const std::string& group_id) const;

 private:
  Group* find(const std::string& id);
  Group& get_or_create(const std::string& id);
  void prepare_rebalance(Group& g);
  void maybe_complete_join(Group& g);
  void complete_join(Group& g);
  void remove_member(Group& g, const std::string& member_id);
  void persist_group(Group& g, std::function<void(protocol::ErrorCode)> done);
  void arm_timers(Group& g);
  void tick();
  void arm_tick();
  void expire_offsets(int64_t now);
  // Writes tombstones for the group's offsets of these partitions and forgets them once durable;
  // done (if any) gets the log's answer.
  void write_tombstones(const std::string& group_id,
                        std::vector<std::pair<std::string, int32_t>> partitions,
                        std::function<void(protocol::ErrorCode)> done = {});
  void hold_pending_txn_offset(Group& g, int64_t producer_id,
                               const std::pair<std::string, int32_t>& tp,
                               const CommittedOffset& offset);

  asio::io_context& io_;
  OffsetsLog& log_;
  GroupConfig config_;
  PartitionExists partition_exists_;
  std::map<std::string, std::unique_ptr<Group>> groups_;
  // Producer id -> groups that hold (or held: entries go stale when a group or partition is
  // deleted) pending offsets of it, so that a marker does not visit every group.
  std::map<int64_t, std::set<std::string>> txn_groups_;
  asio::steady_timer tick_timer_;
  uint64_t ticks_ = 0;
  bool stopped_ = false;
};

}  // namespace sluice::group
