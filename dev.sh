#!/usr/bin/env bash
# One-step set-up and run. Needs only Python 3.11+ and git (and root or sudo for Debian packages).
#   ./dev.sh demo   — install everything, then run the whole job on the bundled demo site (SQLite)
#   ./dev.sh test   — install everything, then run the whole test suite
#   ./dev.sh setup  — install only
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
VENV="$ROOT/.venv"

say() { printf '[monitor] %s\n' "$*" >&2; }

pick_python() {
  for py in python3.11 python3.12 python3.13 python3; do
    if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
      echo "$py"; return 0
    fi
  done
  say "需要 Python 3.11 或更高版本，未找到；请先安装 Python 3.11"
  exit 2
}

apt_packages() {
  # Debian packages the project needs: Chromium (JS pages, screenshots, dashboard tests), CJK fonts (PDF), poppler.
  local wanted missing=()
  wanted=$(grep -v '^\s*#' .ci/apt-packages 2>/dev/null | tr -s ' \n' ' ')
  for p in $wanted; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local SUDO=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
      say "缺少系统软件包：${missing[*]}（需要 root 权限安装）；依赖它们的功能和测试将跳过"
      return 0
    fi
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    say "不是 Debian/Ubuntu 系统，请手动安装：${missing[*]}"
    return 0
  fi
  say "安装系统软件包：${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

python_packages() {
  local py stamp want
  py=$(pick_python)
  [ -x "$VENV/bin/python" ] || { say "创建虚拟环境 .venv"; "$py" -m venv "$VENV"; }
  stamp="$VENV/.monitor-installed"
  want=$(cat pyproject.toml | sha256sum | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    say "安装 Python 依赖（首次需要几分钟，日志：var/setup.log）"
    mkdir -p var
    if ! { "$VENV/bin/python" -m pip install -q --upgrade pip && "$VENV/bin/python" -m pip install -q -e ".[test]"; } \
        > var/setup.log 2>&1; then
      tail -n 30 var/setup.log >&2
      say "Python 依赖安装失败，完整日志见 var/setup.log"
      exit 1
    fi
    echo "$want" > "$stamp"
  fi
}

setup() {
  apt_packages
  python_packages
}

cmd=${1:-demo}
shift || true
case "$cmd" in
  setup) setup ;;
  demo)
    setup
    exec "$VENV/bin/monitor" demo "$@"
    ;;
  test)
    setup
    exec "$VENV/bin/python" -m pytest -q -p no:cacheprovider "$@"
    ;;
  *)
    echo "用法：./dev.sh demo | test | setup" >&2
    exit 2
    ;;
esac
