#pragma once
// The Kafka listener: accepts connections on the control shard and hands each to a shard in
// turn; the connection then lives on that shard's loop, frames requests (int32 length + body),
// hands each to the Broker there and writes responses back in request order, however late each
// one completes.
#include <asio/io_context.hpp>
#include <asio/ip/address.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "sluice/broker/broker.h"

namespace sluice::server {

struct ServerLimits {
  int32_t max_request_bytes = 104857600;  // socket.request.max.bytes: checked before reading a body
  int32_t max_queued_requests = 500;      // per connection: reading pauses beyond this
  // queued.max.request.bytes, per connection: reading pauses while the requests read and not yet
  // answered, plus their responses not yet written, hold this many bytes or more. One request
  // (at most max_request_bytes) may always be read, so a connection holds at most
  // max_queued_request_bytes + max_request_bytes.
  int64_t max_queued_request_bytes = 100LL * 1024 * 1024;
  int32_t max_connections = 10000;           // max.connections: further ones are closed at once
  int32_t max_connections_per_ip = 1000;     // max.connections.per.ip: likewise, per client address
  int64_t connections_max_idle_ms = 600000;  // connections.max.idle.ms: close idle connections
};

class Connection;

class Server {
 public:
  Server(broker::ShardSet& shards, broker::Broker& broker, ServerLimits limits);
  ~Server();
  // Binds and listens; throws std::system_error when the address cannot be used.
  void listen(const std::string& host, uint16_t port);
  uint16_t port() const;
  // Closes the listener and every connection (on their shards). Control shard only.
  void stop();

  // Called by a connection, on its shard, once it has closed.
  void on_closed(Connection* c, const std::string& peer);

  // Open connections, in total and from one address (for tests and metrics).
  size_t connection_count() const;
  size_t connection_count(const asio::ip::address& a) const;

 private:
  // The connections one shard runs; touched only on that shard.
  struct ShardConnections {
    std::unordered_map<Connection*, std::shared_ptr<Connection>> open;
    std::unique_ptr<asio::steady_timer> idle_timer;
  };
  void accept();
  // Admission control: false when a limit refuses the connection. Any shard.
  bool admit(const std::string& peer);
  void release(const std::string& peer);
  void adopt(unsigned shard, int fd, asio::ip::tcp protocol, std::string peer);
  void schedule_idle_check(ShardConnections& sc);
  void close_idle_connections(ShardConnections& sc);

  broker::ShardSet& shards_;
  broker::Broker& broker_;
  ServerLimits limits_;
  asio::ip::tcp::acceptor acceptor_;
  asio::steady_timer accept_retry_;  // after EMFILE/ENFILE: retry later, do not spin
  std::vector<ShardConnections> by_shard_;
  unsigned next_shard_ = 0;
  // Counts for max.connections and max.connections.per.ip. Taken only when a connection opens
  // or closes, never per request.
  mutable std::mutex counts_mu_;
  size_t open_total_ = 0;
  std::unordered_map<std::string, int32_t> per_ip_;  // address -> open connections
  std::atomic<bool> stopped_ = false;
};

}  // namespace sluice::server
