// Package drills rehearses every built-in playbook (playbooks/*.yaml) end to end, with
// $INCIDENTBOT_KUBE_BIN (make test-e2e): the real incidentbot binary in HTTP mode, on one
// real control plane with kwok nodes (internal/testenv/kubecluster), the Slack emulator, the
// PagerDuty and GitHub fakes and an HTTPS fake of the allow-listed failover hooks. People
// drive each drill through the step cards' buttons (signed interaction payloads); the drill
// ends with the review filed on the GitHub fake, its RTO (and RPO where a database step
// ran) against the target. Each playbook is drilled twice, each time by its own bot: live
// (a declared incident, /incident playbook: every step acts, the http steps on the hooks
// fake) and as the bot's rehearsal (/incident drill: the kubernetes steps act on the drill
// cluster, the playbook clusters' context may do nothing, no hook is called). Without
// $INCIDENTBOT_KUBE_BIN only the table is checked: every built-in playbook has an entry and
// a world the builder can make. The package has tests only.
package drills
