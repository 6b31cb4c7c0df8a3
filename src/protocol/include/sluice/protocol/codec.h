#pragma once
// The one generic codec: encodes and decodes any message described with schema.h, in any of its
// versions, flexible (compact strings/arrays, tagged fields) or not.
#include <cstring>
#include <string>
#include <type_traits>

#include "sluice/protocol/endian.h"
#include "sluice/protocol/schema.h"
#include "sluice/protocol/varint.h"

namespace sluice::protocol {

// Appends wire primitives to a string.
class Writer {
 public:
  // With `splices`, file-backed records are left out of `out` and listed there instead (for
  // sendfile); without, their bytes are read from the file into `out`.
  explicit Writer(std::string& out, std::vector<Splice>* splices = nullptr)
      : out_(out), splices_(splices) {}
  template <typename T>
  void fixed(T v) {
    uint8_t b[sizeof(T)];
    store_be(b, v);
    out_.append(reinterpret_cast<const char*>(b), sizeof b);
  }
  void uvarint(uint64_t v) { append_uvarint(out_, v); }
  void raw(const void* p, size_t n) { out_.append(static_cast<const char*>(p), n); }
  std::string& out() { return out_; }
  // False if the bytes could not be read from the file (only without a splice list).
  bool splice(const FileRange& r);

 private:
  std::string& out_;
  std::vector<Splice>* splices_;
};

// Reads wire primitives from a mutable byte span. The first failure latches: every later read
// returns a default value, and ok() tells the caller to reject the whole message.
class Reader {
 public:
  explicit Reader(std::span<uint8_t> b) : buf_(b) {}
  bool ok() const { return ok_; }
  void fail() { ok_ = false; }
  size_t remaining() const { return ok_ ? buf_.size() - pos_ : 0; }
  size_t position() const { return pos_; }
  template <typename T>
  T fixed() {
    if (!ok_ || remaining() < sizeof(T)) return fail(), T{};
    T v = load_be<T>(buf_.data() + pos_);
    pos_ += sizeof(T);
    return v;
  }
  uint64_t uvarint() {
    if (!ok_) return 0;
    VarintReader r(buf_.subspan(pos_));
    auto v = r.read_uvarlong();
    if (!v) return fail(), 0;
    pos_ += r.position();
    return *v;
  }
  std::span<uint8_t> take(size_t n) {
    if (!ok_ || remaining() < n) return fail(), std::span<uint8_t>{};
    auto s = buf_.subspan(pos_, n);
    pos_ += n;
    return s;
  }

