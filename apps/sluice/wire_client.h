// A blocking Kafka wire client for what librdkafka's Admin API lacks (ListTransactions,
// DescribeTransactions, WriteTxnMarkers, a bare InitProducerId): one TCP connection to one broker,
// one request at a time, encoded and decoded with Sluice's own codec, the broker's.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "errors.h"
#include "sluice/protocol/codec.h"

namespace sluice::cli {

// "<error name> (<code>)" for a Kafka error code, e.g. "TRANSACTIONAL_ID_NOT_FOUND (105)".
std::string kafka_error_name(int16_t code);

// Owned and used by one thread (the CLI's main thread). Every failure throws CliError naming the
// address, the API and, for socket errors, errno.
class WireClient {
 public:
  // Connects to HOST:PORT within timeout_ms; every later request gets timeout_ms too.
  WireClient(const std::string& address, int timeout_ms);
  ~WireClient();
  WireClient(const WireClient&) = delete;
  WireClient& operator=(const WireClient&) = delete;

  const std::string& address() const { return address_; }

  // Sends `req` at `version` (request header v2 if that version is flexible, else v1) and
  // decodes the response at the same version.
  template <typename Resp, typename Req>
  Resp call(const Req& req, int16_t version) {
    static_assert(Req::api_key == Resp::api_key);
    const bool flexible = version >= Req::flexible_from;
    std::string body;
    protocol::Writer w(body);
    protocol::encode(w, req, version, flexible);
    std::string frame = exchange(Req::api_key, version, flexible, body);
    // ApiVersions is the one API whose response header stays v0 when flexible.
    const bool flexible_header = version >= Resp::flexible_from && Req::api_key != 18;
    auto bytes = std::span(reinterpret_cast<uint8_t*>(frame.data()), frame.size());
    protocol::Reader r(bytes);
    check_response_header(r, Req::api_key, version, flexible_header);
    Resp resp;
    if (!protocol::decode(r, resp, version, version >= Resp::flexible_from) || r.remaining() != 0)
      fail_decode(Req::api_key, version);
    return resp;
  }

 private:
  // Writes one request frame and returns the response frame (without its length prefix).
  std::string exchange(int16_t api_key, int16_t version, bool flexible_header,
                       const std::string& body);
  void check_response_header(protocol::Reader& r, int16_t api_key, int16_t version,
                             bool flexible_header);
  [[noreturn]] void fail_decode(int16_t api_key, int16_t version) const;
  [[noreturn]] void fail(const std::string& what, int16_t api_key, int16_t version, int err) const;
  void send_all(const std::string& bytes, int16_t api_key, int16_t version);
  void recv_all(char* out, size_t n, int16_t api_key, int16_t version);
  // Milliseconds left before the current request's deadline; fails when none are.
  int remaining_ms(int16_t api_key, int16_t version) const;

  std::string address_;
  int timeout_ms_;
  int fd_ = -1;
  int32_t next_correlation_id_ = 1;
  int64_t deadline_ms_ = 0;  // steady clock, of the request in flight
};

}  // namespace sluice::cli
