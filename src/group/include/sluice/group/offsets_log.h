#pragma once
// The group coordinator's view of __consumer_offsets: append a batch and learn when it is
// durable, or scan what is there at start-up. The broker implements it over its partitions, so
// the coordinator never touches files and follows the log wherever replication puts it.
#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "sluice/protocol/error_code.h"

namespace sluice::group {

class OffsetsLog {
 public:
  virtual ~OffsetsLog() = default;
  virtual int32_t partitions() const = 0;
  // Appends one batch; done(error, base_offset) once it is durable (or failed), on the event loop
  // thread. base_offset is the log offset the batch got (-1 on error): transactional offsets are
  // ordered against plain commits by where their records sit in the log, as Kafka does.
  virtual void append(int32_t partition, std::string batch,
                      std::function<void(protocol::ErrorCode, int64_t base_offset)> done) = 0;
  // Calls fn for every batch below the high watermark, in offset order.
  virtual void scan(int32_t partition, const std::function<void(std::span<const uint8_t>)>& fn) = 0;
};

}  // namespace sluice::group
