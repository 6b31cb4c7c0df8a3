#pragma once
// Every message Sluice speaks, for the codec's round-trip tests and the ApiVersions table.
#include <tuple>

#include "sluice/protocol/messages/add_offsets_to_txn.h"
#include "sluice/protocol/messages/add_partitions_to_txn.h"
#include "sluice/protocol/messages/alter_configs.h"
#include "sluice/protocol/messages/api_versions.h"
#include "sluice/protocol/messages/create_partitions.h"
#include "sluice/protocol/messages/create_topics.h"
#include "sluice/protocol/messages/delete_groups.h"
#include "sluice/protocol/messages/delete_records.h"
#include "sluice/protocol/messages/delete_topics.h"
#include "sluice/protocol/messages/describe_cluster.h"
#include "sluice/protocol/messages/describe_configs.h"
#include "sluice/protocol/messages/describe_groups.h"
#include "sluice/protocol/messages/describe_log_dirs.h"
#include "sluice/protocol/messages/describe_producers.h"
#include "sluice/protocol/messages/describe_topic_partitions.h"
#include "sluice/protocol/messages/describe_transactions.h"
#include "sluice/protocol/messages/end_txn.h"
#include "sluice/protocol/messages/fetch.h"
#include "sluice/protocol/messages/find_coordinator.h"
#include "sluice/protocol/messages/heartbeat.h"
#include "sluice/protocol/messages/incremental_alter_configs.h"
#include "sluice/protocol/messages/init_producer_id.h"
#include "sluice/protocol/messages/join_group.h"
#include "sluice/protocol/messages/leave_group.h"
#include "sluice/protocol/messages/list_groups.h"
#include "sluice/protocol/messages/list_offsets.h"
#include "sluice/protocol/messages/list_transactions.h"
#include "sluice/protocol/messages/metadata.h"
#include "sluice/protocol/messages/offset_commit.h"
#include "sluice/protocol/messages/offset_delete.h"
#include "sluice/protocol/messages/offset_fetch.h"
#include "sluice/protocol/messages/produce.h"
#include "sluice/protocol/messages/sync_group.h"
#include "sluice/protocol/messages/txn_offset_commit.h"
#include "sluice/protocol/messages/write_txn_markers.h"

namespace sluice::protocol {

using AllMessages = std::tuple<
    ApiVersionsRequest, ApiVersionsResponse, ProduceRequest, ProduceResponse, MetadataRequest,
    MetadataResponse, FetchRequest, FetchResponse, ListOffsetsRequest, ListOffsetsResponse,
    CreateTopicsRequest, CreateTopicsResponse, DeleteTopicsRequest, DeleteTopicsResponse,
    CreatePartitionsRequest, CreatePartitionsResponse, DescribeConfigsRequest,
    DescribeConfigsResponse, AlterConfigsRequest, AlterConfigsResponse,
    IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse, DeleteRecordsRequest,
    DeleteRecordsResponse, DescribeClusterRequest, DescribeClusterResponse, FindCoordinatorRequest,
    FindCoordinatorResponse, JoinGroupRequest, JoinGroupResponse, SyncGroupRequest,
    SyncGroupResponse, HeartbeatRequest, HeartbeatResponse, LeaveGroupRequest, LeaveGroupResponse,
    OffsetCommitRequest, OffsetCommitResponse, OffsetFetchRequest, OffsetFetchResponse,
    DescribeGroupsRequest, DescribeGroupsResponse, ListGroupsRequest, ListGroupsResponse,
    DeleteGroupsRequest, DeleteGroupsResponse, OffsetDeleteRequest, OffsetDeleteResponse,
    InitProducerIdRequest, InitProducerIdResponse, AddPartitionsToTxnRequest,
    AddPartitionsToTxnResponse, AddOffsetsToTxnRequest, AddOffsetsToTxnResponse, EndTxnRequest,
    EndTxnResponse, TxnOffsetCommitRequest, TxnOffsetCommitResponse, DescribeProducersRequest,
    DescribeProducersResponse, DescribeTransactionsRequest, DescribeTransactionsResponse,
    ListTransactionsRequest, ListTransactionsResponse, WriteTxnMarkersRequest,
    WriteTxnMarkersResponse, DescribeLogDirsRequest, DescribeLogDirsResponse,
    DescribeTopicPartitionsRequest, DescribeTopicPartitionsResponse>;

}  // namespace sluice::protocol
