#!/usr/bin/env bash
# Installs the binaries MediaBot runs (yt-dlp, ffmpeg/ffprobe, Apertium) when they are missing.
# Used by `deno task start`, `deno task test`, .ci/run and Dockerfile.worker.
# Fast when everything is there: it only looks.
set -euo pipefail

# the app alone (WORKERS=0, fleet workers elsewhere) never runs yt-dlp or ffmpeg
if [ "${1:-}" = "app" ] && [ "${WORKERS:-2}" = "0" ]; then
  exit 0
fi

# Debian 12 and 13: current yt-dlp and gallery-dl come from trixie-backports (architecture-independent
# Python whose dependencies both satisfy: gallery-dl needs only python3-requests); a pin keeps every
# other package from coming from there (priority -1: never installed, even when asked for by name).
add_trixie_backports() {
  [ -r /etc/os-release ] || return 0
  # shellcheck disable=SC1091
  . /etc/os-release
  [ "${ID:-}" = "debian" ] || return 0
  case "${VERSION_ID:-}" in 12 | 13) ;; *) return 0 ;; esac
  # bookworm's keyring is a .gpg file, trixie's a .pgp one
  local keyring
  for keyring in /usr/share/keyrings/debian-archive-keyring.pgp /usr/share/keyrings/debian-archive-keyring.gpg; do
    [ -f "$keyring" ] && break
  done
  "${sudo_cmd[@]}" tee /etc/apt/sources.list.d/mediabot-trixie-backports.sources >/dev/null <<SOURCES
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie-backports
Components: main
Signed-By: $keyring
SOURCES
  "${sudo_cmd[@]}" tee /etc/apt/preferences.d/mediabot-trixie-backports >/dev/null <<PINS
Package: *
Pin: release n=trixie-backports
Pin-Priority: -1

Package: yt-dlp gallery-dl
Pin: release n=trixie-backports
Pin-Priority: 500
PINS
}

# yt-dlp older than this cannot solve YouTube's JavaScript challenges (it needs an external runtime)
readonly YTDLP_MIN_VERSION="2025.11.12"
# bookworm's gallery-dl (1.25) predates many of today's site extractors
readonly GALLERY_DL_MIN_VERSION="1.30"

