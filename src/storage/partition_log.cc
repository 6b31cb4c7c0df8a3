// PartitionLog operations on an open log; opening and recovery are in log_loader.cc.
#include "sluice/storage/partition_log.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "control_record.h"
#include "file_util.h"
#include "partition_log_impl.h"
#include "producer_snapshot.h"
#include "sluice/protocol/record_iterator.h"
#include "sluice/storage/checkpoint_file.h"

namespace sluice::storage {

using protocol::BatchHeader;

StorageErrc PartitionLog::Impl::fail(const std::string& what) {
  const int err = errno;
  if (!offline) offline_reason = err != 0 ? what + ": " + std::strerror(err) : what;
  offline = true;
  return StorageErrc::io_error;
}

StorageErrc PartitionLog::Impl::roll() {
  active().seal();
  const int64_t base = log_end();
  std::string err;
  auto seg = Segment::create(dir, base, &err);
  if (!seg) return fail("roll at offset " + std::to_string(base) + ": " + err);
  seg->set_index_interval(cfg.index_interval_bytes);
  segments.emplace(base, std::move(seg));
  dir_dirty = true;
  const Segment& sealed = *std::prev(segments.end(), 2)->second;
  // Bounds the rescan after a crash to about the last two segments. Best effort: a stale
  // checkpoint only makes recovery validate more.
  (void)write_offset_checkpoint(dir / kRecoveryPointFile, recovery_point);
  // Bounds the producer-state replay at open to the active segment. Best effort too: without it
  // the replay starts at an older snapshot. The replay from it no longer re-derives the sealed
  // segment's aborted transactions, so its .txnindex must be on disk before the snapshot is.
  if (sealed.txn_index().sync_now()) (void)write_snapshot(dir, base, producers);
  return StorageErrc::ok;
}

void PartitionLog::Impl::drop_oldest_segment() {
  auto it = segments.begin();
  it->second->remove_files();
  segments.erase(it);
}

PartitionLog::PartitionLog(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

PartitionLog::~PartitionLog() = default;

StorageResult<AppendInfo> PartitionLog::append(std::span<uint8_t> batches, int32_t leader_epoch,
                                               int64_t now_ms, bool log_append_time) {
  Impl& d = *impl_;
  if (d.offline) return {StorageErrc::offline, {}};
  if (batches.empty()) return {StorageErrc::invalid_argument, {}};

  // The batches were validated by the caller; check only the framing this code relies on.
  int64_t records = 0;
  int count = 0;
  std::optional<BatchHeader> idempotent;
  for (size_t p = 0; p < batches.size(); ++count) {
    auto h = protocol::read_batch_header(batches.subspan(p));
    if (!h || h->magic != 2 || h->last_offset_delta < 0 ||
        h->batch_length <
            static_cast<int32_t>(protocol::kBatchHeaderSize - protocol::kBatchLogOverhead) ||
        h->total_size() > batches.size() - p)
      return {StorageErrc::invalid_argument, {}};
    // A marker written here would bypass the transaction bookkeeping append_marker() does.
    if (h->is_control()) return {StorageErrc::invalid_argument, {}};
    if (h->producer_id >= 0) idempotent = h;
    records += static_cast<int64_t>(h->last_offset_delta) + 1;
    p += h->total_size();
  }
  if (idempotent) {
    // One batch, as Kafka requires of produce requests since v3: a verdict is then about all
    // of the append, and a duplicate has one set of offsets to answer with.
    if (count != 1) return {StorageErrc::invalid_argument, {}};
    SequenceVerdict v = d.producers.check(*idempotent);
    switch (v.check) {
      case SequenceCheck::accept:
        break;
      case SequenceCheck::duplicate:
        return {StorageErrc::duplicate_batch,
                AppendInfo{v.original.first_offset, v.original.last_offset, -1}};
      case SequenceCheck::out_of_order_sequence:
        return {StorageErrc::out_of_order_sequence, {}};
      case SequenceCheck::invalid_producer_epoch:
        return {StorageErrc::invalid_producer_epoch, {}};
    }
  }
  Segment* seg = nullptr;
  auto r = d.write_batches(batches, records, leader_epoch, now_ms, log_append_time, &seg);
  if (r.ok() && idempotent) d.producers.record(*idempotent, r.value.base_offset, now_ms);
  return r;
}

StorageResult<AppendInfo> PartitionLog::Impl::write_batches(std::span<uint8_t> batches,
                                                            int64_t records, int32_t leader_epoch,
                                                            int64_t now_ms, bool log_append_time,
                                                            Segment** written_to) {
  Segment* seg = &active();
  const bool too_old = seg->first_append_ms() && now_ms - *seg->first_append_ms() >= cfg.segment_ms;
  const bool too_big = static_cast<int64_t>(seg->size() + batches.size()) > cfg.segment_bytes;
  if (!seg->empty() &&
      (too_big || too_old || !seg->can_hold(batches.size(), records, cfg.segment_index_bytes))) {
    if (StorageErrc e = roll(); e != StorageErrc::ok) return {e, {}};
    seg = &active();
  }
  if (!seg->can_hold(batches.size(), records, cfg.segment_index_bytes))
    return {StorageErrc::invalid_argument, {}};  // larger than any segment can be

  const int64_t base = log_end();
  // Epoch first: if its checkpoint cannot be written nothing has been appended yet.
  if (leader_epoch >= 0 && !epochs.assign(leader_epoch, base))
    return {fail(std::string("cannot write ") + kLeaderEpochFile), {}};

  int64_t next = base;
  for (size_t p = 0; p < batches.size();) {
    uint8_t* b = batches.data() + p;
    BatchHeader h = *protocol::read_batch_header(batches.subspan(p));
    protocol::set_base_offset(b, next);
    protocol::set_partition_leader_epoch(b, leader_epoch);
    if (log_append_time) protocol::set_log_append_time(batches.subspan(p, h.total_size()), now_ms);
    next += static_cast<int64_t>(h.last_offset_delta) + 1;
    p += h.total_size();
  }
  bool clean = false;
  if (!seg->append(batches, cfg.index_interval_bytes, &clean)) {
    // A write that failed without leaving anything behind (a full disk) refuses this append
    // only; reads go on and appends work again once there is space. Anything else may have
    // left the file in an unknown state: the log goes offline.
    return {clean ? StorageErrc::io_error
                  : fail("write to " + segment_file_name(seg->base_offset(), ".log") +
                         " at offset " + std::to_string(base) + " failed and could not be cut"),
            {}};
  }
  seg->note_append_time(now_ms);
  *written_to = seg;
  return {StorageErrc::ok, AppendInfo{base, next - 1, log_append_time ? now_ms : -1}};
}

bool PartitionLog::Impl::add_aborted(Segment& seg, const AbortedTxnEntry& e) {
  bool created = false;
  if (!seg.txn_index().append(e, &created)) {
    fail("write to " + segment_file_name(seg.base_offset(), ".txnindex") + " for the marker at " +
         std::to_string(e.last_offset));
    return false;
  }
  dir_dirty = dir_dirty || created;
  return true;
}

StorageResult<AppendInfo> PartitionLog::append_marker(int64_t producer_id, int16_t producer_epoch,
                                                      bool commit, int32_t coordinator_epoch,
                                                      int32_t leader_epoch, int64_t now_ms) {
  Impl& d = *impl_;
  if (d.offline) return {StorageErrc::offline, {}};
  if (producer_id < 0 || producer_epoch < 0) return {StorageErrc::invalid_argument, {}};
  if (d.producers.check_marker(producer_id, producer_epoch) ==
      SequenceCheck::invalid_producer_epoch)
    return {StorageErrc::invalid_producer_epoch, {}};
  std::string batch =
      txn_marker_batch(producer_id, producer_epoch, commit, coordinator_epoch, now_ms);
  auto bytes = std::span(reinterpret_cast<uint8_t*>(batch.data()), batch.size());
  Segment* seg = nullptr;
  auto r = d.write_batches(bytes, 1, leader_epoch, now_ms, false, &seg);
  if (!r.ok()) return r;
  const int64_t marker = r.value.base_offset;
  const int64_t first = d.producers.end_transaction(producer_id, producer_epoch, marker, now_ms);
  if (!commit && first >= 0) {
    // The last stable offset once this transaction is complete (Kafka's
    // ProducerStateManager.lastStableOffset(completedTxn)): the oldest other open transaction,
    // else just past the marker.
    const int64_t lso = d.producers.first_unstable_offset().value_or(marker + 1);
    if (!d.add_aborted(*seg, {producer_id, first, marker, lso})) return {StorageErrc::io_error, {}};
  }
  return r;
}

std::optional<int64_t> PartitionLog::first_unstable_offset() const {
  auto first = impl_->producers.first_unstable_offset();
  // DeleteRecords may pass an open transaction's start; nothing below the log start is readable
  // (Kafka clamps it so too).
  if (first) *first = std::max(*first, impl_->log_start);
  return first;
}

std::vector<AbortedTxn> PartitionLog::aborted_transactions(int64_t from, int64_t upto) const {
  const Impl& d = *impl_;
  std::vector<AbortedTxn> out;
  if (from >= upto) return out;
  // An entry overlapping [from, upto) has its marker at or after from: in the segment holding
  // from or a later one.
  auto it = d.segments.upper_bound(from);
  if (it != d.segments.begin()) --it;
  for (; it != d.segments.end(); ++it)
    for (const AbortedTxnEntry& e : it->second->txn_index().entries())
      if (e.last_offset >= from && e.first_offset < upto)
        out.push_back({e.producer_id, e.first_offset});
  std::sort(out.begin(), out.end(), [](const AbortedTxn& a, const AbortedTxn& b) {
    return a.first_offset < b.first_offset;
  });
  return out;
}

namespace {
std::string read_failure(const Segment& seg, int64_t offset) {
  return "read of " + segment_file_name(seg.base_offset(), ".log") + " near offset " +
         std::to_string(offset);
}
}  // namespace

StorageResult<ReadResult> PartitionLog::read(int64_t offset, int32_t max_bytes,
                                             int64_t max_offset) const {
  Impl& d = *impl_;
  if (d.offline) return {StorageErrc::offline, {}};
  if (offset < d.log_start || offset > d.log_end()) return {StorageErrc::offset_out_of_range, {}};
  ReadResult r;
  r.first_offset = offset;
  auto it = std::prev(d.segments.upper_bound(offset));
  const uint64_t budget = static_cast<uint64_t>(std::max(max_bytes, 0));
  // Only one segment per read (as Kafka): if offset is past the end of a sealed segment, the
  // batch holding it is at the start of the next one.
  for (; it != d.segments.end(); ++it) {
    const Segment& seg = *it->second;
    BatchSpan first;
    StorageErrc e = seg.locate(offset, &first);
    if (e == StorageErrc::io_error) return {d.fail(read_failure(seg, offset)), {}};
    if (e != StorageErrc::ok) return {e, {}};
    if (first.position == seg.size()) continue;
    if (first.base_offset >= max_offset) return {StorageErrc::ok, r};
    r.first_offset = first.base_offset;
    int64_t last = first.last_offset;
    const uint64_t pos = first.position;
    uint64_t end = first.end();  // the first batch goes out whatever max_bytes says
    while (end < seg.size()) {
      BatchSpan next;
      e = seg.span_at(end, &next);
      if (e == StorageErrc::io_error) return {d.fail(read_failure(seg, offset)), {}};
      if (e != StorageErrc::ok) return {e, {}};
      if (next.base_offset >= max_offset || next.end() - pos > budget) break;
      end = next.end();
      last = next.last_offset;
    }
    e = seg.verify(pos, end);
    if (e == StorageErrc::io_error) return {d.fail(read_failure(seg, offset)), {}};
    if (e != StorageErrc::ok) return {e, {}};
    r.slice = LogSlice{seg.file(), pos, static_cast<uint32_t>(end - pos)};
    r.last_offset = last;
    return {StorageErrc::ok, r};
  }
  return {StorageErrc::ok, r};
}

std::optional<TimestampOffset> PartitionLog::record_in_batch(
    int64_t batch_offset,
    const std::function<std::optional<std::pair<int64_t, int64_t>>(std::span<const uint8_t>)>& pick)
    const {
  auto r = read(batch_offset, 1, impl_->log_end());
  std::string bytes;
  if (!r.ok() || r.value.slice.size == 0 || !r.value.slice.read_into(bytes)) return std::nullopt;
  auto batch = std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  auto h = protocol::read_batch_header(batch);
  if (!h || h->total_size() > batch.size()) return std::nullopt;
  auto found = pick(batch.first(h->total_size()));
  if (!found) return std::nullopt;
  return TimestampOffset{found->second, found->first};
}

std::optional<TimestampOffset> PartitionLog::offset_for_timestamp(int64_t ts) const {
  const Impl& d = *impl_;
  if (d.offline) return std::nullopt;
  for (const auto& [base, seg] : d.segments) {
    if (seg->next_offset() <= d.log_start || seg->max_timestamp().timestamp < ts) continue;
    if (auto found = seg->find_timestamp(ts)) {
      // The index names the batch; the exact record is found inside it (decompressing if need be).
      if (auto exact = record_in_batch(found->offset, [ts](std::span<const uint8_t> batch) {
            return protocol::first_record_at_or_after(batch, ts);
          }))
        *found = *exact;
      found->offset = std::max(found->offset, d.log_start);
      return found;
    }
  }
  return std::nullopt;
}

TimestampOffset PartitionLog::max_timestamp() const {
  const Impl& d = *impl_;
  TimestampOffset best;
  for (const auto& [base, seg] : d.segments) {
    TimestampOffset t = seg->max_timestamp();
    if (t.offset >= 0 && t.timestamp > best.timestamp) best = t;
  }
  if (best.offset >= 0)
    if (auto exact = record_in_batch(best.offset, [](std::span<const uint8_t> batch) {
          return protocol::max_timestamp_record(batch);
        }))
      best = *exact;
  if (best.offset >= 0) best.offset = std::max(best.offset, d.log_start);
  return best;
}

int64_t PartitionLog::log_start_offset() const { return impl_->log_start; }
int64_t PartitionLog::log_end_offset() const { return impl_->log_end(); }
int64_t PartitionLog::recovery_point() const { return impl_->recovery_point; }
bool PartitionLog::offline() const { return impl_->offline; }
void PartitionLog::take_offline(const std::string& reason) {
  errno = 0;
  impl_->fail(reason);
}

const std::string& PartitionLog::offline_reason() const { return impl_->offline_reason; }

int64_t PartitionLog::size_bytes() const {
  int64_t n = 0;
  for (const auto& [base, seg] : impl_->segments) n += static_cast<int64_t>(seg->size());
  return n;
}

FlushTicket PartitionLog::prepare_flush() {
  Impl& d = *impl_;
  FlushTicket t;
  if (d.offline) {
    // Promise nothing new: a caller that marks this ticket flushed gains nothing.
    t.end_offset = d.recovery_point;
    return t;
  }
  t.end_offset = d.log_end();
  // Every segment holding offsets at or above the recovery point: normally just the active one,
  // plus one just rolled, or all those validated (but not synced) by recovery.
  auto it = d.segments.upper_bound(d.recovery_point);
  if (it != d.segments.begin()) --it;
  for (; it != d.segments.end(); ++it) {
    if (it->second->next_offset() > d.recovery_point && !it->second->empty())
      t.files.push_back(it->second->file());
  }
  // Aborted-transaction entries written since the last ticket: durable with their markers. Any
  // segment may have one (the replay at open rewrites entries of older segments too).
  for (auto& [base, seg] : d.segments)
    if (auto f = seg->txn_index().take_unsynced()) t.files.push_back(std::move(f));
  if (d.dir_dirty) {
    t.files.push_back(d.dir_file);
    d.dir_dirty = false;
  }
  return t;
}

void PartitionLog::mark_flushed(int64_t end_offset, bool ok) {
  Impl& d = *impl_;
  if (!ok) {
    // The flusher thread saw the failure; its errno is gone by now.
    errno = 0;
    d.fail("fsync below offset " + std::to_string(end_offset) + " failed (group commit)");
    return;
  }
  if (d.offline) return;
  d.recovery_point = std::max(d.recovery_point, std::min(end_offset, d.log_end()));
}

StorageErrc PartitionLog::advance_log_start_offset(int64_t offset) {
  Impl& d = *impl_;
  if (d.offline) return StorageErrc::offline;
  if (offset > d.log_end()) return StorageErrc::offset_out_of_range;
  if (offset <= d.log_start) return StorageErrc::ok;
  // Checkpoint before deleting: a crash in between leaves files below the start, which the next
  // open deletes, never a start offset pointing at missing data.
  if (!write_offset_checkpoint(d.dir / kLogStartFile, offset))
    return d.fail(std::string("cannot write ") + kLogStartFile);
  d.log_start = offset;
  d.producers.remove_below(offset);
  if (!d.epochs.truncate_from_start(offset))
    return d.fail(std::string("cannot write ") + kLeaderEpochFile);
  while (d.segments.size() > 1 && std::next(d.segments.begin())->first <= offset)
    d.drop_oldest_segment();
  return StorageErrc::ok;
}

int PartitionLog::enforce_retention(int64_t now_ms) {
  Impl& d = *impl_;
  if (d.offline || !d.cfg.delete_retention) return 0;
  int64_t total = size_bytes();
  size_t victims = 0;
  for (auto it = d.segments.begin(); std::next(it) != d.segments.end(); ++it) {
    const Segment& seg = *it->second;
    const bool expired =
        d.cfg.retention_ms >= 0 && seg.retention_timestamp() < now_ms - d.cfg.retention_ms;
    const bool oversize = d.cfg.retention_bytes >= 0 &&
                          total - static_cast<int64_t>(seg.size()) >= d.cfg.retention_bytes;
    if (!expired && !oversize) break;
    total -= static_cast<int64_t>(seg.size());
    ++victims;
  }
  if (victims == 0) return 0;
  const int64_t new_start = std::max(
      d.log_start, std::next(d.segments.begin(), static_cast<std::ptrdiff_t>(victims))->first);
  if (new_start > d.log_start) {
    if (!write_offset_checkpoint(d.dir / kLogStartFile, new_start)) {
      d.fail(std::string("cannot write ") + kLogStartFile);
      return 0;
    }
    d.log_start = new_start;
    d.producers.remove_below(new_start);
    if (!d.epochs.truncate_from_start(new_start))
      d.fail(std::string("cannot write ") + kLeaderEpochFile);
  }
  for (size_t i = 0; i < victims; ++i) d.drop_oldest_segment();
  return static_cast<int>(victims);
}

StorageErrc PartitionLog::truncate_to(int64_t offset) {
  Impl& d = *impl_;
  if (d.offline) return StorageErrc::offline;
  if (offset < d.log_start) return StorageErrc::offset_out_of_range;
  if (offset >= d.log_end()) return StorageErrc::ok;
  // Aborted transactions whose marker is cut go with it (the replay below would drop them too,
  // but only from its start on).
  for (auto& [base, seg] : d.segments)
    if (seg->txn_index().truncate_from(offset) < 0)
      return d.fail("truncate " + segment_file_name(base, ".txnindex") + " to offset " +
                    std::to_string(offset));
  bool dropped = false;
  while (d.segments.size() > 1 && d.segments.rbegin()->first >= offset) {
    auto last = std::prev(d.segments.end());
    last->second->remove_files();
    d.segments.erase(last);
    dropped = true;
  }
  Segment& seg = d.active();
  const std::string name = segment_file_name(seg.base_offset(), ".log");
  if (!seg.truncate_to(offset))
    return d.fail("truncate " + name + " to offset " + std::to_string(offset));
  // Make the cut durable now: replicas rely on a truncation not coming undone.
  if (::fdatasync(seg.file()->fd()) != 0) return d.fail("fdatasync " + name + " after truncation");
  if (dropped && !fsync_dir(d.dir)) return d.fail("fsync of the directory after truncation");
  const int64_t end = d.log_end();
  d.recovery_point = std::min(d.recovery_point, end);
  if (d.log_start > end) {
    // The cut fell at the start of a batch that straddles the log start offset.
    if (!write_offset_checkpoint(d.dir / kLogStartFile, end))
      return d.fail(std::string("cannot write ") + kLogStartFile);
    d.log_start = end;
  }
  if (!d.epochs.truncate_from_end(end))
    return d.fail(std::string("cannot write ") + kLeaderEpochFile);
  // The cut batches' producer state goes with them: rebuilt from what is left.
  if (!d.load_producer_state(nullptr, nullptr))
    return d.fail("cannot read batch headers to rebuild producer state after truncation");
  return StorageErrc::ok;
}

void PartitionLog::assign_epoch(int32_t epoch, int64_t start_offset) {
  Impl& d = *impl_;
  if (d.offline) return;
  if (!d.epochs.assign(epoch, start_offset))
    d.fail(std::string("cannot write ") + kLeaderEpochFile);
}

int32_t PartitionLog::latest_epoch() const { return impl_->epochs.latest_epoch(); }

const ProducerStateTable& PartitionLog::producers() const { return impl_->producers; }

size_t PartitionLog::expire_producers(int64_t now_ms, int64_t expiration_ms) {
  return impl_->producers.expire(now_ms, expiration_ms);
}

void PartitionLog::update_config(const LogConfig& cfg) {
  impl_->cfg = cfg;
  for (auto& [base, seg] : impl_->segments) seg->set_index_interval(cfg.index_interval_bytes);
}

void PartitionLog::close() {
  Impl& d = *impl_;
  if (d.closed) return;
  d.closed = true;
  if (d.offline) return;
  FlushTicket t = prepare_flush();
  bool ok = t.sync();
  if (ok) d.recovery_point = d.log_end();
  d.active().seal();
  for (auto& [base, seg] : d.segments) seg->repair_index_files();
  ok = ok && write_offset_checkpoint(d.dir / kRecoveryPointFile, d.recovery_point);
  ok = ok && write_offset_checkpoint(d.dir / kLogStartFile, d.log_start);
  ok = ok && d.epochs.flush();
  // The next open then has no batch to replay. Not required for the marker: without it the
  // replay starts at the snapshot of the last roll.
  if (ok) (void)write_snapshot(d.dir, d.recovery_point, d.producers);
  // The marker vouches for everything above: write it last, and only if all of that succeeded.
  ok = ok && write_file_atomically(d.dir / kCleanShutdownFile, "");
  d.offline = true;  // closed: every later call is refused
}

void PartitionLog::remove() {
  close();
  impl_->offline = true;
  std::error_code ec;
  std::filesystem::remove_all(impl_->dir, ec);
}

}  // namespace sluice::storage
