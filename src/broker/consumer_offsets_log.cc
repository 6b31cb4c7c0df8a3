#include "sluice/broker/consumer_offsets_log.h"

#include "sluice/protocol/record_batch.h"

namespace sluice::broker {

int32_t ConsumerOffsetsLog::partitions() const {
  int32_t n = pm_.partition_count(kConsumerOffsetsTopic);
  return n > 0 ? n : configured_;
}

void ConsumerOffsetsLog::append(int32_t partition, std::string batch,
                                std::function<void(ErrorCode)> done) {
  if (pm_.partition_count(kConsumerOffsetsTopic) < 0) {
    cluster::TopicMetadata t;
    t.name = kConsumerOffsetsTopic;
    t.id = cluster::random_topic_id();
    t.partitions = configured_;
    t.configs = {{"cleanup.policy", "compact"}, {"segment.bytes", "104857600"}};
    if (auto e = pm_.create_topic(t); e != ErrorCode::none) return done(e);
  }
  auto p = pm_.get(kConsumerOffsetsTopic, partition);
  if (!p) return done(ErrorCode::unknown_topic_or_partition);
  // The batch stays alive until replicate() has written it: it is a local of this call, and
  // replicate() writes before it returns.
  auto bytes = std::span(reinterpret_cast<uint8_t*>(batch.data()), batch.size());
  p->replicate(bytes, -1, now_ms(),
               [done = std::move(done)](const Partition::Appended& r) { done(r.error); });
}

void ConsumerOffsetsLog::scan(int32_t partition,
                              const std::function<void(std::span<const uint8_t>)>& fn) {
  auto p = pm_.get(kConsumerOffsetsTopic, partition);
  if (!p) return;
  int64_t offset = p->log_start_offset();
  const int64_t hw = p->read_bound(FetchIsolation::high_watermark);
  std::string buf;
  while (offset < hw) {
    auto r = p->read(offset, 1 << 20, FetchIsolation::high_watermark);
    if (!r.ok() || r.value.slice.size == 0) return;
    buf.clear();
    if (!r.value.slice.read_into(buf)) return;
    auto bytes = std::span(reinterpret_cast<const uint8_t*>(buf.data()), buf.size());
    size_t pos = 0;
    while (pos + protocol::kBatchHeaderSize <= bytes.size()) {
      auto h = protocol::read_batch_header(bytes.subspan(pos));
      if (!h || pos + h->total_size() > bytes.size()) break;
      if (h->last_offset() >= offset) fn(bytes.subspan(pos, h->total_size()));
      offset = h->last_offset() + 1;
      pos += h->total_size();
    }
  }
}

}  // namespace sluice::broker
