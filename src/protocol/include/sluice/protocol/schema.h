#pragma once
// The vocabulary in which every Kafka message is described once: a struct whose members hold the
// values, and a static fields() listing each member with the versions it exists in. The generic
// codec (codec.h) reads these descriptions to encode and decode every version; there is no
// hand-written encoder per message or version.
//
//   struct ExampleRequest {
//     static constexpr int16_t api_key = 99;
//     static constexpr Versions valid{0, 3};
//     static constexpr int16_t flexible_from = 2;   // kNever when no version is flexible
//     int32_t id = -1;
//     std::optional<std::string> name;              // nullable string
//     static constexpr auto fields() {
//       return std::tuple{field("id", &ExampleRequest::id),
//                         field("name", &ExampleRequest::name, since(1))};
//     }
//   };
//
// Member types decide the wire type: bool, int8..int64, uint16, uint32, double, std::string
// (STRING), std::optional<std::string> (nullable STRING), Bytes (BYTES), std::optional<Bytes>,
// Records (nullable RECORDS, a view into the request buffer), Uuid, std::vector<T> (ARRAY of T),
// std::optional<std::vector<T>> (nullable ARRAY), and any struct with fields().
#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <vector>

namespace sluice::protocol {

inline constexpr int16_t kNever = 0x7fff;

struct Versions {
  int16_t min = 0;
  int16_t max = kNever;
  constexpr bool contains(int16_t v) const { return v >= min && v <= max; }
};

constexpr Versions since(int16_t v) { return {v, kNever}; }
constexpr Versions until(int16_t v) { return {0, v}; }
constexpr Versions between(int16_t a, int16_t b) { return {a, b}; }
inline constexpr Versions kAll{};

template <typename Owner, typename T>
struct Field {
  const char* name;
  T Owner::*member;
  Versions versions;
  // For std::optional members: the first version in which null is allowed on the wire. Before
  // it, a null value encodes as empty and decoding a null is an error.
  int16_t nullable_from;
  // >= 0: a tagged field, present only in flexible versions, in the trailing tag section.
  int32_t tag;
};

template <typename Owner, typename T>
constexpr Field<Owner, T> field(const char* name, T Owner::*member, Versions v = kAll,
                                int16_t nullable_from = 0) {
  return {name, member, v, nullable_from, -1};
}

template <typename Owner, typename T>
constexpr Field<Owner, T> tagged(const char* name, T Owner::*member, int32_t tag,
                                 Versions v = kAll) {
  return {name, member, v, 0, tag};
}

using Uuid = std::array<uint8_t, 16>;

// BYTES: a length-prefixed byte string.
struct Bytes {
  std::string data;
  bool operator==(const Bytes&) const = default;
};

// RECORDS: nullable bytes holding record batches. Decoding leaves `view` pointing into the
// request buffer (which the caller keeps alive and may rewrite in place, e.g. to assign offsets);
// encoding writes `view` when set, else `owned`.
// Bytes that stay in a file until they reach the socket (sendfile). The encoder writes their
// length and records a Splice where they belong in the output; `keepalive` holds the file open.
struct FileRange {
  int fd = -1;
  uint64_t offset = 0;
  uint32_t size = 0;
  std::shared_ptr<const void> keepalive;
  bool operator==(const FileRange& o) const {
    return fd == o.fd && offset == o.offset && size == o.size;
  }
};

// A FileRange that belongs at byte `at` of an encoded message.
struct Splice {
  size_t at = 0;
  FileRange range;
};

struct Records {
  bool is_null = true;
  std::span<uint8_t> view;
  std::string owned;
  std::optional<FileRange> file;  // encoding only: takes precedence over view and owned
  size_t size() const { return file ? file->size : view.data() ? view.size() : owned.size(); }
  bool operator==(const Records& o) const {
    auto a = bytes(), b = o.bytes();
    return is_null == o.is_null && file == o.file &&
           std::equal(a.begin(), a.end(), b.begin(), b.end());
  }
  std::span<const uint8_t> bytes() const {
    if (view.data()) return view;
    return {reinterpret_cast<const uint8_t*>(owned.data()), owned.size()};
  }
};

template <typename T>
concept Message = requires {
  T::fields();
};

}  // namespace sluice::protocol
