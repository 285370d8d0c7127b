# Debian packages (cpack -G DEB in the build directory): "pangeo" (the tools, libpangeo.so.0,
# man pages, bash completion) and "pangeo-dev" (headers, pkg-config file, CMake package).
# Depends are found by dpkg-shlibdeps; the shlibs file and the ldconfig trigger are made
# for the library.
set(CPACK_PACKAGE_NAME pangeo)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "libpangeo maintainers <pangeo@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "netCDF and Zarr tools for climate and ocean data, chunk-parallel")
set(CPACK_PACKAGE_DESCRIPTION "Command-line tools (pg-convert, pg-info, pg-select, pg-reduce, pg-groupby,
pg-upload, pg-plot) that convert, inspect, analyse, upload and plot netCDF and Zarr
stores chunk by chunk on all cores, with results that match xarray's.")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME pangeo)
set(CPACK_DEBIAN_DEV_PACKAGE_NAME pangeo-dev)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION science)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
# Text in pictures needs a font; the headers need nlohmann-json and fmt.
set(CPACK_DEBIAN_RUNTIME_PACKAGE_DEPENDS "fonts-dejavu-core")
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "pangeo (= ${PROJECT_VERSION}), nlohmann-json3-dev, libfmt-dev")
set(CPACK_DEBIAN_RUNTIME_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")
set(CPACK_COMPONENT_DEV_DESCRIPTION "libpangeo development files")
set(CPACK_DEBIAN_DEV_DESCRIPTION "Headers, pkg-config file (pangeo) and CMake package (find_package(pangeo))
of libpangeo.")
# Debug information stays in the build tree.
set(CPACK_STRIP_FILES ON)
include(CPack)
