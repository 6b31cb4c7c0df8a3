// The small value types of partition_log.h that the flusher thread and readers use.
#include <unistd.h>

#include <cerrno>

#include "file_util.h"
#include "sluice/storage/partition_log.h"

namespace sluice::storage {

const char* to_string(StorageErrc e) {
  switch (e) {
    case StorageErrc::ok:
      return "ok";
    case StorageErrc::io_error:
      return "I/O error (log now offline)";
    case StorageErrc::offline:
      return "log offline after an earlier I/O error";
    case StorageErrc::offset_out_of_range:
      return "offset out of range";
    case StorageErrc::corrupt:
      return "corrupt record batch in the log";
    case StorageErrc::invalid_argument:
      return "invalid argument";
    case StorageErrc::duplicate_batch:
      return "duplicate batch of an idempotent producer";
    case StorageErrc::out_of_order_sequence:
      return "out-of-order sequence number";
    case StorageErrc::invalid_producer_epoch:
      return "stale producer epoch";
  }
  return "?";
}

SegmentFile::~SegmentFile() {
  if (fd_ >= 0) ::close(fd_);
}

bool LogSlice::read_into(std::string& out) const {
  if (size == 0) return true;
  if (!file) return false;
  const size_t old = out.size();
  out.resize(old + size);
  if (!pread_all(file->fd(), out.data() + old, size, static_cast<off_t>(position))) {
    out.resize(old);
    return false;
  }
  return true;
}

bool FlushTicket::sync() const {
  bool ok = true;
  for (const auto& f : files) {
    int r;
    do r = ::fdatasync(f->fd());
    while (r != 0 && errno == EINTR);
    ok = ok && r == 0;
  }
  return ok;
}

}  // namespace sluice::storage
