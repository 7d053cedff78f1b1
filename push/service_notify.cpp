#include "push/service_notify.hpp"

#include <string>

#ifdef LEVELCAST_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

namespace levelcast {
namespace {
void send(const std::string& state) {
#ifdef LEVELCAST_HAVE_SYSTEMD
  // The environment is kept for the later notifications (RELOADING, STOPPING); the unit's
  // NotifyAccess=main makes systemd ignore anything a child might send.
  sd_notify(0, state.c_str());
#else
  (void)state;
#endif
}
}  // namespace

void notify_ready(std::string_view status) { send("READY=1\nSTATUS=" + std::string(status)); }
void notify_reloading() { send("RELOADING=1"); }
void notify_stopping() { send("STOPPING=1"); }
void notify_status(std::string_view status) { send("STATUS=" + std::string(status)); }

}  // namespace levelcast
