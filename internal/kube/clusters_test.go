package kube

import (
	"strings"
	"testing"
)

// A step on a cluster that is not configured fails naming the ones that are, or saying
// that there are none.
func TestUnknownClusterNamesTheConfiguredOnes(t *testing.T) {
	for _, tc := range []struct {
		name     string
		clusters *Clusters
		want     string
	}{
		{"none", Static(nil), `unknown cluster "mars": no clusters are configured (clusters:)`},
		{"some", NewClusters("", map[string]string{"us-east-1": "prod-use1", "eu-west-1": "prod-euw1"}),
			`unknown cluster "mars": the configured clusters are eu-west-1, us-east-1`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.clusters.Get("mars"); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Get(mars): %v, want %q", err, tc.want)
			}
		})
	}
}
