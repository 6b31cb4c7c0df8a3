#include "txn_index.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <string>
#include <system_error>

#include "file_util.h"
#include "sluice/protocol/endian.h"

namespace sluice::storage {

using protocol::load_be;
using protocol::store_be;

namespace {

void encode(const AbortedTxnEntry& e, uint8_t* p) {
  store_be<int16_t>(p, TransactionIndex::kVersion);
  store_be<int64_t>(p + 2, e.producer_id);
  store_be<int64_t>(p + 10, e.first_offset);
  store_be<int64_t>(p + 18, e.last_offset);
  store_be<int64_t>(p + 26, e.last_stable_offset);
}

AbortedTxnEntry decode(const uint8_t* p) {
  return {load_be<int64_t>(p + 2), load_be<int64_t>(p + 10), load_be<int64_t>(p + 18),
          load_be<int64_t>(p + 26)};
}

}  // namespace

bool TransactionIndex::ensure_open(bool* created) {
  if (created) *created = false;
  if (file_) return true;
  std::error_code ec;
  const bool existed = std::filesystem::exists(path_, ec);
  int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  file_ = std::make_shared<SegmentFile>(fd);
  if (created) *created = !existed;
  return true;
}

bool TransactionIndex::load(uint64_t* cut_bytes) {
  *cut_bytes = 0;
  entries_.clear();
  std::error_code ec;
  if (!std::filesystem::exists(path_, ec)) return true;
  if (!ensure_open(nullptr)) return false;
  const int64_t size = file_size(file_->fd());
  if (size < 0) return false;
  std::string bytes(static_cast<size_t>(size), '\0');
  if (size > 0 && !pread_all(file_->fd(), bytes.data(), bytes.size(), 0)) return false;
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  size_t good = 0;
  for (; good + kEntrySize <= bytes.size(); good += kEntrySize) {
    if (load_be<int16_t>(p + good) != kVersion) break;
    AbortedTxnEntry e = decode(p + good);
    if (e.first_offset < 0 || e.last_offset < e.first_offset ||
        (!entries_.empty() && e.last_offset <= entries_.back().last_offset))
      break;
    entries_.push_back(e);
  }
  if (good == bytes.size()) return true;
  *cut_bytes = bytes.size() - good;
  if (::ftruncate(file_->fd(), static_cast<off_t>(good)) != 0) return false;
  unsynced_ = true;
  return true;
}

bool TransactionIndex::append(const AbortedTxnEntry& e, bool* created) {
  assert(entries_.empty() || e.last_offset > entries_.back().last_offset);
  if (!ensure_open(created)) return false;
  uint8_t buf[kEntrySize];
  encode(e, buf);
  const auto at = static_cast<off_t>(entries_.size() * kEntrySize);
  if (!pwrite_all(file_->fd(), buf, sizeof buf, at)) return false;
  entries_.push_back(e);
  unsynced_ = true;
  return true;
}

int64_t TransactionIndex::truncate_from(int64_t offset) {
  auto keep = std::partition_point(entries_.begin(), entries_.end(),
                                   [offset](const auto& e) { return e.last_offset < offset; });
  const auto dropped = static_cast<int64_t>(entries_.end() - keep);
  if (dropped == 0) return 0;
  const auto kept = static_cast<size_t>(keep - entries_.begin());
  if (::ftruncate(file_->fd(), static_cast<off_t>(kept * kEntrySize)) != 0) return -1;
  entries_.erase(keep, entries_.end());
  unsynced_ = true;
  return dropped;
}

void TransactionIndex::remove() {
  ::unlink(path_.c_str());
  file_.reset();
  entries_.clear();
  unsynced_ = false;
}

std::shared_ptr<SegmentFile> TransactionIndex::take_unsynced() {
  if (!unsynced_ || !file_) return nullptr;
  unsynced_ = false;
  return file_;
}

bool TransactionIndex::sync_now() const {
  return !unsynced_ || !file_ || ::fdatasync(file_->fd()) == 0;
}

}  // namespace sluice::storage