 private:
  std::span<uint8_t> buf_;
  size_t pos_ = 0;
  bool ok_ = true;
};

namespace detail {

template <typename T>
struct is_vector : std::false_type {};
template <typename T>
struct is_vector<std::vector<T>> : std::true_type {};
template <typename T>
struct is_optional : std::false_type {};
template <typename T>
struct is_optional<std::optional<T>> : std::true_type {};
template <typename T>
struct is_optional_struct : std::false_type {};  // a nullable struct field
template <Message T>
struct is_optional_struct<std::optional<T>> : std::true_type {};

struct Ctx {
  int16_t version;
  bool flexible;
};

// Length prefixes. Compact forms store N+1 as an unsigned varint, 0 meaning null.
inline void write_len(Writer& w, Ctx c, int64_t n, bool wide) {
  if (c.flexible)
    w.uvarint(static_cast<uint64_t>(n + 1));
  else if (wide)
    w.fixed<int32_t>(static_cast<int32_t>(n));
  else
    w.fixed<int16_t>(static_cast<int16_t>(n));
}

// Returns -1 for null, -2 on malformed input.
inline int64_t read_len(Reader& r, Ctx c, bool wide) {
  int64_t n;
  if (c.flexible) {
    uint64_t u = r.uvarint();
    if (u > 0x7fffffff) return -2;
    n = static_cast<int64_t>(u) - 1;
  } else {
    n = wide ? r.fixed<int32_t>() : r.fixed<int16_t>();
  }
  if (!r.ok() || n < -1) return -2;
  return n;
}

template <typename T>
void encode_value(Writer& w, Ctx c, const T& v);
template <typename T>
bool decode_value(Reader& r, Ctx c, T& v);

template <Message M>
void encode_struct(Writer& w, Ctx c, const M& m);
template <Message M>
bool decode_struct(Reader& r, Ctx c, M& m);

constexpr bool kWideString = false;  // STRING lengths are int16, BYTES and ARRAY int32

template <typename T>
void encode_value(Writer& w, Ctx c, const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    w.fixed<int8_t>(v ? 1 : 0);
  } else if constexpr (std::is_integral_v<T>) {
    w.fixed<T>(v);
  } else if constexpr (std::is_same_v<T, double>) {
    uint64_t u;
    std::memcpy(&u, &v, sizeof u);
    w.fixed<uint64_t>(u);
  } else if constexpr (std::is_same_v<T, std::string>) {
    write_len(w, c, static_cast<int64_t>(v.size()), kWideString);
    w.raw(v.data(), v.size());
  } else if constexpr (std::is_same_v<T, Bytes>) {
    write_len(w, c, static_cast<int64_t>(v.data.size()), true);
    w.raw(v.data.data(), v.data.size());
  } else if constexpr (std::is_same_v<T, Records>) {
    if (v.is_null) return write_len(w, c, -1, true);
    if (v.file) {
      write_len(w, c, static_cast<int64_t>(v.file->size), true);
      w.splice(*v.file);
      return;
    }
    auto b = v.bytes();
    write_len(w, c, static_cast<int64_t>(b.size()), true);
    w.raw(b.data(), b.size());
  } else if constexpr (std::is_same_v<T, Uuid>) {
    w.raw(v.data(), v.size());
  } else if constexpr (is_vector<T>::value) {
    write_len(w, c, static_cast<int64_t>(v.size()), true);
    for (const auto& e : v) encode_value(w, c, e);
  } else if constexpr (is_optional_struct<T>::value) {
    // A nullable struct: an int8 marker, -1 for null, 1 before a present value.
    w.fixed<int8_t>(v ? 1 : -1);
    if (v) encode_struct(w, c, *v);
  } else if constexpr (is_optional<T>::value) {
    using U = typename T::value_type;
    if (v) return encode_value(w, c, *v);
    write_len(w, c, -1, !std::is_same_v<U, std::string>);
  } else {
    encode_struct(w, c, v);
  }
}

template <typename T>
bool decode_value(Reader& r, Ctx c, T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    v = r.fixed<int8_t>() != 0;
  } else if constexpr (std::is_integral_v<T>) {
    v = r.fixed<T>();
  } else if constexpr (std::is_same_v<T, double>) {
    uint64_t u = r.fixed<uint64_t>();
    std::memcpy(&v, &u, sizeof u);
  } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, Bytes>) {
    int64_t n = read_len(r, c, std::is_same_v<T, Bytes>);
    if (n < 0) return false;  // null where not nullable, or malformed
    auto s = r.take(static_cast<size_t>(n));
    auto& dst = [&]() -> std::string& {
      if constexpr (std::is_same_v<T, Bytes>)
        return v.data;
      else
        return v;
    }();
    dst.assign(reinterpret_cast<const char*>(s.data()), s.size());
  } else if constexpr (std::is_same_v<T, Records>) {
    int64_t n = read_len(r, c, true);
    if (n == -2) return false;
    v.is_null = n == -1;
    v.view = n > 0 ? r.take(static_cast<size_t>(n)) : std::span<uint8_t>{};
  } else if constexpr (std::is_same_v<T, Uuid>) {
    auto s = r.take(v.size());
    if (r.ok()) std::memcpy(v.data(), s.data(), v.size());
  } else if constexpr (is_vector<T>::value) {
    int64_t n = read_len(r, c, true);
    if (n < 0) return false;
    // Every element takes at least one byte: a count beyond what is left is a lie, caught
    // before it becomes an allocation.
    if (static_cast<uint64_t>(n) > r.remaining()) return false;
    v.clear();
    v.resize(static_cast<size_t>(n));
    for (auto& e : v)
      if (!decode_value(r, c, e)) return false;
  } else if constexpr (is_optional_struct<T>::value) {
    // As Kafka's generated readers: any negative marker is null.
    if (r.fixed<int8_t>() < 0) {
      v.reset();
    } else {
      v.emplace();
      return decode_struct(r, c, *v);
    }
  } else if constexpr (is_optional<T>::value) {
    using U = typename T::value_type;
    // Peek the length to tell null from a value, then decode the value from the start.
    Reader probe = r;
    int64_t n = read_len(probe, c, !std::is_same_v<U, std::string>);
    if (n == -2) return false;
    if (n == -1) {
      r = probe;
      v.reset();
    } else {
      v.emplace();
      return decode_value(r, c, *v);
    }
  } else {
    return decode_struct(r, c, v);
  }
  return r.ok();
}

