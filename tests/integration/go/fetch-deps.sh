#!/usr/bin/env bash
# Builds bin/franzclient (git-ignored) for test_franz_go.py: franz-go and kadm at the versions
# pinned in go.mod/go.sum, fetched from the Go module proxy into the git-ignored .gopath/, with
# the build cache in .gocache/. -mod=readonly: a go.mod or go.sum that does not match the source
# fails the build instead of being rewritten. A second run only re-checks the build (cached, a
# fraction of a second). Fails loudly if the modules cannot be fetched: CI must not skip.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v go >/dev/null; then
  # Debian's Go, as root or through sudo. Bookworm's (1.19) is older than franz-go needs: the
  # version check below then says so instead of a confusing build error.
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends golang-go >&2
fi
export GOPATH="$PWD/.gopath" GOMODCACHE="$PWD/.gopath/pkg/mod" GOCACHE="$PWD/.gocache"
export GOPROXY="${GOPROXY:-https://proxy.golang.org}" GOFLAGS="-mod=readonly -modcacherw"
# The installed toolchain only: go.mod's `go` line is the oldest that franz-go builds with, and
# an older go says so here rather than trying to download a newer one.
export GOTOOLCHAIN=local
need="$(sed -n 's/^go //p' go.mod)"
have="$(go env GOVERSION)"
if [ "$(printf '%s\n' "go$need" "$have" | sort -V | head -1)" != "go$need" ]; then
  echo "tests/integration/go needs Go >= $need (franz-go's minimum); found $have" >&2
  exit 1
fi
go build -trimpath -o bin/franzclient .
