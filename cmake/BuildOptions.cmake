# levelcast_build_options: the code-generation choices, linked PUBLIC by levelcast_core so that
# every library, the server and the tests built on it share them. The defaults build for a
# generic x86-64 (what a package must run on); the rest is opt-in:
#   -DLEVELCAST_NATIVE=ON   -march=native: the building machine's CPU only
#   -DLEVELCAST_LTO=ON      link-time optimisation (CMake's IPO, checked for support)
add_library(levelcast_build_options INTERFACE)
if(LEVELCAST_NATIVE)
  target_compile_options(levelcast_build_options INTERFACE -march=native)
endif()
if(LEVELCAST_LTO)
  include(CheckIPOSupported)
  check_ipo_supported(RESULT levelcast_ipo_supported OUTPUT levelcast_ipo_output LANGUAGES CXX)
  if(NOT levelcast_ipo_supported)
    message(FATAL_ERROR "LEVELCAST_LTO: the compiler cannot do link-time optimisation: ${levelcast_ipo_output}")
  endif()
  set(CMAKE_INTERPROCEDURAL_OPTIMIZATION ON)
endif()
