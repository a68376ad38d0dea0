#!/bin/sh
# Until hardened-redis is on the npm registry, the app installs it from vendor/hardened-redis:
# the package exactly as `npm pack` makes it from this repository. Run this before `docker build`
# (or `pulumi up` in examples/consumer, which builds the image). Once you install hardened-redis
# from the registry, depend on "hardened-redis": "^0.1.0" instead and delete this script.
# Usage: ./vendor.sh [tarball]   (default: `npm pack` of this repository, which builds it first)
set -eu
cd "$(dirname "$0")"
if [ $# -gt 0 ]; then
    tarball=$1
else
    tarball=$PWD/$(cd ../.. && npm pack --silent --pack-destination "$OLDPWD")
    trap 'rm -f "$tarball"' EXIT
fi
rm -rf vendor/hardened-redis
mkdir -p vendor/hardened-redis
tar -xzf "$tarball" --strip-components=1 -C vendor/hardened-redis
# A registry install neither runs the package's `prepare` (it builds from sources the tarball
# does not hold) nor installs its devDependencies; for a directory dependency npm would do both.
(cd vendor/hardened-redis && npm pkg delete scripts.prepare devDependencies)
