#pragma once
#include "sluice/protocol/schema.h"

namespace sluice::protocol {

// The coordinator's COMMIT/ABORT markers for a partition leader to write; also what
// kafka-transactions.sh abort (KIP-664) sends to end a hanging transaction. Version 0 was removed
// in Kafka 4.0; version 2 adds TransactionVersion per marker (KIP-890), not described here.
struct WriteTxnMarkersRequest {
  static constexpr int16_t api_key = 27;
  static constexpr Versions valid{1, 1};
  static constexpr int16_t flexible_from = 1;
  struct WritableTxnMarkerTopic {
    std::string name;
    std::vector<int32_t> partition_indexes;
    static constexpr auto fields() {
      using S = WritableTxnMarkerTopic;
      return std::tuple{field("name", &S::name), field("partition_indexes", &S::partition_indexes)};
    }
  };
  struct WritableTxnMarker {
    int64_t producer_id = 0;
    int16_t producer_epoch = 0;
    bool transaction_result = false;  // false = ABORT, true = COMMIT
    std::vector<WritableTxnMarkerTopic> topics;
    int32_t coordinator_epoch = 0;
    static constexpr auto fields() {
      using S = WritableTxnMarker;
      return std::tuple{
          field("producer_id", &S::producer_id), field("producer_epoch", &S::producer_epoch),
          field("transaction_result", &S::transaction_result), field("topics", &S::topics),
          field("coordinator_epoch", &S::coordinator_epoch)};
    }
  };
  std::vector<WritableTxnMarker> markers;
  static constexpr auto fields() {
    return std::tuple{field("markers", &WriteTxnMarkersRequest::markers)};
  }
};

struct WriteTxnMarkersResponse {
  static constexpr int16_t api_key = 27;
  static constexpr Versions valid{1, 1};
  static constexpr int16_t flexible_from = 1;
  struct WritableTxnMarkerPartitionResult {
    int32_t partition_index = 0;
    int16_t error_code = 0;
    static constexpr auto fields() {
      using S = WritableTxnMarkerPartitionResult;
      return std::tuple{field("partition_index", &S::partition_index),
                        field("error_code", &S::error_code)};
    }
  };
  struct WritableTxnMarkerTopicResult {
    std::string name;
    std::vector<WritableTxnMarkerPartitionResult> partitions;
    static constexpr auto fields() {
      using S = WritableTxnMarkerTopicResult;
      return std::tuple{field("name", &S::name), field("partitions", &S::partitions)};
    }
  };
  struct WritableTxnMarkerResult {
    int64_t producer_id = 0;
    std::vector<WritableTxnMarkerTopicResult> topics;
    static constexpr auto fields() {
      using S = WritableTxnMarkerResult;
      return std::tuple{field("producer_id", &S::producer_id), field("topics", &S::topics)};
    }
  };
  std::vector<WritableTxnMarkerResult> markers;
  static constexpr auto fields() {
    return std::tuple{field("markers", &WriteTxnMarkersResponse::markers)};
  }
};

}  // namespace sluice::protocol
