package incident

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Action is what a playbook step does, rendered for one run (every template filled in).
// Type says which action it is; only the fields of that type are set (the playbook loader
// refuses the others). The loader builds it from YAML, the step's spec stores it as a JSON
// object, and the executors receive it as it is. The JSON names are the playbook's keys.
type Action struct {
	Type string `json:"type"` // manual, notify, http, patroni.switchover or kubernetes.*

	// kubernetes.*: where. Cluster is a configured cluster name; "" is the default cluster.
	Cluster   string `json:"cluster,omitempty"`
	Namespace string `json:"namespace,omitempty"`

	// kubernetes.rollout-restart, scale, wait and check: which workloads. All is every
	// Deployment of the namespace; Selector (check) picks pods by label.
	Deployment  string `json:"deployment,omitempty"`
	StatefulSet string `json:"statefulset,omitempty"`
	DaemonSet   string `json:"daemonset,omitempty"`
	All         bool   `json:"all,omitempty"`
	Selector    string `json:"selector,omitempty"`
	Replicas    *int   `json:"replicas,omitempty"`  // scale
	For         string `json:"for,omitempty"`       // wait: available (default) or rollout-complete
	MinReady    *int   `json:"min_ready,omitempty"` // check: default all

	// kubernetes.patch. APIVersion "" is found through discovery; PatchType is strategic
	// (default), merge or json.
	APIVersion string `json:"apiVersion,omitempty"`
	Kind       string `json:"kind,omitempty"`
	Name       string `json:"name,omitempty"`
	PatchType  string `json:"patch_type,omitempty"`
	Patch      any    `json:"patch,omitempty"`

	// kubernetes.exec. Command is an argument list: no shell unless it names one.
	Pod       string   `json:"pod,omitempty"`
	Container string   `json:"container,omitempty"`
	Command   []string `json:"command,omitempty"`

	// kubernetes.apply: a manifest file beside the playbook, and its text as read when the
	// run started.
	Manifest string `json:"manifest,omitempty"`
	Content  string `json:"content,omitempty"`

	// kubernetes.cordon and drain.
	Node               string `json:"node,omitempty"`
	IgnoreDaemonSets   bool   `json:"ignore_daemonsets,omitempty"`
	DeleteEmptyDirData bool   `json:"delete_emptydir_data,omitempty"`

	// http. Method "" is POST; SecretHeaders maps a header to the environment variable that
	// holds its value, which never appears in a plan, the timeline or a review; Expect lists
	// the accepted statuses (default any 2xx).
	Method        string             `json:"method,omitempty"`
	URL           string             `json:"url,omitempty"`
	Headers       map[string]*string `json:"headers,omitempty"`
	SecretHeaders map[string]string  `json:"secret_headers,omitempty"`
	Body          any                `json:"body,omitempty"`
	Expect        []int              `json:"expect,omitempty"`

	// patroni.switchover: the Patroni REST API (URL, an allow-listed host), the member that
	// leads now ("" is whoever leads when it runs) and the one to take over ("" lets Patroni
	// choose: the synchronous standby in synchronous mode).
	Leader    string `json:"leader,omitempty"`
	Candidate string `json:"candidate,omitempty"`

	// kubernetes.preflight: the thresholds its checks hold the cluster to (nil: the
	// defaults), the Patroni REST API whose replica lag it reads ("" checks no lag), and
	// Ahead: the later steps of the same run on its cluster, as it weighs them (the bot
	// fills it in when the run starts; a playbook cannot set it). Namespace adds a
	// namespace to those whose pending pods it counts.
	MinHeadroom    *int       `json:"min_headroom,omitempty"`    // percent of allocatable left free after the scale-ups
	MinDisruptions *int       `json:"min_disruptions,omitempty"` // disruptionsAllowed of each PodDisruptionBudget a drain meets
	MaxPending     *int       `json:"max_pending,omitempty"`     // pods Pending in the namespaces the run touches
	MaxNotReady    *int       `json:"max_not_ready,omitempty"`   // nodes not Ready, besides those the run drains
	PatroniURL     string     `json:"patroni_url,omitempty"`     // such as http://patroni.nephoran-system.svc:8008
	MaxLag         *int64     `json:"max_lag,omitempty"`         // bytes a replica may lag its leader
	Ahead          []Upcoming `json:"ahead,omitempty"`

	// kubernetes.wait, exec and drain, http and patroni.switchover: how long it may take.
	Timeout time.Duration `json:"timeout,omitempty"`

	// notify: the message, to Channel (a channel ID) or, when "", the incident channel.
	Text    string `json:"text,omitempty"`
	Channel string `json:"channel,omitempty"`

	// manual: what the person does.
	Instructions string `json:"instructions,omitempty"`

	// kubernetes.undo (ActionUndo): the prior state recorded by the step it undoes, and
	// that step's ID. Only Undo builds it; no playbook can.
	Undo   *Prior `json:"undo,omitempty"`
	UndoOf int64  `json:"undo_of,omitempty"`
}

// Upcoming is a later step of a run, as a kubernetes.preflight before it weighs it: its id
// and the part of its action that matters (what it scales or drains, and where).
type Upcoming struct {
	StepID string `json:"step"`
	Action Action `json:"action"`
}

// Kubernetes reports whether the action is one of the kubernetes.* types.
func (a *Action) Kubernetes() bool { return strings.HasPrefix(a.Type, "kubernetes.") }

// HTTPMethod is the method of an http action, upper case; POST when none is set.
func (a *Action) HTTPMethod() string {
	if a.Method == "" {
		return "POST"
	}
	return strings.ToUpper(a.Method)
}

// UnmarshalJSON decodes the action as a JSON object, or as a JSON string holding one: the
// form in which releases before the typed action stored it (keyed by Go field names).
func (a *Action) UnmarshalJSON(data []byte) error {
	type plain Action // without this method
	if len(data) == 0 || data[0] != '"' {
		return json.Unmarshal(data, (*plain)(a))
	}
	var text string
	if err := json.Unmarshal(data, &text); err != nil {
		return err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal([]byte(text), &fields); err != nil {
		return fmt.Errorf("an action stored as text: %w", err)
	}
	renamed := make(map[string]json.RawMessage, len(fields))
	for k, v := range fields {
		if name, ok := oldNames[k]; ok {
			k = name
		}
		renamed[k] = v
	}
	object, err := json.Marshal(renamed)
	if err != nil {
		return err
	}
	return json.Unmarshal(object, (*plain)(a))
}

// oldNames are the keys of an action stored as text whose field's JSON name differs by
// more than letter case (encoding/json matches the others without regard to case).
var oldNames = map[string]string{
	"Kind_":              "kind",
	"PatchType":          "patch_type",
	"MinReady":           "min_ready",
	"IgnoreDaemonSets":   "ignore_daemonsets",
	"DeleteEmptyDirData": "delete_emptydir_data",
	"SecretHeaders":      "secret_headers",
}
