# levelcast_pkg_config_package(NAME MODULE TARGET): the whole of a find module for a library
# that pkg-config describes. Sets NAME_FOUND and NAME_VERSION and defines TARGET as a global
# imported target, so static libraries that link it privately can be linked from any directory.
macro(levelcast_pkg_config_package name module target)
  find_package(PkgConfig QUIET)
  if(PkgConfig_FOUND)
    pkg_check_modules(PC_${name} QUIET IMPORTED_TARGET GLOBAL ${module})
  endif()
  include(FindPackageHandleStandardArgs)
  find_package_handle_standard_args(${name}
    REQUIRED_VARS PC_${name}_LINK_LIBRARIES
    VERSION_VAR PC_${name}_VERSION)
  if(${name}_FOUND AND NOT TARGET ${target})
    add_library(${target} ALIAS PkgConfig::PC_${name})
  endif()
endmacro()
