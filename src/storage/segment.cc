#include "segment.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>

#include "file_util.h"

namespace sluice::storage {

using protocol::BatchHeader;
using protocol::kBatchHeaderSize;
using protocol::kBatchLogOverhead;

namespace {
constexpr int32_t kMinBatchLength = static_cast<int32_t>(kBatchHeaderSize - kBatchLogOverhead);
}  // namespace

std::string segment_file_name(int64_t base_offset, const char* suffix) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%020lld", static_cast<long long>(base_offset));
  return std::string(buf) + suffix;
}

std::optional<int64_t> parse_segment_name(const std::string& name) {
  if (name.size() != 24 || name.compare(20, 4, ".log") != 0) return std::nullopt;
  int64_t v = 0;
  for (int i = 0; i < 20; ++i) {
    char c = name[static_cast<size_t>(i)];
    if (c < '0' || c > '9') return std::nullopt;
    if (v > (INT64_MAX - (c - '0')) / 10) return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

Segment::Segment(const std::filesystem::path& dir, int64_t base_offset)
    : dir_(dir),
      base_offset_(base_offset),
      next_offset_(base_offset),
      txn_index_(dir / segment_file_name(base_offset, ".txnindex")) {}

std::unique_ptr<Segment> Segment::create(const std::filesystem::path& dir, int64_t base_offset,
                                         std::string* err) {
  std::unique_ptr<Segment> s(new Segment(dir, base_offset));
  if (!s->open_files(/*truncate=*/true, err)) return nullptr;
  return s;
}

std::unique_ptr<Segment> Segment::open(const std::filesystem::path& dir, int64_t base_offset,
                                       std::string* err) {
  std::unique_ptr<Segment> s(new Segment(dir, base_offset));
  if (!s->open_files(/*truncate=*/false, err)) return nullptr;
  return s;
}

bool Segment::open_files(bool truncate, std::string* err) {
  auto fail = [&](const std::filesystem::path& p) {
    *err = "cannot open " + p.string() + ": " + errno_text();
    return false;
  };
  auto log_path = dir_ / segment_file_name(base_offset_, ".log");
  int fd = ::open(log_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | (truncate ? O_TRUNC : 0), 0644);
  if (fd < 0) return fail(log_path);
  file_ = std::make_shared<SegmentFile>(fd);
  int64_t size = file_size(fd);
  if (size < 0) return fail(log_path);
  size_ = static_cast<uint64_t>(size);
  auto index_path = dir_ / segment_file_name(base_offset_, ".index");
  if (!offset_index_.open(index_path, truncate)) return fail(index_path);
  auto time_path = dir_ / segment_file_name(base_offset_, ".timeindex");
  if (!time_index_.open(time_path, truncate)) return fail(time_path);
  // A new segment starts without aborted transactions: a leftover file would describe another.
  if (truncate) txn_index_.remove();
  return true;
}

StorageErrc Segment::read_checked_header(uint64_t pos, BatchHeader* h) const {
  if (pos + kBatchHeaderSize > size_) return StorageErrc::corrupt;
  uint8_t buf[kBatchHeaderSize];
  if (!pread_all(file_->fd(), buf, sizeof buf, static_cast<off_t>(pos)))
    return StorageErrc::io_error;
  *h = *protocol::read_batch_header(buf);
  if (h->magic != 2 || h->batch_length < kMinBatchLength || h->last_offset_delta < 0 ||
      pos + h->total_size() > size_)
    return StorageErrc::corrupt;
  return StorageErrc::ok;
}

namespace {
BatchSpan span_of(const BatchHeader& h, uint64_t pos) {
  return {h.base_offset, h.last_offset(), pos, static_cast<uint32_t>(h.total_size())};
}
}  // namespace

StorageErrc Segment::span_at(uint64_t pos, BatchSpan* span) const {
  if (const BatchSpan* s = recent_.starting_at(pos)) {
    *span = *s;
    return StorageErrc::ok;
  }
  BatchHeader h;
  StorageErrc e = read_checked_header(pos, &h);
  if (e == StorageErrc::ok) *span = span_of(h, pos);
  return e;
}

StorageErrc Segment::verify(uint64_t pos, uint64_t end) const {
  if (end <= verified_) return StorageErrc::ok;
  const bool extends_prefix = pos <= verified_;
  if (extends_prefix) pos = verified_;
  std::vector<uint8_t> buf(end - pos);
  if (!pread_all(file_->fd(), buf.data(), buf.size(), static_cast<off_t>(pos)))
    return StorageErrc::io_error;
  for (size_t p = 0; p < buf.size();) {
    BatchHeader h;
    auto rest = std::span<const uint8_t>(buf).subspan(p);
    if (protocol::validate_batch(rest, rest.size(), /*check_records=*/false, &h) !=
        protocol::BatchError::ok)
      return StorageErrc::corrupt;
    p += h.total_size();
  }
  if (extends_prefix) verified_ = end;
  return StorageErrc::ok;
}

void Segment::reset_contents() {
  recent_.clear();
  next_offset_ = base_offset_;
  max_timestamp_ = -1;
  offset_of_max_timestamp_ = -1;
  bytes_since_index_entry_ = 0;
}

void Segment::account_batch(const BatchHeader& h, uint64_t pos, int32_t index_interval_bytes) {
  if (h.max_timestamp > max_timestamp_) {
    max_timestamp_ = h.max_timestamp;
    offset_of_max_timestamp_ = h.base_offset;
  }
  if (offset_index_.empty() ||
      bytes_since_index_entry_ >= static_cast<uint64_t>(std::max(index_interval_bytes, 0))) {
    offset_index_.append(relative(h.base_offset), static_cast<uint32_t>(pos));
    if (offset_of_max_timestamp_ >= 0)
      time_index_.maybe_append(max_timestamp_, relative(offset_of_max_timestamp_));
    bytes_since_index_entry_ = 0;
  }
  bytes_since_index_entry_ += h.total_size();
  next_offset_ = h.last_offset() + 1;
  recent_.push(span_of(h, pos));
}

bool Segment::scan_headers(uint64_t pos, bool index_first) {
  const uint64_t start = pos;
  while (pos < size_) {
    BatchHeader h;
    if (read_checked_header(pos, &h) != StorageErrc::ok) return false;
    if (h.base_offset != next_offset_) return false;
    if (pos == start && !index_first) {
      // Already indexed: only fold it into the running state.
      if (h.max_timestamp > max_timestamp_) {
        max_timestamp_ = h.max_timestamp;
        offset_of_max_timestamp_ = h.base_offset;
      }
      bytes_since_index_entry_ = h.total_size();
      next_offset_ = h.last_offset() + 1;
      recent_.push(span_of(h, pos));
    } else {
      account_batch(h, pos, index_interval_bytes_);
    }
    pos += h.total_size();
  }
  return true;
}

bool Segment::restore_from_indexes() {
  reset_contents();
  if (!time_index_.entries().empty()) {
    max_timestamp_ = time_index_.entries().back().timestamp;
    offset_of_max_timestamp_ = base_offset_ + time_index_.entries().back().relative_offset;
  }
  if (offset_index_.empty()) return scan_headers(0, true);
  const OffsetEntry last = offset_index_.entries().back();
  next_offset_ = base_offset_ + last.relative_offset;
  return scan_headers(last.position, false);
}

bool Segment::rebuild_indexes_from_headers() {
  offset_index_.clear();
  time_index_.clear();
  reset_contents();
  return scan_headers(0, true);
}

bool Segment::load(bool* rebuilt) {
  *rebuilt = false;
  // Cheap checks first; then the first and last entries must name real batch starts (entries in
  // between are trusted once the whole is monotonic: a pread per entry would cost a full scan).
  bool trust = offset_index_.plausible(size_);
  if (trust && !offset_index_.empty()) {
    for (const OffsetEntry& e : {offset_index_.entries().front(), offset_index_.entries().back()}) {
      BatchHeader h;
      if (read_checked_header(e.position, &h) != StorageErrc::ok ||
          h.base_offset != base_offset_ + e.relative_offset) {
        trust = false;
        break;
      }
    }
  }
  if (trust) {
    if (!restore_from_indexes()) return false;
    trust = time_index_.plausible(next_offset_ - base_offset_);
  }
  if (trust) return true;
  *rebuilt = true;
  return rebuild_indexes_from_headers();
}

int64_t Segment::recover() {
  offset_index_.clear();
  time_index_.clear();
  reset_contents();
  uint64_t pos = 0;
  std::vector<uint8_t> buf;
  while (pos < size_) {
    const uint64_t remaining = size_ - pos;
    if (remaining < kBatchHeaderSize) break;  // torn header
    uint8_t head[kBatchHeaderSize];
    if (!pread_all(file_->fd(), head, sizeof head, static_cast<off_t>(pos))) return -1;
    BatchHeader h = *protocol::read_batch_header(head);
    if (h.batch_length < kMinBatchLength || h.total_size() > remaining) break;  // torn or garbage
    buf.resize(h.total_size());
    if (!pread_all(file_->fd(), buf.data(), buf.size(), static_cast<off_t>(pos))) return -1;
    const size_t max_batch = static_cast<size_t>(std::min<uint64_t>(remaining, INT32_MAX));
    if (protocol::validate_batch(buf, max_batch, /*check_records=*/true, &h) !=
        protocol::BatchError::ok)
      break;
    if (h.base_offset != next_offset_) break;  // offsets must be contiguous
    account_batch(h, pos, index_interval_bytes_);
    pos += h.total_size();
  }
  const int64_t cut = static_cast<int64_t>(size_ - pos);
  if (cut > 0) {
    if (::ftruncate(file_->fd(), static_cast<off_t>(pos)) != 0) return -1;
    size_ = pos;
  }
  verified_ = size_;  // every batch kept was just validated, CRC included
  return cut;
}

int64_t Segment::retention_timestamp() const {
  if (max_timestamp_ >= 0) return max_timestamp_;
  struct stat st;
  if (::fstat(file_->fd(), &st) != 0) return -1;
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
}

bool Segment::can_hold(uint64_t bytes, int64_t records, int32_t segment_index_bytes) const {
  if (size_ + bytes > UINT32_MAX) return false;
  if (next_offset_ + records - 1 - base_offset_ > INT32_MAX) return false;
  // Full means a further entry would exceed the limit (an empty segment always takes one).
  const auto limit = static_cast<size_t>(std::max(segment_index_bytes, 0));
  if (!empty() && (offset_index_.size_bytes() + OffsetIndex::kEntrySize > limit ||
                   time_index_.size_bytes() + TimeIndex::kEntrySize > limit))
    return false;
  return true;
}

bool Segment::append(std::span<const uint8_t> batches, int32_t index_interval_bytes, bool* clean) {
  const uint64_t start = size_;
  if (!pwrite_all(file_->fd(), batches.data(), batches.size(), static_cast<off_t>(start))) {
    int saved = errno;
    // Cut whatever part landed so the file still ends at a batch boundary.
    *clean = ::ftruncate(file_->fd(), static_cast<off_t>(start)) == 0;
    errno = saved;
    return false;
  }
  size_t p = 0;
  while (p < batches.size()) {
    BatchHeader h = *protocol::read_batch_header(batches.subspan(p));
    account_batch(h, start + p, index_interval_bytes);
    p += h.total_size();
  }
  // The caller validated these batches, so a verified prefix grows with them.
  if (verified_ == size_) verified_ += batches.size();
  size_ += batches.size();
  return true;
}

void Segment::seal() {
  if (offset_of_max_timestamp_ >= 0)
    time_index_.maybe_append(max_timestamp_, relative(offset_of_max_timestamp_));
}

StorageErrc Segment::locate(int64_t offset, BatchSpan* span) const {
  span->position = size_;
  if (offset >= next_offset_) return StorageErrc::ok;
  if (const BatchSpan* s = recent_.holding(offset)) {
    *span = *s;
    return StorageErrc::ok;
  }
  const int64_t rel = offset <= base_offset_ ? 0 : offset - base_offset_;
  uint64_t p = offset_index_.lookup(static_cast<int32_t>(rel)).position;
  while (p < size_) {
    BatchHeader h;
    StorageErrc e = read_checked_header(p, &h);
    if (e != StorageErrc::ok) return e;
    if (h.last_offset() >= offset) {
      *span = span_of(h, p);
      return StorageErrc::ok;
    }
    p += h.total_size();
  }
  return StorageErrc::ok;
}

std::optional<TimestampOffset> Segment::find_timestamp(int64_t ts) const {
  if (max_timestamp_ < ts) return std::nullopt;
  uint64_t p = 0;
  if (auto e = time_index_.last_before(ts)) p = offset_index_.lookup(e->relative_offset).position;
  while (p < size_) {
    BatchHeader h;
    if (read_checked_header(p, &h) != StorageErrc::ok) return std::nullopt;
    if (h.max_timestamp >= ts) return TimestampOffset{h.max_timestamp, h.base_offset};
    p += h.total_size();
  }
  return std::nullopt;
}

bool Segment::truncate_to(int64_t offset) {
  if (offset >= next_offset_) return true;
  BatchSpan cut;
  if (locate(offset, &cut) != StorageErrc::ok) return false;
  const uint64_t pos = cut.position;
  if (::ftruncate(file_->fd(), static_cast<off_t>(pos)) != 0) return false;
  size_ = pos;
  verified_ = std::min(verified_, size_);
  const int32_t cut_rel = pos == 0 ? 0 : relative(cut.base_offset);
  offset_index_.truncate_to(cut_rel);
  time_index_.truncate_to(cut_rel);
  return restore_from_indexes();
}

void Segment::repair_index_files() {
  offset_index_.repair_file();
  time_index_.repair_file();
}

void Segment::remove_files() {
  txn_index_.remove();
  offset_index_.remove();
  time_index_.remove();
  ::unlink((dir_ / segment_file_name(base_offset_, ".log")).c_str());
}

}  // namespace sluice::storage
