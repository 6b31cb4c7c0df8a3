#pragma once
// Record-batch compression codecs, in the formats Kafka clients produce:
//   gzip   - deflate with a gzip wrapper (RFC 1952); concatenated members are accepted.
//   snappy - raw snappy, or the xerial framing of the Java client (detected by its 8-byte magic
//            0x82 'S' 'N' 'A' 'P' 'P' 'Y' 0x00, then int32 version, int32 compatible version,
//            then repeated [int32 big-endian chunk length, raw snappy chunk]).
//   lz4    - the LZ4 frame format (not raw LZ4 blocks); concatenated frames are accepted.
//   zstd   - zstd frames, decoded by streaming so frames without a content size work.
// Nothing here throws (other than std::bad_alloc from the standard library).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "sluice/protocol/record_batch.h"

namespace sluice::protocol {

enum class DecompressError {
  ok,
  corrupt,     // malformed or truncated input
  too_large,   // the output would exceed max_out
  unsupported  // unknown codec
};

const char* to_string(DecompressError e);

// Decompresses `in` into `out` (replacing its contents). The output is never allowed to grow past
// max_out bytes: a larger result fails with too_large, whatever the input claims, so this is safe
// against decompression bombs. Compression::none copies. On failure `out` is left empty.
DecompressError decompress(Compression codec, std::span<const uint8_t> in, std::string& out,
                           size_t max_out);

// Compresses `in` into `out` (replacing its contents): gzip, raw snappy, an lz4 frame (64 KiB
// independent blocks, as the Java client writes) or a zstd frame. Compression::none copies.
// Returns false for an unknown codec or a library failure, leaving `out` empty.
bool compress(Compression codec, std::span<const uint8_t> in, std::string& out);

}  // namespace sluice::protocol
