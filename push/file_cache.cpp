#include "push/file_cache.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace levelcast {
namespace {

int64_t modified_ns(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

// Reads the whole file into a new buffer; a file that shrank meanwhile is taken as it now is.
FrameRef read_file(int fd, size_t size) {
  SharedFrame* buffer = SharedFrame::create(size, 1);
  size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pread(fd, buffer->mutable_data() + done, size - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      buffer->release();
      return {};
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  if (done == size) return FrameRef(buffer);
  // Shrunk while read: copy what there is into a buffer of that size.
  SharedFrame* exact = SharedFrame::create(done, 1);
  std::copy_n(buffer->data(), done, exact->mutable_data());
  buffer->release();
  return FrameRef(exact);
}

}  // namespace

bool FileCache::same_file(const Entry& e, const struct stat& st) {
  return e.device == st.st_dev && e.inode == st.st_ino && e.size == st.st_size &&
         e.modified_ns == modified_ns(st);
}

FrameRef FileCache::get(const std::string& path, int fd, const struct stat& st) {
  {
    std::lock_guard lock(mutex_);
    if (auto found = by_path_.find(path); found != by_path_.end()) {
      auto entry = found->second;
      if (same_file(*entry, st)) {
        entries_.splice(entries_.begin(), entries_, entry);
        return entry->bytes;
      }
      bytes_ -= entry->bytes->size();
      entries_.erase(entry);
      by_path_.erase(found);
    }
  }
  // Read outside the lock: another worker may read the same file meanwhile; the later insert wins.
  FrameRef bytes = read_file(fd, static_cast<size_t>(st.st_size));
  if (!bytes) return bytes;
  insert(Entry{path, st.st_dev, st.st_ino, st.st_size, modified_ns(st), bytes});
  return bytes;
}

void FileCache::insert(Entry entry) {
  std::lock_guard lock(mutex_);
  if (auto found = by_path_.find(entry.path); found != by_path_.end()) {
    bytes_ -= found->second->bytes->size();
    entries_.erase(found->second);
    by_path_.erase(found);
  }
  if (entry.bytes->size() > capacity_) return;  // served, but not kept
  bytes_ += entry.bytes->size();
  entries_.push_front(std::move(entry));
  by_path_[entries_.front().path] = entries_.begin();
  while (bytes_ > capacity_) {
    const Entry& oldest = entries_.back();
    bytes_ -= oldest.bytes->size();
    by_path_.erase(oldest.path);
    entries_.pop_back();
  }
}

size_t FileCache::cached_bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

}  // namespace levelcast
