#pragma once
// Small text files that must never be seen half-written: written to "<name>.tmp", fsynced,
// renamed over the old file, and the directory fsynced. After a crash a reader sees either the
// old or the new contents, never a mix. A stale "<name>.tmp" is garbage and is removed at open.
//
// Format (Kafka's checkpoint files): a version line "0", a count line N, then N lines each holding
// the same number of space-separated decimal integers.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

namespace sluice::storage {

using CheckpointEntries = std::vector<std::vector<int64_t>>;

// Replaces path's contents with data atomically and durably. False on any failure.
bool write_file_atomically(const std::filesystem::path& path, std::string_view data);

bool write_checkpoint(const std::filesystem::path& path, const CheckpointEntries& entries);
// nullopt if the file is missing or malformed (wrong version, count, or field count per line).
std::optional<CheckpointEntries> read_checkpoint(const std::filesystem::path& path,
                                                 size_t fields_per_line);

// The single-value checkpoints (recovery point, log start offset).
bool write_offset_checkpoint(const std::filesystem::path& path, int64_t offset);
std::optional<int64_t> read_offset_checkpoint(const std::filesystem::path& path);

}  // namespace sluice::storage
