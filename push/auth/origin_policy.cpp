#include "push/auth/origin_policy.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace levelcast {
namespace {
std::string lowercase(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; });
  return out;
}

struct OriginParts {
  std::string_view scheme;
  std::string_view host;
  std::string_view port;  // empty: the scheme's default
};

bool split_origin(std::string_view origin, OriginParts& out) {
  const size_t sep = origin.find("://");
  if (sep == std::string_view::npos || sep == 0) return false;
  out.scheme = origin.substr(0, sep);
  std::string_view rest = origin.substr(sep + 3);
  if (rest.empty() || rest.find('/') != std::string_view::npos) return false;
  const size_t bracket = rest.rfind(']');
  const size_t colon = rest.rfind(':');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    out.port = rest.substr(colon + 1);
    rest = rest.substr(0, colon);
    if (out.port.empty() || !std::all_of(out.port.begin(), out.port.end(),
                                         [](char c) { return c >= '0' && c <= '9'; })) {
      return false;
    }
  }
  out.host = rest;
  return !out.host.empty();
}

// Label by label; `*` stands for exactly one non-empty label.
bool host_matches(std::string_view pattern, std::string_view host) {
  while (true) {
    const size_t pd = pattern.find('.');
    const size_t hd = host.find('.');
    const std::string_view pl = pattern.substr(0, pd);
    const std::string_view hl = host.substr(0, hd);
    if (!(pl == "*" ? !hl.empty() : pl == hl)) return false;
    if (pd == std::string_view::npos || hd == std::string_view::npos) {
      return pd == std::string_view::npos && hd == std::string_view::npos;
    }
    pattern.remove_prefix(pd + 1);
    host.remove_prefix(hd + 1);
  }
}

bool origin_matches(std::string_view pattern, std::string_view origin) {
  if (pattern == "null" || origin == "null") return pattern == origin;
  OriginParts p, o;
  if (!split_origin(pattern, p) || !split_origin(origin, o)) return false;
  return p.scheme == o.scheme && p.port == o.port && host_matches(p.host, o.host);
}
}  // namespace

bool OriginPolicy::add(std::string_view pattern, std::string& error) {
  std::string lowered = lowercase(pattern);
  OriginParts parts;
  if (lowered != "null" && !split_origin(lowered, parts)) {
    error = fmt::format("'{}' is not scheme://host[:port] (or null)", pattern);
    return false;
  }
  patterns_.push_back(std::move(lowered));
  return true;
}

bool OriginPolicy::listed(std::string_view origin) const {
  const std::string lowered = lowercase(origin);
  return std::any_of(patterns_.begin(), patterns_.end(),
                     [&](const std::string& p) { return origin_matches(p, lowered); });
}

bool OriginPolicy::allows(const std::string_view* origin) const {
  if (patterns_.empty() || origin == nullptr) return true;
  return listed(*origin);
}

}  // namespace levelcast
