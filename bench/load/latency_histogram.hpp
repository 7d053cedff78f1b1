#pragma once
// LatencyHistogram: counts of microsecond values in log-linear buckets (exact below 128 us,
// then 64 buckets per power of two: at most 1.6% above the true value), so recording is a few
// bit operations and never allocates. About 18 KiB, inline. Not thread-safe: each worker
// records into its own and the coordinator merges them after the workers have joined.
#include <array>
#include <cstddef>
#include <cstdint>

namespace levelcast::load {

class LatencyHistogram {
 public:
  static constexpr unsigned kSubBucketBits = 6;
  static constexpr unsigned kMaxValueBits = 40;  // 2^40 us is 12 days; larger values clamp
  static constexpr std::size_t kBucketCount =
      (std::size_t{kMaxValueBits - kSubBucketBits} << kSubBucketBits) + (1u << kSubBucketBits);

  void record(std::int64_t micros) noexcept;
  void merge(const LatencyHistogram& other) noexcept;

  std::uint64_t count() const noexcept { return count_; }
  std::uint64_t max_micros() const noexcept { return max_; }
  // The smallest bucket bound that at least `fraction` of the values do not exceed.
  std::uint64_t percentile_micros(double fraction) const noexcept;

 private:
  static std::size_t bucket_of(std::uint64_t micros) noexcept;
  static std::uint64_t bucket_upper_bound(std::size_t bucket) noexcept;

  std::array<std::uint64_t, kBucketCount> buckets_{};
  std::uint64_t count_ = 0;
  std::uint64_t max_ = 0;
};

}  // namespace levelcast::load
