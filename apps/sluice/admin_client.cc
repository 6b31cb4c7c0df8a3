#include "admin_client.h"

#include "errors.h"

namespace sluice::cli {
namespace {

// Extra time to wait for the result event beyond the request timeout librdkafka enforces.
constexpr int kResultGraceMs = 2000;

void check_topic_results(const rd_kafka_topic_result_t** results, size_t count,
                         const std::string& what) {
  for (size_t i = 0; i < count; ++i) {
    const rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    const char* msg = rd_kafka_topic_result_error_string(results[i]);
    throw CliError(what + ": " + (msg != nullptr && *msg != '\0' ? msg : rd_kafka_err2str(err)) +
                   " (" + rd_kafka_err2name(err) + ")");
  }
}

void check_resource(const rd_kafka_ConfigResource_t* res, const std::string& what) {
  const rd_kafka_resp_err_t err = rd_kafka_ConfigResource_error(res);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return;
  const char* msg = rd_kafka_ConfigResource_error_string(res);
  throw CliError(what + ": " + (msg != nullptr && *msg != '\0' ? msg : rd_kafka_err2str(err)) +
                 " (" + rd_kafka_err2name(err) + ")");
}

struct ConfigResourceDeleter {
  void operator()(rd_kafka_ConfigResource_t* p) const { rd_kafka_ConfigResource_destroy(p); }
};
using ConfigResourcePtr = std::unique_ptr<rd_kafka_ConfigResource_t, ConfigResourceDeleter>;

}  // namespace

AdminClient::AdminClient(const GlobalOptions& global) : global_(global) {
  ConfPtr conf = make_conf(global);
  // Metadata requests made through this handle must never create topics.
  set_conf(conf.get(), "allow.auto.create.topics", "false");
  rk_ = make_handle(RD_KAFKA_PRODUCER, std::move(conf));
  queue_.reset(rd_kafka_queue_new(rk_.get()));
}

AdminOptionsPtr AdminClient::make_options(rd_kafka_admin_op_t op,
                                          bool with_operation_timeout) const {
  AdminOptionsPtr options(rd_kafka_AdminOptions_new(rk_.get(), op));
  char errstr[512];
  if (rd_kafka_AdminOptions_set_request_timeout(options.get(), global_.timeout_ms, errstr,
                                                sizeof errstr) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw UsageError(std::string("bad --timeout-ms: ") + errstr);
  }
  if (with_operation_timeout &&
      rd_kafka_AdminOptions_set_operation_timeout(options.get(), global_.timeout_ms, errstr,
                                                  sizeof errstr) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw UsageError(std::string("bad --timeout-ms: ") + errstr);
  }
  return options;
}

EventPtr AdminClient::wait_result(const std::string& what) const {
  EventPtr ev(rd_kafka_queue_poll(queue_.get(), global_.timeout_ms + kResultGraceMs));
  if (!ev) throw CliError(describe_error(RD_KAFKA_RESP_ERR__TIMED_OUT, what, global_));
  const rd_kafka_resp_err_t err = rd_kafka_event_error(ev.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (err == RD_KAFKA_RESP_ERR__TIMED_OUT || err == RD_KAFKA_RESP_ERR__TRANSPORT) {
      throw CliError(describe_error(err, what, global_));
    }
    const char* msg = rd_kafka_event_error_string(ev.get());
    throw CliError(what + ": " + (msg != nullptr ? msg : rd_kafka_err2str(err)) + " (" +
                   rd_kafka_err2name(err) + ")");
  }
  return ev;
}

void AdminClient::create_topic(const std::string& topic, int partitions, int replication_factor,
                               const std::vector<KeyValue>& configs) {
  char errstr[512];
  rd_kafka_NewTopic_t* raw =
      rd_kafka_NewTopic_new(topic.c_str(), partitions, replication_factor, errstr, sizeof errstr);
  if (raw == nullptr) throw UsageError(errstr);
  std::unique_ptr<rd_kafka_NewTopic_t, decltype(&rd_kafka_NewTopic_destroy)> new_topic(
      raw, &rd_kafka_NewTopic_destroy);
  for (const auto& [key, value] : configs) {
    if (rd_kafka_NewTopic_set_config(new_topic.get(), key.c_str(), value.c_str()) !=
        RD_KAFKA_RESP_ERR_NO_ERROR) {
      throw UsageError("invalid --config " + key + "=" + value);
    }
  }
  const std::string what = "cannot create topic '" + topic + "'";
  AdminOptionsPtr options = make_options(RD_KAFKA_ADMIN_OP_CREATETOPICS, true);
  rd_kafka_NewTopic_t* array[] = {new_topic.get()};
  rd_kafka_CreateTopics(rk_.get(), array, 1, options.get(), queue_.get());
  EventPtr ev = wait_result(what);
  size_t count = 0;
  const rd_kafka_topic_result_t** results =
      rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev.get()), &count);
  check_topic_results(results, count, what);
}

