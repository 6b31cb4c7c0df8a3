#pragma once
// The request side of a node: takes one request frame, decodes it with the generic codec, runs
// the handler of its API and hands back the encoded response. Connections, framing and
// ordering live in the server library; partitions in the PartitionManager.
#include <asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sluice/broker/config.h"
#include "sluice/broker/partition_manager.h"
#include "sluice/cluster/metadata_store.h"
#include "sluice/group/group_coordinator.h"
#include "sluice/protocol/schema.h"
#include "sluice/txn/producer_id_manager.h"
#include "sluice/txn/transaction_coordinator.h"

namespace sluice::broker {

struct NodeInfo {
  int32_t node_id = 0;
  std::string host;
  int32_t port = 0;
};

// What the connection does with a request's outcome.
struct Reply {
  enum class Kind { send, none, close } kind = Kind::none;
  std::string frame;  // response header + body, without the length prefix or the spliced bytes
  std::vector<protocol::Splice> splices;  // file ranges that belong inside `frame` (sendfile)
  size_t size() const {
    size_t n = frame.size();
    for (const auto& s : splices) n += s.range.size;
    return n;
  }
};

// A request frame's bytes. The allocator leaves new bytes uninitialised: a frame is always
// filled from the socket right after it is sized, so zero-filling it first is wasted work.
template <typename T>
struct UninitializedAllocator : std::allocator<T> {
  template <typename U>
  struct rebind {
    using other = UninitializedAllocator<U>;
  };
  UninitializedAllocator() = default;
  template <typename U>
  UninitializedAllocator(const UninitializedAllocator<U>&) {}
  template <typename U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};
using Frame = std::vector<uint8_t, UninitializedAllocator<uint8_t>>;

struct ApiRange {
  int16_t key, min, max;
};

class Broker {
 public:
  using Respond = std::function<void(Reply)>;

  Broker(const ConfigSet& config, NodeInfo self, cluster::MetadataStore& metadata,
         PartitionManager& partitions, group::GroupCoordinator& groups,
         txn::ProducerIdManager& producer_ids, txn::TransactionCoordinator& txns);

  // `frame` is one request without its length prefix, from a client at `client_host`, on the
  // shard of its connection. respond is called exactly once, on that same shard, possibly later
  // (produce waits for fsync, fetch for data, JoinGroup for the rebalance).
  void handle(Frame frame, const std::string& client_host, Respond respond);

  // The APIs and versions this node answers, as advertised by ApiVersions.
  const std::vector<ApiRange>& supported_apis() const;

  // The calling shard's event loop.
  asio::io_context& io();
  ShardSet& shards() { return partitions_.shards(); }
  const ConfigSet& config() const { return config_; }
  const NodeInfo& self() const { return self_; }
  // For --listen HOST:0 without --advertised: the port is known only once the server has bound
  // it, after this was built. Called on the control shard before any request is handled.
  void set_advertised_port(int32_t port) { self_.port = port; }
  cluster::MetadataStore& metadata() { return metadata_; }
  PartitionManager& partitions() { return partitions_; }
  group::GroupCoordinator& groups() { return groups_; }
  // Control shard only.
  txn::ProducerIdManager& producer_ids() { return producer_ids_; }
  txn::TransactionCoordinator& txns() { return txns_; }

 private:
  const ConfigSet& config_;
  NodeInfo self_;
  cluster::MetadataStore& metadata_;
  PartitionManager& partitions_;
  group::GroupCoordinator& groups_;
  txn::ProducerIdManager& producer_ids_;
  txn::TransactionCoordinator& txns_;
};

}  // namespace sluice::broker
