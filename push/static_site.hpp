#pragma once
// StaticSite: the web page. Serves the files of web/ embedded in the binary at build time, or,
// with --static-dir DIR, the files under DIR (never outside it). Immutable after construction;
// serve() is called from every worker at once.
#include <string>

#include "net/http_request.hpp"
#include "net/router.hpp"

namespace levelcast {

class StaticSite {
 public:
  // An empty `directory` serves the embedded files.
  explicit StaticSite(std::string directory);
  // Answers a request for `request.path`: 404 when there is no such file under the site, 405
  // for a method other than GET or HEAD, else 200 with the file, or 304 when If-Modified-Since
  // is not older than the file.
  void serve(const HttpRequest& request, RouteDecision& decision) const;

 private:
  std::string directory_;
};

}  // namespace levelcast
