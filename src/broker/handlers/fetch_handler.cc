#include <spdlog/spdlog.h>

#include <algorithm>
#include <asio/steady_timer.hpp>
#include <memory>
#include <optional>

#include "handlers/handlers.h"
#include "sluice/protocol/messages/fetch.h"

namespace sluice::broker {

using protocol::ErrorCode;
using protocol::FetchRequest;
using protocol::FetchResponse;
using protocol::to_wire;

namespace {

// What one partition's owner reads for a fetch round.
struct PartitionRead {
  ErrorCode error = ErrorCode::none;
  int64_t high_watermark = -1;
  int64_t last_stable_offset = -1;
  int64_t log_start_offset = -1;
  std::optional<protocol::FileRange> records;  // sent from the file (sendfile)
  // read_committed: the aborted transactions overlapping the records read.
  std::vector<storage::AbortedTxn> aborted;
  Partition::ListenerId listener = 0;  // left by this round; 0 if none
};

// Where and how much to read in one partition; fixed for the life of the fetch.
struct ReadSpec {
  int64_t fetch_offset = 0;
  int32_t max_bytes = 1;
};

// A fetch lives on the connection's shard. Each round asks the owners of its partitions to read
// (one message per owner shard), then assembles the response here; until it has enough bytes
// it waits for a high watermark or last stable offset to move (listeners the owners call back)
// or for max_wait_ms. read_committed reads stop at the last stable offset (read_bound).
// When it completes it takes back the listeners it still has on partitions that did not move.
class PendingFetch : public std::enable_shared_from_this<PendingFetch> {
 public:
  PendingFetch(Broker& broker, FetchRequest req, Respond<FetchResponse> respond)
      : broker_(broker),
        req_(std::move(req)),
        respond_(std::move(respond)),
        timer_(broker.io()),
        home_(ShardSet::current()) {
    auto keys = std::make_shared<std::vector<TopicPartition>>();
    auto specs = std::make_shared<std::vector<ReadSpec>>();
    for (const auto& t : req_.topics)
      for (const auto& p : t.partitions) {
        keys->push_back({t.topic, p.partition});
        int64_t limit = std::min<int64_t>(p.partition_max_bytes, req_.max_bytes);
        specs->push_back({p.fetch_offset, static_cast<int32_t>(std::max<int64_t>(limit, 1))});
      }
    listener_ids_.assign(keys->size(), 0);
    keys_ = std::move(keys);
    specs_ = std::move(specs);
  }

  void start() {
    // A fetch naming no partition has nothing to wait for: Kafka answers it at once. The Java
    // consumer sends one as it closes (to end a fetch session), and waited max_wait_ms here.
    const bool wait = req_.max_wait_ms > 0 && !keys_->empty();
    if (wait) {
      timer_.expires_after(std::chrono::milliseconds(req_.max_wait_ms));
      timer_.async_wait([self = shared_from_this()](std::error_code ec) {
        if (!ec) self->evaluate(true);
      });
    }
    evaluate(!wait);
  }

 private:
  void evaluate(bool final) {
    if (done_) return;
    final_ = final_ || final;
    if (round_in_flight_) {
      again_ = true;  // something changed while the owners were reading: read once more
      return;
    }
    round_in_flight_ = true;
    again_ = false;
    broker_.partitions().for_each_owner<PartitionRead>(
        keys_, read_work(!final_), [self = shared_from_this()](std::vector<PartitionRead> reads) {
          self->round_in_flight_ = false;
          self->finish_round(std::move(reads));
        });
  }

  // Reads on the owner. When asked to, leaves a one-shot listener that brings this fetch back
  // for another round when the partition's high watermark or last stable offset moves; a
  // partition that returned data needs none when any byte is enough (min_bytes <= 1), since the
  // round will answer, and one that still has this fetch's listener from an earlier round needs no
  // second one.
  PartitionManager::Work<PartitionRead> read_work(bool listen) {
    auto held = listen ? std::make_shared<const std::vector<Partition::ListenerId>>(listener_ids_)
                       : nullptr;
    return [specs = specs_, listen, held, min_bytes = req_.min_bytes, home = home_,
            isolation = fetch_isolation(kNoFollowers, req_.isolation_level),
            weak = weak_from_this(),
            &broker = broker_](size_t i, const std::shared_ptr<Partition>& part,
                               PartitionManager::Reply<PartitionRead> reply) {
      PartitionRead out;
      if (!part) {
        out.error = ErrorCode::unknown_topic_or_partition;
        return reply(std::move(out));
      }
      const ReadSpec& spec = (*specs)[i];
      out.high_watermark = part->high_watermark();
      out.last_stable_offset = part->last_stable_offset();
      out.log_start_offset = part->log_start_offset();
      auto r = part->read(spec.fetch_offset, spec.max_bytes, isolation);
      if (!r.ok()) {
        out.error = r.error == storage::StorageErrc::offset_out_of_range
                        ? ErrorCode::offset_out_of_range
                        : ErrorCode::kafka_storage_error;
      } else if (const auto& slice = r.value.slice; slice.size > 0) {
        out.records = protocol::FileRange{slice.file->fd(), slice.position, slice.size, slice.file};
        // The consumer drops the records of these producers from each first offset on, until
        // it meets their ABORT marker.
        if (isolation == FetchIsolation::committed)
          out.aborted = part->aborted_transactions(r.value.first_offset, r.value.last_offset + 1);
      }
      if (listen && (!out.records || min_bytes > 1) && !part->has_listener((*held)[i]))
        out.listener = part->add_listener([weak, home, &broker] {
          auto wake = [weak] {
            if (auto self = weak.lock()) self->evaluate(false);
          };
          // The fetch is only ever touched on its own shard.
          if (ShardSet::current() == home)
            wake();
          else
            broker.shards().post(home, wake);
        });
      reply(std::move(out));
    };
  }

