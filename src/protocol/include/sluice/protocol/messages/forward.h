#pragma once
// Declarations of every message struct, for headers that only name them in signatures: the full
// descriptions (messages/<api>.h) are costly to parse, so each translation unit includes only
// those it encodes, decodes or fills in.
namespace sluice::protocol {

struct ApiVersionsRequest;
struct ApiVersionsResponse;
struct ProduceRequest;
struct ProduceResponse;
struct MetadataRequest;
struct MetadataResponse;
struct FetchRequest;
struct FetchResponse;
struct ListOffsetsRequest;
struct ListOffsetsResponse;
struct CreateTopicsRequest;
struct CreateTopicsResponse;
struct DeleteTopicsRequest;
struct DeleteTopicsResponse;
struct CreatePartitionsRequest;
struct CreatePartitionsResponse;
struct DescribeConfigsRequest;
struct DescribeConfigsResponse;
struct AlterConfigsRequest;
struct AlterConfigsResponse;
struct IncrementalAlterConfigsRequest;
struct IncrementalAlterConfigsResponse;
struct DeleteRecordsRequest;
struct DeleteRecordsResponse;
struct DescribeClusterRequest;
struct DescribeClusterResponse;
struct FindCoordinatorRequest;
struct FindCoordinatorResponse;
struct JoinGroupRequest;
struct JoinGroupResponse;
struct SyncGroupRequest;
struct SyncGroupResponse;
struct HeartbeatRequest;
struct HeartbeatResponse;
struct LeaveGroupRequest;
struct LeaveGroupResponse;
struct OffsetCommitRequest;
struct OffsetCommitResponse;
struct OffsetFetchRequest;
struct OffsetFetchResponse;
struct DescribeGroupsRequest;
struct DescribeGroupsResponse;
struct ListGroupsRequest;
struct ListGroupsResponse;
struct DeleteGroupsRequest;
struct DeleteGroupsResponse;
struct OffsetDeleteRequest;
struct OffsetDeleteResponse;
struct InitProducerIdRequest;
struct InitProducerIdResponse;
struct AddPartitionsToTxnRequest;
struct AddPartitionsToTxnResponse;
struct AddOffsetsToTxnRequest;
struct AddOffsetsToTxnResponse;
struct EndTxnRequest;
struct EndTxnResponse;
struct TxnOffsetCommitRequest;
struct TxnOffsetCommitResponse;
struct DescribeLogDirsRequest;
struct DescribeLogDirsResponse;
struct DescribeProducersRequest;
struct DescribeTopicPartitionsRequest;
struct DescribeTopicPartitionsResponse;
struct DescribeProducersResponse;
struct DescribeTransactionsRequest;
struct DescribeTransactionsResponse;
struct ListTransactionsRequest;
struct ListTransactionsResponse;
struct WriteTxnMarkersRequest;
struct WriteTxnMarkersResponse;

}  // namespace sluice::protocol
