// RAII wrappers around librdkafka objects and helpers to create configured client handles.
#pragma once

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "global_options.h"

namespace sluice::cli {

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* p) const { rd_kafka_conf_destroy(p); }
};
struct HandleDeleter {
  void operator()(rd_kafka_t* p) const { rd_kafka_destroy(p); }
};
struct QueueDeleter {
  void operator()(rd_kafka_queue_t* p) const { rd_kafka_queue_destroy(p); }
};
struct EventDeleter {
  void operator()(rd_kafka_event_t* p) const { rd_kafka_event_destroy(p); }
};
struct AdminOptionsDeleter {
  void operator()(rd_kafka_AdminOptions_t* p) const { rd_kafka_AdminOptions_destroy(p); }
};
struct MetadataDeleter {
  void operator()(const rd_kafka_metadata_t* p) const { rd_kafka_metadata_destroy(p); }
};
struct PartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* p) const {
    rd_kafka_topic_partition_list_destroy(p);
  }
};
struct HeadersDeleter {
  void operator()(rd_kafka_headers_t* p) const { rd_kafka_headers_destroy(p); }
};
struct MessageDeleter {
  void operator()(rd_kafka_message_t* p) const { rd_kafka_message_destroy(p); }
};

using ConfPtr = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;
using HandlePtr = std::unique_ptr<rd_kafka_t, HandleDeleter>;
using QueuePtr = std::unique_ptr<rd_kafka_queue_t, QueueDeleter>;
using EventPtr = std::unique_ptr<rd_kafka_event_t, EventDeleter>;
using AdminOptionsPtr = std::unique_ptr<rd_kafka_AdminOptions_t, AdminOptionsDeleter>;
using MetadataPtr = std::unique_ptr<const rd_kafka_metadata_t, MetadataDeleter>;
using PartitionListPtr = std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter>;
using HeadersPtr = std::unique_ptr<rd_kafka_headers_t, HeadersDeleter>;
using MessagePtr = std::unique_ptr<rd_kafka_message_t, MessageDeleter>;

// A configuration with bootstrap.servers set and librdkafka's logging routed to stderr only when
// --verbose was given.
ConfPtr make_conf(const GlobalOptions& global);

// Sets one property; throws CliError naming the property on failure.
void set_conf(rd_kafka_conf_t* conf, const std::string& name, const std::string& value);

// Creates a client handle; takes ownership of `conf`. Throws CliError on failure.
HandlePtr make_handle(rd_kafka_type_t type, ConfPtr conf);

struct PartitionInfo {
  int32_t id = 0;
  int32_t leader = -1;
  std::vector<int32_t> replicas;
  std::vector<int32_t> isrs;
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
};

struct TopicInfo {
  std::string name;
  std::vector<PartitionInfo> partitions;  // Sorted by id.
};

// Fetches metadata of every topic. Throws CliError (mentioning the bootstrap address) when the
// broker cannot be reached within global.timeout_ms.
std::vector<TopicInfo> fetch_all_topics(rd_kafka_t* rk, const GlobalOptions& global);

// Metadata of one topic; throws CliError when it does not exist.
TopicInfo fetch_topic(rd_kafka_t* rk, const GlobalOptions& global, const std::string& topic);

// Message for a failed broker round trip: "<context>: no answer from broker at HOST:PORT within
// 2000 ms (Local: Timed out)" for timeouts and transport errors, else "<context>: <error>".
std::string describe_error(rd_kafka_resp_err_t err, const std::string& context,
                           const GlobalOptions& global);

// Per partition of `topic`, the offset of the first message whose timestamp is >= timestamp_ms,
// or -1 when there is none (ListOffsets by time). Throws CliError on any failure.
std::map<int32_t, int64_t> offsets_for_time(rd_kafka_t* rk, const std::string& topic,
                                            const std::vector<int32_t>& partitions,
                                            int64_t timestamp_ms, const GlobalOptions& global);

}  // namespace sluice::cli
