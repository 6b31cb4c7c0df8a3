#include <unistd.h>

#include <cerrno>

#include "sluice/protocol/codec.h"

namespace sluice::protocol {

bool Writer::splice(const FileRange& r) {
  if (splices_) {
    splices_->push_back({out_.size(), r});
    return true;
  }
  size_t start = out_.size();
  out_.resize(start + r.size);
  size_t done = 0;
  while (done < r.size) {
    ssize_t n = ::pread(r.fd, out_.data() + start + done, r.size - done,
                        static_cast<off_t>(r.offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      // Keep the frame's length honest: the consumer's CRC check rejects the zeros.
      std::fill(out_.begin() + static_cast<long>(start + done), out_.end(), '\0');
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace sluice::protocol
