#pragma once
// The raw file behind a sparse index: fixed-size entries appended at the end, never fsynced.
// The in-memory copy held by the owning index is authoritative while the log is open; the file
// only saves a rebuild at the next open. So a failed write does not fail the append: the file is
// marked stale and rewritten whole from memory at close (or rebuilt at the next open if that
// fails too, since a file that disagrees with its log is detected and discarded).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace sluice::storage {

class IndexFile {
 public:
  IndexFile() = default;
  ~IndexFile();
  IndexFile(const IndexFile&) = delete;
  IndexFile& operator=(const IndexFile&) = delete;

  // Opens (creating if absent; emptied if truncate) and reads the current contents.
  bool open(const std::filesystem::path& path, bool truncate, std::string* contents);
  void append(const void* data, size_t n);
  // Replaces the whole file with data.
  void rewrite(const std::string& data);
  bool stale() const { return stale_; }
  // Closes and unlinks the file.
  void remove();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  uint64_t end_ = 0;  // bytes in the file when !stale_
  bool stale_ = false;
};

}  // namespace sluice::storage