  void finish_round(std::vector<PartitionRead> reads) {
    if (done_) return;
    for (size_t i = 0; i < reads.size(); ++i)
      if (reads[i].listener != 0) listener_ids_[i] = reads[i].listener;
    bool any_error = false;
    int64_t bytes = 0;
    FetchResponse resp = assemble(reads, any_error, bytes);
    if (final_ || any_error || bytes >= req_.min_bytes) {
      done_ = true;
      timer_.cancel();
      release_listeners();
      respond_(std::move(resp));
      return;
    }
    if (again_) evaluate(false);
  }

  // Removes this fetch's listeners from their partitions, one message per owner shard (removing
  // one that has already been called does nothing). Left in place, they would pile up on
  // partitions whose high watermark never moves: one per idle partition per fetch round.
  void release_listeners() {
    if (std::all_of(listener_ids_.begin(), listener_ids_.end(), [](auto id) { return id == 0; }))
      return;
    auto ids = std::make_shared<const std::vector<Partition::ListenerId>>(std::move(listener_ids_));
    broker_.partitions().for_each_owner<bool>(
        keys_,
        [ids](size_t i, const std::shared_ptr<Partition>& part,
              PartitionManager::Reply<bool> reply) {
          if (part && (*ids)[i] != 0) part->remove_listener((*ids)[i]);
          reply(true);
        },
        [](std::vector<bool>) {});
  }

  // The owners read each partition up to its own limit; here the request's total limit is
  // applied in request order. Only the first partition with data may exceed the limits (one
  // whole batch), so that a consumer can always make progress.
  FetchResponse assemble(std::vector<PartitionRead>& reads, bool& any_error, int64_t& total) {
    FetchResponse resp;
    int64_t remaining = req_.max_bytes;
    bool have_data = false;
    size_t i = 0;
    for (const auto& t : req_.topics) {
      auto& tr = resp.responses.emplace_back();
      tr.topic = t.topic;
      for (const auto& fp : t.partitions) {
        PartitionRead& read = reads[i++];
        auto& pd = tr.partitions.emplace_back();
        pd.partition_index = fp.partition;
        pd.records.is_null = false;
        pd.high_watermark = read.high_watermark;
        if (read.error != ErrorCode::none) {
          pd.error_code = to_wire(read.error);
          any_error = true;
          continue;
        }
        pd.last_stable_offset = read.last_stable_offset;
        pd.log_start_offset = read.log_start_offset;
        // Null for read_uncommitted; a list, empty if need be, for read_committed (as Kafka).
        if (req_.isolation_level == 1) pd.aborted_transactions.emplace();
        if (!read.records) continue;
        int64_t limit = std::min<int64_t>(fp.partition_max_bytes, remaining);
        if (have_data && read.records->size > limit) continue;
        if (req_.isolation_level == 1)
          for (const auto& a : read.aborted)
            pd.aborted_transactions->push_back({a.producer_id, a.first_offset});
        // Zero-copy: the bytes go from the segment file to the socket (sendfile).
        pd.records.file = std::move(*read.records);
        have_data = true;
        remaining -= pd.records.file->size;
        total += pd.records.file->size;
      }
    }
    return resp;
  }

  Broker& broker_;
  FetchRequest req_;
  Respond<FetchResponse> respond_;
  asio::steady_timer timer_;
  const unsigned home_;
  PartitionManager::Keys keys_;  // built once, shared by every round
  std::shared_ptr<const std::vector<ReadSpec>> specs_;
  std::vector<Partition::ListenerId> listener_ids_;  // per key: this fetch's listener, or 0
  bool done_ = false;
  bool final_ = false;
  bool round_in_flight_ = false;
  bool again_ = false;
};

}  // namespace

SLUICE_HANDLER(Fetch) {
  // The request's records views are not used by fetch, so it can outlive the frame safely.
  auto pending = std::make_shared<PendingFetch>(broker, std::move(req), std::move(respond));
  pending->start();
}

}  // namespace sluice::broker
