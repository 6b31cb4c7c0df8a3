#include "raw_fetch.h"

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
#include <string>
#include <vector>

#include "sluice/protocol/codec.h"
#include "sluice/protocol/endian.h"
#include "sluice/protocol/messages/fetch.h"
#include "sluice/protocol/record_batch.h"

namespace sluice::bench {
namespace {

// v4: the oldest version Sluice serves, non-flexible, no fetch sessions to manage.
constexpr int16_t kFetchVersion = 4;

[[noreturn]] void die(const std::string& msg) {
  std::fprintf(stderr, "sluice-bench fetch: %s\n", msg.c_str());
  std::exit(1);
}

int64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

int connect_to(const std::string& hostport) {
  auto colon = hostport.rfind(':');
  if (colon == std::string::npos) die("--bootstrap must be HOST:PORT");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(std::atoi(hostport.c_str() + colon + 1)));
  std::string host = hostport.substr(0, colon);
  if (host == "localhost") host = "127.0.0.1";
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) die("not an IPv4 address: " + host);
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    die("connect " + hostport + ": " + std::strerror(errno));
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

void write_all(int fd, const std::string& b) {
  size_t off = 0;
  while (off < b.size()) {
    ssize_t n = ::send(fd, b.data() + off, b.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) die(std::string("send: ") + std::strerror(errno));
    off += static_cast<size_t>(n);
  }
}

void read_all(int fd, uint8_t* p, size_t len) {
  while (len > 0) {
    ssize_t n = ::recv(fd, p, len, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) die(n == 0 ? "broker closed the connection" : std::strerror(errno));
    p += n;
    len -= static_cast<size_t>(n);
  }
}

std::string fetch_request(const RawFetchOptions& o, const std::vector<int64_t>& next,
                          int32_t correlation_id) {
  protocol::FetchRequest req;
  req.max_wait_ms = 500;
  req.min_bytes = 1;
  req.max_bytes = 0x7fffffff;
  auto& t = req.topics.emplace_back();
  t.topic = o.topic;
  for (int p = 0; p < o.partitions; ++p) {
    auto& fp = t.partitions.emplace_back();
    fp.partition = p;
    fp.fetch_offset = next[static_cast<size_t>(p)];
    fp.partition_max_bytes = o.partition_max_bytes;
  }
  // Frame: size, then request header v1 (api key, version, correlation id, client id), body.
  std::string out(4, '\0');
  protocol::Writer w(out);
  w.fixed<int16_t>(protocol::FetchRequest::api_key);
  w.fixed<int16_t>(kFetchVersion);
  w.fixed<int32_t>(correlation_id);
  const std::string client = "sluice-bench-fetch";
  w.fixed<int16_t>(static_cast<int16_t>(client.size()));
  w.raw(client.data(), client.size());
  protocol::encode(w, req, kFetchVersion, false);
  protocol::store_be<int32_t>(reinterpret_cast<uint8_t*>(out.data()),
                              static_cast<int32_t>(out.size() - 4));
  return out;
}

}  // namespace

RawFetchResult raw_fetch(const RawFetchOptions& o) {
  const int fd = connect_to(o.bootstrap);
  std::vector<int64_t> next(static_cast<size_t>(o.partitions), 0);
  std::vector<int64_t> end(static_cast<size_t>(o.partitions), -1);
  std::vector<uint8_t> frame;
  RawFetchResult r;
  const int64_t t0 = now_ns();
  int64_t last_progress = t0;
  for (int32_t corr = 1;; ++corr) {
    bool done = true;
    for (int p = 0; p < o.partitions; ++p)
      done = done && end[static_cast<size_t>(p)] >= 0 &&
             next[static_cast<size_t>(p)] >= end[static_cast<size_t>(p)];
    if (done || (o.max_records > 0 && r.records >= o.max_records)) break;
    if (now_ns() - last_progress > static_cast<int64_t>(o.timeout_s * 1e9))
      die("no progress for " + std::to_string(o.timeout_s) + " s");
    write_all(fd, fetch_request(o, next, corr));
    uint8_t size_be[4];
    read_all(fd, size_be, 4);
    const auto size = protocol::load_be<int32_t>(size_be);
    if (size < 4) die("bad response size");
    frame.resize(static_cast<size_t>(size));
    read_all(fd, frame.data(), frame.size());
    r.wire_bytes += 4 + size;
    ++r.fetches;
    protocol::Reader reader(frame);
    if (reader.fixed<int32_t>() != corr) die("response out of order");
    protocol::FetchResponse resp;
    if (!protocol::decode(reader, resp, kFetchVersion, false) || !reader.ok())
      die("malformed fetch response");
    for (const auto& tr : resp.responses)
      for (const auto& pd : tr.partitions) {
        if (pd.partition_index < 0 || pd.partition_index >= o.partitions) continue;
        const auto i = static_cast<size_t>(pd.partition_index);
        if (pd.error_code != 0)
          die("partition " + std::to_string(pd.partition_index) + ": error " +
              std::to_string(pd.error_code));
        if (end[i] < 0) end[i] = pd.high_watermark;
        // Whole batches only; a trailing partial batch is fetched again next time.
        std::span<const uint8_t> bytes = pd.records.bytes();
        while (auto h = protocol::read_batch_header(bytes)) {
          if (h->total_size() > bytes.size()) break;
          r.records += h->record_count;
          next[i] = h->last_offset() + 1;
          bytes = bytes.subspan(h->total_size());
          last_progress = now_ns();
        }
      }
  }
  r.seconds = static_cast<double>(now_ns() - t0) / 1e9;
  ::close(fd);
  return r;
}

}  // namespace sluice::bench
