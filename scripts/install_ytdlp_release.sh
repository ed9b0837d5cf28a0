#!/usr/bin/env bash
# Installs an official yt-dlp release binary into a folder, checked against its SHA-256 first:
# Dockerfile.worker's alternative to Debian's package. The binary can update itself (YTDLP_UPDATE),
# so the folder must belong to the user the worker runs as.
#
#   bash scripts/install_ytdlp_release.sh VERSION SHA256 FOLDER
#
# SHA256 is the line for this machine's binary in the release's SHA2-256SUMS: yt-dlp_linux on
# x86_64, yt-dlp_linux_aarch64 on arm64. YTDLP_RELEASES_URL (tests only) replaces GitHub.
set -euo pipefail

version=${1:-}
sha256=${2:-}
folder=${3:-}
if ! [[ "$version" =~ ^[0-9]{4}\.[0-9]{2}\.[0-9]{2}(\.[0-9]+)?$ ]]; then
  echo "install_ytdlp_release: YTDLP_VERSION must be a release such as 2026.11.23 (got '$version')" >&2
  exit 1
fi
if ! [[ "$sha256" =~ ^[0-9a-f]{64}$ ]]; then
  echo "install_ytdlp_release: YTDLP_SHA256 must be the 64 hex digits of the binary's SHA-256" \
    "(the release's SHA2-256SUMS)" >&2
  exit 1
fi
[ -n "$folder" ] || { echo "install_ytdlp_release: no folder given" >&2; exit 1; }

case "$(uname -m)" in
  x86_64 | amd64) binary=yt-dlp_linux ;;
  aarch64 | arm64) binary=yt-dlp_linux_aarch64 ;;
  *) echo "install_ytdlp_release: no yt-dlp release binary for $(uname -m)" >&2; exit 1 ;;
esac

if ! command -v curl >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends curl ca-certificates >/dev/null
fi

url="${YTDLP_RELEASES_URL:-https://github.com/yt-dlp/yt-dlp/releases/download}/$version/$binary"
mkdir -p "$folder"
download=$(mktemp "$folder/.yt-dlp.XXXXXX")
trap 'rm -f "$download"' EXIT
# redirects (GitHub's go to its object storage) stay on https
curl --fail --silent --show-error --location --proto-redir =https --retry 3 -o "$download" "$url"
if ! echo "$sha256  $download" | sha256sum --check --status; then
  echo "install_ytdlp_release: $url does not have the SHA-256 given; nothing installed" >&2
  exit 1
fi
chmod 755 "$download"
installed=$("$download" --version)
if [ "$installed" != "$version" ]; then
  echo "install_ytdlp_release: the binary says it is $installed, not $version; nothing installed" >&2
  exit 1
fi
mv "$download" "$folder/yt-dlp"
trap - EXIT
echo "install_ytdlp_release: yt-dlp $version in $folder" >&2
