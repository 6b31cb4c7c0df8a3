#include "sluice/broker/shard_set.h"

#include <pthread.h>
#include <sched.h>

#include <cassert>
#include <future>
#include <string>

namespace sluice::broker {
namespace {
thread_local unsigned this_shard = 0;
}  // namespace

unsigned ShardSet::current() { return this_shard; }

ShardSet::ShardSet(unsigned count) {
  if (count == 0) count = 1;
  for (unsigned i = 0; i < count; ++i) loops_.push_back(std::make_unique<Loop>());
  for (unsigned i = 1; i < count; ++i) guards_.emplace_back(asio::make_work_guard(*loops_[i]));
  for (unsigned i = 1; i < count; ++i)
    threads_.emplace_back([this, i] {
      this_shard = i;
      std::string name = "sluice-shard" + std::to_string(i);
      ::pthread_setname_np(::pthread_self(), name.substr(0, 15).c_str());
      loops_[i]->run();
    });
}

ShardSet::~ShardSet() {
  stop();
  for (auto& l : loops_) l->shutdown();
}

void ShardSet::run_on(unsigned shard, const std::function<void()>& fn) {
  if (shard == current() || stopped_) return fn();
  assert(current() == 0 && "only the control shard waits for another shard");
  std::promise<void> ran;
  auto done = ran.get_future();
  post(shard, [&] {
    fn();
    ran.set_value();
  });
  done.wait();
}

void ShardSet::stop() {
  if (stopped_.exchange(true)) return;
  for (auto& g : guards_) g.reset();
  for (size_t i = 1; i < loops_.size(); ++i) loops_[i]->stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

unsigned default_shard_count() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace sluice::broker
