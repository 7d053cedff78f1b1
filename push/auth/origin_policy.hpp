#pragma once
// OriginPolicy: the --allowed-origin list. A pattern is scheme://host[:port], compared
// lowercased; a host label may be `*` (one label: https://*.example.com covers
// https://a.example.com, not https://example.com or https://a.b.example.com). `null` matches
// only the literal Origin "null". Built at start-up, then immutable: safe from any thread.
#include <string>
#include <string_view>
#include <vector>

namespace levelcast {

class OriginPolicy {
 public:
  // False (and `error` says why) for a pattern that is not scheme://host[:port] or null.
  bool add(std::string_view pattern, std::string& error);
  bool empty() const { return patterns_.empty(); }
  // `origin` is the request's Origin header, or nullptr without one. Without an allow-list
  // everything passes; with one, a request without Origin (a program, not a browser) passes, and
  // an Origin passes only when a pattern matches it.
  bool allows(const std::string_view* origin) const;
  // True when `origin` is present and matched by the list (what a cookie needs).
  bool listed(std::string_view origin) const;

 private:
  std::vector<std::string> patterns_;  // lowercased
};

}  // namespace levelcast
