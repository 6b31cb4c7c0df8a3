#pragma once
#include <cstdint>

namespace sluice::protocol {

// Kafka's wire error codes (org.apache.kafka.common.protocol.Errors); only those Sluice returns.
enum class ErrorCode : int16_t {
  unknown_server_error = -1,
  none = 0,
  offset_out_of_range = 1,
  corrupt_message = 2,
  unknown_topic_or_partition = 3,
  invalid_fetch_size = 4,
  leader_not_available = 5,
  not_leader_or_follower = 6,
  request_timed_out = 7,
  message_too_large = 10,
  invalid_topic_exception = 17,
  record_list_too_large = 18,
  not_enough_replicas = 19,
  invalid_required_acks = 21,
  illegal_generation = 22,
  inconsistent_group_protocol = 23,
  invalid_group_id = 24,
  unknown_member_id = 25,
  invalid_session_timeout = 26,
  rebalance_in_progress = 27,
  offset_metadata_too_large = 12,
  coordinator_load_in_progress = 14,
  coordinator_not_available = 15,
  not_coordinator = 16,
  non_empty_group = 68,
  group_id_not_found = 69,
  member_id_required = 79,
  group_max_size_reached = 81,
  fenced_instance_id = 82,
  group_subscribed_to_topic = 86,
  unsupported_version = 35,
  topic_already_exists = 36,
  invalid_partitions = 37,
  invalid_replication_factor = 38,
  invalid_replica_assignment = 39,
  invalid_config = 40,
  invalid_request = 42,
  unsupported_for_message_format = 43,
  policy_violation = 44,
  invalid_timestamp = 32,
  kafka_storage_error = 56,
  log_dir_not_found = 57,
  unknown_topic_id = 100,
  invalid_record = 87,
  unsupported_compression_type = 76,
  topic_deletion_disabled = 73,
};

constexpr int16_t to_wire(ErrorCode e) { return static_cast<int16_t>(e); }

}  // namespace sluice::protocol
