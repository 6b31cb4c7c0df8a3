#pragma once
// The Kafka listener: accepts connections, frames requests (int32 length + body), hands each to
// the Broker and writes responses back in request order, however late each one completes.
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "sluice/broker/broker.h"

namespace sluice::server {

struct ServerLimits {
  int32_t max_request_bytes = 104857600;  // socket.request.max.bytes: checked before reading a body
  int32_t max_queued_requests = 500;      // per connection: reading pauses beyond this
  int32_t max_connections = 10000;
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

 private:
  void accept();

  asio::io_context& io_;
  broker::Broker& broker_;
  ServerLimits limits_;
  asio::ip::tcp::acceptor acceptor_;
  std::unordered_map<Connection*, std::shared_ptr<Connection>> connections_;
  bool stopped_ = false;
};

}  // namespace sluice::server
