#pragma once
// Helpers for the storage tests: valid RecordBatch v2 bytes, temporary directories, file surgery.
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "sluice/protocol/crc32c.h"
#include "sluice/protocol/endian.h"
#include "sluice/protocol/record_batch.h"
#include "sluice/protocol/varint.h"

namespace sluice::storage::testing {

// An uncompressed v2 batch of `records` records with base offset 0 (the log rewrites it),
// timestamps base_ts, base_ts+1, ... and values of value_size bytes.
inline std::string make_batch(int records, int64_t base_ts = 1000, size_t value_size = 10) {
  using protocol::append_varint;
  std::string recs;
  for (int i = 0; i < records; ++i) {
    std::string body;
    body.push_back(0);        // attributes
    append_varint(body, i);   // timestampDelta
    append_varint(body, i);   // offsetDelta
    append_varint(body, -1);  // key: null
    append_varint(body, static_cast<int64_t>(value_size));
    body.append(value_size, static_cast<char>('a' + i % 26));
    append_varint(body, 0);  // headers
    append_varint(recs, static_cast<int64_t>(body.size()));
    recs += body;
  }
  std::string b(protocol::kBatchHeaderSize, '\0');
  auto* p = reinterpret_cast<uint8_t*>(b.data());
  using protocol::store_be;
  store_be<int64_t>(p + 0, 0);
  store_be<int32_t>(p + 8, static_cast<int32_t>(protocol::kBatchHeaderSize - 12 + recs.size()));
  store_be<int32_t>(p + 12, -1);
  p[16] = 2;
  store_be<int16_t>(p + 21, 0);
  store_be<int32_t>(p + 23, records - 1);
  store_be<int64_t>(p + 27, base_ts);
  store_be<int64_t>(p + 35, base_ts + records - 1);
  store_be<int64_t>(p + 43, -1);
  store_be<int16_t>(p + 51, -1);
  store_be<int32_t>(p + 53, -1);
  store_be<int32_t>(p + 57, records);
  b += recs;
  p = reinterpret_cast<uint8_t*>(b.data());
  uint32_t crc = protocol::crc32c({p + 21, b.size() - 21});
  store_be<uint32_t>(p + 17, crc);
  return b;
}

inline std::vector<uint8_t> bytes_of(const std::string& s) {
  return std::vector<uint8_t>(s.begin(), s.end());
}

// A fresh directory under the system temp dir, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("sluice-storage-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) +
             "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline void write_file(const std::filesystem::path& p, const std::string& data) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << data;
}

inline std::string segment_name(int64_t base, const char* suffix) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%020lld", static_cast<long long>(base));
  return std::string(buf) + suffix;
}

}  // namespace sluice::storage::testing
