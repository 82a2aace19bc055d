#!/usr/bin/env bash
# Builds the Kubernetes control plane the end-to-end tests run against, from the Go module
# proxy alone (see KUBE-TESTING.md): kube-apiserver, kube-controller-manager, kube-scheduler
# and kubectl from k8s.io/kubernetes, etcd from go.etcd.io/etcd/server/v3, and kwok. The
# binaries are cached by version under $INCIDENTBOT_KUBE_CACHE (default
# ~/.cache/incidentbot/kube-<versions>), so only the first run on a machine pays (~18 min).
# Prints the directory holding the binaries.
set -euo pipefail

K8S=v1.37.2
STAGING=v0.37.2
ETCD=v3.7.0
KWOK=v0.8.0
cache="${INCIDENTBOT_KUBE_CACHE:-$HOME/.cache/incidentbot/kube-$K8S-etcd-$ETCD-kwok-$KWOK}"
bins=(kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kwok)

have_all() { for b in "${bins[@]}"; do [ -x "$cache/$b" ] || return 1; done; }
if have_all; then echo "$cache"; exit 0; fi
mkdir -p "$cache"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GOFLAGS=-mod=mod CGO_ENABLED=0

# Kubernetes: a throwaway module that requires k8s.io/kubernetes and replaces each staging
# module it requires with its published version.
mkdir -p "$work/k8s" && cd "$work/k8s"
go mod init kubebuild >/dev/null 2>&1
go mod edit -require=k8s.io/kubernetes@$K8S
go mod download -json k8s.io/kubernetes@$K8S >/dev/null
k8smod=$(go list -m -json k8s.io/kubernetes@$K8S 2>/dev/null | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
[ -n "$k8smod" ] || k8smod="$(go env GOMODCACHE)/cache/download/k8s.io/kubernetes/@v/$K8S.mod"
for m in $(sed -n 's#^\s*\(k8s.io/[a-z0-9-]*\) => ./staging/.*#\1#p' "$k8smod"); do
  case "$m" in k8s.io/sample-cli-plugin|k8s.io/sample-controller) continue ;; esac
  go mod edit -replace="$m=$m@$STAGING"
done
cat > tools.go <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
go mod tidy -e >/dev/null 2>&1 || true
ver="-X k8s.io/component-base/version.gitVersion=$K8S -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=37 -X k8s.io/component-base/version.gitTreeState=clean"
ver="$ver -X k8s.io/client-go/pkg/version.gitVersion=$K8S -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=37"
go build -trimpath -ldflags "-s -w $ver" -o "$cache/" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl

# etcd: its main package is the server module itself.
mkdir -p "$work/etcd" && cd "$work/etcd"
go mod init etcdbuild >/dev/null 2>&1
go get go.etcd.io/etcd/server/v3@$ETCD >/dev/null 2>&1
go build -trimpath -ldflags "-s -w" -o "$cache/etcd" go.etcd.io/etcd/server/v3

# kwok installs as is.
GOBIN="$cache" go install sigs.k8s.io/kwok/cmd/kwok@$KWOK
kwokdir="$(go env GOMODCACHE)/sigs.k8s.io/kwok@$KWOK/kustomize/stage"
for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
         pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
  cat "$kwokdir/$f"; echo "---"
done > "$cache/kwok-stages.yaml"
have_all && echo "$cache"
