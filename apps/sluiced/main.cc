// sluiced: one Sluice node. Parses flags and config, opens the data dir, recovers the logs,
// listens, and serves until SIGTERM/SIGINT, then stops cleanly (everything flushed).
#include <fcntl.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "sluice/broker/broker.h"
#include "sluice/broker/config.h"
#include "sluice/broker/consumer_offsets_log.h"
#include "sluice/broker/kafka_listeners.h"
#include "sluice/broker/partition_manager.h"
#include "sluice/broker/shard_set.h"
#include "sluice/broker/transaction_partitions.h"
#include "sluice/broker/transaction_state_log.h"
#include "sluice/cluster/metadata_store.h"
#include "sluice/group/group_coordinator.h"
#include "sluice/server/server.h"

namespace {

namespace fs = std::filesystem;

struct StartupError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct HostPort {
  std::string host;
  uint16_t port = 0;
};

HostPort parse_host_port(const std::string& flag, const std::string& s) {
  auto colon = s.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == s.size())
    throw StartupError(flag + ": expected HOST:PORT, got '" + s + "'");
  HostPort hp{s.substr(0, colon), 0};
  std::string port = s.substr(colon + 1);
  if (port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5 ||
      std::stoi(port) > 65535)
    throw StartupError(flag + ": invalid port '" + port + "'");
  hp.port = static_cast<uint16_t>(std::stoi(port));
  if (!hp.host.empty() && hp.host.front() == '[' && hp.host.back() == ']')
    hp.host = hp.host.substr(1, hp.host.size() - 2);
  return hp;
}

