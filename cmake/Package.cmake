# The Debian package, through CPack (scripts/package runs it): levelcast_VERSION, for a
# generic x86-64 (LEVELCAST_NATIVE and LEVELCAST_LTO stay off), stripped, its library
# dependencies found by dpkg-shlibdeps, /etc/levelcast/levelcast.toml a conffile.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME levelcast)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "levelcast developers <dev@levelcast.example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "push live audio levels over WebSocket to every subscriber")
# The long description; CPack puts the summary above it.
set(CPACK_PACKAGE_DESCRIPTION "levelcast measures audio (files, pipes, commands such as ffmpeg or
arecord, ALSA devices) and pushes per-channel RMS and peak levels, loudness
and spectrum bands to tens of thousands of WebSocket clients per process.
It serves a live meter page and Prometheus metrics, and runs as a systemd
service.")
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${PROJECT_SOURCE_DIR}/packaging/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_INSTALL_PREFIX /usr)  # whatever CMAKE_INSTALL_PREFIX the build directory has
set(CPACK_SET_DESTDIR ON)  # the absolute /etc and /lib destinations land in the package
include(CPack)
