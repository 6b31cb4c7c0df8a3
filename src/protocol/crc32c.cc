#include "sluice/protocol/crc32c.h"

#include <isa-l/crc.h>

namespace sluice::protocol {

uint32_t crc32c(std::span<const uint8_t> data) {
  // isa-l leaves pre- and post-inversion to the caller.
  return ~crc32_iscsi(const_cast<uint8_t*>(data.data()), static_cast<int>(data.size()), ~0u);
}

}  // namespace sluice::protocol
