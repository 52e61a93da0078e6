#!/usr/bin/env bash
# Install Debian packages quietly, with sudo when not root: apt-install.sh PACKAGE...
# Used by ensure-java.sh and ensure-chromium.sh (called by `make test` and `make demo`).
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "$@" >/dev/null
