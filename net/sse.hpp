#pragma once
// Server-Sent Events (HTML Living Standard, "server-sent events"): the text a stream carries.
// Pure; safe from any thread.
#include <cstdint>
#include <string>
#include <string_view>

namespace levelcast {

// One event: "id: ID\n" (when id != 0), "event: NAME\n" (when named), "data: ...\n" per line of
// `data` (a CR, LF or CRLF inside it starts a new data line, which the client joins with "\n"),
// and the blank line that dispatches it.
void append_sse_event(std::string& out, uint64_t id, std::string_view event, std::string_view data);

// The first bytes of a stream: how long a browser waits before it reconnects.
void append_sse_retry(std::string& out, int64_t retry_ms);

// A comment line that keeps a proxy from cutting an idle stream; clients ignore it.
inline constexpr std::string_view kSseKeepAlive = ": ping\n\n";

}  // namespace levelcast
