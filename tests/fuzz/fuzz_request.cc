// libFuzzer target: a request frame body (what follows the 4-byte size) against the decoder of
// every message at every version it declares valid.
//
// The first two bytes choose the schema (index into protocol::AllMessages, requests and
// responses alike: both are decoded by some Kafka peer) and the version (within Msg::valid).
// The rest is decoded the way broker::Broker::handle does it: request header v1, tagged fields
// of header v2 for flexible versions, then the body with the generic codec.
//
// Oracles besides ASan/UBSan: a body that decodes must re-encode to bytes that decode again, and
// encoding is a fixed point (encode(decode(encode(m))) == encode(m)).
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "sluice/protocol/codec.h"
#include "sluice/protocol/header.h"
#include "sluice/protocol/messages/all.h"

namespace p = sluice::protocol;

namespace {

template <typename M>
void fuzz_one(int16_t version, std::vector<uint8_t>& body) {
  p::Reader r(std::span(body.data(), body.size()));
  p::RequestHeader h;
  if (!p::decode_request_header_v1(r, h)) return;
  bool flexible = version >= M::flexible_from;
  if (flexible && !p::skip_tagged_fields(r)) return;
  M m;
  if (!p::decode(r, m, version, flexible)) return;
  (void)r.remaining();  // trailing bytes are tolerated by the broker (like Kafka)

  // Round trip: what we decoded must encode to something we can decode again, identically.
  std::string once;
  p::encode(once, m, version);
  std::vector<uint8_t> buf(once.begin(), once.end());
  M m2;
  if (!p::decode(std::span(buf.data(), buf.size()), m2, version)) {
    std::fprintf(stderr, "re-encoded message does not decode (schema index/version %d)\n", version);
    std::abort();
  }
  std::string twice;
  p::encode(twice, m2, version);
  if (twice != once) {
    std::fprintf(stderr, "encoding is not a fixed point (version %d): %zu vs %zu bytes\n", version,
                 once.size(), twice.size());
    std::abort();
  }
}

using Fn = void (*)(int16_t, std::vector<uint8_t>&);
struct Entry {
  Fn fn;
  p::Versions valid;
};

template <size_t... I>
std::vector<Entry> make_table(std::index_sequence<I...>) {
  return {Entry{&fuzz_one<std::tuple_element_t<I, p::AllMessages>>,
                std::tuple_element_t<I, p::AllMessages>::valid}...};
}

const std::vector<Entry>& table() {
  static const auto t = make_table(std::make_index_sequence<std::tuple_size_v<p::AllMessages>>{});
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const auto& t = table();
  const Entry& e = t[data[0] % t.size()];
  int span = e.valid.max - e.valid.min + 1;
  auto version = static_cast<int16_t>(e.valid.min + data[1] % span);
  // The broker decodes from a mutable heap buffer of exactly the frame's size (ASan sees
  // any read past it).
  std::vector<uint8_t> body(data + 2, data + size);
  e.fn(version, body);
  return 0;
}
