// Package playbooks embeds incidentbot's built-in playbook library: the disaster scenarios
// and recovery runbooks of the BCDR plan, as YAML, with the manifests they apply.
package playbooks

import "embed"

// FS holds the playbooks (*.yaml at the top) and manifests/.
//
//go:embed *.yaml manifests/*.yaml
var FS embed.FS
