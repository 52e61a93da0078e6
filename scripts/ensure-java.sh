#!/usr/bin/env bash
# Make sure Java 17 or newer is on PATH (PySpark 4 needs it for the Spark engine and its tests).
# Installs Debian's headless JRE when it is missing; does nothing when a recent Java is there.
set -euo pipefail
version=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1 || true)
if [ -n "${version}" ] && [ "${version}" -ge 17 ]; then
  exit 0
fi
echo "Java 17+ not found (found: '${version:-none}'); installing Debian's openjdk-17-jre-headless"
bash "$(dirname "$0")/apt-install.sh" openjdk-17-jre-headless
java -version
