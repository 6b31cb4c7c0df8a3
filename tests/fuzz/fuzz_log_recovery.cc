// libFuzzer target: partition-log recovery (segments, indexes, checkpoints) from arbitrary bytes.
//
// Input layout (FuzzedDataProvider: integers come from the END of the input, byte strings from
// the front), so a plain segment file followed by one flags byte is a good seed:
//   flags (last byte): bit0 clean-shutdown marker, bit1 .index present, bit2 .timeindex present,
//                      bit3 recovery-point checkpoint present, bit4 a second segment follows,
//                      bit5 log-start checkpoint present, bit6 leader-epoch checkpoint present
//   then, for each present optional file, a 16-bit length (from the end) and its bytes (from the
//   front); the remaining front bytes are the first segment 00000000000000000000.log.
//
// The files go into a fresh directory under /dev/shm (tmpfs: fsync is free), PartitionLog::open
// recovers them, and then:
//  * without the clean-shutdown marker (and unless a recovery-point checkpoint lets the first of
//    two segments be trusted) every segment is validated at open, so every batch that read()
//    serves must validate (length, magic, CRC, record framing) and offsets must be contiguous
//    from the log start to the log end;
//  * with the marker (segments trusted) serving must not crash, but a corrupt body may be served:
//    that is the documented "trusted segment" gap, see tests/fault/test_corruption.py;
//  * a valid batch appends at the log end, close() succeeds, and a reopen (clean) finds the same
//    log end, with every batch valid again when the first open was not clean.
#include <fuzzer/FuzzedDataProvider.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "sluice/protocol/crc32c.h"
#include "sluice/protocol/endian.h"
#include "sluice/protocol/record_batch.h"
#include "sluice/storage/partition_log.h"

namespace fs = std::filesystem;
namespace p = sluice::protocol;
namespace s = sluice::storage;

namespace {

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "fuzz_log_recovery: %s\n", what.c_str());
  std::abort();
}

void write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// One uncompressed batch with `n` records ("v0", "v1", ...), base offset 0, valid CRC.
std::vector<uint8_t> make_batch(int n) {
  std::vector<uint8_t> records;
  for (int i = 0; i < n; ++i) {
    std::vector<uint8_t> rec;
    rec.push_back(0);                             // attributes
    rec.push_back(0);                             // timestampDelta 0
    rec.push_back(static_cast<uint8_t>(i << 1));  // offsetDelta (zig-zag), i < 64
    rec.push_back(1);                             // key length -1 (null)
    rec.push_back(4);                             // value length 2
    rec.push_back('v');
    rec.push_back(static_cast<uint8_t>('0' + i % 10));
    rec.push_back(0);  // no headers
    records.push_back(static_cast<uint8_t>(rec.size() << 1));
    records.insert(records.end(), rec.begin(), rec.end());
  }
  std::vector<uint8_t> b(p::kBatchHeaderSize + records.size(), 0);
  uint8_t* q = b.data();
  p::store_be<int64_t>(q + 0, 0);
  p::store_be<int32_t>(q + 8, static_cast<int32_t>(b.size() - p::kBatchLogOverhead));
  p::store_be<int32_t>(q + 12, 0);
  q[16] = 2;
  p::store_be<int16_t>(q + 21, 0);
  p::store_be<int32_t>(q + 23, n - 1);
  p::store_be<int64_t>(q + 27, 1700000000000);
  p::store_be<int64_t>(q + 35, 1700000000000);
  p::store_be<int64_t>(q + 43, -1);
  p::store_be<int16_t>(q + 51, -1);
  p::store_be<int32_t>(q + 53, -1);
  p::store_be<int32_t>(q + 57, n);
  std::copy(records.begin(), records.end(), b.begin() + p::kBatchHeaderSize);
  p::store_be<uint32_t>(q + 17, p::crc32c(std::span<const uint8_t>(b).subspan(21)));
  return b;
}

