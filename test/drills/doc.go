// Package drills rehearses every built-in playbook (playbooks/*.yaml) end to end, with
// $INCIDENTBOT_KUBE_BIN (make test-e2e): the real incidentbot binary in HTTP mode, on one
// real control plane with kwok nodes (internal/testenv/kubecluster), the Slack emulator, the
// PagerDuty and GitHub fakes and an HTTPS fake of the allow-listed failover hooks. People
// drive each drill through the step cards' buttons (signed interaction payloads); the drill
// ends with the review filed on the GitHub fake, its RTO (and RPO where a database step
// ran) against the target. The package has tests only.
package drills
