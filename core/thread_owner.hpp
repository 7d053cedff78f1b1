#pragma once
// ThreadOwner records which thread owns an object and lets "loop thread only" methods check it,
// as muduo's assertInLoopThread() does. The check is compiled in every build: it is one compare.
#include <thread>

#include "core/check.hpp"

namespace levelcast {

class ThreadOwner {
 public:
  // Called once by the owning thread when it starts running the object.
  void claim() { owner_ = std::this_thread::get_id(); }
  bool is_owner() const { return owner_ == std::this_thread::get_id(); }
  void assert_owner() const { LC_CHECK(is_owner()); }

 private:
  std::thread::id owner_{};
};

}  // namespace levelcast
