# Shared by scripts/run and scripts/test: install what is missing, then build.
# Source it; it does nothing on its own.

KVO_PACKAGES=(
  cmake ninja-build ccache pkg-config g++ clang-format
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  grpc-proto libabsl-dev libpqxx-dev libpq-dev libsodium-dev libssl-dev
  libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev
  postgresql-15 libcairo2-dev poppler-utils fonts-dejavu-core
  libvips-dev libvips-tools
)

kvo_install_deps() {
  local missing=()
  for pkg in "${KVO_PACKAGES[@]}"; do
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

# kvo_build DIR BUILD_TYPE [extra cmake args...]
kvo_build() {
  local dir=$1 type=$2
  shift 2
  export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/kvo-ccache}"
  export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-5G}"
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" \
    -DCMAKE_CXX_COMPILER_LAUNCHER=ccache "$@" >/dev/null
  cmake --build "$dir" -j "${KVO_BUILD_JOBS:-2}"
}