# yt-dlp solves YouTube's JavaScript challenges by running Deno (the worker passes its own binary).
# Debian's yt-dlp ships the solver as a script that imports two npm packages: they are cached in
# the DENO_DIR of the user running this (the worker's user), since yt-dlp runs Deno offline
# (--cached-only). Release binaries bundle a self-contained solver and need nothing here.
cache_ytdlp_solver() {
  command -v deno >/dev/null 2>&1 || return 0
  local ytdlp shebang lib
  ytdlp=$(command -v "${YTDLP_PATH:-yt-dlp}") || return 0
  # a Python yt-dlp names its interpreter on its first line; a release binary has none
  read -r -n 200 shebang <"$ytdlp" || true
  [[ "$shebang" == "#!"*python* ]] || return 0
  # shellcheck disable=SC2086 # "#!/usr/bin/env python3" is two words
  lib=$(${shebang#\#!} -c 'import pathlib, yt_dlp.extractor.youtube.jsc._builtin.vendor as vendor
print(pathlib.Path(vendor.__file__).parent / "yt.solver.deno.lib.js")' 2>/dev/null) || return 0
  [ -f "$lib" ] || return 0
  # the check yt-dlp makes before it uses the solver, with its flags
  if deno run --ext=js --no-code-cache --no-prompt --no-remote --no-lock --node-modules-dir=none \
    --no-config --cached-only - <"$lib" >/dev/null 2>&1; then
    return 0
  fi
  echo "setup: caching the npm packages of yt-dlp's JavaScript challenge solver ($lib)" >&2
  local output
  if ! output=$(deno cache --no-config --no-lock --node-modules-dir=none "$lib" 2>&1); then
    echo "$output" >&2
    echo "setup: without them yt-dlp cannot solve YouTube's challenges; run this again with" \
      "access to the npm registry" >&2
  fi
}

# media tools come without their recommended extras (rtmpdump, mpv…): nothing that could fetch
# around the egress guard
media_packages=()
missing_packages=()
if [ -n "${YTDLP_PATH:-}" ]; then
  command -v "$YTDLP_PATH" >/dev/null 2>&1 || { echo "setup: YTDLP_PATH=$YTDLP_PATH not found" >&2; exit 1; }
else
  ytdlp_version=$(yt-dlp --version 2>/dev/null || true)
  if [ -z "$ytdlp_version" ] || [[ "$ytdlp_version" < "$YTDLP_MIN_VERSION" ]]; then
    media_packages+=(yt-dlp)
  fi
fi
# images, carousels and galleries (workers/gallery.ts)
if [ -n "${GALLERY_DL_PATH:-}" ]; then
  command -v "$GALLERY_DL_PATH" >/dev/null 2>&1 || { echo "setup: GALLERY_DL_PATH=$GALLERY_DL_PATH not found" >&2; exit 1; }
else
  gallery_dl_version=$(gallery-dl --version 2>/dev/null || true)
  # versions compared as versions: 1.4 is older than 1.30
  oldest=$(printf '%s\n' "$GALLERY_DL_MIN_VERSION" "$gallery_dl_version" | sort -V | head -n 1)
  if [ -z "$gallery_dl_version" ] || [ "$oldest" != "$GALLERY_DL_MIN_VERSION" ]; then
    media_packages+=(gallery-dl)
  fi
fi
if ! command -v "${FFMPEG_PATH:-ffmpeg}" >/dev/null 2>&1 || ! command -v "${FFPROBE_PATH:-ffprobe}" >/dev/null 2>&1; then
  media_packages+=(ffmpeg)
fi
# workers upload files with curl: several times faster than Deno's fetch (lib/curl_upload.ts)
command -v curl >/dev/null 2>&1 || missing_packages+=(curl)
# a download opens several connections (DOWNLOAD_CONNECTIONS): aria2c fetches a single file in
# ranged parts (workers/ytdlp_run.ts)
command -v aria2c >/dev/null 2>&1 || missing_packages+=(aria2)
# the offline translator (TRANSLATOR=offline, the default): English↔Spanish and French↔Spanish,
# English↔French through Spanish
if [ "${TRANSLATOR:-offline}" = "offline" ]; then
  command -v apertium >/dev/null 2>&1 || missing_packages+=(apertium)
  for pair in eng-spa fr-es; do
    [ -f "/usr/share/apertium/modes/${pair}.mode" ] || missing_packages+=("apertium-${pair}")
  done
fi
if [ "${MEDIABOT_BROWSER:-}" = "1" ] && ! command -v chromium >/dev/null 2>&1; then
  missing_packages+=(chromium)
fi

# `deno task bench` loads the webhook with wrk: a load generator that costs the app little CPU
if [ "${MEDIABOT_BENCH:-}" = "1" ] && ! command -v wrk >/dev/null 2>&1; then
  missing_packages+=(wrk)
fi

# /stats draws its chart's text with DejaVu Sans (services/stats_chart.ts)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing_packages+=(fonts-dejavu-core)

if [ ${#missing_packages[@]} -eq 0 ] && [ ${#media_packages[@]} -eq 0 ]; then
  cache_ytdlp_solver
  exit 0
fi

echo "setup: installing ${media_packages[*]} ${missing_packages[*]}" >&2
if command -v apt-get >/dev/null 2>&1; then
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo_cmd=(sudo); else
      echo "setup: run as root or install sudo: apt-get install -y ${media_packages[*]} ${missing_packages[*]}" >&2
      exit 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  if [[ " ${media_packages[*]} " == *" yt-dlp "* || " ${media_packages[*]} " == *" gallery-dl "* ]]; then
    add_trixie_backports
  fi
  "${sudo_cmd[@]}" apt-get update -qq
  if [ ${#media_packages[@]} -gt 0 ]; then
    "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${media_packages[@]}" >/dev/null
  fi
  if [ ${#missing_packages[@]} -gt 0 ]; then
    "${sudo_cmd[@]}" apt-get install -y -qq "${missing_packages[@]}" >/dev/null
  fi
  ytdlp_version=$(yt-dlp --version 2>/dev/null || true)
  if [ -z "${YTDLP_PATH:-}" ] && [[ "$ytdlp_version" < "$YTDLP_MIN_VERSION" ]]; then
    echo "setup: this system's yt-dlp (${ytdlp_version:-none}) is older than $YTDLP_MIN_VERSION and cannot" \
      "handle today's sites; install a current one (pipx install yt-dlp) and set YTDLP_PATH" >&2
  fi
  cache_ytdlp_solver
  exit 0
fi

cat >&2 <<MSG
setup: ${media_packages[*]} ${missing_packages[*]} not found and this system has no apt-get. Install them yourself:
  macOS:   brew install yt-dlp gallery-dl ffmpeg aria2
  Fedora:  sudo dnf install yt-dlp gallery-dl ffmpeg aria2
  Arch:    sudo pacman -S yt-dlp gallery-dl ffmpeg aria2
  any:     pipx install yt-dlp gallery-dl, and ffmpeg from https://ffmpeg.org/download.html
or point YTDLP_PATH, GALLERY_DL_PATH, FFMPEG_PATH and FFPROBE_PATH at them.
MSG
exit 1
