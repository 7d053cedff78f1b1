#pragma once
// FileCache: the files --static-dir serves, each read once into one immutable shared buffer that
// every response of that file references: 40 slow readers of a 16 MiB file hold one copy, not
// 40. An entry stays valid while the file's identity (device, inode, size, modification time)
// is unchanged. The cache keeps at most `capacity` bytes; past that the least recently used
// entries go (responses still writing one keep its buffer alive until they are done).
// Safe from any thread: one mutex, taken per static request, never on the broadcast path.
#include <sys/stat.h>

#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/shared_frame.hpp"

namespace levelcast {

class FileCache {
 public:
  explicit FileCache(size_t capacity) : capacity_(capacity) {}
  // The bytes of the regular file open at `fd` (described by `st`), known as `path`: from the
  // cache, or read now. Empty on a read error.
  FrameRef get(const std::string& path, int fd, const struct stat& st);
  size_t cached_bytes() const;

 private:
  struct Entry {
    std::string path;
    dev_t device;
    ino_t inode;
    int64_t size;
    int64_t modified_ns;
    FrameRef bytes;
  };
  static bool same_file(const Entry& e, const struct stat& st);
  void insert(Entry entry);

  const size_t capacity_;
  mutable std::mutex mutex_;
  std::list<Entry> entries_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> by_path_;
  size_t bytes_ = 0;
};

}  // namespace levelcast
