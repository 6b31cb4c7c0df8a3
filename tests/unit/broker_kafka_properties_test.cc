// A Kafka 4 server.properties starts Sluice: the listener, data dir and retention keys map onto
// Sluice's, Kafka keys Sluice has no use for are accepted with one warning each, and a key that
// neither knows is still refused.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "sluice/broker/config.h"
#include "sluice/broker/kafka_listeners.h"

namespace sluice::broker {
namespace {

// The settings of the server.properties Kafka 4 ships for a combined (KRaft) node.
constexpr const char* kKafkaServerProperties = R"(process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=localhost:9093
listeners=PLAINTEXT://:9092,CONTROLLER://:9093
inter.broker.listener.name=PLAINTEXT
advertised.listeners=PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL
num.network.threads=3
num.io.threads=8
socket.send.buffer.bytes=102400
socket.receive.buffer.bytes=102400
socket.request.max.bytes=104857600
log.dirs=/tmp/kraft-combined-logs
num.partitions=1
num.recovery.threads.per.data.dir=1
offsets.topic.replication.factor=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
log.retention.hours=168
log.segment.bytes=1073741824
log.retention.check.interval.ms=300000
)";

ConfigSet load(const std::string& text, std::vector<std::string>* warnings = nullptr,
               const std::vector<std::string>& sets = {}) {
  std::string path = ::testing::TempDir() + "/sluice-kafka-server.properties";
  {
    std::ofstream f(path);
    f << text;
  }
  auto cfg = load_broker_config(path, sets, warnings);
  std::remove(path.c_str());
  return cfg;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(KafkaProperties, KafkasOwnServerPropertiesLoad) {
  std::vector<std::string> warnings;
  auto cfg = load(kKafkaServerProperties, &warnings);
  EXPECT_EQ(cfg.get_int("node.id"), 1);
  EXPECT_EQ(kafka_client_listener(cfg, "listeners"), "0.0.0.0:9092");
  EXPECT_EQ(kafka_client_listener(cfg, "advertised.listeners"), "localhost:9092");
  EXPECT_EQ(kafka_log_dir(cfg), "/tmp/kraft-combined-logs");
  EXPECT_EQ(cfg.get_int("log.retention.ms"), 168LL * 3600 * 1000);
  // One line per ignored key, naming it and its file line.
  EXPECT_EQ(warnings.size(), 13u);
  bool io_threads = false;
  for (const auto& w : warnings)
    io_threads |= w.find(":10: num.io.threads ignored: ") != std::string::npos;
  EXPECT_TRUE(io_threads) << (warnings.empty() ? "" : warnings.front());
}

TEST(KafkaProperties, RetentionTakesMillisecondsThenMinutesThenHours) {
  EXPECT_EQ(load("log.retention.hours=2\n").get_int("log.retention.ms"), 2 * 3'600'000);
  EXPECT_EQ(load("log.retention.hours=2\nlog.retention.minutes=3\n").get_int("log.retention.ms"),
            3 * 60'000);
  EXPECT_EQ(load("log.retention.minutes=3\nlog.retention.ms=5\n").get_int("log.retention.ms"), 5);
  EXPECT_EQ(load("log.retention.hours=-1\n").get_int("log.retention.ms"), -1);
  EXPECT_EQ(load("").get_int("log.retention.ms"), 7LL * 24 * 3'600'000);
}

TEST(KafkaProperties, AKeyNeitherKnowsIsStillAnError) {
  EXPECT_NE(error_of([] { load("num.io.thread=8\n"); }).find("num.io.thread"), std::string::npos);
}

TEST(KafkaProperties, ListenersSluiceCannotServeAreRefusedWithTheReason) {
  auto listener = [](const std::string& text) {
    return error_of([&] { kafka_client_listener(load(text), "listeners"); });
  };
  EXPECT_NE(listener("listeners=SSL://:9093\n").find("PLAINTEXT only"), std::string::npos);
  EXPECT_NE(
      listener("listeners=EXTERNAL://:9093\nlistener.security.protocol.map=EXTERNAL:SASL_SSL\n")
          .find("EXTERNAL is SASL_SSL"),
      std::string::npos);
  EXPECT_NE(listener("listeners=PLAINTEXT://:9092,OTHER://:9093\n"
                     "listener.security.protocol.map=OTHER:PLAINTEXT\n")
                .find("one client listener"),
            std::string::npos);
  EXPECT_NE(listener("listeners=localhost:9092\n").find("NAME://HOST:PORT"), std::string::npos);
  EXPECT_EQ(listener("listeners=PLAINTEXT://127.0.0.1:9092\n"), "");
  EXPECT_NE(error_of([] { kafka_log_dir(load("log.dirs=/a,/b\n")); }).find("one data dir"),
            std::string::npos);
}

}  // namespace
}  // namespace sluice::broker
