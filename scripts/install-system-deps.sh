#!/usr/bin/env bash
# Install the Debian packages blockgrid needs (make demo / make test call this).
#   postgresql-15 + postgresql-15-postgis-3  the embedded PostGIS cluster
#   gdal-bin, osmium-tool                    ogrinfo/ogr2ogr (OGC test, import benchmark); OSM PBF fixtures
#   chromium, fonts-noto-cjk                 browser tests (headless), Chinese glyphs
set -euo pipefail

packages=(postgresql-15 postgresql-15-postgis-3 gdal-bin osmium-tool chromium fonts-noto-cjk)
# make bench also needs the HTTP load generator
if [ "${1:-}" = "--bench" ]; then
  packages+=(wrk)
fi
missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "blockgrid needs these Debian packages: ${missing[*]}" >&2
  echo "install them with:  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "installed: ${missing[*]}"
