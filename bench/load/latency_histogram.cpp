#include "latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace levelcast::load {

std::size_t LatencyHistogram::bucket_of(std::uint64_t micros) noexcept {
  constexpr std::uint64_t kExactLimit = std::uint64_t{2} << kSubBucketBits;
  if (micros < kExactLimit) return static_cast<std::size_t>(micros);
  const auto shift = static_cast<unsigned>(std::bit_width(micros)) - 1 - kSubBucketBits;
  // (micros >> shift) keeps the top kSubBucketBits + 1 bits: 64..127 for 64 sub-buckets.
  return (std::size_t{shift} << kSubBucketBits) + static_cast<std::size_t>(micros >> shift);
}

std::uint64_t LatencyHistogram::bucket_upper_bound(std::size_t bucket) noexcept {
  constexpr std::size_t kExactLimit = std::size_t{2} << kSubBucketBits;
  if (bucket < kExactLimit) return bucket;
  const std::size_t shift = (bucket >> kSubBucketBits) - 1;
  const std::uint64_t top = bucket - (shift << kSubBucketBits);
  return ((top + 1) << shift) - 1;
}

void LatencyHistogram::record(std::int64_t micros) noexcept {
  constexpr std::uint64_t kLargest = (std::uint64_t{1} << kMaxValueBits) - 1;
  const std::uint64_t value =
      std::min<std::uint64_t>(micros < 0 ? 0 : static_cast<std::uint64_t>(micros), kLargest);
  ++buckets_[bucket_of(value)];
  ++count_;
  max_ = std::max(max_, value);
}

void LatencyHistogram::merge(const LatencyHistogram& other) noexcept {
  for (std::size_t i = 0; i < kBucketCount; ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  max_ = std::max(max_, other.max_);
}

std::uint64_t LatencyHistogram::percentile_micros(double fraction) const noexcept {
  if (count_ == 0) return 0;
  const auto wanted = static_cast<double>(count_) * std::clamp(fraction, 0.0, 1.0);
  const std::uint64_t rank =
      std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(wanted)));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBucketCount; ++i) {
    seen += buckets_[i];
    if (seen >= rank) return std::min(bucket_upper_bound(i), max_);
  }
  return max_;
}

}  // namespace levelcast::load
