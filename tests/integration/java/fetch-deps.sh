#!/usr/bin/env bash
# Puts the Java Kafka client pinned in pom.xml, with its runtime dependencies, into lib/
# (git-ignored) for test_java.py. Idempotent: a stamp of pom.xml's hash makes a second run a
# no-op; a changed pin fetches afresh. Fails loudly if Maven cannot fetch: CI must not skip.
set -euo pipefail
cd "$(dirname "$0")"
want="$(sha256sum pom.xml | cut -d' ' -f1)"
if [ -f lib/.pom.sha256 ] && [ "$(cat lib/.pom.sha256)" = "$want" ]; then
  exit 0
fi
rm -rf lib.new
# -B: no progress bars in CI logs; the jars land in ~/.m2 too, so a re-fetch is quick. sed drops
# the bare colour resets Debian's mvn prints even when quiet; errors still show (pipefail).
mvn -q -B -Dstyle.color=never dependency:copy-dependencies -DincludeScope=runtime \
  -DoutputDirectory=lib.new 2>&1 | sed 's/\x1b\[0m//g'
ls lib.new/kafka-clients-*.jar >/dev/null
echo "$want" >lib.new/.pom.sha256
rm -rf lib
mv lib.new lib
