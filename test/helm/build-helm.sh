#!/usr/bin/env bash
# Builds helm, for the chart's tests (deploy/helm/incidentbot), from the Go module proxy
# alone: `go install helm.sh/helm/v3/cmd/helm@$HELM`. The binary is cached by version under
# $INCIDENTBOT_HELM_CACHE (default ~/.cache/incidentbot/helm-<version>), so only the first
# run on a machine pays for the build. Prints the path of the helm binary.
set -euo pipefail

HELM=v3.22.0
# The Kubernetes version helm assumes without --kube-version (helm template's capabilities,
# helm lint's deprecated-API check): helm's Makefile derives it from its client-go (v0.37 ->
# 1.37); a plain go install would leave helm's fallback, 1.20.
K8S_MAJOR=1
K8S_MINOR=37
cache="${INCIDENTBOT_HELM_CACHE:-$HOME/.cache/incidentbot/helm-$HELM}"

if [ -x "$cache/helm" ]; then echo "$cache/helm"; exit 0; fi
mkdir -p "$cache"
# Outside any module, so the repository's go.mod has no say in helm's dependencies. The
# binary goes to a directory of this run's own and is renamed into place: an interrupted
# build leaves no half-written helm, and two builds at once (two test runs) do not collide.
work=$(mktemp -d)
partial=$(mktemp -d "$cache/.build.XXXXXX")
trap 'rm -rf "$work" "$partial"' EXIT
cd "$work"
GOFLAGS=-mod=mod CGO_ENABLED=0 GOBIN="$partial" \
  go install -trimpath -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM \
    -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=$K8S_MAJOR -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$K8S_MINOR \
    -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=$K8S_MAJOR -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$K8S_MINOR" \
  "helm.sh/helm/v3/cmd/helm@$HELM" >&2
mv "$partial/helm" "$cache/helm"
echo "$cache/helm"
