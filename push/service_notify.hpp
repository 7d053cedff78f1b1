#pragma once
// Tells systemd (Type=notify) how the service is doing, through libsystemd's sd_notify: READY
// once the listener and the sources are up, RELOADING around a SIGHUP, STOPPING on the way out,
// and a STATUS line. Outside systemd (no $NOTIFY_SOCKET), and in a build without libsystemd,
// every call does nothing.
//
// Threads: any; meant for main().
#include <string_view>

namespace levelcast {

void notify_ready(std::string_view status);
void notify_reloading();
void notify_stopping();
void notify_status(std::string_view status);

}  // namespace levelcast
