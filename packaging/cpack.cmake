# Debian package of arbor, built with CPack's DEB generator:
#
#   packaging/build-deb.sh            (configure build/package as Release, build, cpack -G DEB)
#
# Why CPack and not debian/ + dpkg-buildpackage: the package comes from the same CMake
# install() rules a developer uses, needs nothing beyond cmake and dpkg (no debhelper
# tree to keep in step with the source), and builds in seconds from an existing build
# directory, which keeps the CI install test fast. What debhelper would have generated
# is written by hand here: the maintainer scripts (packaging/deb/, modelled on
# dh_installsystemd's snippets, except that an upgrade does not restart arbord), the
# conffiles list, and compressed man pages and changelog. Depends is computed by
# dpkg-shlibdeps (CPACK_DEBIAN_PACKAGE_SHLIBDEPS).
#
# Included at the END of the top-level CMakeLists.txt, so that `if(TARGET arborctl)` sees
# the ctl/ subdirectory's target when there is one. arbord's own install() rule is in
# daemon/CMakeLists.txt (sbin).
#
# Paths: bin/, sbin/ and share/ are relative to the install prefix (/usr in the package,
# CPACK_PACKAGING_INSTALL_PREFIX). The conffile and the systemd unit have absolute paths
# (/etc/arbor, /lib/systemd/system: Debian 12's places), so a plain `cmake --install`
# writes them there too; the .deb is the supported way to install arbor system-wide.

set(ARBOR_PKG_DIR ${PROJECT_SOURCE_DIR}/packaging)
set(ARBOR_PKG_OUT ${PROJECT_BINARY_DIR}/packaging)
file(MAKE_DIRECTORY ${ARBOR_PKG_OUT})

# --- The Debian changelog must name the version being packaged ------------------------
file(STRINGS ${ARBOR_PKG_DIR}/changelog _arbor_changelog_top LIMIT_COUNT 1)
if(NOT _arbor_changelog_top MATCHES "^arbor \\(${PROJECT_VERSION}\\) ")
  message(WARNING "packaging/changelog: the newest entry is \"${_arbor_changelog_top}\", "
                  "but the project version is ${PROJECT_VERSION}: add an entry for it")
endif()

# --- Files compressed at build time (gzip -9n: reproducible, maximum compression) -----
find_program(ARBOR_GZIP gzip REQUIRED)
set(_arbor_man_pages arbord.8 arbor.json.5)
if(TARGET arborctl)
  list(APPEND _arbor_man_pages arborctl.1)
endif()
set(_arbor_gz_outputs)
foreach(page IN LISTS _arbor_man_pages)
  # @ARBOR_VERSION@ in the page's header line.
  set(ARBOR_VERSION ${ARBOR_PACKAGE_VERSION})
  configure_file(${ARBOR_PKG_DIR}/man/${page} ${ARBOR_PKG_OUT}/man/${page} @ONLY)
  add_custom_command(
    OUTPUT ${ARBOR_PKG_OUT}/man/${page}.gz
    COMMAND ${ARBOR_GZIP} -9nf -k ${ARBOR_PKG_OUT}/man/${page}
    DEPENDS ${ARBOR_PKG_OUT}/man/${page}
    COMMENT "gzip man page ${page}")
  list(APPEND _arbor_gz_outputs ${ARBOR_PKG_OUT}/man/${page}.gz)
  string(REGEX MATCH "[0-9]$" _section ${page})
  install(FILES ${ARBOR_PKG_OUT}/man/${page}.gz DESTINATION share/man/man${_section})
endforeach()

add_custom_command(
  OUTPUT ${ARBOR_PKG_OUT}/changelog.gz
  COMMAND ${ARBOR_GZIP} -9n -c ${ARBOR_PKG_DIR}/changelog > ${ARBOR_PKG_OUT}/changelog.gz
  DEPENDS ${ARBOR_PKG_DIR}/changelog
  COMMENT "gzip the Debian changelog")
list(APPEND _arbor_gz_outputs ${ARBOR_PKG_OUT}/changelog.gz)
add_custom_target(arbor_package_files ALL DEPENDS ${_arbor_gz_outputs})

# --- install() rules -------------------------------------------------------------------
if(TARGET arborctl)
  install(TARGETS arborctl RUNTIME DESTINATION bin)
  install(FILES ${ARBOR_PKG_DIR}/bash-completion/arborctl
          DESTINATION share/bash-completion/completions)
endif()
install(FILES ${ARBOR_PKG_DIR}/arbor.json DESTINATION /etc/arbor)
install(FILES ${ARBOR_PKG_DIR}/arbord.service DESTINATION /lib/systemd/system)
install(FILES ${ARBOR_PKG_DIR}/copyright ${ARBOR_PKG_OUT}/changelog.gz
        DESTINATION share/doc/arbor)
install(FILES ${PROJECT_SOURCE_DIR}/examples/web-stack.json ${PROJECT_SOURCE_DIR}/examples/job-runner.json
        DESTINATION share/doc/arbor/examples)

# --- CPack ------------------------------------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME arbor)
set(CPACK_PACKAGE_VERSION ${ARBOR_PACKAGE_VERSION})
set(CPACK_PACKAGE_VENDOR "arbor developers")
set(CPACK_PACKAGE_CONTACT "arbor developers <dev@arbor.invalid>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Binaries in the .deb are stripped; their debug info is not shipped.
set(CPACK_STRIP_FILES ON)
# Absolute destinations (/etc, /lib) are fine for a .deb.
set(CPACK_WARN_ON_ABSOLUTE_INSTALL_DESTINATION OFF)

set(CPACK_DEBIAN_PACKAGE_NAME arbor)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)   # arbor_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_VERSION ${ARBOR_PACKAGE_VERSION})
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "arbor developers <dev@arbor.invalid>")
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# First line: the synopsis; the rest: the extended description (CPack indents it).
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "Erlang/OTP-style supervision trees for Linux processes
arbor runs a tree of supervisors and workers described in one JSON file.
Every worker is a real process in its own process group; when one dies,
arbord applies OTP's rules: one_for_one, one_for_all and rest_for_one
strategies, dynamic supervisors, permanent, transient and temporary
children, and restart intensity limits that escalate a give-up to the
parent supervisor. Children start in order, each waiting for the previous
one to be ready (sd_notify or a file descriptor), and stop in reverse
order, SIGTERM then SIGKILL to the whole process group.
.
This package contains the arbord daemon with its systemd unit, the
arborctl control tool, and a default tree in /etc/arbor/arbor.json.")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)
# Maintainer scripts 0755 and conffiles 0644 in control.tar, whatever the checkout's modes.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${ARBOR_PKG_DIR}/deb/conffiles
    ${ARBOR_PKG_DIR}/deb/postinst
    ${ARBOR_PKG_DIR}/deb/prerm
    ${ARBOR_PKG_DIR}/deb/postrm)

include(CPack)
