# Shared by scripts/run and scripts/test: install what is missing, then build.
# Source it; it does nothing on its own.

KVO_PACKAGES=(
  cmake ninja-build ccache pkg-config g++ clang-format
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  grpc-proto libabsl-dev libpqxx-dev libpq-dev libsodium-dev libssl-dev
  libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev
  postgresql-15 libcairo2-dev poppler-utils fonts-dejavu-core
  libvips-dev libvips-tools
  libcpp-httplib-dev chromium chromium-driver
)

# The libFuzzer build (scripts/fuzz, the fuzz step of scripts/test): clang
# and its sanitizer and fuzzer runtimes.
KVO_FUZZ_PACKAGES=(clang-14 libclang-rt-14-dev)

# kvo_install_packages PKG...: apt-get installs those not installed yet.
kvo_install_packages() {
  local missing=()
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$pkg")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  echo "installing: ${missing[*]}"
  if [ "$(id -u)" != 0 ]; then
    echo "error: missing Debian packages (${missing[*]}); run as root or install them" >&2
    return 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

kvo_install_deps() {
  kvo_install_packages "${KVO_PACKAGES[@]}"
}

kvo_install_fuzz_deps() {
  kvo_install_packages "${KVO_PACKAGES[@]}" "${KVO_FUZZ_PACKAGES[@]}"
}

# ccache shared by every checkout of this repository on this machine: paths
# under the checkout are hashed relative to it, so a clean clone elsewhere (CI)
# or a worktree reuses what another checkout compiled.
kvo_ccache_env() {
  export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/kvo-ccache}"
  export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-5G}"
  export CCACHE_BASEDIR="$PWD"
  export CCACHE_NOHASHDIR=true
}

# kvo_build DIR BUILD_TYPE [extra cmake args...]
kvo_build() {
  local dir=$1 type=$2
  shift 2
  kvo_ccache_env
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" \
    -DCMAKE_CXX_COMPILER_LAUNCHER=ccache "$@" >/dev/null
  cmake --build "$dir" -j "${KVO_BUILD_JOBS:-2}"
}

# kvo_build_fuzz DIR: the libFuzzer targets of tests/fuzz (KVO_FUZZ=ON) with
# clang-14, ASan and UBSan.
kvo_build_fuzz() {
  local dir=$1
  kvo_ccache_env
  CC=clang-14 CXX=clang++-14 cmake -S . -B "$dir" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
    -DKVO_FUZZ=ON >/dev/null
  cmake --build "$dir" -j "${KVO_BUILD_JOBS:-2}" --target fuzz_all
}

# scripts/ha-drill: etcd, Patroni and HAProxy (and python3, which Patroni
# brings and the drill's small checks use).
KVO_HA_PACKAGES=(patroni etcd-server etcd-client haproxy python3)
