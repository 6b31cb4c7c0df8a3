#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "sluice/broker/config.h"

namespace sluice::broker {
namespace {

TEST(BrokerConfig, DefaultsFollowKafka) {
  auto cfg = load_broker_config(std::nullopt, {});
  EXPECT_EQ(cfg.get_int("num.partitions"), 1);
  EXPECT_EQ(cfg.get_int("message.max.bytes"), 1048588);
  EXPECT_TRUE(cfg.get_bool("auto.create.topics.enable"));
  EXPECT_EQ(cfg.get("log.flush.policy"), "always");
  EXPECT_FALSE(cfg.is_set("num.partitions"));
}

TEST(BrokerConfig, SetFlagsOverrideTheFile) {
  std::string path = ::testing::TempDir() + "/sluice-config-test.properties";
  {
    std::ofstream f(path);
    f << "# comment\n\nnum.partitions = 4\nlog.flush.policy=interval\n";
  }
  auto cfg = load_broker_config(path, {"num.partitions=7"});
  EXPECT_EQ(cfg.get_int("num.partitions"), 7);
  EXPECT_EQ(cfg.get("log.flush.policy"), "interval");
  std::remove(path.c_str());
}

TEST(BrokerConfig, UnknownKeyIsRejectedWithItsName) {
  try {
    load_broker_config(std::nullopt, {"no.such.key=1"});
    FAIL() << "accepted an unknown key";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("no.such.key"), std::string::npos);
  }
}

TEST(BrokerConfig, BadValuesAreRejected) {
  EXPECT_THROW(load_broker_config(std::nullopt, {"num.partitions=abc"}), std::invalid_argument);
  EXPECT_THROW(load_broker_config(std::nullopt, {"num.partitions=0"}), std::invalid_argument);
  EXPECT_THROW(load_broker_config(std::nullopt, {"auto.create.topics.enable=yes"}),
               std::invalid_argument);
  EXPECT_THROW(load_broker_config(std::nullopt, {"log.flush.policy=sometimes"}),
               std::invalid_argument);
  EXPECT_THROW(load_broker_config(std::nullopt, {"message.max.bytes=99999999999"}),
               std::invalid_argument);
  EXPECT_THROW(load_broker_config(std::nullopt, {"novalue"}), std::invalid_argument);
  EXPECT_THROW(load_broker_config(std::string("/nonexistent/sluice.properties"), {}),
               std::invalid_argument);
}

TEST(TopicConfig, OverrideThenBrokerKeyThenDefault) {
  auto broker = load_broker_config(std::nullopt, {"log.retention.ms=1000"});
  const ConfigKey* retention = find_key(topic_config_keys(), "retention.ms");
  const ConfigKey* segment = find_key(topic_config_keys(), "segment.bytes");
  ASSERT_TRUE(retention && segment);
  EXPECT_EQ(topic_config_value(broker, {}, *retention), "1000");
  EXPECT_EQ(topic_config_value(broker, {{"retention.ms", "5"}}, *retention), "5");
  EXPECT_EQ(topic_config_value(broker, {}, *segment), "1073741824");
}

TEST(TopicConfig, ValuesAreChecked) {
  const ConfigKey* ts = find_key(topic_config_keys(), "message.timestamp.type");
  ASSERT_TRUE(ts);
  EXPECT_FALSE(check_value(*ts, "LogAppendTime"));
  EXPECT_TRUE(check_value(*ts, "WallClock"));
  EXPECT_TRUE(check_value(*find_key(topic_config_keys(), "retention.ms"), "-2"));
  EXPECT_FALSE(find_key(topic_config_keys(), "no.such.topic.key"));
}

// Kafka 4.4's topic configs (LogConfig), less the internal ones.
TEST(TopicConfig, EveryKafkaTopicConfigIsKnown) {
  for (const char* name : {"cleanup.policy",
                           "compression.type",
                           "compression.gzip.level",
                           "compression.lz4.level",
                           "compression.zstd.level",
                           "delete.retention.ms",
                           "file.delete.delay.ms",
                           "flush.messages",
                           "flush.ms",
                           "follower.replication.throttled.replicas",
                           "index.interval.bytes",
                           "leader.replication.throttled.replicas",
                           "local.retention.bytes",
                           "local.retention.ms",
                           "max.compaction.lag.ms",
                           "max.message.bytes",
                           "message.timestamp.after.max.ms",
                           "message.timestamp.before.max.ms",
                           "message.timestamp.type",
                           "min.cleanable.dirty.ratio",
                           "min.compaction.lag.ms",
                           "min.insync.replicas",
                           "preallocate",
                           "remote.log.copy.disable",
                           "remote.log.delete.on.disable",
                           "remote.storage.enable",
                           "retention.bytes",
                           "retention.ms",
                           "segment.bytes",
                           "segment.index.bytes",
                           "segment.jitter.ms",
                           "segment.ms",
                           "unclean.leader.election.enable"})
    EXPECT_TRUE(find_key(topic_config_keys(), name)) << name;
}

TEST(TopicConfig, AConfigOfAMissingFeatureTakesOnlyItsDefault) {
  const ConfigKey* ratio = find_key(topic_config_keys(), "min.cleanable.dirty.ratio");
  ASSERT_TRUE(ratio);
  EXPECT_FALSE(check_value(*ratio, "0.5"));
  auto refused = check_value(*ratio, "0.1");
  ASSERT_TRUE(refused);
  EXPECT_NE(refused->find("no log compaction yet"), std::string::npos) << *refused;
  const ConfigKey* compression = find_key(topic_config_keys(), "compression.type");
  EXPECT_FALSE(check_value(*compression, "producer"));
  EXPECT_TRUE(check_value(*compression, "gzip"));
  EXPECT_TRUE(check_value(*find_key(topic_config_keys(), "remote.storage.enable"), "true"));
}

TEST(TopicConfig, ConfigsWithoutAMissingFeatureAreCheckedByTypeAndRange) {
  auto check = [](const char* key, const char* value) {
    return check_value(*find_key(topic_config_keys(), key), value).has_value();
  };
  EXPECT_FALSE(check("flush.messages", "1"));  // any value: Sluice flushes every ack
  EXPECT_TRUE(check("flush.messages", "0"));
  EXPECT_FALSE(check("compression.zstd.level", "-7"));
  EXPECT_TRUE(check("compression.zstd.level", "23"));
  EXPECT_FALSE(check("message.timestamp.after.max.ms", "0"));
  EXPECT_TRUE(check("message.timestamp.before.max.ms", "-1"));
}

}  // namespace
}  // namespace sluice::broker
