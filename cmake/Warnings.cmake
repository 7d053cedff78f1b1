# levelcast_warnings: an interface target carrying the project's warning flags, and nothing else.
add_library(levelcast_warnings INTERFACE)
target_compile_options(levelcast_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion)
if(LEVELCAST_WERROR)
  target_compile_options(levelcast_warnings INTERFACE -Werror)
endif()
