# Installation layout and the Debian package (scripts/package.sh runs cpack).
# The package installs usaged as a system service that CloudStack sees as its
# usage server (packaging/usaged.service, docs/install.md).

include(GNUInstallDirs)

# Who the package names as its maintainer: set it to your own for packages
# you distribute (cmake -DUSAGED_PACKAGE_MAINTAINER="Name <mail>").
set(USAGED_PACKAGE_MAINTAINER "usaged maintainers <maintainers@usaged.example.org>"
    CACHE STRING "Maintainer field of the Debian package")

set(USAGED_PKG_DIR ${CMAKE_SOURCE_DIR}/packaging)
set(USAGED_PKG_GEN ${CMAKE_BINARY_DIR}/packaging)

install(TARGETS usaged RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${USAGED_PKG_DIR}/usaged.conf DESTINATION /etc/usaged)
install(FILES ${USAGED_PKG_DIR}/usaged.logrotate DESTINATION /etc/logrotate.d RENAME usaged)
install(FILES ${USAGED_PKG_DIR}/usaged.service DESTINATION /lib/systemd/system)
install(FILES ${USAGED_PKG_DIR}/usaged.bash-completion
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME usaged)
install(FILES ${USAGED_PKG_DIR}/copyright README.md docs/install.md docs/migration.md
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/usaged)

# The man page and the changelog are made from the built command and
# the project's version when the package is built (packaging/make-docs.sh).
add_custom_command(
  OUTPUT ${USAGED_PKG_GEN}/usaged.1.gz ${USAGED_PKG_GEN}/changelog.gz
  COMMAND bash ${USAGED_PKG_DIR}/make-docs.sh $<TARGET_FILE:usaged> ${PROJECT_VERSION}
          ${USAGED_PKG_GEN} "${USAGED_PACKAGE_MAINTAINER}"
  DEPENDS usaged ${USAGED_PKG_DIR}/make-docs.sh
  COMMENT "Generating the man page and the changelog"
  VERBATIM)
add_custom_target(usaged_package_docs DEPENDS ${USAGED_PKG_GEN}/usaged.1.gz)
install(FILES ${USAGED_PKG_GEN}/usaged.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 OPTIONAL)
install(FILES ${USAGED_PKG_GEN}/changelog.gz
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/usaged OPTIONAL)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME usaged)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_WARN_ON_ABSOLUTE_INSTALL_DESTINATION OFF)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_PACKAGE_CONTACT "${USAGED_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "usage server for Apache CloudStack")
set(CPACK_PACKAGE_DESCRIPTION
    "usaged reads CloudStack's usage events and writes the cloud_usage records
CloudStack's billing integrations read, in CloudStack's own schema, exactly
once. It replaces the Java usage server (package cloudstack-usage): it answers
to the cloudstack-usage service name and writes the usage_job heartbeat the
management server shows.")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, tzdata")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "logrotate")
# One usage server per host under CloudStack's service name.
set(CPACK_DEBIAN_PACKAGE_PROVIDES cloudstack-usage)
set(CPACK_DEBIAN_PACKAGE_CONFLICTS cloudstack-usage)
set(CPACK_DEBIAN_PACKAGE_REPLACES cloudstack-usage)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${USAGED_PKG_DIR}/deb/postinst ${USAGED_PKG_DIR}/deb/prerm ${USAGED_PKG_DIR}/deb/postrm
    ${USAGED_PKG_DIR}/deb/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
