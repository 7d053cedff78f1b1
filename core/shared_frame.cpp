#include "core/shared_frame.hpp"

#include <limits>
#include <new>

#include "core/check.hpp"

namespace levelcast {

SharedFrame* SharedFrame::create(size_t size, uint32_t refs, uint64_t seq) {
  LC_CHECK(size <= std::numeric_limits<uint32_t>::max());
  void* memory = ::operator new(sizeof(SharedFrame) + size);
  return new (memory) SharedFrame(static_cast<uint32_t>(size), refs, seq);
}

void SharedFrame::release() {
  // acq_rel: the thread that frees must see every other holder's reads finished.
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    this->~SharedFrame();
    ::operator delete(this);
  }
}

}  // namespace levelcast
