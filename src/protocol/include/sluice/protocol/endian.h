#pragma once
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace sluice::protocol {

template <typename U>
constexpr U byteswap(U u) {
  if constexpr (sizeof(U) == 2) return static_cast<U>(__builtin_bswap16(u));
  if constexpr (sizeof(U) == 4) return static_cast<U>(__builtin_bswap32(u));
  if constexpr (sizeof(U) == 8) return static_cast<U>(__builtin_bswap64(u));
  return u;
}

// Big-endian loads and stores of fixed-width integers at unaligned addresses.
template <typename T>
T load_be(const uint8_t* p) {
  static_assert(std::is_integral_v<T>);
  std::make_unsigned_t<T> u;
  std::memcpy(&u, p, sizeof u);
  if constexpr (sizeof(T) > 1) u = byteswap(u);
  return static_cast<T>(u);
}

template <typename T>
void store_be(uint8_t* p, T v) {
  static_assert(std::is_integral_v<T>);
  auto u = static_cast<std::make_unsigned_t<T>>(v);
  if constexpr (sizeof(T) > 1) u = byteswap(u);
  std::memcpy(p, &u, sizeof u);
}

}  // namespace sluice::protocol
