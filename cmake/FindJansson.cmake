# FindJansson: Jansson (Debian libjansson-dev) through pkg-config: JWT claims, lines as JSON.
# Defines Jansson_FOUND, Jansson_VERSION and the imported target Jansson::Jansson.
include(PkgConfigPackage)
levelcast_pkg_config_package(Jansson jansson Jansson::Jansson)
