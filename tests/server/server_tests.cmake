# The daemon end to end (issue #5): each tests/server/<name>.py starts the real `logdaemon serve` on its own
# temporary socket, storage directory and loopback metrics port, talks to it like a client, stops it with
# SIGTERM (exit 0, no sanitizer report) and reads what it stored with DuckDB and `logdaemon inspect`.
# Every script runs once per I/O backend: server.<name>.uring and server.<name>.epoll.
#
#   ctest --test-dir build -L server                      all of them
#   ctest --test-dir build -R server.protocol             one script, both backends
#   ctest --test-dir build -R server.hostile.epoll --output-on-failure
#   python3 tests/server/protocol.py --logdaemon build/logdaemon --source-dir . \
#       --interop tests/interop --backend epoll --only overflow      one check, by hand (--keep keeps files)
#
# Included by tests/CMakeLists.txt.
find_package(Python3 COMPONENTS Interpreter)
if(NOT Python3_Interpreter_FOUND)
  message(WARNING "python3 not found: the server end-to-end tests (tests/server) are not registered")
  return()
endif()

set(LOGDAEMON_SERVER_TEST_DIR ${CMAKE_CURRENT_LIST_DIR})
# Under the sanitizers the daemon runs 3-5x slower: the scripts send fewer logs and wait longer.
set(LOGDAEMON_SERVER_TEST_FLAGS)
if(LOGDAEMON_SANITIZE)
  list(APPEND LOGDAEMON_SERVER_TEST_FLAGS --sanitized)
endif()

# name, timeout (s), and whether it is heavy (heavy ones take turns: they load both cores).
function(logdaemon_server_test name timeout heavy)
  foreach(backend uring epoll)
    add_test(NAME server.${name}.${backend}
             COMMAND ${Python3_EXECUTABLE} ${LOGDAEMON_SERVER_TEST_DIR}/${name}.py
                     --logdaemon $<TARGET_FILE:logdaemon> --source-dir ${PROJECT_SOURCE_DIR}
                     --interop ${PROJECT_SOURCE_DIR}/tests/interop --backend ${backend}
                     ${LOGDAEMON_SERVER_TEST_FLAGS})
    set_tests_properties(server.${name}.${backend} PROPERTIES TIMEOUT ${timeout} LABELS server
                         SKIP_RETURN_CODE 77)
    if(heavy)
      set_tests_properties(server.${name}.${backend} PROPERTIES RESOURCE_LOCK server-heavy)
    endif()
  endforeach()
endfunction()

logdaemon_server_test(protocol 300 OFF)
logdaemon_server_test(lifecycle 300 OFF)
logdaemon_server_test(bulk 600 ON)
logdaemon_server_test(hostile 600 ON)
logdaemon_server_test(follow 300 OFF)
logdaemon_server_test(crash 600 ON)
logdaemon_server_test(admission 600 ON)
logdaemon_server_test(time_window 300 OFF)
logdaemon_server_test(memory 300 ON)
# The HTTP front door end to end (issue #14), and real HTTP clients: the OpenTelemetry JS SDK and the
# Elasticsearch JavaScript client, the npm packages of tests/http/clients.
logdaemon_server_test(http_front_door 300 OFF)
logdaemon_server_test(http_clients 300 OFF)
# systemd: socket activation through systemd-socket-activate, sd_notify through a notify socket (issue #16).
logdaemon_server_test(systemd_activation 120 OFF)
# The query API end to end (issue #17): every parameter, bad parameters, the SSE tail, cancellation.
logdaemon_server_test(query_api 300 OFF)
# Shipping sealed files to object storage (issue #15): s3rver from tests/ship/node_modules behind a proxy that
# checks SigV4 signatures and plays faults. The uploader does not depend on the I/O backend: one run, epoll.
add_test(NAME server.ship
         COMMAND ${Python3_EXECUTABLE} ${LOGDAEMON_SERVER_TEST_DIR}/ship.py
                 --logdaemon $<TARGET_FILE:logdaemon> --source-dir ${PROJECT_SOURCE_DIR}
                 --interop ${PROJECT_SOURCE_DIR}/tests/interop --backend epoll ${LOGDAEMON_SERVER_TEST_FLAGS})
set_tests_properties(server.ship PROPERTIES TIMEOUT 300 LABELS server)