// Tagged fields at their default value are left out of the tag section, as Kafka does.
template <typename T>
bool is_default(const T& v) {
  if constexpr (std::is_arithmetic_v<T>)
    return v == T{};
  else if constexpr (std::is_same_v<T, std::string> || is_vector<T>::value)
    return v.empty();
  else if constexpr (is_optional<T>::value)
    return !v.has_value();
  else
    return false;
}

template <Message M>
void encode_struct(Writer& w, Ctx c, const M& m) {
  std::apply(
      [&](const auto&... f) {
        auto one = [&](const auto& fd) {
          if (fd.tag >= 0 || !fd.versions.contains(c.version)) return;
          const auto& v = m.*(fd.member);
          using T = std::remove_cvref_t<decltype(v)>;
          if constexpr (is_optional<T>::value) {
            if (!v && c.version < fd.nullable_from)
              return encode_value(w, c, typename T::value_type{});
          }
          encode_value(w, c, v);
        };
        (one(f), ...);
      },
      M::fields());
  if (!c.flexible) return;
  // Tagged fields: count, then (tag, size, value) in tag order; a field at its default value is
  // omitted, as Kafka does.
  std::string tags;
  uint64_t count = 0;
  std::apply(
      [&](const auto&... f) {
        auto one = [&](const auto& fd) {
          if (fd.tag < 0 || !fd.versions.contains(c.version)) return;
          const auto& v = m.*(fd.member);
          if (is_default(v)) return;
          std::string val;
          Writer vw(val);
          encode_value(vw, c, v);
          append_uvarint(tags, static_cast<uint64_t>(fd.tag));
          append_uvarint(tags, val.size());
          tags += val;
          ++count;
        };
        (one(f), ...);
      },
      M::fields());
  w.uvarint(count);
  w.raw(tags.data(), tags.size());
}

template <Message M>
bool decode_struct(Reader& r, Ctx c, M& m) {
  bool ok = true;
  std::apply(
      [&](const auto&... f) {
        auto one = [&](const auto& fd) {
          if (!ok || fd.tag >= 0 || !fd.versions.contains(c.version)) return;
          auto& v = m.*(fd.member);
          using T = std::remove_cvref_t<decltype(v)>;
          ok = decode_value(r, c, v);
          if constexpr (is_optional<T>::value) {
            if (ok && !v && c.version < fd.nullable_from) ok = false;
          }
        };
        (one(f), ...);
      },
      M::fields());
  if (!ok || !c.flexible) return ok && r.ok();
  uint64_t count = r.uvarint();
  for (uint64_t i = 0; i < count && r.ok(); ++i) {
    uint64_t tag = r.uvarint();
    uint64_t size = r.uvarint();
    if (!r.ok() || size > r.remaining()) return false;
    Reader field_reader(r.take(static_cast<size_t>(size)));
    bool known = false;
    std::apply(
        [&](const auto&... f) {
          auto one = [&](const auto& fd) {
            if (fd.tag < 0 || static_cast<uint64_t>(fd.tag) != tag ||
                !fd.versions.contains(c.version))
              return;
            known = true;
            ok = ok && decode_value(field_reader, c, m.*(fd.member));
          };
          (one(f), ...);
        },
        M::fields());
    (void)known;  // unknown tags are skipped, as the protocol requires
    if (!ok) return false;
  }
  return r.ok();
}

}  // namespace detail

template <Message M>
void encode(std::string& out, const M& m, int16_t version) {
  Writer w(out);
  detail::encode_struct(w, {version, version >= M::flexible_from}, m);
}

// Decodes a whole message body; false if malformed (including trailing garbage).
template <Message M>
bool decode(std::span<uint8_t> in, M& m, int16_t version) {
  Reader r(in);
  return detail::decode_struct(r, {version, version >= M::flexible_from}, m) && r.remaining() == 0;
}

// Decodes from a reader positioned inside a larger buffer (e.g. after a header).
template <Message M>
bool decode(Reader& r, M& m, int16_t version, bool flexible) {
  return detail::decode_struct(r, {version, flexible}, m);
}

template <Message M>
void encode(Writer& w, const M& m, int16_t version, bool flexible) {
  detail::encode_struct(w, {version, flexible}, m);
}

}  // namespace sluice::protocol
