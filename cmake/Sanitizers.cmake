# LEVELCAST_SANITIZE=address adds ASan+UBSan, =thread adds TSan, to every target in the tree.
# LEVELCAST_FUZZ=ON (clang) instruments every target for libFuzzer with ASan+UBSan; the fuzz
# targets themselves (tests/fuzz) add -fsanitize=fuzzer for libFuzzer's main.
if(LEVELCAST_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "LEVELCAST_FUZZ needs clang (libFuzzer): -DCMAKE_CXX_COMPILER=clang++")
  endif()
  if(NOT LEVELCAST_SANITIZE STREQUAL "")
    message(FATAL_ERROR "LEVELCAST_FUZZ brings its own sanitizers: leave LEVELCAST_SANITIZE empty")
  endif()
  set(LEVELCAST_FUZZ_SANITIZERS address,undefined)
  add_compile_options(-fsanitize=fuzzer-no-link,${LEVELCAST_FUZZ_SANITIZERS}
                      -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${LEVELCAST_FUZZ_SANITIZERS})
elseif(LEVELCAST_SANITIZE STREQUAL "address")
  # Without UBSan's vptr check: it probes memory through a pipe, so in a process that is out of
  # descriptors (a test does that on purpose) it reports valid objects as having a bad vptr.
  # The code does no polymorphic downcasts for it to guard.
  add_compile_options(-fsanitize=address,undefined -fno-sanitize=vptr -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
elseif(LEVELCAST_SANITIZE STREQUAL "thread")
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
elseif(NOT LEVELCAST_SANITIZE STREQUAL "")
  message(FATAL_ERROR "LEVELCAST_SANITIZE must be '', 'address' or 'thread', not '${LEVELCAST_SANITIZE}'")
endif()
