#include "sluice/storage/flusher.h"

#include <unistd.h>

#include <cerrno>
#include <unordered_map>
#include <vector>

namespace sluice::storage {
namespace {

// Above this many files in one round, syncfs replaces the per-file fdatasyncs.
constexpr size_t kSyncfsThreshold = 8;

template <typename F>
bool retry_eintr(F call) {
  int r;
  do r = call();
  while (r != 0 && errno == EINTR);
  return r == 0;
}

}  // namespace

Flusher::Flusher() : thread_([this] { run(); }) {}

Flusher::~Flusher() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

void Flusher::submit(FlushTicket ticket, Done done) {
  {
    std::lock_guard lock(mu_);
    pending_.emplace_back(std::move(ticket), std::move(done));
  }
  cv_.notify_one();
}

void Flusher::run() {
  for (;;) {
    std::deque<std::pair<FlushTicket, Done>> round;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stop_ || !pending_.empty(); });
      if (pending_.empty()) return;  // stop_ and drained
      round.swap(pending_);
    }
    // One sync per distinct file covers every ticket of the round that names it: the group
    // commit. Every file is synced before any waiter hears back.
    std::unordered_map<const SegmentFile*, bool> synced;
    std::vector<const SegmentFile*> files;
    for (const auto& [ticket, done] : round)
      for (const auto& f : ticket.files)
        if (synced.try_emplace(f.get(), false).second) files.push_back(f.get());
    if (files.size() > kSyncfsThreshold) {
      // Many partitions at once: one syncfs (a single journal commit and cache flush for the
      // data dir's filesystem) is far cheaper than one fdatasync per file. Every log of a node
      // lives under its one data dir, hence on one filesystem.
      bool ok = retry_eintr([&] { return ::syncfs(files.front()->fd()); });
      for (auto* f : files) synced[f] = ok;
    } else {
      for (auto* f : files) synced[f] = retry_eintr([&] { return ::fdatasync(f->fd()); });
    }
    for (auto& [ticket, done] : round) {
      bool ok = true;
      for (const auto& f : ticket.files) ok = ok && synced[f.get()];
      if (done) done(ok);
    }
  }
}

}  // namespace sluice::storage
