#include "producer_snapshot.h"

#include <unistd.h>

#include <algorithm>
#include <limits>

#include "control_record.h"
#include "file_util.h"
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

namespace {

// The marker type of the control batch at pos (header h): nullopt if its record does not read.
std::optional<int16_t> marker_type_at(const Segment& seg, uint64_t pos,
                                      const protocol::BatchHeader& h, StorageErrc* e) {
  std::vector<uint8_t> batch(h.total_size());
  if (!pread_all(seg.file()->fd(), batch.data(), batch.size(), static_cast<off_t>(pos))) {
    *e = StorageErrc::io_error;
    return std::nullopt;
  }
  auto type = control_record_type(batch);
  if (!type) *e = StorageErrc::corrupt;
  return type;
}

}  // namespace

bool PartitionLog::Impl::load_producer_state(ProducerRecovery* out, TxnIndexRecovery* txn_out) {
  producers.clear();
  const int64_t end = log_end();
  remove_snapshots_above(dir, end);
  ProducerRecovery r;
  TxnIndexRecovery t = txn_out ? *txn_out : TxnIndexRecovery{};
  int64_t from = log_start;
  auto offsets = list_snapshots(dir);
  // The newest readable snapshot at or above the log start; an unreadable one is passed over
  // (and reported) in favour of an older one or a replay of the whole log. Entries cut off a
  // .txnindex at open are rebuilt only if the replay reads their markers: it must start at or
  // before that segment.
  const int64_t latest_usable =
      t.first_cut_segment >= 0 ? t.first_cut_segment : std::numeric_limits<int64_t>::max();
  for (auto it = offsets.rbegin(); it != offsets.rend() && *it >= log_start; ++it) {
    if (*it > latest_usable) continue;
    auto lines =
        read_checkpoint(dir / snapshot_file_name(*it), ProducerStateTable::kSnapshotFields);
    if (lines && producers.from_snapshot(*lines)) {
      r.snapshot_offset = *it;
      from = *it;
      break;
    }
    ++r.snapshots_unreadable;
  }
  // The replay re-derives every aborted-transaction entry whose marker it reads: those already
  // stored from `from` on go first (a crash may have lost some, or left ones whose marker
  // recovery cut off).
  for (auto& [base, seg] : segments) {
    const int64_t n = seg->txn_index().truncate_from(from);
    if (n < 0) return false;
    t.entries_dropped += n;
  }
  // A corrupt header stops the replay (the segments after it depend on it for offsets); an
  // I/O error fails the open. So does a marker whose record does not read.
  StorageErrc e = StorageErrc::ok;
  int64_t next = from;  // the offset after the last batch replayed
  for (auto it = std::prev(segments.upper_bound(from)); it != segments.end(); ++it) {
    Segment& seg = *it->second;
    next = std::max(next, it->first);
    BatchSpan first;
    e = seg.locate(from, &first);
    for (uint64_t pos = first.position; e == StorageErrc::ok && pos < seg.size();) {
      protocol::BatchHeader h;
      if ((e = seg.header_at(pos, &h)) != StorageErrc::ok) break;
      if (h.producer_id >= 0 && h.is_control()) {
        auto type = marker_type_at(seg, pos, h, &e);
        if (!type) break;
        if (*type == static_cast<int16_t>(ControlType::abort) ||
            *type == static_cast<int16_t>(ControlType::commit)) {
          ++t.markers_replayed;
          const int64_t txn_first = producers.end_transaction(h.producer_id, h.producer_epoch,
                                                              h.base_offset, h.max_timestamp);
          if (*type == static_cast<int16_t>(ControlType::abort) && txn_first >= 0) {
            const int64_t lso = producers.first_unstable_offset().value_or(h.base_offset + 1);
            bool created = false;
            if (!seg.txn_index().append({h.producer_id, txn_first, h.base_offset, lso}, &created))
              return false;
            dir_dirty = dir_dirty || created;
            ++t.entries_rebuilt;
          }
        }
        ++r.batches_replayed;
      } else if (h.producer_id >= 0) {
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
  t.open_transactions = 0;
  for (const auto& [pid, p] : producers.producers())
    if (p.current_txn_first_offset >= 0) ++t.open_transactions;
  if (out) *out = r;
  if (txn_out) *txn_out = t;
  return true;
}

}  // namespace sluice::storage
