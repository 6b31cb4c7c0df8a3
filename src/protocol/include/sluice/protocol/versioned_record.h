#pragma once
// Keys and values of the coordinators' internal topics (__consumer_offsets,
// __transaction_state): "int16 version, then the fields at that version", never flexible, as
// Kafka writes them. One encoder and decoder for all of them, over the generic codec.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sluice/protocol/codec.h"

namespace sluice::protocol {

template <typename T>
std::string encode_versioned(const T& v) {
  std::string out;
  Writer w(out);
  w.fixed<int16_t>(T::kVersion);
  encode(w, v, T::kVersion, false);
  return out;
}

// The version prefix of a key or value; nullopt when there are not two bytes.
inline std::optional<int16_t> record_version(std::span<const uint8_t> bytes) {
  if (bytes.size() < 2) return std::nullopt;
  return static_cast<int16_t>((bytes[0] << 8) | bytes[1]);
}

// Reads "int16 version + body"; the version must lie in [min_version, T::kVersion] and the body
// must decode at it.
template <typename T>
std::optional<T> decode_versioned(std::span<const uint8_t> bytes, int16_t min_version) {
  std::vector<uint8_t> copy(bytes.begin(), bytes.end());
  Reader r(std::span(copy.data(), copy.size()));
  int16_t version = r.fixed<int16_t>();
  if (!r.ok() || version < min_version || version > T::kVersion) return std::nullopt;
  T v;
  if (!decode(r, v, version, false)) return std::nullopt;
  return v;
}

}  // namespace sluice::protocol
