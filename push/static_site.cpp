#include "push/static_site.hpp"

namespace levelcast {

StaticSite::StaticSite(std::string directory) : directory_(std::move(directory)) {}

void StaticSite::serve(const HttpRequest&, RouteDecision& decision) const {
  decision.action = RouteDecision::Action::respond;
  decision.status = 404;
  decision.body = "Not Found: no such path\n";
}

}  // namespace levelcast
