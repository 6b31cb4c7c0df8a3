#include "wire_client.h"

#include <fcntl.h>
#include <librdkafka/rdkafka.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "sluice/protocol/endian.h"

namespace sluice::cli {
namespace {

// Larger responses than this are not what these APIs answer: refuse rather than allocate.
constexpr int32_t kMaxResponseBytes = 64 * 1024 * 1024;

int64_t steady_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string api_name(int16_t key) {
  switch (key) {
    case 3:
      return "Metadata";
    case 10:
      return "FindCoordinator";
    case 18:
      return "ApiVersions";
    case 22:
      return "InitProducerId";
    case 27:
      return "WriteTxnMarkers";
    case 61:
      return "DescribeProducers";
    case 65:
      return "DescribeTransactions";
    case 66:
      return "ListTransactions";
    default:
      return "API " + std::to_string(key);
  }
}

}  // namespace

std::string kafka_error_name(int16_t code) {
  // librdkafka's broker error codes are Kafka's, and so are its names, but for a few it
  // shortened; those are spelled as Kafka (and its docs) do. The librdkafka this links (2.0)
  // predates codes the transaction APIs answer with, such as 105.
  std::string name;
  switch (code) {
    case 3:
      name = "UNKNOWN_TOPIC_OR_PARTITION";
      break;
    case 6:
      name = "NOT_LEADER_OR_FOLLOWER";
      break;
    case 10:
      name = "MESSAGE_TOO_LARGE";
      break;
    case 105:
      name = "TRANSACTIONAL_ID_NOT_FOUND";
      break;
    default:
      name = rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(code));
  }
  return name + " (" + std::to_string(code) + ")";
}

WireClient::WireClient(const std::string& address, int timeout_ms)
    : address_(address), timeout_ms_(timeout_ms) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size())
    throw UsageError("broker address '" + address + "' is not HOST:PORT");
  std::string host = address.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  const std::string port = address.substr(colon + 1);

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0)
    throw CliError("cannot resolve broker " + address + ": " + gai_strerror(rc));
  deadline_ms_ = steady_now_ms() + timeout_ms_;
  int last_errno = 0;
  for (addrinfo* a = found; a != nullptr && fd_ < 0; a = a->ai_next) {
    int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      last_errno = errno;
      continue;
    }
    int rc = connect(fd, a->ai_addr, a->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      const int left = static_cast<int>(std::max<int64_t>(0, deadline_ms_ - steady_now_ms()));
      rc = poll(&p, 1, left);
      if (rc == 0) {
        errno = ETIMEDOUT;
        rc = -1;
      } else if (rc > 0) {
        int so_error = 0;
        socklen_t len = sizeof so_error;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
        errno = so_error;
        rc = so_error == 0 ? 0 : -1;
      }
    }
    if (rc != 0) {
      last_errno = errno;
      close(fd);
      continue;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fd_ = fd;
  }
  freeaddrinfo(found);
  if (fd_ < 0)
    throw CliError("cannot connect to broker " + address + ": " + std::strerror(last_errno) +
                   " (errno " + std::to_string(last_errno) + ")");
}

WireClient::~WireClient() {
  if (fd_ >= 0) close(fd_);
}

std::string WireClient::exchange(int16_t api_key, int16_t version, bool flexible_header,
                                 const std::string& body) {
  deadline_ms_ = steady_now_ms() + timeout_ms_;
  const int32_t correlation_id = next_correlation_id_;
  std::string frame(4, '\0');  // length prefix, filled in below
  protocol::Writer w(frame);
  w.fixed<int16_t>(api_key);
  w.fixed<int16_t>(version);
  w.fixed<int32_t>(correlation_id);
  // The client id is an int16-length string in both header versions.
  const std::string client_id = "sluice-cli";
  w.fixed<int16_t>(static_cast<int16_t>(client_id.size()));
  w.raw(client_id.data(), client_id.size());
  if (flexible_header) w.uvarint(0);  // no tagged fields
  w.raw(body.data(), body.size());
  protocol::store_be(reinterpret_cast<uint8_t*>(frame.data()),
                     static_cast<int32_t>(frame.size() - 4));
  send_all(frame, api_key, version);

  char prefix[4];
  recv_all(prefix, sizeof prefix, api_key, version);
  const auto size = protocol::load_be<int32_t>(reinterpret_cast<const uint8_t*>(prefix));
  if (size < 4 || size > kMaxResponseBytes)
    fail("response of " + std::to_string(size) + " bytes", api_key, version, 0);
  std::string response(static_cast<size_t>(size), '\0');
  recv_all(response.data(), response.size(), api_key, version);
  return response;
}

void WireClient::check_response_header(protocol::Reader& r, int16_t api_key, int16_t version,
                                       bool flexible_header) {
  const int32_t correlation_id = r.fixed<int32_t>();
  if (flexible_header) {
    const uint64_t tags = r.uvarint();
    for (uint64_t i = 0; i < tags && r.ok(); ++i) {
      r.uvarint();
      r.take(r.uvarint());
    }
  }
  if (!r.ok()) fail_decode(api_key, version);
  if (correlation_id != next_correlation_id_)
    fail("response for correlation id " + std::to_string(correlation_id) + ", expected " +
             std::to_string(next_correlation_id_),
         api_key, version, 0);
  ++next_correlation_id_;
}

void WireClient::send_all(const std::string& bytes, int16_t api_key, int16_t version) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd_, POLLOUT, 0};
      if (poll(&p, 1, remaining_ms(api_key, version)) < 0 && errno != EINTR)
        fail("poll", api_key, version, errno);
      continue;
    }
    fail("send", api_key, version, errno);
  }
}

void WireClient::recv_all(char* out, size_t n, int16_t api_key, int16_t version) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = recv(fd_, out + got, n - got, 0);
    if (r > 0) {
      got += static_cast<size_t>(r);
      continue;
    }
    if (r == 0)
      fail("the broker closed the connection (does it serve this version?)", api_key, version, 0);
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, remaining_ms(api_key, version)) < 0 && errno != EINTR)
        fail("poll", api_key, version, errno);
      continue;
    }
    fail("recv", api_key, version, errno);
  }
}

int WireClient::remaining_ms(int16_t api_key, int16_t version) const {
  const int64_t left = deadline_ms_ - steady_now_ms();
  if (left <= 0)
    fail("no response within " + std::to_string(timeout_ms_) + " ms (--timeout-ms)", api_key,
         version, ETIMEDOUT);
  return static_cast<int>(left);
}

void WireClient::fail_decode(int16_t api_key, int16_t version) const {
  fail("malformed response", api_key, version, 0);
}

void WireClient::fail(const std::string& what, int16_t api_key, int16_t version, int err) const {
  std::string msg = "broker " + address_ + ": " + api_name(api_key) + " v" +
                    std::to_string(version) + ": " + what;
  if (err != 0)
    msg += ": " + std::string(std::strerror(err)) + " (errno " + std::to_string(err) + ")";
  throw CliError(msg);
}

}  // namespace sluice::cli
