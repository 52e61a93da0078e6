#!/usr/bin/env bash
# Make sure Debian's Chromium is at /usr/bin/chromium (the browser tests and the school PDFs of
# gapwatch.report drive it headless). Does nothing when it is there; otherwise installs
# Debian's package `chromium`. Playwright's own browser download is not used (it does not work
# on a closed network): the tests launch /usr/bin/chromium with executable_path.
set -euo pipefail
CHROMIUM=${GAPWATCH_CHROMIUM:-/usr/bin/chromium}
if [ -x "${CHROMIUM}" ]; then
  exit 0
fi
echo "Chromium not found at ${CHROMIUM}; installing Debian's chromium"
bash "$(dirname "$0")/apt-install.sh" chromium
/usr/bin/chromium --version