// Reads the whole log through read(); with strict, every batch must validate and offsets must be
// contiguous. Returns the number of batches read.
int read_all(const s::PartitionLog& log, bool strict) {
  int64_t next = log.log_start_offset();
  const int64_t end = log.log_end_offset();
  int batches = 0;
  while (next < end) {
    auto r = log.read(next, 1 << 20, end);
    if (!r.ok()) {
      if (strict) fail(std::string("read failed on a validated log: ") + s::to_string(r.error));
      return batches;
    }
    if (r.value.slice.size == 0) {
      if (strict) fail("read returned nothing below the log end");
      return batches;
    }
    std::string bytes;
    if (!r.value.slice.read_into(bytes)) fail("slice read_into failed");
    std::span<const uint8_t> rest(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    int64_t progress = next;
    while (!rest.empty()) {
      p::BatchHeader h;
      auto e = p::validate_batch(rest, SIZE_MAX, true, &h);
      if (e != p::BatchError::ok) {
        if (strict) fail(std::string("served an invalid batch: ") + p::to_string(e));
        auto hh = p::read_batch_header(rest);
        if (!hh || hh->batch_length < 49 || hh->total_size() > rest.size()) return batches;
        h = *hh;
      } else if (strict && h.last_offset() < progress) {
        fail("offsets went backwards");
      } else if (strict && h.base_offset > progress) {
        fail("gap in offsets");
      }
      ++batches;
      if (h.last_offset() + 1 > progress) progress = h.last_offset() + 1;
      rest = rest.subspan(h.total_size());
    }
    if (progress <= next) {
      if (strict) fail("read made no progress");
      return batches;
    }
    next = progress;
  }
  return batches;
}

fs::path fresh_dir() {
  static const fs::path base = [] {
    fs::path b = fs::exists("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
    b /= "sluice-fuzz-" + std::to_string(::getpid());
    fs::remove_all(b);
    fs::create_directories(b);
    std::atexit([] {
      std::error_code ec;
      fs::remove_all(fs::path("/dev/shm") / ("sluice-fuzz-" + std::to_string(::getpid())), ec);
      fs::remove_all(fs::temp_directory_path(ec) / ("sluice-fuzz-" + std::to_string(::getpid())),
                     ec);
    });
    return b;
  }();
  static uint64_t n = 0;
  fs::path d = base / std::to_string(n++ % 4);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::string take(FuzzedDataProvider& fdp) {
  auto n = fdp.ConsumeIntegralInRange<uint16_t>(0, 4096);
  return fdp.ConsumeBytesAsString(n);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider fdp(data, size);
  const uint8_t flags = fdp.ConsumeIntegral<uint8_t>();
  const bool clean = flags & 1;
  // Segments before the one holding the checkpointed recovery point are trusted, not validated.
  const bool strict = !clean && !((flags & 8) && (flags & 16));
  fs::path dir = fresh_dir();
  const std::string seg0 = "00000000000000000000";
  if (flags & 2) write_file(dir / (seg0 + ".index"), take(fdp));
  if (flags & 4) write_file(dir / (seg0 + ".timeindex"), take(fdp));
  if (flags & 8) write_file(dir / "recovery-point-offset-checkpoint", take(fdp));
  if (flags & 32) write_file(dir / "log-start-offset-checkpoint", take(fdp));
  if (flags & 64) write_file(dir / "leader-epoch-checkpoint", take(fdp));
  if (flags & 16) {
    // A second segment whose base offset comes from the input too.
    auto base = fdp.ConsumeIntegralInRange<int64_t>(0, 1000);
    char name[32];
    std::snprintf(name, sizeof name, "%020lld.log", static_cast<long long>(base));
    write_file(dir / name, take(fdp));
  }
  write_file(dir / (seg0 + ".log"), fdp.ConsumeRemainingBytesAsString());
  if (clean) write_file(dir / ".clean-shutdown", "");

  s::LogConfig cfg;
  cfg.segment_bytes = 1 << 20;
  cfg.index_interval_bytes = 64;
  std::unique_ptr<s::PartitionLog> log;
  try {
    log = s::PartitionLog::open(dir, cfg);
  } catch (const std::exception& e) {
    fail(std::string("open threw on damaged files: ") + e.what());
  }
  if (log->offline()) fail("log offline right after open");
  if (log->log_start_offset() > log->log_end_offset()) fail("log start above log end");
  if (log->recovery_point() > log->log_end_offset()) fail("recovery point above log end");
  read_all(*log, strict);
  (void)log->max_timestamp();
  (void)log->offset_for_timestamp(0);
  (void)log->offset_for_timestamp(1700000000000);

  const int64_t end = log->log_end_offset();
  auto batch = make_batch(3);
  auto a = log->append(batch, 1, 1700000000001, false);
  if (!a.ok()) fail(std::string("append after recovery failed: ") + s::to_string(a.error));
  if (a.value.base_offset != end || a.value.last_offset != end + 2)
    fail("append after recovery at the wrong offset");
  auto t = log->prepare_flush();
  log->mark_flushed(t.end_offset, t.sync());
  if (log->recovery_point() != end + 3) fail("recovery point did not reach the log end");
  log->close();
  log.reset();

  try {
    log = s::PartitionLog::open(dir, cfg);
  } catch (const std::exception& e) {
    fail(std::string("reopen after clean close threw: ") + e.what());
  }
  if (log->log_end_offset() != end + 3) fail("clean reopen changed the log end");
  read_all(*log, strict);
  log->close();
  return 0;
}
