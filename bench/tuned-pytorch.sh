# Sourced by the comparison scripts: the PyTorch side in the `tuned` configuration of ../shared/bench/README.md
# (the OpenMP build of OpenBLAS, OPENBLAS_CORETYPE=SkylakeX, Debian's python3), in one place.
# Sets $shared (../shared beside the checkout, or $ABLATE_SHARED) and defines tuned_python ARGS... , which runs
# Debian's python3 (or $PY) in $shared/bench with that BLAS.
shared="${ABLATE_SHARED:-$root/../shared}"
[[ -d "$shared/bench" ]] || { echo "no $shared/bench (set ABLATE_SHARED)" >&2; exit 1; }
PY="${PY:-/usr/bin/python3}"
MA=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
omp_blas=$(update-alternatives --list "libblas.so.3-$MA" 2>/dev/null | grep openblas-openmp | head -1 | xargs -r dirname || true)
[[ -n "$omp_blas" ]] || { echo "tuned OpenBLAS missing: apt-get install -y libopenblas0-openmp" >&2; exit 1; }
tuned_env=(LD_LIBRARY_PATH="$omp_blas" OPENBLAS_CORETYPE=SkylakeX)   # also for commands run as strings
tuned_python() { (cd "$shared/bench" && env "${tuned_env[@]}" "$PY" "$@" 2>/dev/null); }
