#!/usr/bin/env bash
# Builds helm, for the chart's tests (deploy/helm/incidentbot), from the Go module proxy
# alone: `go install helm.sh/helm/v3/cmd/helm@$HELM`. The binary is cached by version under
# $INCIDENTBOT_HELM_CACHE (default ~/.cache/incidentbot/helm-<version>), so only the first
# run on a machine pays for the build. Prints the path of the helm binary.
set -euo pipefail

HELM=v3.22.0
cache="${INCIDENTBOT_HELM_CACHE:-$HOME/.cache/incidentbot/helm-$HELM}"

if [ -x "$cache/helm" ]; then echo "$cache/helm"; exit 0; fi
mkdir -p "$cache"
# Outside any module, so the repository's go.mod has no say in helm's dependencies.
cd "$(mktemp -d)"
trap 'rm -rf "$PWD"' EXIT
# go install writes the binary under its own name; build into a temporary name in the
# cache and rename, so an interrupted build never leaves a half-written helm behind.
GOFLAGS=-mod=mod CGO_ENABLED=0 GOBIN="$cache/.partial" \
  go install -trimpath -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM" \
  "helm.sh/helm/v3/cmd/helm@$HELM" >&2
mv "$cache/.partial/helm" "$cache/helm"
rmdir "$cache/.partial"
echo "$cache/helm"
