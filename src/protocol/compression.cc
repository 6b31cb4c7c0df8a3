#include "sluice/protocol/compression.h"

#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <memory>

#include "sluice/protocol/endian.h"

namespace sluice::protocol {
namespace {

// Output grows by at most this much per decoder call.
constexpr size_t kChunk = 64 * 1024;

constexpr uint8_t kXerialMagic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
constexpr size_t kXerialHeaderSize = 16;  // magic, int32 version, int32 compatible version

// Bounded output buffer: hands out writable space so that `out` can reach max_out + 1 bytes but
// never more, which is how an oversized result is detected without allocating beyond the bound.
class BoundedOutput {
 public:
  BoundedOutput(std::string& out, size_t max_out) : out_(out), max_out_(max_out) {}

  // Appends writable space (at least one byte) and returns it; commit() trims it back.
  std::span<uint8_t> reserve() {
    size_t used = out_.size();
    size_t n = std::min(kChunk, max_out_ + 1 - used);
    out_.resize(used + n);
    return {reinterpret_cast<uint8_t*>(out_.data()) + used, n};
  }
  void commit(std::span<uint8_t> space, size_t produced) {
    out_.resize(out_.size() - space.size() + produced);
  }
  bool over() const { return out_.size() > max_out_; }

 private:
  std::string& out_;
  size_t max_out_;
};

DecompressError copy(std::span<const uint8_t> in, std::string& out, size_t max_out) {
  if (in.size() > max_out) return DecompressError::too_large;
  out.assign(reinterpret_cast<const char*>(in.data()), in.size());
  return DecompressError::ok;
}

// ---- gzip ----

DecompressError gunzip(std::span<const uint8_t> in, std::string& out, size_t max_out) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return DecompressError::corrupt;
  struct End {
    z_stream* z;
    ~End() { inflateEnd(z); }
  } end{&zs};

  BoundedOutput bo(out, max_out);
  size_t pos = 0;
  for (;;) {
    size_t give = std::min<size_t>(in.size() - pos, UINT_MAX);
    zs.next_in = const_cast<Bytef*>(in.data() + pos);
    zs.avail_in = static_cast<uInt>(give);
    auto space = bo.reserve();
    zs.next_out = space.data();
    zs.avail_out = static_cast<uInt>(space.size());
    int rc = inflate(&zs, Z_NO_FLUSH);
    pos += give - zs.avail_in;
    bo.commit(space, space.size() - zs.avail_out);
    if (bo.over()) return DecompressError::too_large;
    if (rc == Z_STREAM_END) {
      if (pos == in.size()) return DecompressError::ok;
      // Another gzip member follows (as `cat a.gz b.gz` produces); anything else is garbage.
      if (in.size() - pos < 2 || in[pos] != 0x1f || in[pos + 1] != 0x8b)
        return DecompressError::corrupt;
      if (inflateReset(&zs) != Z_OK) return DecompressError::corrupt;
      continue;
    }
    if (rc == Z_OK) continue;
    // Z_BUF_ERROR: no progress possible. Output space was available, so input ran out early.
    if (rc == Z_BUF_ERROR && pos < in.size()) continue;
    return DecompressError::corrupt;
  }
}

bool gzip(std::span<const uint8_t> in, std::string& out) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK)
    return false;
  struct End {
    z_stream* z;
    ~End() { deflateEnd(z); }
  } end{&zs};
  size_t pos = 0;
  for (;;) {
    size_t give = std::min<size_t>(in.size() - pos, UINT_MAX);
    bool last = pos + give == in.size();
    zs.next_in = const_cast<Bytef*>(in.data() + pos);
    zs.avail_in = static_cast<uInt>(give);
    size_t used = out.size();
    size_t room = std::max<size_t>(deflateBound(&zs, static_cast<uLong>(give)), kChunk);
    room = std::min<size_t>(room, UINT_MAX);
    out.resize(used + room);
    zs.next_out = reinterpret_cast<Bytef*>(out.data()) + used;
    zs.avail_out = static_cast<uInt>(room);
    int rc = deflate(&zs, last ? Z_FINISH : Z_NO_FLUSH);
    pos += give - zs.avail_in;
    out.resize(used + room - zs.avail_out);
    if (rc == Z_STREAM_END) return true;
    if (rc != Z_OK && rc != Z_BUF_ERROR) return false;
  }
}

// ---- snappy ----

DecompressError unsnappy_raw(std::span<const uint8_t> in, std::string& out, size_t max_out) {
  const char* p = reinterpret_cast<const char*>(in.data());
  size_t n = 0;
  if (!snappy::GetUncompressedLength(p, in.size(), &n)) return DecompressError::corrupt;
  if (n > max_out - out.size()) return DecompressError::too_large;
  size_t used = out.size();
  out.resize(used + n);
  if (!snappy::RawUncompress(p, in.size(), out.data() + used)) return DecompressError::corrupt;
  return DecompressError::ok;
}

bool is_xerial(std::span<const uint8_t> in) {
  return in.size() >= sizeof kXerialMagic &&
         std::memcmp(in.data(), kXerialMagic, sizeof kXerialMagic) == 0;
}

DecompressError unsnappy_xerial(std::span<const uint8_t> in, std::string& out, size_t max_out) {
  if (in.size() < kXerialHeaderSize) return DecompressError::corrupt;
  size_t pos = kXerialHeaderSize;
  while (pos < in.size()) {
    if (in.size() - pos < 4) return DecompressError::corrupt;
    int32_t len = load_be<int32_t>(in.data() + pos);
    pos += 4;
    if (len < 0 || static_cast<size_t>(len) > in.size() - pos) return DecompressError::corrupt;
    auto e = unsnappy_raw(in.subspan(pos, static_cast<size_t>(len)), out, max_out);
    if (e != DecompressError::ok) return e;
    pos += static_cast<size_t>(len);
  }
  return DecompressError::ok;
}

