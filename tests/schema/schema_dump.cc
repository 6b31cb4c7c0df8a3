// Prints every message description of protocol::AllMessages as JSON lines, one message a line,
// for tests/integration/test_schemas.py to compare with Kafka's own message JSON:
//   {"api_key":0,"type":"request","valid":[3,11],"flexible_from":9,"fields":[FIELD...]}
//   FIELD: {"name","type","versions":[min,max],"nullable_from","tag","fields":[FIELD...]}
// `type` is int8..int64, float64, bool, string, bytes, records, uuid, struct, or []T; max is
// 32767 for "and every later version"; nullable_from is -1 for a field that is never null
// (Records carries its own null).
#include <cstdio>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "sluice/protocol/codec.h"
#include "sluice/protocol/messages/all.h"

namespace p = sluice::protocol;

namespace {

// The codec's own traits: the dump sees a member as the codec does.
using p::detail::is_optional;
using p::detail::is_vector;

template <typename T>
std::string fields_json();

// The Kafka type name of T, and the fields of the struct it is or holds.
template <typename T>
std::string type_json(std::string& sub) {
  if constexpr (is_optional<T>::value) {
    return type_json<typename T::value_type>(sub);
  } else if constexpr (is_vector<T>::value) {
    return "[]" + type_json<typename T::value_type>(sub);
  } else if constexpr (std::is_same_v<T, bool>) {
    return "bool";
  } else if constexpr (std::is_same_v<T, int8_t>) {
    return "int8";
  } else if constexpr (std::is_same_v<T, int16_t>) {
    return "int16";
  } else if constexpr (std::is_same_v<T, int32_t>) {
    return "int32";
  } else if constexpr (std::is_same_v<T, int64_t>) {
    return "int64";
  } else if constexpr (std::is_same_v<T, uint16_t>) {
    return "uint16";
  } else if constexpr (std::is_same_v<T, double>) {
    return "float64";
  } else if constexpr (std::is_same_v<T, std::string>) {
    return "string";
  } else if constexpr (std::is_same_v<T, p::Bytes>) {
    return "bytes";
  } else if constexpr (std::is_same_v<T, p::Records>) {
    return "records";
  } else if constexpr (std::is_same_v<T, p::Uuid>) {
    return "uuid";
  } else {
    sub = fields_json<T>();
    return "struct";
  }
}

template <typename T>
std::string fields_json() {
  std::string out = "[";
  std::apply(
      [&](const auto&... f) {
        auto one = [&](const auto& fd) {
          using Member = std::remove_cvref_t<decltype(std::declval<T>().*(fd.member))>;
          std::string sub;
          const std::string type = type_json<Member>(sub);
          if (out.size() > 1) out += ",";
          out += "{\"name\":\"" + std::string(fd.name) + "\",\"type\":\"" + type +
                 "\",\"versions\":[" + std::to_string(fd.versions.min) + "," +
                 std::to_string(fd.versions.max) + "],\"nullable_from\":" +
                 std::to_string(is_optional<Member>::value           ? fd.nullable_from
                                : std::is_same_v<Member, p::Records> ? 0  // null is_null
                                                                     : -1) +
                 ",\"tag\":" + std::to_string(fd.tag);
          if (!sub.empty()) out += ",\"fields\":" + sub;
          out += "}";
        };
        (one(f), ...);
      },
      T::fields());
  return out + "]";
}

template <typename M>
void print(const char* type) {
  std::printf(
      "{\"api_key\":%d,\"type\":\"%s\",\"valid\":[%d,%d],\"flexible_from\":%d,"
      "\"fields\":%s}\n",
      M::api_key, type, M::valid.min, M::valid.max, M::flexible_from, fields_json<M>().c_str());
}

// AllMessages lists each API's request, then its response: pair I is elements 2I and 2I + 1.
template <size_t I>
void print_pair() {
  using Req = std::tuple_element_t<2 * I, p::AllMessages>;
  using Resp = std::tuple_element_t<2 * I + 1, p::AllMessages>;
  static_assert(Req::api_key == Resp::api_key, "AllMessages pairs a request with its response");
  print<Req>("request");
  print<Resp>("response");
}

template <size_t... I>
void print_all(std::index_sequence<I...>) {
  (print_pair<I>(), ...);
}

}  // namespace

int main() {
  static_assert(std::tuple_size_v<p::AllMessages> % 2 == 0);
  print_all(std::make_index_sequence<std::tuple_size_v<p::AllMessages> / 2>{});
  return 0;
}
