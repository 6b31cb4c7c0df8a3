#include <gtest/gtest.h>
#include <snappy.h>

#include <random>
#include <string>
#include <vector>

#include "protocol_test_util.h"
#include "sluice/protocol/compression.h"
#include "sluice/protocol/endian.h"

namespace sluice::protocol {
namespace {

using testing::as_bytes;

constexpr Compression kCodecs[] = {Compression::gzip, Compression::snappy, Compression::lz4,
                                   Compression::zstd};

std::string random_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

// Compressible but not trivially so: words from a small vocabulary.
std::string repetitive_bytes(size_t n) {
  static const char* const words[] = {"alpha ", "bravo ", "charlie ", "delta ", "echo "};
  std::string s;
  std::mt19937 rng(7);
  while (s.size() < n) s += words[rng() % 5];
  s.resize(n);
  return s;
}

std::string compressed(Compression c, const std::string& in) {
  std::string out;
  EXPECT_TRUE(compress(c, as_bytes(in), out));
  return out;
}

class CodecTest : public ::testing::TestWithParam<Compression> {};

TEST_P(CodecTest, RoundTrip) {
  const Compression c = GetParam();
  const std::vector<std::string> inputs = {"", "x", random_bytes(100 * 1024, 1),
                                           repetitive_bytes(100 * 1024),
                                           std::string(300 * 1024, 'z')};
  for (const auto& in : inputs) {
    std::string z = compressed(c, in);
    std::string out = "garbage that must be replaced";
    ASSERT_EQ(decompress(c, as_bytes(z), out, in.size()), DecompressError::ok) << in.size();
    EXPECT_EQ(out, in);
  }
}

TEST_P(CodecTest, CompressesRepetitiveData) {
  std::string in = repetitive_bytes(100 * 1024);
  EXPECT_LT(compressed(GetParam(), in).size(), in.size() / 2);
}

TEST_P(CodecTest, MaxOutIsExact) {
  const Compression c = GetParam();
  std::string in = repetitive_bytes(100 * 1024);
  std::string z = compressed(c, in);
  std::string out;
  EXPECT_EQ(decompress(c, as_bytes(z), out, in.size()), DecompressError::ok);
  EXPECT_EQ(decompress(c, as_bytes(z), out, in.size() - 1), DecompressError::too_large);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(decompress(c, as_bytes(z), out, 0), DecompressError::too_large);
}

TEST_P(CodecTest, DecompressionBombIsRefused) {
  const Compression c = GetParam();
  std::string in(10 * 1024 * 1024, 'a');
  std::string z = compressed(c, in);
  ASSERT_LT(z.size(), 1024u * 1024);
  std::string out;
  EXPECT_EQ(decompress(c, as_bytes(z), out, 1024 * 1024), DecompressError::too_large);
  EXPECT_LE(out.size(), 1024u * 1024);
}

TEST_P(CodecTest, TruncatedInputIsCorrupt) {
  const Compression c = GetParam();
  for (const std::string& in : {random_bytes(20000, 2), repetitive_bytes(50000)}) {
    std::string z = compressed(c, in);
    for (size_t keep : {size_t{0}, size_t{1}, z.size() / 2, z.size() - 1}) {
      std::string out;
      EXPECT_EQ(decompress(c, as_bytes(z.substr(0, keep)), out, 1 << 20), DecompressError::corrupt)
          << "kept " << keep << " of " << z.size();
      EXPECT_TRUE(out.empty());
    }
  }
}

TEST_P(CodecTest, RandomBytesAreRejected) {
  const Compression c = GetParam();
  for (uint32_t seed = 0; seed < 200; ++seed) {
    std::string junk = random_bytes(1 + seed * 7, seed + 100);
    std::string out;
    auto e = decompress(c, as_bytes(junk), out, 1 << 20);
    EXPECT_TRUE(e == DecompressError::corrupt || e == DecompressError::too_large)
        << "seed " << seed << ": " << to_string(e);
  }
}

// Bit flips may or may not be detected (lz4 frames carry no content checksum by default), but
// must never crash or exceed the bound.
TEST_P(CodecTest, BitFlipsNeverCrash) {
  const Compression c = GetParam();
  std::string z = compressed(c, repetitive_bytes(20000));
  std::mt19937 rng(3);
  for (int i = 0; i < 300; ++i) {
    std::string bad = z;
    bad[rng() % bad.size()] ^= static_cast<char>(1 << (rng() % 8));
    std::string out;
    auto e = decompress(c, as_bytes(bad), out, 30000);
    EXPECT_LE(out.size(), 30000u);
    if (e != DecompressError::ok) {
      EXPECT_TRUE(out.empty());
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Codecs, CodecTest, ::testing::ValuesIn(kCodecs),
                         [](const auto& info) -> std::string {
                           switch (info.param) {
                             case Compression::gzip:
                               return "gzip";
                             case Compression::snappy:
                               return "snappy";
                             case Compression::lz4:
                               return "lz4";
                             case Compression::zstd:
                               return "zstd";
                             default:
                               return "none";
                           }
                         });

TEST(Compression, NoneCopiesWithinBound) {
  std::string in = "hello", out;
  ASSERT_TRUE(compress(Compression::none, as_bytes(in), out));
  EXPECT_EQ(out, in);
  EXPECT_EQ(decompress(Compression::none, as_bytes(in), out, 5), DecompressError::ok);
  EXPECT_EQ(out, in);
  EXPECT_EQ(decompress(Compression::none, as_bytes(in), out, 4), DecompressError::too_large);
}

TEST(Compression, UnknownCodecIsUnsupported) {
  std::string in = "hello", out;
  EXPECT_EQ(decompress(static_cast<Compression>(5), as_bytes(in), out, 100),
            DecompressError::unsupported);
  EXPECT_FALSE(compress(static_cast<Compression>(7), as_bytes(in), out));
}

TEST(Compression, GzipConcatenatedMembers) {
  std::string a = "first member ", b = repetitive_bytes(5000);
  std::string z = compressed(Compression::gzip, a) + compressed(Compression::gzip, b);
  std::string out;
  ASSERT_EQ(decompress(Compression::gzip, as_bytes(z), out, 1 << 20), DecompressError::ok);
  EXPECT_EQ(out, a + b);
  z += "trailing garbage";
  EXPECT_EQ(decompress(Compression::gzip, as_bytes(z), out, 1 << 20), DecompressError::corrupt);
}

// The xerial framing written by the Java client's SnappyOutputStream.
std::string xerial(const std::vector<std::string>& chunks) {
  std::string s("\x82SNAPPY\0", 8);
  uint8_t be[4];
  store_be<int32_t>(be, 1);  // version
  s.append(reinterpret_cast<char*>(be), 4);
  store_be<int32_t>(be, 1);  // compatible version
  s.append(reinterpret_cast<char*>(be), 4);
  for (const auto& chunk : chunks) {
    std::string z;
    snappy::Compress(chunk.data(), chunk.size(), &z);
    store_be<int32_t>(be, static_cast<int32_t>(z.size()));
    s.append(reinterpret_cast<char*>(be), 4);
    s += z;
  }
  return s;
}

TEST(Compression, SnappyXerialFraming) {
  std::string a = repetitive_bytes(40000), b = random_bytes(3000, 9);
  std::string framed = xerial({a, b});
  std::string out;
  ASSERT_EQ(decompress(Compression::snappy, as_bytes(framed), out, 1 << 20), DecompressError::ok);
  EXPECT_EQ(out, a + b);

  // Header only: no chunks, empty output.
  ASSERT_EQ(decompress(Compression::snappy, as_bytes(xerial({})), out, 10), DecompressError::ok);
  EXPECT_TRUE(out.empty());

  // The bound applies across chunks.
  EXPECT_EQ(decompress(Compression::snappy, as_bytes(framed), out, a.size() + b.size() - 1),
            DecompressError::too_large);
  EXPECT_EQ(decompress(Compression::snappy, as_bytes(framed), out, a.size() - 1),
            DecompressError::too_large);

  // Truncations: inside the header, inside a chunk length, inside a chunk.
  for (size_t keep : {size_t{12}, size_t{18}, framed.size() - 1}) {
    EXPECT_EQ(decompress(Compression::snappy, as_bytes(framed.substr(0, keep)), out, 1 << 20),
              DecompressError::corrupt)
        << keep;
  }
  // A negative chunk length.
  std::string neg = xerial({});
  neg += std::string("\xff\xff\xff\xfe", 4);
  EXPECT_EQ(decompress(Compression::snappy, as_bytes(neg), out, 1 << 20), DecompressError::corrupt);
}

}  // namespace
}  // namespace sluice::protocol
