#include "sluice/server/server.h"

#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "connection.h"

namespace sluice::server {

namespace {

// Raises the soft limit on open files to the hard limit, so that max.connections is not cut
// short by a 1024 default (a connection is one descriptor; segments hold descriptors too).
void raise_fd_limit(int32_t max_connections) {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == rl.rlim_max) return;
  rlim_t old = rl.rlim_cur;
  rl.rlim_cur = rl.rlim_max;
  if (::setrlimit(RLIMIT_NOFILE, &rl) == 0)
    spdlog::debug("open files limit raised from {} to {}", old, rl.rlim_cur);
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < static_cast<rlim_t>(max_connections) + 256)
    spdlog::warn("open files limit {} is below max.connections ({}) plus room for log segments",
                 rl.rlim_cur, max_connections);
}

}  // namespace

Server::Server(asio::io_context& io, broker::Broker& broker, ServerLimits limits)
    : io_(io),
      broker_(broker),
      limits_(limits),
      acceptor_(io),
      accept_retry_(io),
      idle_timer_(io) {}

Server::~Server() { stop(); }

void Server::listen(const std::string& host, uint16_t port) {
  raise_fd_limit(limits_.max_connections);
  asio::ip::tcp::endpoint ep(asio::ip::make_address(host), port);
  acceptor_.open(ep.protocol());
  acceptor_.set_option(asio::ip::tcp::acceptor::reuse_address(true));
  acceptor_.bind(ep);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  accept();
  schedule_idle_check();
}

uint16_t Server::port() const { return acceptor_.local_endpoint().port(); }

size_t Server::connection_count(const asio::ip::address& a) const {
  auto it = per_ip_.find(a.to_string());
  return it == per_ip_.end() ? 0 : static_cast<size_t>(it->second);
}

void Server::accept() {
  acceptor_.async_accept([this](std::error_code ec, asio::ip::tcp::socket socket) {
    if (stopped_) return;
    if (!ec) {
      std::error_code pec;
      auto peer = socket.remote_endpoint(pec);
      std::string key = pec ? std::string() : peer.address().to_string();
      std::error_code ignored;
      if (pec) {
        socket.close(ignored);  // already gone
      } else if (connections_.size() >= static_cast<size_t>(limits_.max_connections)) {
        spdlog::warn("max.connections ({}) reached: refusing a connection from {}",
                     limits_.max_connections, key);
        socket.close(ignored);
      } else if (per_ip_[key] >= limits_.max_connections_per_ip) {
        spdlog::warn("max.connections.per.ip ({}) reached: refusing a connection from {}",
                     limits_.max_connections_per_ip, key);
        socket.close(ignored);
      } else {
        auto c = std::make_shared<Connection>(std::move(socket), broker_, *this, limits_);
        connections_.emplace(c.get(), Entry{c, peer.address()});
        ++per_ip_[key];
        c->start();
      }
      if (auto it = per_ip_.find(key); it != per_ip_.end() && it->second == 0) per_ip_.erase(it);
    } else if (ec == asio::error::no_descriptors || ec.value() == ENFILE || ec.value() == ENOBUFS ||
               ec.value() == ENOMEM) {
      // Out of descriptors or memory: the pending connection stays in the backlog. Retrying at
      // once would spin the loop at 100% CPU; try again shortly, when a connection may have closed.
      spdlog::error("accept: {} (open connections: {}); retrying in 100 ms", ec.message(),
                    connections_.size());
      accept_retry_.expires_after(std::chrono::milliseconds(100));
      accept_retry_.async_wait([this](std::error_code e) {
        if (!e && !stopped_) accept();
      });
      return;
    }
    accept();
  });
}

void Server::schedule_idle_check() {
  if (stopped_ || limits_.connections_max_idle_ms <= 0) return;
  // Check a few times per idle period (an idle connection is closed within 1.25x the limit),
  // at most every second and at least every 10 ms.
  auto period = std::clamp<int64_t>(limits_.connections_max_idle_ms / 4, 10, 1000);
  idle_timer_.expires_after(std::chrono::milliseconds(period));
  idle_timer_.async_wait([this](std::error_code ec) {
    if (ec || stopped_) return;
    close_idle_connections();
    schedule_idle_check();
  });
}

void Server::close_idle_connections() {
  auto now = std::chrono::steady_clock::now();
  auto limit = std::chrono::milliseconds(limits_.connections_max_idle_ms);
  std::vector<std::shared_ptr<Connection>> idle;
  for (auto& [_, e] : connections_)
    if (e.conn->idle_since(now) >= limit) idle.push_back(e.conn);
  for (auto& c : idle) {
    spdlog::debug("closing a connection idle for more than connections.max.idle.ms ({})",
                  limits_.connections_max_idle_ms);
    c->close();
  }
}

void Server::on_closed(Connection* c) {
  auto it = connections_.find(c);
  if (it == connections_.end()) return;
  auto key = it->second.peer.to_string();
  if (auto ip = per_ip_.find(key); ip != per_ip_.end() && --ip->second <= 0) per_ip_.erase(ip);
  connections_.erase(it);
}

void Server::stop() {
  if (stopped_) return;
  stopped_ = true;
  std::error_code ec;
  acceptor_.close(ec);
  accept_retry_.cancel();
  idle_timer_.cancel();
  auto conns = connections_;
  for (auto& [_, e] : conns) e.conn->close();
  connections_.clear();
  per_ip_.clear();
}

}  // namespace sluice::server
