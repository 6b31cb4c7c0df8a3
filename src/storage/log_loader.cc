// PartitionLog::open: finds the segments in a partition directory, decides which are trusted and
// which must be validated batch by batch, cuts a torn or corrupt tail, and restores the log start
// offset, recovery point and leader epochs from their checkpoints.
//
// Recovery rules (docs/storage-format.md has the full statement):
//  - after a clean shutdown (marker present) every segment is trusted: only its indexes are
//    checked, and rebuilt from batch headers on doubt;
//  - otherwise every segment from the one holding the recovery point onward (at least the last
//    one) is validated; the log is cut at the first invalid batch or offset discontinuity and all
//    later segments are deleted;
//  - a trusted segment whose batch headers turn out inconsistent is validated after all, and so
//    is every segment after it.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "file_util.h"
#include "partition_log_impl.h"
#include "sluice/storage/checkpoint_file.h"

namespace sluice::storage {
namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail_open(const fs::path& dir, const std::string& what) {
  throw std::runtime_error("sluice storage: cannot open log " + dir.string() + ": " + what);
}

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The base offset of "<20 digits><suffix>" names for the index suffixes.
std::optional<int64_t> parse_index_name(const std::string& name) {
  for (std::string_view suffix : {".index", ".timeindex", ".txnindex"}) {
    if (name.size() == 20 + suffix.size() && ends_with(name, suffix))
      return parse_segment_name(name.substr(0, 20) + ".log");
  }
  return std::nullopt;
}

// Lists segment base offsets in ascending order and removes leftovers: temporary files of
// interrupted checkpoint writes or compaction, and indexes without a log.
std::vector<int64_t> scan_directory(const fs::path& dir) {
  std::vector<int64_t> bases;
  std::vector<std::pair<int64_t, fs::path>> indexes;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (ends_with(name, ".tmp") || ends_with(name, ".cleaned") || ends_with(name, ".deleted") ||
        ends_with(name, ".swap")) {
      fs::remove(it->path(), ec);
      ec.clear();
    } else if (auto base = parse_segment_name(name)) {
      bases.push_back(*base);
    } else if (auto ibase = parse_index_name(name)) {
      indexes.emplace_back(*ibase, it->path());
    }
  }
  if (ec) fail_open(dir, "cannot list directory: " + ec.message());
  std::sort(bases.begin(), bases.end());
  for (const auto& [base, path] : indexes) {
    if (!std::binary_search(bases.begin(), bases.end(), base)) fs::remove(path, ec);
  }
  return bases;
}

uint64_t size_of(const fs::path& p) {
  std::error_code ec;
  auto n = fs::file_size(p, ec);
  return ec ? 0 : n;
}

void remove_segment_files(const fs::path& dir, int64_t base) {
  for (const char* suffix : {".log", ".index", ".timeindex", ".txnindex"})
    ::unlink((dir / segment_file_name(base, suffix)).c_str());
}

class Loader {
 public:
  Loader(PartitionLog::Impl& log, RecoveryReport& report) : log_(log), report_(report) {}

  void run() {
    const fs::path& dir = log_.dir;
    std::vector<int64_t> bases = scan_directory(dir);

    const fs::path marker = dir / kCleanShutdownFile;
    report_.clean_shutdown = fs::exists(marker);
    if (report_.clean_shutdown) {
      // The marker must be gone durably before anything is appended, or a crash later would
      // make the next open trust a tail that was never synced.
      if (::unlink(marker.c_str()) != 0 || !fsync_dir(dir))
        fail_open(dir, "cannot remove clean-shutdown marker: " + errno_text());
    }
    auto ckpt_start = read_offset_checkpoint(dir / kLogStartFile);
    auto ckpt_recovery = read_offset_checkpoint(dir / kRecoveryPointFile);
    (void)log_.epochs.load();  // a malformed cache starts empty; it is only advisory here

    if (bases.empty()) {
      create_first_segment(ckpt_start.value_or(0));
    } else {
      load_segments(bases, report_.clean_shutdown
                               ? std::nullopt
                               : std::optional<int64_t>(ckpt_recovery.value_or(0)));
    }

    const int64_t first_base = log_.segments.begin()->first;
    const int64_t end = log_.log_end();
    log_.log_start = std::min(std::max(ckpt_start.value_or(first_base), first_base), end);
    while (log_.segments.size() > 1 && std::next(log_.segments.begin())->first <= log_.log_start)
      log_.drop_oldest_segment();
    log_.recovery_point = report_.clean_shutdown ? end : std::min(ckpt_recovery.value_or(0), end);
    if (!log_.epochs.truncate_from_end(end) || !log_.epochs.truncate_from_start(log_.log_start))
      fail_open(dir, "cannot write " + std::string(kLeaderEpochFile) + ": " + errno_text());
    report_.segments = static_cast<int>(log_.segments.size());
    if (!log_.load_producer_state(&report_.producers, &report_.txn_index))
      fail_open(dir, "cannot read batch headers to rebuild producer state: " + errno_text());
  }

