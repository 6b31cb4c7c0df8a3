#pragma once
// One blocking Kafka connection without a client library, for the raw load generators
// (`sluice-bench fetch`, `sluice-bench raw-produce`): requests framed with the project's codec,
// non-flexible versions only (request header v1, response header v0). Any connection or
// protocol error ends the process with a message naming the tool. Owned by one thread.
#include <cstdint>
#include <string>
#include <vector>

#include "sluice/protocol/codec.h"
#include "sluice/protocol/endian.h"

namespace sluice::bench {

class RawConnection {
 public:
  // `tool` names the command in error messages; connects at once (HOST:PORT, IPv4).
  RawConnection(std::string tool, const std::string& hostport);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  [[noreturn]] void die(const std::string& msg) const;

  // Frames `req` at `version` (which must be below Req::flexible_from) and sends it; returns the
  // correlation id it carries. Requests may be pipelined: responses come back in order.
  template <typename Req>
  int32_t send(const Req& req, int16_t version) {
    if (version >= Req::flexible_from) die("raw requests use non-flexible versions only");
    std::string out(4, '\0');
    protocol::Writer w(out);
    const int32_t corr = next_correlation_id_++;
    w.fixed<int16_t>(Req::api_key);
    w.fixed<int16_t>(version);
    w.fixed<int32_t>(corr);
    w.fixed<int16_t>(static_cast<int16_t>(client_id_.size()));
    w.raw(client_id_.data(), client_id_.size());
    protocol::encode(w, req, version, false);
    protocol::store_be<int32_t>(reinterpret_cast<uint8_t*>(out.data()),
                                static_cast<int32_t>(out.size() - 4));
    write_all(out);
    return corr;
  }

  // Reads the next response, which must answer `corr`, into `resp`. Returns the frame's size.
  // `resp` may point into the connection's buffer until the next receive.
  template <typename Resp>
  int64_t receive(int32_t corr, Resp& resp, int16_t version) {
    const int64_t size = read_frame();
    protocol::Reader reader(frame_);
    if (reader.fixed<int32_t>() != corr) die("response out of order");
    if (!protocol::decode(reader, resp, version, false) || !reader.ok())
      die("malformed response to api " + std::to_string(Resp::api_key));
    return size;
  }

 private:
  void write_all(const std::string& bytes);
  void read_all(uint8_t* p, size_t len);
  int64_t read_frame();  // into frame_; returns its size with the 4-byte length

  std::string tool_;
  std::string client_id_;
  int fd_ = -1;
  int32_t next_correlation_id_ = 1;
  std::vector<uint8_t> frame_;
};

int64_t now_ns();

}  // namespace sluice::bench
