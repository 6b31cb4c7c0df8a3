// libFuzzer target: RecordBatch v2 parsing and validation, over a stream of batches laid end to
// end (the RECORDS field of a produce request, or a segment file).
//
// For every batch that validates: its header is consistent with the bytes, and the in-place
// rewrites the broker makes at append (base offset, leader epoch, LogAppendTime with a new CRC)
// keep it valid. When the tree has them (sluice/protocol/record_iterator.h, compression.h):
//  * for_each_record walks the records of the first batch whatever its CRC (the iterator does not
//    check CRCs, so the fuzzer reaches every codec's decompressor through it), with a 1 MiB
//    decompression bound; every record's key/value must lie in memory ASan knows;
//  * the bytes after the first byte are also decompressed directly with the codec the first
//    byte names, and compress -> decompress must round-trip.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <vector>

#include "sluice/protocol/record_batch.h"

#if __has_include("sluice/protocol/record_iterator.h")
#include "sluice/protocol/record_iterator.h"
#define SLUICE_FUZZ_HAVE_RECORD_ITERATOR 1
#endif
#if __has_include("sluice/protocol/compression.h")
#include <string>

#include "sluice/protocol/compression.h"
#define SLUICE_FUZZ_HAVE_COMPRESSION 1
#endif

namespace p = sluice::protocol;

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_record_batch: %s\n", what);
  std::abort();
}

void check_valid(std::span<const uint8_t> bytes, const p::BatchHeader& h, bool check_records) {
  if (h.magic != 2) fail("valid batch with magic != 2");
  if (h.total_size() < p::kBatchHeaderSize || h.total_size() > bytes.size())
    fail("valid batch size outside the buffer");
  std::vector<uint8_t> copy(bytes.begin(), bytes.begin() + static_cast<long>(h.total_size()));
  p::set_base_offset(copy.data(), 1234567);
  p::set_partition_leader_epoch(copy.data(), 7);
  p::BatchHeader h2;
  if (p::validate_batch(copy, copy.size(), check_records, &h2) != p::BatchError::ok)
    fail("rewriting baseOffset/leader epoch invalidated a batch");
  if (h2.base_offset != 1234567 || h2.partition_leader_epoch != 7) fail("header rewrite lost");
  p::set_log_append_time(copy, 1700000000000);
  if (p::validate_batch(copy, copy.size(), check_records, &h2) != p::BatchError::ok)
    fail("set_log_append_time produced an invalid batch");
  if (!h2.log_append_time() || h2.max_timestamp != 1700000000000) fail("LogAppendTime not set");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  bool check_records = data[0] & 1;
  size_t max_batch = (data[0] & 2) ? 1048588 : 4096;
  // Heap copy of exactly the input size so that ASan catches any over-read.
  std::vector<uint8_t> buf(data + 1, data + size);
  std::span<const uint8_t> rest(buf.data(), buf.size());
#ifdef SLUICE_FUZZ_HAVE_RECORD_ITERATOR
  {
    int64_t n = 0;
    uint64_t sum = 0;
    auto e = p::for_each_record(rest, 1 << 20, [&](const p::Record& r) {
      for (uint8_t c : r.key) sum += c;  // touch every byte: ASan checks the spans
      for (uint8_t c : r.value) sum += c;
      return ++n < 100000;
    });
    (void)p::to_string(e);
    (void)p::first_record_at_or_after(rest, 0);
    (void)p::max_timestamp_record(rest);
    (void)sum;
  }
#endif
#ifdef SLUICE_FUZZ_HAVE_COMPRESSION
  {
    auto codec = static_cast<p::Compression>((data[0] >> 2) % 5);
    std::string out;
    auto e = p::decompress(codec, rest, out, 1 << 20);
    (void)p::to_string(e);
    if (e == p::DecompressError::ok && out.size() > (1u << 20)) fail("decompress exceeded max_out");
    if (e != p::DecompressError::ok && !out.empty()) fail("failed decompress left output behind");
    std::string packed, unpacked;
    if (rest.size() <= 65536 && p::compress(codec, rest, packed)) {
      if (p::decompress(codec,
                        std::span(reinterpret_cast<const uint8_t*>(packed.data()), packed.size()),
                        unpacked, rest.size() + 1) != p::DecompressError::ok ||
          unpacked.size() != rest.size() ||
          (!rest.empty() && std::memcmp(unpacked.data(), rest.data(), rest.size()) != 0))
        fail("compress -> decompress did not round-trip");
    }
  }
#endif
  while (!rest.empty()) {
    p::BatchHeader h;
    auto err = p::validate_batch(rest, max_batch, check_records, &h);
    (void)p::to_string(err);
    (void)p::read_batch_header(rest);
    if (err != p::BatchError::ok) break;
    check_valid(rest, h, check_records);
    rest = rest.subspan(h.total_size());
  }
  return 0;
}
