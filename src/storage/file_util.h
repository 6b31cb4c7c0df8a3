#pragma once
// Thin wrappers over POSIX file calls that retry on EINTR and on short transfers, so callers
// deal only in "all bytes moved" or "failed".
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace sluice::storage {

// Writes all n bytes at offset; false on any error (errno is left set).
bool pwrite_all(int fd, const void* buf, size_t n, off_t offset);
// Reads exactly n bytes at offset; false on error or end of file before n bytes.
bool pread_all(int fd, void* buf, size_t n, off_t offset);
// Size of the open file, or -1.
int64_t file_size(int fd);
// Whole file into out; false if it cannot be opened or read.
bool read_whole_file(const std::filesystem::path& path, std::string& out);
// Makes directory entries (creations, renames, unlinks) in dir durable.
bool fsync_dir(const std::filesystem::path& dir);
// errno as text, for exception messages.
std::string errno_text();

}  // namespace sluice::storage
