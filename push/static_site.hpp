#pragma once
// StaticSite: the web page. Serves the files of web/ embedded in the binary at build time, or,
// with --static-dir DIR, the files under DIR (never outside it), each read once into a shared
// buffer that responses reference (FileCache). serve() is called from every worker at once.
#include <string>

#include "net/http_request.hpp"
#include "net/router.hpp"
#include "net/socket.hpp"
#include "push/file_cache.hpp"

namespace levelcast {

class StaticSite {
 public:
  // An empty `directory` serves the embedded files.
  explicit StaticSite(std::string directory);
  // Answers a request for `request.path`: 404 when there is no such file under the site, 405
  // for a method other than GET or HEAD, else 200 with the file, or 304 when If-Modified-Since
  // is not older than the file. HEAD gets the GET's headers (RouteDecision::head_only).
  void serve(const HttpRequest& request, RouteDecision& decision) const;

 private:
  struct Lookup;  // what a path names: a file's bytes or descriptor, its type and time

  Lookup find_embedded(const std::string& path) const;
  Lookup find_in_directory(const std::string& path) const;

  std::string directory_;  // as given; empty: the embedded files
  std::string real_root_;  // realpath(directory_), for the check when openat2 is missing
  UniqueFd root_;          // directory_ opened once (O_PATH); files are opened beneath it
  mutable FileCache cache_;
};

}  // namespace levelcast
