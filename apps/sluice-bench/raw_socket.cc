#include "raw_socket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace sluice::bench {

int64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

RawConnection::RawConnection(std::string tool, const std::string& hostport)
    : tool_(std::move(tool)), client_id_("sluice-bench-" + tool_) {
  auto colon = hostport.rfind(':');
  if (colon == std::string::npos) die("--bootstrap must be HOST:PORT");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(std::atoi(hostport.c_str() + colon + 1)));
  std::string host = hostport.substr(0, colon);
  if (host == "localhost") host = "127.0.0.1";
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) die("not an IPv4 address: " + host);
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    die("connect " + hostport + ": " + std::strerror(errno));
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  timeval tv{5, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

RawConnection::~RawConnection() {
  if (fd_ >= 0) ::close(fd_);
}

void RawConnection::die(const std::string& msg) const {
  std::fprintf(stderr, "sluice-bench %s: %s\n", tool_.c_str(), msg.c_str());
  std::exit(1);
}

void RawConnection::write_all(const std::string& b) {
  size_t off = 0;
  while (off < b.size()) {
    ssize_t n = ::send(fd_, b.data() + off, b.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) die(std::string("send: ") + std::strerror(errno));
    off += static_cast<size_t>(n);
  }
}

void RawConnection::read_all(uint8_t* p, size_t len) {
  while (len > 0) {
    ssize_t n = ::recv(fd_, p, len, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) die(n == 0 ? "broker closed the connection" : std::strerror(errno));
    p += n;
    len -= static_cast<size_t>(n);
  }
}

int64_t RawConnection::read_frame() {
  uint8_t size_be[4];
  read_all(size_be, 4);
  const auto size = protocol::load_be<int32_t>(size_be);
  if (size < 4) die("bad response size");
  frame_.resize(static_cast<size_t>(size));
  read_all(frame_.data(), frame_.size());
  return 4 + static_cast<int64_t>(size);
}

}  // namespace sluice::bench
