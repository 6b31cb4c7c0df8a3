#include "index_file.h"

#include <fcntl.h>
#include <unistd.h>

#include "file_util.h"

namespace sluice::storage {

IndexFile::~IndexFile() {
  if (fd_ >= 0) ::close(fd_);
}

bool IndexFile::open(const std::filesystem::path& path, bool truncate, std::string* contents) {
  path_ = path;
  int flags = O_RDWR | O_CREAT | O_CLOEXEC | (truncate ? O_TRUNC : 0);
  fd_ = ::open(path.c_str(), flags, 0644);
  if (fd_ < 0) return false;
  contents->clear();
  int64_t size = file_size(fd_);
  if (size < 0) return false;
  contents->resize(static_cast<size_t>(size));
  if (size > 0 && !pread_all(fd_, contents->data(), contents->size(), 0)) return false;
  end_ = static_cast<uint64_t>(size);
  return true;
}

void IndexFile::append(const void* data, size_t n) {
  if (stale_ || fd_ < 0) return;
  if (!pwrite_all(fd_, data, n, static_cast<off_t>(end_))) {
    stale_ = true;
    return;
  }
  end_ += n;
}

void IndexFile::rewrite(const std::string& data) {
  if (fd_ < 0) return;
  stale_ = !(::ftruncate(fd_, 0) == 0 && pwrite_all(fd_, data.data(), data.size(), 0));
  end_ = stale_ ? 0 : data.size();
  if (stale_) {
    // Leave no misleading prefix behind: an empty index is rebuilt at open.
    (void)!::ftruncate(fd_, 0);
  }
}

void IndexFile::remove() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!path_.empty()) ::unlink(path_.c_str());
}

}  // namespace sluice::storage
