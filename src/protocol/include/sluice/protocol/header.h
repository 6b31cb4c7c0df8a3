#pragma once
// Request and response headers. Request header v1 (non-flexible APIs) and v2 (flexible: adds
// tagged fields); ClientId is a nullable int16-length string in both, even in flexible versions.
// Response header v0 (correlation id) and v1 (adds tagged fields), except that ApiVersions always
// answers with v0 so that a client can read it before knowing what the broker supports.
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "sluice/protocol/codec.h"

namespace sluice::protocol {

struct RequestHeader {
  int16_t api_key = 0;
  int16_t api_version = 0;
  int32_t correlation_id = 0;
  std::optional<std::string> client_id;
};

// Reads the fixed part (key, version, correlation id) and the client id; false if malformed.
bool decode_request_header_v1(Reader& r, RequestHeader& h);
// Skips the tagged-field section of a v2 header.
bool skip_tagged_fields(Reader& r);

// Appends a response header; the frame's length prefix is written separately.
void encode_response_header(std::string& out, int32_t correlation_id, bool flexible);

}  // namespace sluice::protocol
