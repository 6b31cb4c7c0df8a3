#pragma once
// A log-linear latency histogram in the spirit of HdrHistogram: values (nanoseconds) below
// 2 * kSub are counted exactly; above, each power of two is split into kSub equal buckets, so
// a reported percentile is within 1/kSub (< 0.8 %) of the true value. Fixed size, no
// allocation while recording, mergeable.
#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <limits>

namespace sluice::bench {

class Histogram {
 public:
  static constexpr int kSubBits = 7;
  static constexpr uint64_t kSub = uint64_t{1} << kSubBits;  // 128 buckets per power of two
  static constexpr int kBuckets = (64 - kSubBits) * static_cast<int>(kSub);

  void record(int64_t v) {
    const uint64_t u = v < 0 ? 0 : static_cast<uint64_t>(v);
    ++counts_[index_of(u)];
    ++count_;
    sum_ += static_cast<double>(u);
    max_ = std::max(max_, u);
    min_ = std::min(min_, u);
  }

  void merge(const Histogram& o) {
    for (int i = 0; i < kBuckets; ++i) counts_[i] += o.counts_[i];
    count_ += o.count_;
    sum_ += o.sum_;
    max_ = std::max(max_, o.max_);
    min_ = std::min(min_, o.min_);
  }

  void reset() { *this = Histogram(); }

  uint64_t count() const { return count_; }
  uint64_t max() const { return count_ ? max_ : 0; }
  uint64_t min() const { return count_ ? min_ : 0; }
  double mean() const { return count_ ? sum_ / static_cast<double>(count_) : 0; }

  // The value at quantile q in [0, 1]: the upper edge of the bucket holding the rank
  // ceil(q * count), clamped to the exact maximum seen.
  uint64_t percentile(double q) const {
    if (count_ == 0) return 0;
    uint64_t rank = static_cast<uint64_t>(q * static_cast<double>(count_) + 0.999999);
    rank = std::clamp<uint64_t>(rank, 1, count_);
    uint64_t seen = 0;
    for (int i = 0; i < kBuckets; ++i) {
      seen += counts_[i];
      if (seen >= rank) return std::min(upper_edge(i), max_);
    }
    return max_;
  }

  static int index_of(uint64_t v) {
    if (v < 2 * kSub) return static_cast<int>(v);
    const int msb = 63 - std::countl_zero(v);  // >= kSubBits + 1
    const int shift = msb - kSubBits;
    const uint64_t mantissa = v >> shift;  // in [kSub, 2 * kSub)
    return (shift + 1) * static_cast<int>(kSub) + static_cast<int>(mantissa - kSub);
  }

  static uint64_t upper_edge(int idx) {
    if (idx < static_cast<int>(2 * kSub)) return static_cast<uint64_t>(idx);
    const int shift = idx / static_cast<int>(kSub) - 1;
    const uint64_t mantissa = kSub + static_cast<uint64_t>(idx % static_cast<int>(kSub));
    const uint64_t low = mantissa << shift;
    return low + ((uint64_t{1} << shift) - 1);
  }

 private:
  std::array<uint64_t, kBuckets> counts_{};
  uint64_t count_ = 0;
  double sum_ = 0;
  uint64_t max_ = 0;
  uint64_t min_ = std::numeric_limits<uint64_t>::max();
};

}  // namespace sluice::bench
