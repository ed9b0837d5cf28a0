#!/usr/bin/env bash
# The build steps of the MediaBot image (Dockerfile.worker), as a script: the image runs it, and
# tests/scripts/image_setup_test.ts runs it on this machine's Debian with a user of its own.
# Run as root from the folder that holds the code.
#
#   bash scripts/image_setup.sh tools   yt-dlp (Debian's, or a checked release binary with
#                                       YTDLP_VERSION and YTDLP_SHA256), ffmpeg, curl, aria2c, Apertium,
#                                       fonts, and the npm packages of yt-dlp's challenge solver
#   bash scripts/image_setup.sh app     the app's and the worker's modules cached, then the
#                                       folders the image's user writes made its own
#
# IMAGE_USER (deno) runs the app and the workers. DATA_DIR (KV, scratch, yt-dlp's cache) and
# DENO_DIR (modules, the solver's packages) become IMAGE_USER's, writable by its group too: the
# Compose file runs the app under the Bot API server's uid, with this group, to read that
# server's files.
set -euo pipefail

: "${IMAGE_USER:=deno}"
: "${DATA_DIR:?DATA_DIR must name the image's data folder}"
: "${DENO_DIR:?DENO_DIR must name the image's Deno cache}"
readonly YTDLP_RELEASE_DIR=/opt/yt-dlp

case "${1:-}" in
  tools)
    # the release binary lives in a folder the worker's user owns (it replaces itself there) and
    # is first on PATH, so setup.sh finds a current yt-dlp and installs no other
    if [ -n "${YTDLP_VERSION:-}" ]; then
      bash scripts/install_ytdlp_release.sh "$YTDLP_VERSION" "${YTDLP_SHA256:-}" "$YTDLP_RELEASE_DIR"
      ln -sf "$YTDLP_RELEASE_DIR/yt-dlp" /usr/local/bin/yt-dlp
    fi
    bash scripts/setup.sh
    ;;
  app)
    deno cache main.ts workers/main.ts
    group=$(id -gn "$IMAGE_USER")
    mkdir -p "$DATA_DIR/scratch" "$DATA_DIR/ytdlp-cache" "$DENO_DIR"
    owned=("$DATA_DIR" "$DENO_DIR")
    home=$(getent passwd "$IMAGE_USER" | cut -d: -f6)
    [ -d "$home" ] && [ "$home" != / ] && owned+=("$home")
    [ -d "$YTDLP_RELEASE_DIR" ] && owned+=("$YTDLP_RELEASE_DIR")
    chown -R "$IMAGE_USER:$group" "${owned[@]}"
    chmod -R g+rwX "$DATA_DIR" "$DENO_DIR"
    # new files and folders there keep the group
    find "$DATA_DIR" "$DENO_DIR" -type d -exec chmod g+s {} +
    ;;
  *)
    echo "image_setup: say tools or app" >&2
    exit 1
    ;;
esac
