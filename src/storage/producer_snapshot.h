#pragma once
// Producer-state snapshots beside a partition's segments: "<20-digit offset>.snapshot" holds the
// ProducerStateTable of every batch below that offset, in the checkpoint-file format (written
// atomically, so a reader sees a whole snapshot or none). Written at every roll and at close;
// the newest kSnapshotsKept are kept.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sluice/storage/producer_state.h"

namespace sluice::storage {

inline constexpr size_t kSnapshotsKept = 2;

std::string snapshot_file_name(int64_t offset);
// The offset of a "<20 digits>.snapshot" name, else nullopt.
std::optional<int64_t> parse_snapshot_name(const std::string& name);
// Snapshot offsets in the directory, ascending.
std::vector<int64_t> list_snapshots(const std::filesystem::path& dir);
// Writes the snapshot at offset and deletes all but the newest kSnapshotsKept. False on failure.
bool write_snapshot(const std::filesystem::path& dir, int64_t offset,
                    const ProducerStateTable& table);
// Deletes snapshots above offset (they describe batches that are no longer in the log).
void remove_snapshots_above(const std::filesystem::path& dir, int64_t offset);

}  // namespace sluice::storage
