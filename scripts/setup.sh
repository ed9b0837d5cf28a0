#!/usr/bin/env bash
# Installs the binaries MediaBot runs (yt-dlp, ffmpeg/ffprobe, Apertium) when they are missing.
# Used by `deno task start`, `deno task test`, .ci/run and Dockerfile.worker.
# Fast when everything is there: it only looks.
set -euo pipefail

# the app alone (WORKERS=0, fleet workers elsewhere) never runs yt-dlp or ffmpeg
if [ "${1:-}" = "app" ] && [ "${WORKERS:-2}" = "0" ]; then
  exit 0
fi

missing_packages=()
command -v "${YTDLP_PATH:-yt-dlp}" >/dev/null 2>&1 || missing_packages+=(yt-dlp)
if ! command -v "${FFMPEG_PATH:-ffmpeg}" >/dev/null 2>&1 || ! command -v "${FFPROBE_PATH:-ffprobe}" >/dev/null 2>&1; then
  missing_packages+=(ffmpeg)
fi
# workers upload files with curl: several times faster than Deno's fetch (lib/curl_upload.ts)
command -v curl >/dev/null 2>&1 || missing_packages+=(curl)
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

if [ ${#missing_packages[@]} -eq 0 ]; then
  exit 0
fi

echo "setup: installing ${missing_packages[*]}" >&2
if command -v apt-get >/dev/null 2>&1; then
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo_cmd=(sudo); else
      echo "setup: run as root or install sudo: apt-get install -y ${missing_packages[*]}" >&2
      exit 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq "${missing_packages[@]}" >/dev/null
  exit 0
fi

cat >&2 <<MSG
setup: ${missing_packages[*]} not found and this system has no apt-get. Install them yourself:
  macOS:   brew install yt-dlp ffmpeg
  Fedora:  sudo dnf install yt-dlp ffmpeg
  Arch:    sudo pacman -S yt-dlp ffmpeg
  any:     pipx install yt-dlp, and ffmpeg from https://ffmpeg.org/download.html
or point YTDLP_PATH, FFMPEG_PATH and FFPROBE_PATH at them.
MSG
exit 1
