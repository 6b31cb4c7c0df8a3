#include "sluice/server/server.h"

#include <spdlog/spdlog.h>

#include "connection.h"

namespace sluice::server {

Server::Server(asio::io_context& io, broker::Broker& broker, ServerLimits limits)
    : io_(io), broker_(broker), limits_(limits), acceptor_(io) {}

Server::~Server() { stop(); }

void Server::listen(const std::string& host, uint16_t port) {
  asio::ip::tcp::endpoint ep(asio::ip::make_address(host), port);
  acceptor_.open(ep.protocol());
  acceptor_.set_option(asio::ip::tcp::acceptor::reuse_address(true));
  acceptor_.bind(ep);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  accept();
}

uint16_t Server::port() const { return acceptor_.local_endpoint().port(); }

void Server::accept() {
  acceptor_.async_accept([this](std::error_code ec, asio::ip::tcp::socket socket) {
    if (stopped_) return;
    if (!ec) {
      if (connections_.size() >= static_cast<size_t>(limits_.max_connections)) {
        spdlog::warn("max.connections ({}) reached: refusing a connection", limits_.max_connections);
        std::error_code ignored;
        socket.close(ignored);
      } else {
        auto c = std::make_shared<Connection>(std::move(socket), broker_, *this, limits_);
        connections_.emplace(c.get(), c);
        c->start();
      }
    } else if (ec == asio::error::no_descriptors) {
      spdlog::error("accept: {}", ec.message());
    }
    accept();
  });
}

void Server::on_closed(Connection* c) { connections_.erase(c); }

void Server::stop() {
  if (stopped_) return;
  stopped_ = true;
  std::error_code ec;
  acceptor_.close(ec);
  auto conns = connections_;
  for (auto& [_, c] : conns) c->close();
  connections_.clear();
}

}  // namespace sluice::server
