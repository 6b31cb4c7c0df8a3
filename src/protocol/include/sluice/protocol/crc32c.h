#pragma once
#include <cstddef>
#include <cstdint>
#include <span>

namespace sluice::protocol {

// CRC-32C (Castagnoli), the checksum of Kafka's RecordBatch v2. Backed by isa-l.
uint32_t crc32c(std::span<const uint8_t> data);

}  // namespace sluice::protocol
