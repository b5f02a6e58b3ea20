# Installing and packaging (issue #16), on the already-built tree: `cmake --install` into a temporary
# prefix and a find_package / pkg-config consumer that sends a log; CPack's .deb checked with dpkg-deb,
# lintian and systemd-analyze. The socket-activation test is tests/server/systemd_activation.py.
#
#   ctest --test-dir build -L packaging --output-on-failure
#
# Included by tests/CMakeLists.txt. Both run after a full build (they install what `all` built); they take
# turns, since each loads both cores for a while (a consumer build; lintian).
find_package(Python3 COMPONENTS Interpreter)
if(NOT Python3_Interpreter_FOUND)
  message(WARNING "python3 not found: the packaging tests (tests/packaging) are not registered")
  return()
endif()
set(LOGDAEMON_PACKAGING_TEST_FLAGS)
if(LOGDAEMON_SANITIZE)
  list(APPEND LOGDAEMON_PACKAGING_TEST_FLAGS --sanitized)
endif()
add_test(NAME packaging.install
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/install_test.py --build-dir ${CMAKE_BINARY_DIR}
                 --source-dir ${PROJECT_SOURCE_DIR} ${LOGDAEMON_PACKAGING_TEST_FLAGS})
set_tests_properties(packaging.install PROPERTIES TIMEOUT 300 LABELS packaging RESOURCE_LOCK packaging)
# The .deb is a release artifact, checked from the Release tree. Not registered in the sanitizer build: its
# instrumented 87 MB binary is not what a package ships, and packing and linting it took 27 s of CI.
if(NOT LOGDAEMON_SANITIZE)
  add_test(NAME packaging.deb
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/deb_test.py --build-dir ${CMAKE_BINARY_DIR})
  set_tests_properties(packaging.deb PROPERTIES TIMEOUT 300 LABELS packaging RESOURCE_LOCK packaging)
endif()
