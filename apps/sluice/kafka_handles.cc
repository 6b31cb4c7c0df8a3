#include "kafka_handles.h"

#include <algorithm>
#include <cstdio>

#include "errors.h"

namespace sluice::cli {
namespace {

void log_to_stderr(const rd_kafka_t* /*rk*/, int level, const char* fac, const char* buf) {
  std::fprintf(stderr, "sluice: librdkafka[%d] %s: %s\n", level, fac, buf);
}

// Errors raised while the client is running (e.g. connection refused) are reported by the
// operation that needed the broker; the callback only keeps librdkafka from logging them itself.
void error_to_stderr(rd_kafka_t* /*rk*/, int err, const char* reason, void* /*opaque*/) {
  std::fprintf(stderr, "sluice: librdkafka error: %s: %s\n",
               rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(err)), reason);
}

void ignore_log(const rd_kafka_t* /*rk*/, int /*level*/, const char* /*fac*/, const char* /*buf*/) {
}

void ignore_error(rd_kafka_t* /*rk*/, int /*err*/, const char* /*reason*/, void* /*opaque*/) {}

bool is_unreachable(rd_kafka_resp_err_t err) {
  return err == RD_KAFKA_RESP_ERR__TIMED_OUT || err == RD_KAFKA_RESP_ERR__TRANSPORT ||
         err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN || err == RD_KAFKA_RESP_ERR__RESOLVE ||
         err == RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE;
}

}  // namespace

void set_conf(rd_kafka_conf_t* conf, const std::string& name, const std::string& value) {
  char errstr[512];
  if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), errstr, sizeof errstr) !=
      RD_KAFKA_CONF_OK) {
    throw CliError("invalid client setting " + name + "=" + value + ": " + errstr);
  }
}

ConfPtr make_conf(const GlobalOptions& global) {
  ConfPtr conf(rd_kafka_conf_new());
  set_conf(conf.get(), "bootstrap.servers", global.bootstrap);
  set_conf(conf.get(), "client.id", "sluice-cli");
  if (global.verbose) {
    rd_kafka_conf_set_log_cb(conf.get(), log_to_stderr);
    rd_kafka_conf_set_error_cb(conf.get(), error_to_stderr);
  } else {
    set_conf(conf.get(), "log_level", "0");
    rd_kafka_conf_set_log_cb(conf.get(), ignore_log);
    rd_kafka_conf_set_error_cb(conf.get(), ignore_error);
  }
  return conf;
}

HandlePtr make_handle(rd_kafka_type_t type, ConfPtr conf) {
  char errstr[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), errstr, sizeof errstr);
  if (rk == nullptr) throw CliError(std::string("cannot create Kafka client: ") + errstr);
  conf.release();  // rd_kafka_new took ownership.
  return HandlePtr(rk);
}

std::string describe_error(rd_kafka_resp_err_t err, const std::string& context,
                           const GlobalOptions& global) {
  if (is_unreachable(err)) {
    return context + ": no answer from broker at " + global.bootstrap + " within " +
           std::to_string(global.timeout_ms) + " ms (" + rd_kafka_err2str(err) + ")";
  }
  return context + ": " + rd_kafka_err2str(err);
}

std::vector<TopicInfo> fetch_all_topics(rd_kafka_t* rk, const GlobalOptions& global) {
  const rd_kafka_metadata_t* raw = nullptr;
  // all_topics=1 so that asking never triggers broker-side auto-creation of a missing topic.
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, nullptr, &raw, global.timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw CliError(describe_error(err, "cannot fetch metadata", global));
  }
  MetadataPtr md(raw);
  std::vector<TopicInfo> topics;
  topics.reserve(static_cast<size_t>(md->topic_cnt));
  for (int i = 0; i < md->topic_cnt; ++i) {
    const rd_kafka_metadata_topic_t& t = md->topics[i];
    if (t.err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) continue;
    TopicInfo info;
    info.name = t.topic;
    for (int p = 0; p < t.partition_cnt; ++p) {
      const rd_kafka_metadata_partition_t& mp = t.partitions[p];
      PartitionInfo pi;
      pi.id = mp.id;
      pi.leader = mp.leader;
      pi.replicas.assign(mp.replicas, mp.replicas + mp.replica_cnt);
      pi.isrs.assign(mp.isrs, mp.isrs + mp.isr_cnt);
      pi.err = mp.err;
      info.partitions.push_back(std::move(pi));
    }
    std::sort(info.partitions.begin(), info.partitions.end(),
              [](const PartitionInfo& a, const PartitionInfo& b) { return a.id < b.id; });
    topics.push_back(std::move(info));
  }
  return topics;
}

TopicInfo fetch_topic(rd_kafka_t* rk, const GlobalOptions& global, const std::string& topic) {
  for (auto& t : fetch_all_topics(rk, global)) {
    if (t.name == topic) return std::move(t);
  }
  throw CliError("topic '" + topic + "' does not exist");
}

std::map<int32_t, int64_t> offsets_for_time(rd_kafka_t* rk, const std::string& topic,
                                            const std::vector<int32_t>& partitions,
                                            int64_t timestamp_ms, const GlobalOptions& global) {
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
  for (int32_t p : partitions) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p)->offset = timestamp_ms;
  }
  const rd_kafka_resp_err_t err = rd_kafka_offsets_for_times(rk, list.get(), global.timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw CliError(describe_error(err, "cannot look up offsets for timestamp", global));
  }
  std::map<int32_t, int64_t> offsets;
  for (int i = 0; i < list->cnt; ++i) {
    const rd_kafka_topic_partition_t& tp = list->elems[i];
    if (tp.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      throw CliError("cannot look up offset for timestamp in partition " +
                     std::to_string(tp.partition) + ": " + rd_kafka_err2str(tp.err));
    }
    offsets[tp.partition] = tp.offset;
  }
  return offsets;
}

}  // namespace sluice::cli
