#pragma once
// One event loop per core (shared-nothing). Shard 0 is the loop the daemon's main thread runs;
// it also hosts the control plane (topic lifecycle, metadata, groups). Shards 1..N-1 each run on
// a thread of their own. Whatever a shard owns (partitions, connections) is touched only by its
// thread; other shards reach it by posting a function to its loop, never through a lock.
//
// Invariant: only the control shard (0) ever waits for another shard (run_on), and no shard ever
// waits for the control shard, so waits cannot form a cycle.
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <atomic>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

namespace sluice::broker {

class ShardSet {
 public:
  // `control` is shard 0's loop, run by the caller. Threads for the other shards start at once.
  ShardSet(asio::io_context& control, unsigned count);
  ~ShardSet();
  ShardSet(const ShardSet&) = delete;
  ShardSet& operator=(const ShardSet&) = delete;

  unsigned count() const { return static_cast<unsigned>(loops_.size()); }
  asio::io_context& io(unsigned shard) { return *loops_[shard]; }
  // The shard whose loop runs on this thread; 0 on threads that run no shard.
  static unsigned current();

  // Queues fn on the shard's loop; it runs after everything queued there before.
  template <typename F>
  void post(unsigned shard, F&& fn) {
    asio::post(*loops_[shard], std::forward<F>(fn));
  }
  // Runs fn on the shard and returns when it has run (inline when the shard is this thread's,
  // or once the shards are stopped). Called from the control shard only.
  void run_on(unsigned shard, const std::function<void()>& fn);
  // Stops the loops of shards 1..N-1 and joins their threads; what they had queued is dropped.
  void stop();

 private:
  using Guard = asio::executor_work_guard<asio::io_context::executor_type>;
  std::vector<asio::io_context*> loops_;
  std::vector<std::unique_ptr<asio::io_context>> owned_;
  std::vector<Guard> guards_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopped_ = false;
};

// Shards to run when num.shards is 0: one per CPU the process may use.
unsigned default_shard_count();

}  // namespace sluice::broker
