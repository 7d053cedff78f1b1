#pragma once
// Which topics a token grants: its `topics` claim holds names or globs, where `*` stands for any
// run of characters ("cam*" covers cam1 and camera). Pure; safe from any thread.
#include <string>
#include <string_view>
#include <vector>

namespace levelcast {

bool glob_match(std::string_view pattern, std::string_view text);
bool grants_topic(const std::vector<std::string>& granted, std::string_view topic);

}  // namespace levelcast
