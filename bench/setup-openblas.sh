#!/bin/sh
# PyTorch from Debian (python3-torch) does its GEMM through the system's libblas.so.3. Where that is
# the reference BLAS (libblas3), PyTorch's matmul runs at ~3 GFLOP/s instead of OpenBLAS's ~190, and
# every ratio against it is meaningless. This unpacks Debian's OpenBLAS (0.3.21, pthreads build) into
# bench/.cache/openblas without installing anything; bench/run.ts then starts PyTorch with
# LD_LIBRARY_PATH pointing there. (`apt-get install libopenblas0-pthread` does the same system-wide.)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dest="$here/.cache/openblas"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download libopenblas0-pthread)
rm -rf "$dest"
mkdir -p "$dest"
dpkg -x "$tmp"/libopenblas0-pthread_*.deb "$dest"
ls "$dest/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3"
echo "OpenBLAS unpacked into $dest"
