#include "sluice/protocol/header.h"

namespace sluice::protocol {

bool decode_request_header_v1(Reader& r, RequestHeader& h) {
  h.api_key = r.fixed<int16_t>();
  h.api_version = r.fixed<int16_t>();
  h.correlation_id = r.fixed<int32_t>();
  int16_t n = r.fixed<int16_t>();
  if (!r.ok() || n < -1) return false;
  if (n == -1) {
    h.client_id.reset();
  } else {
    auto s = r.take(static_cast<size_t>(n));
    h.client_id.emplace(reinterpret_cast<const char*>(s.data()), s.size());
  }
  return r.ok();
}

bool skip_tagged_fields(Reader& r) {
  uint64_t count = r.uvarint();
  for (uint64_t i = 0; i < count && r.ok(); ++i) {
    r.uvarint();
    uint64_t size = r.uvarint();
    if (size > r.remaining()) return false;
    r.take(static_cast<size_t>(size));
  }
  return r.ok();
}

void encode_response_header(std::string& out, int32_t correlation_id, bool flexible) {
  Writer w(out);
  w.fixed<int32_t>(correlation_id);
  if (flexible) w.uvarint(0);
}

}  // namespace sluice::protocol
