#pragma once
// The Kafka listener: accepts connections, frames requests (int32 length + body), hands each to
// the Broker and writes responses back in request order, however late each one completes.
#include <asio/io_context.hpp>
#include <asio/ip/address.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

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
  Server(asio::io_context& io, broker::Broker& broker, ServerLimits limits);
  ~Server();
  // Binds and listens; throws std::system_error when the address cannot be used.
  void listen(const std::string& host, uint16_t port);
  uint16_t port() const;
  void stop();

  void on_closed(Connection* c);

  // Open connections, in total and from one address (for tests and metrics).
  size_t connection_count() const { return connections_.size(); }
  size_t connection_count(const asio::ip::address& a) const;

 private:
  struct Entry {
    std::shared_ptr<Connection> conn;
    asio::ip::address peer;
  };
  void accept();
  void schedule_idle_check();
  void close_idle_connections();

  asio::io_context& io_;
  broker::Broker& broker_;
  ServerLimits limits_;
  asio::ip::tcp::acceptor acceptor_;
  asio::steady_timer accept_retry_;  // after EMFILE/ENFILE: retry later, do not spin
  asio::steady_timer idle_timer_;
  std::unordered_map<Connection*, Entry> connections_;
  std::unordered_map<std::string, int32_t> per_ip_;  // address -> open connections
  bool stopped_ = false;
};

}  // namespace sluice::server
