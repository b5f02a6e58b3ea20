# The Debian packages (`make deb`: cpack -G DEB in the build tree; docs/install.md). Included by
# packaging/CMakeLists.txt after the install rules.
#   logdaemon      the runtime component; Depends computed by dpkg-shlibdeps from what the binary links,
#                  plus adduser (postinst creates the logdaemon user and group) and init-system-helpers
#                  (deb-systemd-invoke: restart on upgrade, stop on removal)
#   logdaemon-dev  the development component; Depends on the -dev packages find_package(logdaemon) needs

set(LOGDAEMON_PACKAGE_CONTACT "logdaemon maintainers <maintainers@logdaemon.example.org>"
    CACHE STRING "Maintainer of the Debian packages")

# The Debian changelog every package ships (/usr/share/doc/<package>/changelog.Debian.gz), compressed
# reproducibly. Its date: the build's (SOURCE_DATE_EPOCH when set).
string(TIMESTAMP LOGDAEMON_CHANGELOG_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)
configure_file(debian/changelog.in ${CMAKE_CURRENT_BINARY_DIR}/changelog.Debian @ONLY)
add_custom_command(OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/changelog.Debian.gz
                   COMMAND gzip -9nkf changelog.Debian
                   DEPENDS ${CMAKE_CURRENT_BINARY_DIR}/changelog.Debian
                   WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
add_custom_target(logdaemon_changelog ALL DEPENDS ${CMAKE_CURRENT_BINARY_DIR}/changelog.Debian.gz)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/changelog.Debian.gz DESTINATION ${CMAKE_INSTALL_DOCDIR}
        COMPONENT runtime)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/changelog.Debian.gz DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/logdaemon-dev
        COMPONENT development)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME logdaemon)
set(CPACK_PACKAGE_VENDOR "the logdaemon authors")
set(CPACK_PACKAGE_CONTACT "${LOGDAEMON_PACKAGE_CONTACT}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
# No CPACK_PACKAGE_DESCRIPTION_SUMMARY: each package's synopsis is the first line of its own description.
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Install with DESTDIR and the prefix /usr, so that the install rules see the prefix the package will have
# (the config file goes to /etc, the units to /lib/systemd/system).
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
# The binary is stripped (executables only: static libraries keep their symbols).
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime development)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME logdaemon)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_DEPENDS "adduser, init-system-helpers (>= 1.52)")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_CONTROL_EXTRA
    ${CMAKE_CURRENT_SOURCE_DIR}/debian/postinst ${CMAKE_CURRENT_SOURCE_DIR}/debian/prerm
    ${CMAKE_CURRENT_SOURCE_DIR}/debian/postrm ${CMAKE_CURRENT_SOURCE_DIR}/debian/conffiles)
set(CPACK_DEBIAN_RUNTIME_DESCRIPTION
    "structured-logging daemon: JSON logs validated and stored as Parquet
logdaemon receives JSON logs from applications over a Unix socket (and OTLP,
NDJSON and the Elasticsearch bulk API over HTTP), validates each against a
JSON Schema and stores them as Parquet files, partitioned by time, that
DuckDB, Spark or pandas read directly. It ships systemd units with socket
activation and a sandboxed service, and the logdaemon command line (serve,
query, ingest, import, inspect, validate-schema).")

set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_NAME logdaemon-dev)
set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_DEPENDS
    "libsimdjson-dev, libzstd-dev, liblz4-dev, zlib1g-dev, libisal-dev, libsnappy-dev, libpcre2-dev, libidn2-dev, liburing-dev, pkg-config")
set(CPACK_DEBIAN_DEVELOPMENT_DESCRIPTION
    "structured-logging daemon: client library and embedding API
The static libraries and C++20 headers of logdaemon: the client library
(send JSON logs to a logdaemon socket) and the embedding API (a LogServer,
StorageEngine and SchemaValidator inside your own program), with a CMake
package (find_package(logdaemon): logdaemon::client, logdaemon::embed) and a
pkg-config file for the client (logdaemon-client).")

include(CPack)
