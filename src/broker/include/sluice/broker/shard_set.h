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
  // Threads for shards 1..count-1 start at once; the caller runs shard 0's loop (io(0).run()).
  explicit ShardSet(unsigned count);
  // Stops, then destroys what is still queued on every loop while all of them exist (a queued
  // handler may hold an object of another shard's loop), and only then the loops.
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
  // Stops the loops of shards 1..N-1 and joins their threads; what they had queued never runs.
  void stop();

 private:
  // An io_context whose shutdown (destroying queued handlers) can be called before destruction.
  struct Loop : asio::io_context {
    Loop() : asio::io_context(1) {}
    using asio::io_context::shutdown;
  };
  using Guard = asio::executor_work_guard<asio::io_context::executor_type>;
  std::vector<std::unique_ptr<Loop>> loops_;
  std::vector<Guard> guards_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopped_ = false;
};

// Shards to run when num.shards is 0: one per CPU the process may use.
unsigned default_shard_count();

}  // namespace sluice::broker
