# `cpack -G DEB` (or `make deb`): a Debian package with reclab and reclab-cli, the desktop
# entry, the icon, AppStream metadata, the bundled samples and presets.
include(GNUInstallDirs)

install(FILES ${PROJECT_SOURCE_DIR}/packaging/reclab.desktop
        DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/io.github.reclab.RecLab.svg
        DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/io.github.reclab.RecLab.metainfo.xml
        DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
# reclab looks for these next to its executable: ../share/reclab/{datasets,presets}.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/datasets/ DESTINATION ${CMAKE_INSTALL_DATADIR}/reclab/datasets)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/resources/presets/
        DESTINATION ${CMAKE_INSTALL_DATADIR}/reclab/presets)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/resources/examples/
        DESTINATION ${CMAKE_INSTALL_DATADIR}/reclab/examples)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/docs/user-guide.md
              ${PROJECT_SOURCE_DIR}/docs/metrics.md
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/reclab)

set(CPACK_PACKAGE_NAME "reclab")
set(CPACK_PACKAGE_VENDOR "RecLab")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Desktop workbench for recommender-system research")
set(CPACK_PACKAGE_CONTACT "RecLab developers <dev@reclab.invalid>")
set(CPACK_PACKAGE_INSTALL_DIRECTORY "reclab")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "science")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Runtime pieces that dpkg-shlibdeps cannot see: the Qt SVG plugin for exports and OpenBLAS,
# without which Debian's LibTorch multiplies matrices about 20x slower.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libqt6svg6, libopenblas0-openmp")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "Load interaction logs, train models on worker threads with live curves,\nevaluate with full ranking, compare runs and inspect recommendations.")
include(CPack)
