// A thin synchronous wrapper over the librdkafka Admin API for single-topic operations.
#pragma once

#include <librdkafka/rdkafka.h>

#include <optional>
#include <string>
#include <vector>

#include "global_options.h"
#include "kafka_handles.h"
#include "key_value.h"

namespace sluice::cli {

struct ConfigEntry {
  std::string name;
  std::optional<std::string> value;  // Absent for null (e.g. sensitive) values.
  rd_kafka_ConfigSource_t source = RD_KAFKA_CONFIG_SOURCE_UNKNOWN_CONFIG;
  bool is_default = false;
  bool read_only = false;
  bool sensitive = false;
};

// Every call blocks until the broker answered or --timeout-ms passed; failures throw CliError.
class AdminClient {
 public:
  explicit AdminClient(const GlobalOptions& global);

  rd_kafka_t* handle() const { return rk_.get(); }
  rd_kafka_queue_t* queue() const { return queue_.get(); }
  const GlobalOptions& global() const { return global_; }
  // For requests built by the caller: options with the request timeout from --timeout-ms, and
  // the wait for the result of the request just submitted on queue() (errors throw CliError).
  AdminOptionsPtr make_options(rd_kafka_admin_op_t op, bool with_operation_timeout) const;
  EventPtr wait_result(const std::string& what) const;

  void create_topic(const std::string& topic, int partitions, int replication_factor,
                    const std::vector<KeyValue>& configs);
  void delete_topic(const std::string& topic);
  void create_partitions(const std::string& topic, int total);
  std::vector<ConfigEntry> describe_topic_configs(const std::string& topic);
  // Non-incremental AlterConfigs: `configs` becomes the complete set of topic overrides.
  void alter_topic_configs(const std::string& topic, const std::vector<KeyValue>& configs);

 private:
  const GlobalOptions& global_;
  HandlePtr rk_;
  QueuePtr queue_;
};

}  // namespace sluice::cli
