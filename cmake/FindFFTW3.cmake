# FindFFTW3: single-precision FFTW 3 (fftw3f, Debian libfftw3-dev) through pkg-config.
# Defines FFTW3_FOUND, FFTW3_VERSION and the imported target FFTW3::fftw3f.
include(PkgConfigPackage)
levelcast_pkg_config_package(FFTW3 fftw3f FFTW3::fftw3f)
