#include "sluice/txn/producer_id_manager.h"

#include <stdexcept>

#include "sluice/storage/checkpoint_file.h"

namespace sluice::txn {

ProducerIdManager::ProducerIdManager(const std::filesystem::path& dir) : file_(dir / kFileName) {
  std::error_code ec;
  if (!std::filesystem::exists(file_, ec)) return;
  auto end = storage::read_offset_checkpoint(file_);
  if (!end || *end < 0)
    throw std::runtime_error(file_.string() + ": malformed producer id block checkpoint");
  // Whatever the previous run handed out lies below its block end: start after it.
  next_ = block_end_ = *end;
}

std::optional<int64_t> ProducerIdManager::next() {
  if (next_ == block_end_) {
    if (!storage::write_offset_checkpoint(file_, block_end_ + kBlockSize)) return std::nullopt;
    block_end_ += kBlockSize;
  }
  return next_++;
}

}  // namespace sluice::txn
