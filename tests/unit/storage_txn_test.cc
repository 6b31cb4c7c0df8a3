// Transactions in storage: open transactions and the last stable offset they bound, COMMIT/ABORT
// markers (epoch checks, fencing), the aborted-transaction index (.txnindex) and how it survives
// crashes, truncation and retention.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "control_record.h"
#include "sluice/protocol/crc32c.h"
#include "sluice/protocol/endian.h"
#include "sluice/protocol/record_iterator.h"
#include "sluice/storage/partition_log.h"
#include "sluice/storage/producer_state.h"
#include "storage_test_util.h"
#include "txn_index.h"

namespace sluice::storage {
namespace {

using protocol::BatchHeader;
using testing::bytes_of;
using testing::make_batch;
using testing::read_file;
using testing::segment_name;
using testing::TempDir;
using testing::write_file;
namespace fs = std::filesystem;

constexpr int16_t kTransactional = 0x10;

// make_batch's batch with producer fields (and maybe the transactional bit) set, CRC recomputed.
std::string producer_batch(int records, int64_t pid, int16_t epoch, int32_t seq,
                           bool transactional) {
  std::string b = make_batch(records);
  auto* p = reinterpret_cast<uint8_t*>(b.data());
  protocol::store_be<int16_t>(p + 21, transactional ? kTransactional : 0);
  protocol::store_be<int64_t>(p + 43, pid);
  protocol::store_be<int16_t>(p + 51, epoch);
  protocol::store_be<int32_t>(p + 53, seq);
  protocol::store_be<uint32_t>(p + 17, protocol::crc32c({p + 21, b.size() - 21}));
  return b;
}

std::string txn_batch(int records, int64_t pid, int16_t epoch, int32_t seq) {
  return producer_batch(records, pid, epoch, seq, true);
}

BatchHeader txn_header(int records, int64_t pid, int16_t epoch, int32_t seq) {
  BatchHeader h;
  h.attributes = kTransactional;
  h.last_offset_delta = records - 1;
  h.producer_id = pid;
  h.producer_epoch = epoch;
  h.base_sequence = seq;
  h.max_timestamp = 1000;
  return h;
}

StorageResult<AppendInfo> append(PartitionLog& log, const std::string& batch) {
  auto buf = bytes_of(batch);
  return log.append(buf, 0, 1000, false);
}

StorageResult<AppendInfo> marker(PartitionLog& log, int64_t pid, int16_t epoch, bool commit) {
  return log.append_marker(pid, epoch, commit, /*coordinator_epoch=*/3, 0, 2000);
}

void flush(PartitionLog& log) {
  auto t = log.prepare_flush();
  ASSERT_TRUE(t.sync());
  log.mark_flushed(t.end_offset, true);
}

std::vector<AbortedTxn> aborted(const PartitionLog& log, int64_t from, int64_t upto) {
  return log.aborted_transactions(from, upto);
}

// --- ProducerStateTable ---

TEST(ProducerTxnState, TransactionalBatchOpensTheTransactionAtItsFirstOffset) {
  ProducerStateTable t;
  EXPECT_FALSE(t.first_unstable_offset());
  t.record(txn_header(3, 7, 0, 0), 100, 1);
  EXPECT_EQ(t.find(7)->current_txn_first_offset, 100);
  t.record(txn_header(2, 7, 0, 3), 105, 2);  // same transaction: the first offset stays
  EXPECT_EQ(t.find(7)->current_txn_first_offset, 100);
  t.record(txn_header(1, 8, 0, 0), 103, 2);
  EXPECT_EQ(t.first_unstable_offset(), 100);
  EXPECT_EQ(t.end_transaction(7, 0, 110, 3), 100);
  EXPECT_EQ(t.find(7)->current_txn_first_offset, -1);
  EXPECT_EQ(t.first_unstable_offset(), 103);
  EXPECT_EQ(t.end_transaction(7, 0, 111, 3), -1) << "no transaction was open any more";
  EXPECT_EQ(t.end_transaction(8, 0, 112, 3), 103);
  EXPECT_FALSE(t.first_unstable_offset());
}

// The broker's own transactional writes (offset commits) carry no sequence: only the epoch is
// checked, nothing is remembered for duplicate detection, but the transaction opens.
TEST(ProducerTxnState, NoSequenceBatchesSkipTheSequenceCheckButNotTheEpochCheck) {
  ProducerStateTable t;
  t.record(txn_header(2, 7, 3, 0), 10, 1);
  t.end_transaction(7, 3, 12, 1);
  EXPECT_EQ(t.check(txn_header(1, 7, 3, -1)).check, SequenceCheck::accept);
  t.record(txn_header(1, 7, 3, -1), 13, 2);
  EXPECT_EQ(t.check(txn_header(1, 7, 3, -1)).check, SequenceCheck::accept) << "no duplicate";
  EXPECT_EQ(t.find(7)->batches.size(), 1u) << "a batch without a sequence was remembered";
  EXPECT_EQ(t.find(7)->current_txn_first_offset, 13);
  EXPECT_EQ(t.check(txn_header(1, 7, 2, -1)).check, SequenceCheck::invalid_producer_epoch);
  EXPECT_EQ(t.check(txn_header(1, 7, 4, -1)).check, SequenceCheck::accept);
  // A producer only known by such batches still has its epoch and transaction.
  t.record(txn_header(1, 9, 1, -1), 20, 5);
  EXPECT_EQ(t.find(9)->epoch, 1);
  EXPECT_TRUE(t.find(9)->batches.empty());
  EXPECT_EQ(t.find(9)->current_txn_first_offset, 20);
  EXPECT_EQ(t.find(9)->last_append_ms(), 5);
}

TEST(ProducerTxnState, MarkerEpochRules) {
  ProducerStateTable t;
  t.record(txn_header(1, 7, 5, 0), 0, 1);
  EXPECT_EQ(t.check_marker(7, 4), SequenceCheck::invalid_producer_epoch);
  EXPECT_EQ(t.check_marker(7, 5), SequenceCheck::accept);
  EXPECT_EQ(t.check_marker(99, 0), SequenceCheck::accept) << "unknown producer";
  t.end_transaction(7, 6, 1, 2);  // the coordinator bumped the epoch
  EXPECT_EQ(t.find(7)->epoch, 6);
  EXPECT_TRUE(t.find(7)->batches.empty()) << "the new epoch starts at sequence 0";
  EXPECT_EQ(t.check(txn_header(1, 7, 5, 1)).check, SequenceCheck::invalid_producer_epoch);
}

TEST(ProducerTxnState, OpenTransactionsNeverExpireNorGoWithRetention) {
  ProducerStateTable t;
  t.record(txn_header(1, 7, 0, 0), 0, 1);
  t.record(txn_header(1, 8, 0, 0), 1, 1);
  t.end_transaction(8, 0, 2, 1);
  EXPECT_EQ(t.expire(1'000'000, 10), 1u);
  EXPECT_TRUE(t.find(7));
  EXPECT_FALSE(t.find(8));
  t.remove_below(100);
  EXPECT_TRUE(t.find(7)) << "an open transaction is closed by its marker only";
  t.end_transaction(7, 0, 3, 1);
  EXPECT_EQ(t.expire(1'000'000, 10), 1u);
}

TEST(ProducerTxnState, SnapshotKeepsOpenTransactionsAndBatchlessProducers) {
  ProducerStateTable t;
  t.record(txn_header(2, 7, 1, 0), 10, 1);
  t.record(txn_header(2, 7, 1, 2), 12, 2);
  t.record(txn_header(1, 8, 2, -1), 14, 3);  // no batch remembered, transaction open
  t.end_transaction(9, 4, 15, 4);            // known only by a marker's epoch
  auto lines = t.to_snapshot();
  for (const auto& l : lines) EXPECT_EQ(l.size(), ProducerStateTable::kSnapshotFields);
  ProducerStateTable back;
  ASSERT_TRUE(back.from_snapshot(lines));
  EXPECT_EQ(back.size(), 3u);
  EXPECT_EQ(back.find(7)->current_txn_first_offset, 10);
  EXPECT_EQ(back.find(7)->batches.size(), 2u);
  EXPECT_EQ(back.find(8)->current_txn_first_offset, 14);
  EXPECT_EQ(back.find(8)->epoch, 2);
  EXPECT_TRUE(back.find(8)->batches.empty());
  EXPECT_EQ(back.find(9)->epoch, 4);
  EXPECT_EQ(back.find(9)->current_txn_first_offset, -1);
  EXPECT_EQ(back.find(9)->last_append_ms(), 4);
  EXPECT_EQ(back.first_unstable_offset(), 10);
  // The previous, 7-field format is not taken for this one.
  auto old = lines;
  for (auto& l : old) l.pop_back();
  EXPECT_FALSE(back.from_snapshot(old));
  EXPECT_EQ(back.size(), 0u);
}

// --- PartitionLog ---

TEST(TxnLog, OpenTransactionBoundsTheFirstUnstableOffsetUntilItsCommit) {
  TempDir dir;
  auto log = PartitionLog::open(dir.path(), {});
  ASSERT_TRUE(append(*log, make_batch(2)).ok());
  ASSERT_TRUE(append(*log, txn_batch(3, 7, 0, 0)).ok());  // offsets 2..4
  ASSERT_TRUE(append(*log, make_batch(1)).ok());
  EXPECT_EQ(log->first_unstable_offset(), 2);
  auto m = marker(*log, 7, 0, /*commit=*/true);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m.value.base_offset, 6);
  EXPECT_EQ(m.value.last_offset, 6);
  EXPECT_FALSE(log->first_unstable_offset());
  EXPECT_TRUE(aborted(*log, 0, 100).empty()) << "a commit is no aborted transaction";
  EXPECT_FALSE(fs::exists(dir.path() / segment_name(0, ".txnindex")));
  log->close();
}

// The marker as stored is Kafka's control batch.
TEST(TxnLog, MarkerIsKafkasControlBatch) {
  TempDir dir;
  auto log = PartitionLog::open(dir.path(), {});
  ASSERT_TRUE(append(*log, txn_batch(1, 7, 2, 0)).ok());
  ASSERT_TRUE(log->append_marker(7, 2, /*commit=*/false, /*coordinator_epoch=*/9, 0, 4242).ok());
  auto r = log->read(1, 1 << 20, log->log_end_offset());
  ASSERT_TRUE(r.ok());
  std::string bytes;
  ASSERT_TRUE(r.value.slice.read_into(bytes));
  auto span = std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  BatchHeader h;
  ASSERT_EQ(protocol::validate_batch(span, span.size(), true, &h), protocol::BatchError::ok);
  EXPECT_EQ(h.base_offset, 1);
  EXPECT_EQ(h.attributes, 0x30);
  EXPECT_EQ(h.producer_id, 7);
  EXPECT_EQ(h.producer_epoch, 2);
  EXPECT_EQ(h.base_sequence, -1);
  EXPECT_EQ(h.max_timestamp, 4242);
  int n = 0;
  protocol::for_each_record(span, 1 << 20, [&](const protocol::Record& rec) {
    ++n;
    EXPECT_EQ(rec.key.size(), 4u);
    EXPECT_EQ(protocol::load_be<int16_t>(rec.key.data()), 0);
    EXPECT_EQ(protocol::load_be<int16_t>(rec.key.data() + 2), 0) << "ABORT";
    EXPECT_EQ(rec.value.size(), 6u);
    EXPECT_EQ(protocol::load_be<int16_t>(rec.value.data()), 0);
    EXPECT_EQ(protocol::load_be<int32_t>(rec.value.data() + 2), 9);
    return true;
  });
  EXPECT_EQ(n, 1);
  EXPECT_EQ(control_record_type(span), 0);
  log->close();
}

TEST(TxnLog, AbortIsIndexedAndReportedForOverlappingRangesOnly) {
  TempDir dir;
  auto log = PartitionLog::open(dir.path(), {});
  ASSERT_TRUE(append(*log, make_batch(5)).ok());           // 0..4
  ASSERT_TRUE(append(*log, txn_batch(2, 7, 0, 0)).ok());   // 5..6
  ASSERT_TRUE(append(*log, txn_batch(1, 8, 0, 0)).ok());   // 7
  ASSERT_TRUE(append(*log, make_batch(2)).ok());           // 8..9
  ASSERT_TRUE(marker(*log, 7, 0, /*commit=*/false).ok());  // 10
  EXPECT_EQ(log->first_unstable_offset(), 7);
  ASSERT_TRUE(append(*log, make_batch(1)).ok());           // 11
  ASSERT_TRUE(marker(*log, 8, 0, /*commit=*/false).ok());  // 12

  const std::vector<AbortedTxn> both{{7, 5}, {8, 7}};
  EXPECT_EQ(aborted(*log, 0, 100), both);
  EXPECT_EQ(aborted(*log, 0, 5), std::vector<AbortedTxn>{}) << "ends before the first";
  EXPECT_EQ(aborted(*log, 0, 6), (std::vector<AbortedTxn>{{7, 5}}));
  EXPECT_EQ(aborted(*log, 10, 11), both) << "the markers' offsets belong to them";
  EXPECT_EQ(aborted(*log, 11, 12), (std::vector<AbortedTxn>{{8, 7}}));
  EXPECT_EQ(aborted(*log, 13, 20), std::vector<AbortedTxn>{});

  // The file holds both entries in Kafka's 34-byte layout.
  std::string idx = read_file(dir.path() / segment_name(0, ".txnindex"));
  ASSERT_EQ(idx.size(), 2 * TransactionIndex::kEntrySize);
  auto* p = reinterpret_cast<const uint8_t*>(idx.data());
  EXPECT_EQ(protocol::load_be<int16_t>(p), 0);
  EXPECT_EQ(protocol::load_be<int64_t>(p + 2), 7);
  EXPECT_EQ(protocol::load_be<int64_t>(p + 10), 5);
  EXPECT_EQ(protocol::load_be<int64_t>(p + 18), 10);
  EXPECT_EQ(protocol::load_be<int64_t>(p + 26), 7) << "producer 8's transaction was still open";
  EXPECT_EQ(protocol::load_be<int64_t>(p + 34 + 26), 13) << "none open: just past the marker";
  log->close();
}

TEST(TxnLog, MarkerOfAnOlderEpochIsRefusedAndANewerOneFences) {
  TempDir dir;
  auto log = PartitionLog::open(dir.path(), {});
  ASSERT_TRUE(append(*log, txn_batch(1, 7, 3, 0)).ok());
  EXPECT_EQ(marker(*log, 7, 2, true).error, StorageErrc::invalid_producer_epoch);
  EXPECT_EQ(log->log_end_offset(), 1) << "a refused marker was written";
  EXPECT_EQ(log->first_unstable_offset(), 0);
  // The coordinator aborts with a bumped epoch: the zombie's later batches are refused.
  ASSERT_TRUE(marker(*log, 7, 4, false).ok());
  EXPECT_EQ(log->producers().find(7)->epoch, 4);
  EXPECT_EQ(append(*log, txn_batch(1, 7, 3, 1)).error, StorageErrc::invalid_producer_epoch);
  EXPECT_EQ(append(*log, producer_batch(1, 7, 3, 1, false)).error,
            StorageErrc::invalid_producer_epoch);
  EXPECT_TRUE(append(*log, txn_batch(1, 7, 4, 0)).ok());
  log->close();
}

TEST(TxnLog, MarkerWithoutAnOpenTransactionIsWrittenWithoutAnEntry) {
  TempDir dir;
  auto log = PartitionLog::open(dir.path(), {});
  auto m = marker(*log, 7, 0, /*commit=*/false);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(log->log_end_offset(), 1);
  EXPECT_TRUE(aborted(*log, 0, 10).empty());
  EXPECT_FALSE(fs::exists(dir.path() / segment_name(0, ".txnindex")));
  log->close();
}

TEST(TxnLog, ClientsCannotAppendControlBatches) {
  TempDir dir;
  auto log = PartitionLog::open(dir.path(), {});
  std::string b = txn_marker_batch(7, 0, true, 0, 1000);
  EXPECT_EQ(append(*log, b).error, StorageErrc::invalid_argument);
  EXPECT_EQ(log->log_end_offset(), 0);
  log->close();
}

// The .txnindex is durable with its marker: the same flush ticket syncs it.
TEST(TxnLog, FlushTicketCoversTheTxnIndex) {
  TempDir dir;
  auto log = PartitionLog::open(dir.path(), {});
  ASSERT_TRUE(append(*log, txn_batch(1, 7, 0, 0)).ok());
  flush(*log);
  ASSERT_TRUE(marker(*log, 7, 0, /*commit=*/false).ok());
  auto t = log->prepare_flush();
  // The segment, the new .txnindex, and the directory that gained it.
  EXPECT_EQ(t.files.size(), 3u);
  ASSERT_TRUE(t.sync());
  log->mark_flushed(t.end_offset, true);
  ASSERT_TRUE(append(*log, txn_batch(1, 7, 0, 1)).ok());
  ASSERT_TRUE(marker(*log, 7, 0, /*commit=*/true).ok());
  EXPECT_EQ(log->prepare_flush().files.size(), 1u) << "a commit writes no entry";
  log->close();
}

// A crash (no close) after an ABORT: the replay re-derives the entry (even when the .txnindex
// write never reached the disk) and the transactions still open.
TEST(TxnLog, CrashAfterAbortRebuildsIndexAndOpenTransactionsByReplay) {
  TempDir dir;
  {
    auto log = PartitionLog::open(dir.path(), {});
    ASSERT_TRUE(append(*log, txn_batch(2, 7, 0, 0)).ok());  // 0..1
    ASSERT_TRUE(append(*log, txn_batch(1, 8, 0, 0)).ok());  // 2
    ASSERT_TRUE(marker(*log, 7, 0, false).ok());            // 3
    flush(*log);
  }
  fs::remove(dir.path() / segment_name(0, ".txnindex"));  // as if its write was lost
  RecoveryReport rep;
  auto log = PartitionLog::open(dir.path(), {}, &rep);
  EXPECT_FALSE(rep.clean_shutdown);
  EXPECT_EQ(rep.txn_index.markers_replayed, 1);
  EXPECT_EQ(rep.txn_index.entries_rebuilt, 1);
  EXPECT_EQ(rep.txn_index.open_transactions, 1);
  EXPECT_EQ(aborted(*log, 0, 10), (std::vector<AbortedTxn>{{7, 0}}));
  EXPECT_EQ(log->first_unstable_offset(), 2);
  EXPECT_EQ(log->producers().find(8)->current_txn_first_offset, 2);
  EXPECT_EQ(read_file(dir.path() / segment_name(0, ".txnindex")).size(),
            TransactionIndex::kEntrySize)
      << "the rebuilt entry is written back";
  log->close();
}

// With the entry already on disk, the replay drops and re-adds it rather than doubling it.
TEST(TxnLog, CrashReplayDoesNotDuplicateStoredEntries) {
  TempDir dir;
  {
    auto log = PartitionLog::open(dir.path(), {});
    ASSERT_TRUE(append(*log, txn_batch(2, 7, 0, 0)).ok());
    ASSERT_TRUE(marker(*log, 7, 0, false).ok());
    flush(*log);
  }
  RecoveryReport rep;
  auto log = PartitionLog::open(dir.path(), {}, &rep);
  EXPECT_EQ(rep.txn_index.entries_dropped, 1);
  EXPECT_EQ(rep.txn_index.entries_rebuilt, 1);
  EXPECT_EQ(aborted(*log, 0, 10).size(), 1u);
  EXPECT_EQ(read_file(dir.path() / segment_name(0, ".txnindex")).size(),
            TransactionIndex::kEntrySize);
  log->close();
}

// A clean close snapshots the open transaction: nothing is replayed, it is still open.
TEST(TxnLog, OpenTransactionSurvivesACleanRestartThroughTheSnapshot) {
  TempDir dir;
  {
    auto log = PartitionLog::open(dir.path(), {});
    ASSERT_TRUE(append(*log, make_batch(1)).ok());
    ASSERT_TRUE(append(*log, txn_batch(2, 7, 0, 0)).ok());
    log->close();
  }
  RecoveryReport rep;
  auto log = PartitionLog::open(dir.path(), {}, &rep);
  EXPECT_EQ(rep.producers.snapshot_offset, 3);
  EXPECT_EQ(rep.producers.batches_replayed, 0);
  EXPECT_EQ(log->first_unstable_offset(), 1);
  ASSERT_TRUE(marker(*log, 7, 0, false).ok());
  EXPECT_EQ(aborted(*log, 0, 10), (std::vector<AbortedTxn>{{7, 1}}));
  log->close();
}

TEST(TxnLog, TruncationDropsEntriesWhoseMarkerGoes) {
  TempDir dir;
  auto log = PartitionLog::open(dir.path(), {});
  ASSERT_TRUE(append(*log, txn_batch(1, 7, 0, 0)).ok());  // 0
  ASSERT_TRUE(marker(*log, 7, 0, false).ok());            // 1
  ASSERT_TRUE(append(*log, txn_batch(1, 8, 0, 0)).ok());  // 2
  ASSERT_TRUE(marker(*log, 8, 0, false).ok());            // 3
  ASSERT_EQ(aborted(*log, 0, 10).size(), 2u);
  ASSERT_EQ(log->truncate_to(3), StorageErrc::ok);
  EXPECT_EQ(aborted(*log, 0, 10), (std::vector<AbortedTxn>{{7, 0}}));
  EXPECT_EQ(read_file(dir.path() / segment_name(0, ".txnindex")).size(),
            TransactionIndex::kEntrySize);
  EXPECT_EQ(log->first_unstable_offset(), 2) << "producer 8's transaction is open again";
  log->close();
}

TEST(TxnLog, TornTxnIndexIsCutAndReported) {
  TempDir dir;
  {
    auto log = PartitionLog::open(dir.path(), {});
    ASSERT_TRUE(append(*log, txn_batch(1, 7, 0, 0)).ok());
    ASSERT_TRUE(marker(*log, 7, 0, false).ok());
    log->close();
  }
  const fs::path idx = dir.path() / segment_name(0, ".txnindex");
  write_file(idx, read_file(idx) + std::string(10, '\x01'));  // half an entry
  RecoveryReport rep;
  auto log = PartitionLog::open(dir.path(), {}, &rep);
  EXPECT_TRUE(rep.clean_shutdown);
  EXPECT_EQ(rep.txn_index.cut_bytes, 10);
  EXPECT_EQ(rep.txn_index.files_cut, 1);
  EXPECT_EQ(rep.txn_index.first_cut_segment, 0);
  // The snapshot at close is newer than the damaged segment: the replay starts before it, so
  // that whatever the cut took is read back from the markers.
  EXPECT_EQ(rep.producers.snapshot_offset, -1);
  EXPECT_EQ(rep.txn_index.entries_dropped, 1);
  EXPECT_EQ(rep.txn_index.entries_rebuilt, 1);
  EXPECT_EQ(fs::file_size(idx), TransactionIndex::kEntrySize);
  EXPECT_EQ(aborted(*log, 0, 10), (std::vector<AbortedTxn>{{7, 0}}));
  log->close();
}

// An entry lost to the cut whose marker lies before the newest snapshot is rebuilt too.
TEST(TxnLog, EntryCutBeforeTheNewestSnapshotIsRebuilt) {
  TempDir dir;
  LogConfig cfg;
  cfg.segment_bytes = 200;  // the marker's segment is sealed and a snapshot follows it
  {
    auto log = PartitionLog::open(dir.path(), cfg);
    ASSERT_TRUE(append(*log, txn_batch(1, 7, 0, 0)).ok());
    ASSERT_TRUE(marker(*log, 7, 0, false).ok());
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(append(*log, make_batch(1)).ok());
    log->close();
  }
  const fs::path idx = dir.path() / segment_name(0, ".txnindex");
  write_file(idx, read_file(idx).substr(0, 20));  // the entry's write was torn
  RecoveryReport rep;
  auto log = PartitionLog::open(dir.path(), cfg, &rep);
  EXPECT_EQ(rep.txn_index.cut_bytes, 20);
  EXPECT_EQ(rep.txn_index.entries_rebuilt, 1);
  EXPECT_EQ(aborted(*log, 0, 100), (std::vector<AbortedTxn>{{7, 0}}));
  log->close();
}

TEST(TxnLog, RetentionAndDeleteRecordsDeleteTheTxnIndex) {
  TempDir dir;
  LogConfig cfg;
  cfg.segment_bytes = 200;  // one or two batches per segment
  cfg.retention_bytes = 1;
  auto log = PartitionLog::open(dir.path(), cfg);
  ASSERT_TRUE(append(*log, txn_batch(1, 7, 0, 0)).ok());
  ASSERT_TRUE(marker(*log, 7, 0, false).ok());
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(append(*log, make_batch(1)).ok());
  const fs::path idx = dir.path() / segment_name(0, ".txnindex");
  ASSERT_TRUE(fs::exists(idx));
  EXPECT_GT(log->enforce_retention(10'000), 0);
  EXPECT_FALSE(fs::exists(idx));
  EXPECT_TRUE(aborted(*log, 0, 100).empty());

  // DeleteRecords past a segment holding an ABORT.
  ASSERT_TRUE(append(*log, txn_batch(1, 8, 0, 0)).ok());
  auto m = marker(*log, 8, 0, false);
  ASSERT_TRUE(m.ok());
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(append(*log, make_batch(1)).ok());
  int64_t marker_segment = -1;
  for (const auto& e : fs::directory_iterator(dir.path()))
    if (e.path().extension() == ".txnindex") marker_segment = std::stoll(e.path().stem().string());
  ASSERT_GE(marker_segment, 0);
  ASSERT_EQ(log->advance_log_start_offset(log->log_end_offset()), StorageErrc::ok);
  EXPECT_FALSE(fs::exists(dir.path() / segment_name(marker_segment, ".txnindex")));
  log->close();
}

}  // namespace
}  // namespace sluice::storage
