#include "sluice/server/server.h"

#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

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

Server::Server(broker::ShardSet& shards, broker::Broker& broker, ServerLimits limits)
    : shards_(shards),
      broker_(broker),
      limits_(limits),
      acceptor_(shards.io(0)),
      accept_retry_(shards.io(0)),
      by_shard_(shards.count()) {}

Server::~Server() { stop(); }

void Server::listen(const std::string& host, uint16_t port) {
  raise_fd_limit(limits_.max_connections);
  asio::ip::tcp::endpoint ep(asio::ip::make_address(host), port);
  acceptor_.open(ep.protocol());
  acceptor_.set_option(asio::ip::tcp::acceptor::reuse_address(true));
  acceptor_.bind(ep);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  accept();
  for (unsigned s = 0; s < shards_.count(); ++s)
    shards_.run_on(s, [this, s] {
      by_shard_[s].idle_timer = std::make_unique<asio::steady_timer>(shards_.io(s));
      schedule_idle_check(by_shard_[s]);
    });
}

uint16_t Server::port() const { return acceptor_.local_endpoint().port(); }

size_t Server::connection_count() const {
  std::lock_guard lock(counts_mu_);
  return open_total_;
}

size_t Server::connection_count(const asio::ip::address& a) const {
  std::lock_guard lock(counts_mu_);
  auto it = per_ip_.find(a.to_string());
  return it == per_ip_.end() ? 0 : static_cast<size_t>(it->second);
}

bool Server::admit(const std::string& peer) {
  std::lock_guard lock(counts_mu_);
  if (open_total_ >= static_cast<size_t>(limits_.max_connections)) {
    spdlog::warn("max.connections ({}) reached: refusing a connection from {}",
                 limits_.max_connections, peer);
    return false;
  }
  auto& n = per_ip_[peer];
  if (n >= limits_.max_connections_per_ip) {
    spdlog::warn("max.connections.per.ip ({}) reached: refusing a connection from {}",
                 limits_.max_connections_per_ip, peer);
    return false;
  }
  ++n;
  ++open_total_;
  return true;
}

void Server::release(const std::string& peer) {
  std::lock_guard lock(counts_mu_);
  --open_total_;
  if (auto ip = per_ip_.find(peer); ip != per_ip_.end() && --ip->second <= 0) per_ip_.erase(ip);
}

void Server::accept() {
  acceptor_.async_accept([this](std::error_code ec, asio::ip::tcp::socket socket) {
    if (stopped_) return;
    if (!ec) {
      std::error_code pec;
      auto peer = socket.remote_endpoint(pec);
      std::error_code ignored;
      if (pec) {
        socket.close(ignored);  // already gone
      } else if (std::string key = peer.address().to_string(); !admit(key)) {
        socket.close(ignored);
      } else {
        // Connections go round the shards; each then lives on its shard's loop alone.
        unsigned shard = next_shard_++ % shards_.count();
        auto protocol = peer.protocol();
        int fd = socket.release(ignored);
        if (fd < 0) {
          release(key);
        } else if (shard == 0) {
          adopt(0, fd, protocol, std::move(key));
        } else {
          shards_.post(shard, [this, shard, fd, protocol, key = std::move(key)]() mutable {
            adopt(shard, fd, protocol, std::move(key));
          });
        }
      }
    } else if (ec == asio::error::no_descriptors || ec.value() == ENFILE || ec.value() == ENOBUFS ||
               ec.value() == ENOMEM) {
      // Out of descriptors or memory: the pending connection stays in the backlog. Retrying at
      // once would spin the loop at 100% CPU; try again shortly, when a connection may have closed.
      spdlog::error("accept: {} (open connections: {}); retrying in 100 ms", ec.message(),
                    connection_count());
      accept_retry_.expires_after(std::chrono::milliseconds(100));
      accept_retry_.async_wait([this](std::error_code e) {
        if (!e && !stopped_) accept();
      });
      return;
    }
    accept();
  });
}

void Server::adopt(unsigned shard, int fd, asio::ip::tcp protocol, std::string peer) {
  if (stopped_) {
    ::close(fd);
    return release(peer);
  }
  asio::ip::tcp::socket socket(shards_.io(shard));
  std::error_code ec;
  socket.assign(protocol, fd, ec);
  if (ec) {
    ::close(fd);
    return release(peer);
  }
  auto c =
      std::make_shared<Connection>(std::move(socket), std::move(peer), broker_, *this, limits_);
  by_shard_[shard].open.emplace(c.get(), c);
  c->start();
}

void Server::schedule_idle_check(ShardConnections& sc) {
  if (stopped_ || limits_.connections_max_idle_ms <= 0) return;
  // Check a few times per idle period (an idle connection is closed within 1.25x the limit),
  // at most every second and at least every 10 ms.
  auto period = std::clamp<int64_t>(limits_.connections_max_idle_ms / 4, 10, 1000);
  sc.idle_timer->expires_after(std::chrono::milliseconds(period));
  sc.idle_timer->async_wait([this, &sc](std::error_code ec) {
    if (ec || stopped_) return;
    close_idle_connections(sc);
    schedule_idle_check(sc);
  });
}

void Server::close_idle_connections(ShardConnections& sc) {
  auto now = std::chrono::steady_clock::now();
  auto limit = std::chrono::milliseconds(limits_.connections_max_idle_ms);
  std::vector<std::shared_ptr<Connection>> idle;
  for (auto& [_, c] : sc.open)
    if (c->idle_since(now) >= limit) idle.push_back(c);
  for (auto& c : idle) {
    spdlog::debug("closing a connection idle for more than connections.max.idle.ms ({})",
                  limits_.connections_max_idle_ms);
    c->close();
  }
}

void Server::on_closed(Connection* c, const std::string& peer) {
  auto& open = by_shard_[broker::ShardSet::current()].open;
  auto it = open.find(c);
  if (it == open.end()) return;
  open.erase(it);  // the caller, a method of the connection, holds it until it returns
  release(peer);
}

void Server::stop() {
  if (stopped_.exchange(true)) return;
  std::error_code ec;
  acceptor_.close(ec);
  accept_retry_.cancel();
  for (unsigned s = 0; s < shards_.count(); ++s)
    shards_.run_on(s, [this, s] {
      auto& sc = by_shard_[s];
      if (sc.idle_timer) sc.idle_timer->cancel();
      auto conns = sc.open;
      for (auto& [_, c] : conns) c->close();
      sc.open.clear();
    });
}

}  // namespace sluice::server
