// GCC 12 at -O3 reports a bogus -Wrestrict inside std::string for the vectors of strings this
// file fills (GCC bug 105651); the code is plain std::string assignment.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"
#endif
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>

#include "sluice/protocol/codec.h"
#include "sluice/protocol/messages/all.h"

namespace sluice::protocol {
namespace {

// Gives every field present in `version` a distinct non-default value, recursively, so that a
// round trip through encode and decode exercises every field of every version.
struct Filler {
  int16_t version;
  bool flexible;
  int counter = 1;

  template <typename T>
  void fill(T& v) {
    using detail::is_optional;
    using detail::is_vector;
    if constexpr (std::is_same_v<T, bool>) {
      v = true;
    } else if constexpr (std::is_integral_v<T>) {
      v = static_cast<T>(counter++);
    } else if constexpr (std::is_same_v<T, double>) {
      v = counter++ + 0.5;
    } else if constexpr (std::is_same_v<T, std::string>) {
      v = "s" + std::to_string(counter++);
    } else if constexpr (std::is_same_v<T, Bytes>) {
      v.data = "b" + std::to_string(counter++);
    } else if constexpr (std::is_same_v<T, Records>) {
      v.is_null = false;
      v.owned = "records" + std::to_string(counter++);
    } else if constexpr (std::is_same_v<T, Uuid>) {
      v.fill(static_cast<uint8_t>(counter++));
    } else if constexpr (is_vector<T>::value) {
      v.resize(2);
      for (auto& e : v) fill(e);
    } else if constexpr (is_optional<T>::value) {
      v.emplace();
      fill(*v);
    } else {
      std::apply(
          [&](const auto&... f) {
            auto one = [&](const auto& fd) {
              if (fd.versions.contains(version) && (fd.tag < 0 || flexible)) fill(v.*(fd.member));
            };
            (one(f), ...);
          },
          T::fields());
    }
  }
};

template <typename M>
void expect_round_trip() {
  for (int16_t v = M::valid.min; v <= M::valid.max; ++v) {
    SCOPED_TRACE(::testing::Message() << typeid(M).name() << " v" << v);
    M m;
    Filler{v, v >= M::flexible_from}.fill(m);
    std::string bytes;
    encode(bytes, m, v);
    M back;
    std::string copy = bytes;
    ASSERT_TRUE(decode(std::span(reinterpret_cast<uint8_t*>(copy.data()), copy.size()), back, v));
    std::string again;
    encode(again, back, v);
    EXPECT_EQ(bytes, again);
    // Every proper prefix is rejected rather than misread.
    for (size_t cut = 0; cut < bytes.size(); cut += 1 + bytes.size() / 16) {
      std::string part = bytes.substr(0, cut);
      M junk;
      EXPECT_FALSE(decode(std::span(reinterpret_cast<uint8_t*>(part.data()), part.size()), junk, v))
          << "prefix " << cut;
    }
  }
}

template <typename... Ms>
void round_trip_all(std::tuple<Ms...>*) {
  (expect_round_trip<Ms>(), ...);
}

TEST(Codec, EveryVersionOfEveryMessageRoundTrips) {
  round_trip_all(static_cast<AllMessages*>(nullptr));
}

TEST(Codec, ApiVersionsV0LayoutMatchesKafka) {
  ApiVersionsResponse r;
  r.error_code = 35;
  r.api_keys.push_back({18, 0, 3});
  std::string out;
  encode(out, r, 0);
  const std::string expected("\x00\x23\x00\x00\x00\x01\x00\x12\x00\x00\x00\x03", 12);
  EXPECT_EQ(out, expected);
}

TEST(Codec, FlexibleVersionsUseCompactLengthsAndTags) {
  ApiVersionsRequest r;
  r.client_software_name = "ab";
  r.client_software_version = "1";
  std::string out;
  encode(out, r, 3);
  // compact string "ab" = len+1 (3), "1" = 2, then an empty tag section.
  EXPECT_EQ(out, std::string("\x03"
                             "ab"
                             "\x02"
                             "1"
                             "\x00",
                             6));
}

TEST(Codec, NullableStringAndRecords) {
  ProduceRequest p;
  p.acks = -1;
  p.timeout_ms = 1000;
  p.topic_data.push_back({"t", {{0, {}}}});
  std::string out;
  encode(out, p, 3);
  ProduceRequest back;
  ASSERT_TRUE(decode(std::span(reinterpret_cast<uint8_t*>(out.data()), out.size()), back, 3));
  EXPECT_FALSE(back.transactional_id.has_value());
  EXPECT_TRUE(back.topic_data[0].partition_data[0].records.is_null);
}

TEST(Codec, LyingArrayCountIsRejectedWithoutAllocating) {
  // topic_data count claims 2^31-1 entries with 2 bytes left.
  std::string in(
      "\xff\xff"
      "\x00\x01"
      "\x00\x00\x03\xe8"
      "\x7f\xff\xff\xff"
      "\x00\x00",
      14);
  ProduceRequest p;
  EXPECT_FALSE(decode(std::span(reinterpret_cast<uint8_t*>(in.data()), in.size()), p, 3));
}

TEST(Codec, UnknownTaggedFieldsAreSkipped) {
  // v3 ApiVersions request with one unknown tag (tag 7, 2 bytes).
  std::string in(
      "\x02"
      "a"
      "\x02"
      "b"
      "\x01\x07\x02xy",
      9);
  ApiVersionsRequest r;
  ASSERT_TRUE(decode(std::span(reinterpret_cast<uint8_t*>(in.data()), in.size()), r, 3));
  EXPECT_EQ(r.client_software_name, "a");
}

}  // namespace
}  // namespace sluice::protocol

namespace sluice::protocol {
namespace {

// File-backed records: with a splice list the bytes are left out and their place recorded; without
// one they are read from the file, giving the same frame as in-memory records.
TEST(Codec, FileRecordsSpliceOrInline) {
  char path[] = "/tmp/sluice-codec-XXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  const std::string content = "0123456789abcdef";
  ASSERT_EQ(::write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));

  auto response = [&](Records r) {
    FetchResponse resp;
    auto& t = resp.responses.emplace_back();
    t.topic = "t";
    auto& p = t.partitions.emplace_back();
    p.records = std::move(r);
    return resp;
  };
  Records in_memory;
  in_memory.is_null = false;
  in_memory.owned = content.substr(4, 8);
  Records from_file;
  from_file.is_null = false;
  from_file.file = FileRange{fd, 4, 8, nullptr};

  std::string expected, inlined, spliced;
  encode(expected, response(in_memory), 11);
  encode(inlined, response(from_file), 11);
  EXPECT_EQ(inlined, expected);

  std::vector<Splice> splices;
  Writer w(spliced, &splices);
  encode(w, response(from_file), 11, false);
  ASSERT_EQ(splices.size(), 1u);
  EXPECT_EQ(spliced.size() + 8, expected.size());
  EXPECT_EQ(spliced.substr(0, splices[0].at), expected.substr(0, splices[0].at));
  EXPECT_EQ(expected.substr(splices[0].at, 8), "456789ab");
  EXPECT_EQ(spliced.substr(splices[0].at), expected.substr(splices[0].at + 8));
  ::close(fd);
  ::unlink(path);
}

}  // namespace
}  // namespace sluice::protocol
