#pragma once
// Transaction markers as stored: Kafka's control batches (ControlRecordType, EndTransactionMarker).
// A marker batch has attributes control (0x20) | transactional (0x10), the producer's id and
// epoch, base sequence -1 and one record: key = int16 version 0 + int16 type, value = int16
// version 0 + int32 coordinator epoch.
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace sluice::storage {

enum class ControlType : int16_t { abort = 0, commit = 1 };

// The whole marker batch, base offset 0 (the log assigns the real one), timestamp now_ms.
std::string txn_marker_batch(int64_t producer_id, int16_t producer_epoch, bool commit,
                             int32_t coordinator_epoch, int64_t now_ms);
// The type in the key of a control batch's record (batch: the whole batch, validated). nullopt
// when the record cannot be read or its key is not version 0: not a marker this code knows.
// Types other than ABORT and COMMIT (Kafka has others, e.g. for KRaft) are returned as they are.
std::optional<int16_t> control_record_type(std::span<const uint8_t> batch);

}  // namespace sluice::storage
