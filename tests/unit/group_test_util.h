#pragma once
// An in-memory __consumer_offsets for GroupCoordinator tests: appends are durable at once (or
// refused with a chosen error), get real consecutive offsets, and scan returns what was written,
// so a second coordinator over the same log replays what the first one wrote. Single-threaded,
// like the coordinator it serves.
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "sluice/group/offsets_log.h"
#include "sluice/protocol/batch_builder.h"
#include "sluice/protocol/record_batch.h"

namespace sluice::group::testing {

class MemoryOffsetsLog final : public OffsetsLog {
 public:
  explicit MemoryOffsetsLog(int32_t partitions) : logs_(static_cast<size_t>(partitions)) {}

  int32_t partitions() const override { return static_cast<int32_t>(logs_.size()); }

  void append(int32_t partition, std::string batch,
              std::function<void(protocol::ErrorCode, int64_t)> done) override {
    if (refuse_next != protocol::ErrorCode::none) {
      auto e = refuse_next;
      refuse_next = protocol::ErrorCode::none;
      return done(e, -1);
    }
    Partition& log = logs_.at(static_cast<size_t>(partition));
    const int64_t base = log.next_offset;
    // The coordinator may hand over several batches in one string, as the real log accepts.
    size_t pos = 0;
    while (pos < batch.size()) {
      auto* at = reinterpret_cast<uint8_t*>(batch.data() + pos);
      auto h = protocol::read_batch_header(std::span<const uint8_t>(at, batch.size() - pos));
      if (!h) break;
      protocol::set_base_offset(at, log.next_offset);
      log.batches.emplace_back(batch.data() + pos, h->total_size());
      log.next_offset += h->last_offset_delta + 1;
      pos += h->total_size();
    }
    done(protocol::ErrorCode::none, base);
  }

  void scan(int32_t partition, const std::function<void(std::span<const uint8_t>)>& fn) override {
    for (const auto& b : logs_.at(static_cast<size_t>(partition)).batches)
      fn(std::span(reinterpret_cast<const uint8_t*>(b.data()), b.size()));
  }

  // Writes a COMMIT or ABORT marker as the transaction coordinator does: a control batch of the
  // producer holding one record, key {int16 version 0, int16 type}, value {int16 0, int32 epoch}.
  void write_marker(int32_t partition, int64_t producer_id, int16_t producer_epoch, bool commit) {
    const std::string key{'\0', '\0', '\0', static_cast<char>(commit ? 1 : 0)};
    const std::string value(6, '\0');
    protocol::RecordData rec{key, value};
    protocol::BatchOptions opts;
    opts.timestamp = 1;
    opts.producer_id = producer_id;
    opts.producer_epoch = producer_epoch;
    opts.transactional = true;
    opts.control = true;
    append(partition, protocol::build_batch({&rec, 1}, opts), [](protocol::ErrorCode, int64_t) {});
  }

  const std::vector<std::string>& batches(int32_t partition) const {
    return logs_.at(static_cast<size_t>(partition)).batches;
  }

  // The next append fails with this error and writes nothing.
  protocol::ErrorCode refuse_next = protocol::ErrorCode::none;

 private:
  struct Partition {
    std::vector<std::string> batches;
    int64_t next_offset = 0;
  };
  std::vector<Partition> logs_;
};

}  // namespace sluice::group::testing
