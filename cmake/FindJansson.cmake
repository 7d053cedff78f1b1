# FindJansson: libjansson (Debian libjansson-dev) through pkg-config, for the JWT claims.
# Defines Jansson_FOUND, Jansson_VERSION and the imported target Jansson::Jansson.
include(PkgConfigPackage)
levelcast_pkg_config_package(Jansson jansson Jansson::Jansson)