 private:
  void create_first_segment(int64_t base) {
    std::string err;
    auto seg = Segment::create(log_.dir, base, &err);
    if (!seg) fail_open(log_.dir, err);
    seg->set_index_interval(log_.cfg.index_interval_bytes);
    log_.segments.emplace(base, std::move(seg));
    if (!fsync_dir(log_.dir)) fail_open(log_.dir, "fsync: " + errno_text());
  }

  // recovery_point: nullopt after a clean shutdown, else where validation must start.
  void load_segments(const std::vector<int64_t>& bases, std::optional<int64_t> recovery_point) {
    int64_t validate_from = INT64_MAX;
    if (recovery_point) {
      // The segment holding the recovery point, but never later than the last segment.
      auto it = std::upper_bound(bases.begin(), bases.end(), *recovery_point);
      validate_from = it == bases.begin() ? bases.front() : *std::prev(it);
      validate_from = std::min(validate_from, bases.back());
    }
    std::optional<int64_t> expected_base;  // previous segment's next offset
    bool cut = false;
    bool deleted = false;
    for (int64_t base : bases) {
      if (cut || (expected_base && base != *expected_base)) {
        // After a cut, or a gap/overlap in offsets: nothing here can be trusted to follow on.
        cut = true;
        deleted = true;
        report_.truncated_bytes +=
            static_cast<int64_t>(size_of(log_.dir / segment_file_name(base, ".log")));
        remove_segment_files(log_.dir, base);
        continue;
      }
      std::string err;
      auto seg = Segment::open(log_.dir, base, &err);
      if (!seg) fail_open(log_.dir, err);
      uint64_t txn_cut = 0;
      if (!seg->txn_index().load(&txn_cut))
        fail_open(log_.dir,
                  "cannot read " + segment_file_name(base, ".txnindex") + ": " + errno_text());
      if (txn_cut > 0) {
        report_.txn_index.cut_bytes += static_cast<int64_t>(txn_cut);
        if (report_.txn_index.files_cut++ == 0) report_.txn_index.first_cut_segment = base;
      }
      seg->set_index_interval(log_.cfg.index_interval_bytes);
      bool validate = base >= validate_from;
      if (!validate) {
        bool rebuilt = false;
        if (seg->load(&rebuilt)) {
          report_.indexes_rebuilt += rebuilt ? 1 : 0;
        } else {
          validate = true;
          validate_from = base;  // and everything after it
        }
      }
      if (validate) {
        int64_t n = seg->recover();
        if (n < 0)
          fail_open(log_.dir,
                    "cannot recover " + segment_file_name(base, ".log") + ": " + errno_text());
        ++report_.indexes_rebuilt;
        report_.truncated_bytes += n;
        cut = n > 0;
      }
      expected_base = seg->next_offset();
      log_.segments.emplace(base, std::move(seg));
    }
    // Deleted segments must stay deleted: if they came back after a crash, once the log had grown
    // to their base offset again they would look like a valid continuation.
    if (deleted && !fsync_dir(log_.dir)) fail_open(log_.dir, "fsync: " + errno_text());
  }

  PartitionLog::Impl& log_;
  RecoveryReport& report_;
};

}  // namespace

std::unique_ptr<PartitionLog> PartitionLog::open(const fs::path& dir, const LogConfig& cfg,
                                                 RecoveryReport* report) {
  std::error_code ec;
  const bool created = fs::create_directories(dir, ec);
  if (ec) fail_open(dir, "cannot create directory: " + ec.message());
  // The new directory's entry in its parent must be durable before anything in it is
  // acknowledged, or a power loss could take the whole partition with it.
  if (created && !fsync_dir(dir.parent_path()))
    fail_open(dir, "fsync of parent directory: " + errno_text());
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) fail_open(dir, errno_text());
  auto impl = std::make_unique<Impl>(dir, cfg);
  impl->dir_file = std::make_shared<SegmentFile>(dfd);
  RecoveryReport local;
  if (report) *report = RecoveryReport{};
  Loader(*impl, report ? *report : local).run();
  return std::unique_ptr<PartitionLog>(new PartitionLog(std::move(impl)));
}

}  // namespace sluice::storage
