// Package helm checks the Helm chart in deploy/helm/incidentbot with a real helm, built from
// the Go module proxy by build-helm.sh and cached: `helm lint`, `helm template` with the
// value sets in testdata (their rendered objects parsed and checked), the chart's refusals,
// that the rendered configuration file loads as the bot loads it, and, with
// $INCIDENTBOT_KUBE_BIN (make test-e2e), a server-side dry run of every rendered object on a
// real kube-apiserver. The package has tests only.
package helm
