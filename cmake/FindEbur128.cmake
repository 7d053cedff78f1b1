# FindEbur128: libebur128 (Debian libebur128-dev) through pkg-config.
# Defines Ebur128_FOUND, Ebur128_VERSION and the imported target Ebur128::Ebur128.
include(PkgConfigPackage)
levelcast_pkg_config_package(Ebur128 libebur128 Ebur128::Ebur128)
