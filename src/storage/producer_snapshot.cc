#include "producer_snapshot.h"

#include <unistd.h>

#include <algorithm>

#include "partition_log_impl.h"
#include "segment.h"
#include "sluice/storage/checkpoint_file.h"

namespace sluice::storage {
namespace fs = std::filesystem;

namespace {
constexpr std::string_view kSuffix = ".snapshot";
}

// Named like segments: the same 20-digit offset, another suffix.
std::string snapshot_file_name(int64_t offset) { return segment_file_name(offset, ".snapshot"); }

std::optional<int64_t> parse_snapshot_name(const std::string& name) {
  if (name.size() != 20 + kSuffix.size() || name.compare(20, kSuffix.size(), kSuffix) != 0)
    return std::nullopt;
  return parse_segment_name(name.substr(0, 20) + ".log");
}

std::vector<int64_t> list_snapshots(const fs::path& dir) {
  std::vector<int64_t> offsets;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (auto o = parse_snapshot_name(it->path().filename().string())) offsets.push_back(*o);
  std::sort(offsets.begin(), offsets.end());
  return offsets;
}

bool write_snapshot(const fs::path& dir, int64_t offset, const ProducerStateTable& table) {
  if (!write_checkpoint(dir / snapshot_file_name(offset), table.to_snapshot())) return false;
  auto offsets = list_snapshots(dir);
  for (size_t i = 0; i + kSnapshotsKept < offsets.size(); ++i)
    ::unlink((dir / snapshot_file_name(offsets[i])).c_str());
  return true;
}

void remove_snapshots_above(const fs::path& dir, int64_t offset) {
  for (int64_t o : list_snapshots(dir))
    if (o > offset) ::unlink((dir / snapshot_file_name(o)).c_str());
}

bool PartitionLog::Impl::load_producer_state(ProducerRecovery* out) {
  producers.clear();
  const int64_t end = log_end();
  remove_snapshots_above(dir, end);
  ProducerRecovery r;
  int64_t from = log_start;
  auto offsets = list_snapshots(dir);
  // The newest readable snapshot at or above the log start; an unreadable one is passed over
  // (and reported) in favour of an older one or a replay of the whole log.
  for (auto it = offsets.rbegin(); it != offsets.rend() && *it >= log_start; ++it) {
    auto lines =
        read_checkpoint(dir / snapshot_file_name(*it), ProducerStateTable::kSnapshotFields);
    if (lines && producers.from_snapshot(*lines)) {
      r.snapshot_offset = *it;
      from = *it;
      break;
    }
    ++r.snapshots_unreadable;
  }
  // A corrupt header stops the replay (the segments after it depend on it for offsets); an
  // I/O error fails the open.
  StorageErrc e = StorageErrc::ok;
  int64_t next = from;  // the offset after the last batch replayed
  for (auto it = std::prev(segments.upper_bound(from)); it != segments.end(); ++it) {
    const Segment& seg = *it->second;
    next = std::max(next, it->first);
    BatchSpan first;
    e = seg.locate(from, &first);
    for (uint64_t pos = first.position; e == StorageErrc::ok && pos < seg.size();) {
      protocol::BatchHeader h;
      if ((e = seg.header_at(pos, &h)) != StorageErrc::ok) break;
      if (h.producer_id >= 0) {
        producers.record(h, h.base_offset, h.max_timestamp);
        ++r.batches_replayed;
      }
      next = h.last_offset() + 1;
      pos += h.total_size();
    }
    if (e != StorageErrc::ok) {
      r.replay_stopped_at = next;
      break;
    }
  }
  if (e == StorageErrc::io_error) return false;
  producers.remove_below(log_start);
  if (out) *out = r;
  return true;
}

}  // namespace sluice::storage