void AdminClient::delete_topic(const std::string& topic) {
  std::unique_ptr<rd_kafka_DeleteTopic_t, decltype(&rd_kafka_DeleteTopic_destroy)> del(
      rd_kafka_DeleteTopic_new(topic.c_str()), &rd_kafka_DeleteTopic_destroy);
  const std::string what = "cannot delete topic '" + topic + "'";
  AdminOptionsPtr options = make_options(RD_KAFKA_ADMIN_OP_DELETETOPICS, true);
  rd_kafka_DeleteTopic_t* array[] = {del.get()};
  rd_kafka_DeleteTopics(rk_.get(), array, 1, options.get(), queue_.get());
  EventPtr ev = wait_result(what);
  size_t count = 0;
  const rd_kafka_topic_result_t** results =
      rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev.get()), &count);
  check_topic_results(results, count, what);
}

void AdminClient::create_partitions(const std::string& topic, int total) {
  char errstr[512];
  rd_kafka_NewPartitions_t* raw =
      rd_kafka_NewPartitions_new(topic.c_str(), static_cast<size_t>(total), errstr, sizeof errstr);
  if (raw == nullptr) throw UsageError(errstr);
  std::unique_ptr<rd_kafka_NewPartitions_t, decltype(&rd_kafka_NewPartitions_destroy)> parts(
      raw, &rd_kafka_NewPartitions_destroy);
  const std::string what = "cannot add partitions to topic '" + topic + "'";
  AdminOptionsPtr options = make_options(RD_KAFKA_ADMIN_OP_CREATEPARTITIONS, true);
  rd_kafka_NewPartitions_t* array[] = {parts.get()};
  rd_kafka_CreatePartitions(rk_.get(), array, 1, options.get(), queue_.get());
  EventPtr ev = wait_result(what);
  size_t count = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_CreatePartitions_result_topics(
      rd_kafka_event_CreatePartitions_result(ev.get()), &count);
  check_topic_results(results, count, what);
}

std::vector<ConfigEntry> AdminClient::describe_topic_configs(const std::string& topic) {
  ConfigResourcePtr resource(rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str()));
  const std::string what = "cannot describe configs of topic '" + topic + "'";
  AdminOptionsPtr options = make_options(RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, false);
  rd_kafka_ConfigResource_t* array[] = {resource.get()};
  rd_kafka_DescribeConfigs(rk_.get(), array, 1, options.get(), queue_.get());
  EventPtr ev = wait_result(what);
  size_t res_count = 0;
  const rd_kafka_ConfigResource_t** resources = rd_kafka_DescribeConfigs_result_resources(
      rd_kafka_event_DescribeConfigs_result(ev.get()), &res_count);
  std::vector<ConfigEntry> entries;
  for (size_t r = 0; r < res_count; ++r) {
    check_resource(resources[r], what);
    size_t count = 0;
    const rd_kafka_ConfigEntry_t** configs = rd_kafka_ConfigResource_configs(resources[r], &count);
    for (size_t i = 0; i < count; ++i) {
      ConfigEntry e;
      e.name = rd_kafka_ConfigEntry_name(configs[i]);
      if (const char* v = rd_kafka_ConfigEntry_value(configs[i]); v != nullptr) e.value = v;
      e.source = rd_kafka_ConfigEntry_source(configs[i]);
      e.is_default = rd_kafka_ConfigEntry_is_default(configs[i]) != 0;
      e.read_only = rd_kafka_ConfigEntry_is_read_only(configs[i]) != 0;
      e.sensitive = rd_kafka_ConfigEntry_is_sensitive(configs[i]) != 0;
      entries.push_back(std::move(e));
    }
  }
  return entries;
}

void AdminClient::alter_topic_configs(const std::string& topic,
                                      const std::vector<KeyValue>& configs) {
  ConfigResourcePtr resource(rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str()));
  for (const auto& [key, value] : configs) {
    if (rd_kafka_ConfigResource_set_config(resource.get(), key.c_str(), value.c_str()) !=
        RD_KAFKA_RESP_ERR_NO_ERROR) {
      throw UsageError("invalid config " + key + "=" + value);
    }
  }
  const std::string what = "cannot alter configs of topic '" + topic + "'";
  AdminOptionsPtr options = make_options(RD_KAFKA_ADMIN_OP_ALTERCONFIGS, false);
  rd_kafka_ConfigResource_t* array[] = {resource.get()};
  rd_kafka_AlterConfigs(rk_.get(), array, 1, options.get(), queue_.get());
  EventPtr ev = wait_result(what);
  size_t count = 0;
  const rd_kafka_ConfigResource_t** resources =
      rd_kafka_AlterConfigs_result_resources(rd_kafka_event_AlterConfigs_result(ev.get()), &count);
  for (size_t i = 0; i < count; ++i) check_resource(resources[i], what);
}

}  // namespace sluice::cli
