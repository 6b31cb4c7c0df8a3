#include "sluice/storage/flusher.h"

#include <unistd.h>

#include <cerrno>
#include <unordered_map>

namespace sluice::storage {

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
    // One fdatasync per distinct file covers every ticket of the round that names it: the
    // group commit. Every file is synced before any waiter hears back.
    std::unordered_map<const SegmentFile*, bool> synced;
    for (const auto& [ticket, done] : round) {
      for (const auto& f : ticket.files) {
        auto [it, fresh] = synced.try_emplace(f.get(), true);
        if (!fresh) continue;
        int r;
        do r = ::fdatasync(f->fd());
        while (r != 0 && errno == EINTR);
        it->second = r == 0;
      }
    }
    for (auto& [ticket, done] : round) {
      bool ok = true;
      for (const auto& f : ticket.files) ok = ok && synced[f.get()];
      if (done) done(ok);
    }
  }
}

}  // namespace sluice::storage
