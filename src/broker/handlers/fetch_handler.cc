#include <spdlog/spdlog.h>

#include <asio/steady_timer.hpp>
#include <memory>

#include "handlers/handlers.h"

namespace sluice::broker {

using protocol::ErrorCode;
using protocol::FetchRequest;
using protocol::FetchResponse;
using protocol::to_wire;

namespace {

class PendingFetch : public std::enable_shared_from_this<PendingFetch> {
 public:
  PendingFetch(Broker& broker, FetchRequest req, Respond<FetchResponse> respond)
      : broker_(broker), req_(std::move(req)), respond_(std::move(respond)), timer_(broker.io()) {}

  void start() {
    if (evaluate(req_.max_wait_ms <= 0)) return;
    timer_.expires_after(std::chrono::milliseconds(req_.max_wait_ms));
    timer_.async_wait([self = shared_from_this()](std::error_code ec) {
      if (!ec) self->evaluate(true);
    });
  }

 private:
  // Returns true once the response has gone out.
  bool evaluate(bool final) {
    if (done_) return true;
    bool any_error = false;
    int64_t bytes = 0;
    FetchResponse resp = build(any_error, bytes);
    if (final || any_error || bytes >= req_.min_bytes) {
      done_ = true;
      timer_.cancel();
      respond_(std::move(resp));
      return true;
    }
    listen();
    return false;
  }

  void listen() {
    for (const auto& t : req_.topics)
      for (const auto& p : t.partitions)
        if (auto part = broker_.partitions().get(t.topic, p.partition))
          part->add_listener([weak = weak_from_this()] {
            if (auto self = weak.lock()) self->evaluate(false);
          });
  }

  FetchResponse build(bool& any_error, int64_t& total) {
    FetchResponse resp;
    auto& pm = broker_.partitions();
    int64_t remaining = req_.max_bytes;
    bool have_data = false;
    for (const auto& t : req_.topics) {
      auto& tr = resp.responses.emplace_back();
      tr.topic = t.topic;
      for (const auto& fp : t.partitions) {
        auto& pd = tr.partitions.emplace_back();
        pd.partition_index = fp.partition;
        pd.records.is_null = false;
        auto fail = [&](ErrorCode e) {
          pd.error_code = to_wire(e);
          pd.high_watermark = -1;
          any_error = true;
        };
        auto part = pm.get(t.topic, fp.partition);
        if (!part) {
          fail(ErrorCode::unknown_topic_or_partition);
          continue;
        }
        int64_t hw = part->high_watermark();
        pd.high_watermark = hw;
        pd.last_stable_offset = hw;  // no open transactions yet: LSO is the high watermark
        pd.log_start_offset = part->log_start_offset();
        if (req_.isolation_level == 1) pd.aborted_transactions.emplace();
        int64_t limit = std::min<int64_t>(fp.partition_max_bytes, remaining);
        if (have_data && limit <= 0) continue;
        auto r = part->log().read(fp.fetch_offset,
                                  static_cast<int32_t>(std::max<int64_t>(limit, 1)), hw);
        if (r.error == storage::StorageErrc::corrupt) {
          // Stored bytes fail their CRC-32C: refuse them for good rather than serve garbage.
          spdlog::error(
              "{}-{}: stored data near offset {} fails its checksum: partition taken offline",
              t.topic, fp.partition, fp.fetch_offset);
          part->log().take_offline();
        }
        if (!r.ok()) {
          fail(r.error == storage::StorageErrc::offset_out_of_range
                   ? ErrorCode::offset_out_of_range
                   : ErrorCode::kafka_storage_error);
          pd.high_watermark = hw;
          continue;
        }
        const auto& slice = r.value.slice;
        if (slice.size == 0) continue;
        // Only the first partition with data may exceed the limits (one whole batch), so that
        // a consumer can always make progress.
        if (have_data && slice.size > limit) continue;
        // Zero-copy: the bytes go from the segment file to the socket (sendfile).
        pd.records.file =
            protocol::FileRange{slice.file->fd(), slice.position, slice.size, slice.file};
        have_data = true;
        remaining -= slice.size;
        total += slice.size;
      }
    }
    return resp;
  }

  Broker& broker_;
  FetchRequest req_;
  Respond<FetchResponse> respond_;
  asio::steady_timer timer_;
  bool done_ = false;
};

}  // namespace

SLUICE_HANDLER(Fetch) {
  // The request's records views are not used by fetch, so it can outlive the frame safely.
  auto pending = std::make_shared<PendingFetch>(broker, std::move(req), std::move(respond));
  pending->start();
}

}  // namespace sluice::broker