// Creates the data dir if needed and takes an exclusive lock on it, so two nodes never share
// one. The lock file descriptor stays open for the life of the process.
void lock_data_dir(const fs::path& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec))
    throw StartupError("--data-dir " + dir.string() + ": exists and is not a directory");
  fs::create_directories(dir, ec);
  if (ec) throw StartupError("--data-dir " + dir.string() + ": " + ec.message());
  int fd = ::open((dir / ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw StartupError("--data-dir " + dir.string() + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0)
    throw StartupError("--data-dir " + dir.string() + ": in use by another sluiced");
}

int run(int argc, char** argv) {
  CLI::App app{"sluiced: a Sluice broker node (Kafka protocol)"};
  std::string data_dir = "sluice-data";
  std::string listen = "127.0.0.1:9092";
  std::string advertised;
  std::optional<std::string> config_file;
  std::vector<std::string> sets;
  std::string log_level = "info";
  app.add_option("--data-dir", data_dir, "Directory for logs and metadata")->capture_default_str();
  app.add_option("--listen", listen, "Address to accept Kafka clients on")->capture_default_str();
  app.add_option("--advertised", advertised,
                 "HOST:PORT clients are told to connect to (default: --listen)");
  app.add_option("--config", config_file, "key=value file of broker configs (Kafka names)");
  app.add_option("--set", sets, "A broker config, key=value; may repeat; wins over --config");
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "sluiced: " << e.what() << "\n";
    return 2;
  }

  auto logger = spdlog::stderr_color_mt("sluiced");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(log_level));

  sluice::broker::ConfigSet config(sluice::broker::broker_config_keys());
  std::vector<std::string> warnings;
  try {
    config = sluice::broker::load_broker_config(config_file, sets, &warnings);
    // A Kafka server.properties may say where to listen and keep data; the flags win.
    if (!app.count("--listen") && config.is_set("listeners"))
      listen = sluice::broker::kafka_client_listener(config, "listeners");
    if (!app.count("--advertised") && config.is_set("advertised.listeners"))
      advertised = sluice::broker::kafka_client_listener(config, "advertised.listeners");
    if (!app.count("--data-dir"))
      if (auto dir = sluice::broker::kafka_log_dir(config)) data_dir = *dir;
  } catch (const std::invalid_argument& e) {
    throw StartupError(e.what());
  }
  for (const auto& w : warnings) spdlog::warn("{}", w);
  HostPort bind = parse_host_port("--listen", listen);
  HostPort adv = advertised.empty() ? bind : parse_host_port("--advertised", advertised);
  if (adv.host == "0.0.0.0" || adv.host == "::")
    throw StartupError(
        "--advertised (or advertised.listeners): give the address clients should connect to, "
        "not " +
        adv.host);

  auto shard_count = static_cast<unsigned>(config.get_int("num.shards"));
  if (shard_count == 0) shard_count = sluice::broker::default_shard_count();
  // Declared before everything bound to its loops, so that it goes last.
  sluice::broker::ShardSet shards(shard_count);
  asio::io_context& io = shards.io(0);  // the control shard, run by this thread
  auto node =
      sluice::broker::NodeInfo{static_cast<int32_t>(config.get_int("node.id")), adv.host, adv.port};
  sluice::server::ServerLimits limits;
  limits.max_request_bytes = static_cast<int32_t>(config.get_int("socket.request.max.bytes"));
  limits.max_queued_requests = static_cast<int32_t>(config.get_int("queued.max.requests"));
  limits.max_connections = static_cast<int32_t>(config.get_int("max.connections"));
  limits.max_connections_per_ip = static_cast<int32_t>(config.get_int("max.connections.per.ip"));
  limits.max_queued_request_bytes = config.get_int("queued.max.request.bytes");
  limits.connections_max_idle_ms = config.get_int("connections.max.idle.ms");

  // Bind before touching the data dir, so a busy port changes nothing on disk.
  std::unique_ptr<sluice::cluster::MetadataStore> metadata;
  std::unique_ptr<sluice::broker::PartitionManager> partitions;
  std::unique_ptr<sluice::txn::ProducerIdManager> producer_ids;
  std::unique_ptr<sluice::broker::ConsumerOffsetsLog> offsets_log;
  std::unique_ptr<sluice::group::GroupCoordinator> groups;
  std::unique_ptr<sluice::broker::TransactionStateLog> txn_log;
  std::unique_ptr<sluice::broker::TransactionPartitions> txn_partitions;
  std::unique_ptr<sluice::txn::TransactionCoordinator> txns;
  std::unique_ptr<sluice::broker::Broker> broker;
  std::unique_ptr<sluice::server::Server> server;
  asio::ip::tcp::acceptor probe(io);
  try {
    asio::ip::tcp::endpoint ep(asio::ip::make_address(bind.host), bind.port);
    probe.open(ep.protocol());
    probe.set_option(asio::ip::tcp::acceptor::reuse_address(true));
    probe.bind(ep);
    probe.close();
  } catch (const std::system_error& e) {
    throw StartupError("--listen " + listen + ": " + e.code().message());
  }
  lock_data_dir(data_dir);
  try {
    metadata = sluice::cluster::open_local_metadata_store(data_dir);
    partitions =
        std::make_unique<sluice::broker::PartitionManager>(shards, data_dir, config, *metadata);
    partitions->start();
    producer_ids = std::make_unique<sluice::txn::ProducerIdManager>(data_dir);
    offsets_log = std::make_unique<sluice::broker::ConsumerOffsetsLog>(
        *partitions, static_cast<int32_t>(config.get_int("offsets.topic.num.partitions")));
    txn_log = std::make_unique<sluice::broker::TransactionStateLog>(
        *partitions, static_cast<int32_t>(config.get_int("transaction.state.log.num.partitions")));
  } catch (const std::exception& e) {
    throw StartupError(std::string("data dir ") + data_dir + ": " + e.what());
  }
  sluice::group::GroupConfig group_config;
  group_config.min_session_timeout_ms =
      static_cast<int32_t>(config.get_int("group.min.session.timeout.ms"));
  group_config.max_session_timeout_ms =
      static_cast<int32_t>(config.get_int("group.max.session.timeout.ms"));
  group_config.initial_rebalance_delay_ms =
      static_cast<int32_t>(config.get_int("group.initial.rebalance.delay.ms"));
  group_config.max_size = static_cast<int32_t>(config.get_int("group.max.size"));
  group_config.offsets_retention_ms = config.get_int("offsets.retention.minutes") * 60 * 1000;
  group_config.offset_metadata_max_bytes =
      static_cast<int32_t>(config.get_int("offset.metadata.max.bytes"));
  groups = std::make_unique<sluice::group::GroupCoordinator>(
      io, *offsets_log, group_config, [&partitions](const std::string& topic, int32_t p) {
        return p >= 0 && p < partitions->partition_count(topic);
      });
  groups->load();
  txn_partitions = std::make_unique<sluice::broker::TransactionPartitions>(*partitions, *groups);
  sluice::txn::TxnConfig txn_config;
  txn_config.max_timeout_ms = static_cast<int32_t>(config.get_int("transaction.max.timeout.ms"));
  txn_config.abort_check_interval_ms = static_cast<int32_t>(
      config.get_int("transaction.abort.timed.out.transaction.cleanup.interval.ms"));
  txn_config.id_expiration_ms = config.get_int("transactional.id.expiration.ms");
  txns = std::make_unique<sluice::txn::TransactionCoordinator>(
      io, *txn_log, *txn_partitions, [&producer_ids] { return producer_ids->next(); },
      [&offsets_log,
       &groups](const std::string& group) -> std::optional<sluice::txn::TxnPartition> {
        if (offsets_log->topic().create_if_absent() != sluice::protocol::ErrorCode::none)
          return std::nullopt;
        return sluice::txn::TxnPartition{sluice::broker::kConsumerOffsetsTopic,
                                         groups->partition_for(group)};
      },
      [&partitions](const sluice::txn::TxnPartition& tp) {
        return tp.partition >= 0 && tp.partition < partitions->partition_count(tp.topic);
      },
      txn_config, [] { return sluice::broker::now_ms(); });
  txns->load();
  broker = std::make_unique<sluice::broker::Broker>(config, node, *metadata, *partitions, *groups,
                                                    *producer_ids, *txns);
  server = std::make_unique<sluice::server::Server>(shards, *broker, limits);
  try {
    server->listen(bind.host, bind.port);
  } catch (const std::system_error& e) {
    throw StartupError("--listen " + listen + ": " + e.code().message());
  }
  if (node.port == 0) broker->set_advertised_port(server->port());

  asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](std::error_code, int sig) {
    spdlog::info("signal {}: stopping", sig);
    server->stop();
    txns->stop();
    groups->stop();
    partitions->stop();
    shards.stop();
    io.stop();
  });
  std::signal(SIGPIPE, SIG_IGN);

  spdlog::info("{} shards", shards.count());
  std::printf("sluiced ready on %s:%u\n", bind.host.c_str(), server->port());
  std::fflush(stdout);
  io.run();
  server->stop();
  txns->stop();
  groups->stop();
  partitions->stop();
  shards.stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const StartupError& e) {
    std::cerr << "sluiced: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "sluiced: " << e.what() << "\n";
    return 2;
  }
}
