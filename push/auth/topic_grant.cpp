#include "push/auth/topic_grant.hpp"

namespace levelcast {

// Iterative, with one backtrack point: linear in practice, never exponential.
bool glob_match(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0, star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool grants_topic(const std::vector<std::string>& granted, std::string_view topic) {
  for (const std::string& pattern : granted) {
    if (glob_match(pattern, topic)) return true;
  }
  return false;
}

}  // namespace levelcast
