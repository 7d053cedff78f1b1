# FindHiredis: Debian's libhiredis-dev through pkg-config; defines Hiredis::Hiredis.
include(PkgConfigPackage)
levelcast_pkg_config_package(Hiredis hiredis Hiredis::Hiredis)
