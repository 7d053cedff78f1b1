#include "core/shared_frame.hpp"

#include <new>

namespace levelcast {

SharedFrame* SharedFrame::create(size_t size, uint32_t refs) {
  void* memory = ::operator new(sizeof(SharedFrame) + size);
  return new (memory) SharedFrame(size, refs);
}

void SharedFrame::release() {
  // acq_rel: the thread that frees must see every other holder's reads finished.
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    this->~SharedFrame();
    ::operator delete(this);
  }
}

}  // namespace levelcast