// ---- lz4 frame ----

DecompressError unlz4(std::span<const uint8_t> in, std::string& out, size_t max_out) {
  LZ4F_dctx* raw = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&raw, LZ4F_VERSION)))
    return DecompressError::corrupt;
  std::unique_ptr<LZ4F_dctx, decltype(&LZ4F_freeDecompressionContext)> ctx(
      raw, &LZ4F_freeDecompressionContext);

  BoundedOutput bo(out, max_out);
  size_t pos = 0;
  for (;;) {
    auto space = bo.reserve();
    size_t dst = space.size();
    size_t src = in.size() - pos;
    size_t rc = LZ4F_decompress(ctx.get(), space.data(), &dst, in.data() + pos, &src, nullptr);
    if (LZ4F_isError(rc)) return DecompressError::corrupt;
    pos += src;
    bo.commit(space, dst);
    if (bo.over()) return DecompressError::too_large;
    if (rc == 0) {
      // Frame complete; another may follow (the context resets itself).
      if (pos == in.size()) return DecompressError::ok;
      continue;
    }
    // The decoder wants more input but there is none, and it has nothing buffered left to flush.
    if (src == 0 && dst == 0) return DecompressError::corrupt;
  }
}

bool lz4(std::span<const uint8_t> in, std::string& out) {
  LZ4F_preferences_t prefs{};
  prefs.frameInfo.blockSizeID = LZ4F_max64KB;
  prefs.frameInfo.blockMode = LZ4F_blockIndependent;
  size_t bound = LZ4F_compressFrameBound(in.size(), &prefs);
  out.resize(bound);
  size_t n = LZ4F_compressFrame(out.data(), bound, in.data(), in.size(), &prefs);
  if (LZ4F_isError(n)) return false;
  out.resize(n);
  return true;
}

// ---- zstd ----

DecompressError unzstd(std::span<const uint8_t> in, std::string& out, size_t max_out) {
  // Cheap early rejection when the first frame declares its size.
  unsigned long long declared = ZSTD_getFrameContentSize(in.data(), in.size());
  if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared != ZSTD_CONTENTSIZE_ERROR) {
    if (declared > max_out) return DecompressError::too_large;
    out.reserve(static_cast<size_t>(declared) + 1);
  }
  std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> ctx(ZSTD_createDCtx(), &ZSTD_freeDCtx);
  if (!ctx) return DecompressError::corrupt;

  BoundedOutput bo(out, max_out);
  ZSTD_inBuffer input{in.data(), in.size(), 0};
  for (;;) {
    auto space = bo.reserve();
    ZSTD_outBuffer output{space.data(), space.size(), 0};
    size_t rc = ZSTD_decompressStream(ctx.get(), &output, &input);
    bo.commit(space, output.pos);
    if (ZSTD_isError(rc)) return DecompressError::corrupt;
    if (bo.over()) return DecompressError::too_large;
    if (rc == 0 && input.pos == input.size) return DecompressError::ok;  // frame done, flushed
    // Input exhausted while the decoder still expects more and has nothing left to flush.
    if (input.pos == input.size && output.pos < output.size) return DecompressError::corrupt;
  }
}

bool zstd(std::span<const uint8_t> in, std::string& out) {
  size_t bound = ZSTD_compressBound(in.size());
  out.resize(bound);
  size_t n = ZSTD_compress(out.data(), bound, in.data(), in.size(), ZSTD_CLEVEL_DEFAULT);
  if (ZSTD_isError(n)) return false;
  out.resize(n);
  return true;
}

}  // namespace

const char* to_string(DecompressError e) {
  switch (e) {
    case DecompressError::ok:
      return "ok";
    case DecompressError::corrupt:
      return "corrupt compressed data";
    case DecompressError::too_large:
      return "decompressed size exceeds the limit";
    case DecompressError::unsupported:
      return "unsupported compression codec";
  }
  return "?";
}

DecompressError decompress(Compression codec, std::span<const uint8_t> in, std::string& out,
                           size_t max_out) {
  out.clear();
  DecompressError e = DecompressError::unsupported;
  switch (codec) {
    case Compression::none:
      e = copy(in, out, max_out);
      break;
    case Compression::gzip:
      e = gunzip(in, out, max_out);
      break;
    case Compression::snappy:
      e = is_xerial(in) ? unsnappy_xerial(in, out, max_out) : unsnappy_raw(in, out, max_out);
      break;
    case Compression::lz4:
      e = unlz4(in, out, max_out);
      break;
    case Compression::zstd:
      e = unzstd(in, out, max_out);
      break;
  }
  if (e != DecompressError::ok) {
    out.clear();
    out.shrink_to_fit();
  }
  return e;
}

bool compress(Compression codec, std::span<const uint8_t> in, std::string& out) {
  out.clear();
  bool ok = false;
  switch (codec) {
    case Compression::none:
      out.assign(reinterpret_cast<const char*>(in.data()), in.size());
      ok = true;
      break;
    case Compression::gzip:
      ok = gzip(in, out);
      break;
    case Compression::snappy:
      snappy::Compress(reinterpret_cast<const char*>(in.data()), in.size(), &out);
      ok = true;
      break;
    case Compression::lz4:
      ok = lz4(in, out);
      break;
    case Compression::zstd:
      ok = zstd(in, out);
      break;
  }
  if (!ok) out.clear();
  return ok;
}

}  // namespace sluice::protocol
