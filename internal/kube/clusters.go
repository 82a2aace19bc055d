// Package kube executes the playbooks' kubernetes.* actions through client-go: rollout
// restarts, scaling, patches, waits, execs, server-side applies, cordons, drains and checks,
// each mutating one planned first with a server-side dry run. Actions implements the
// incident Executor and Planner ports for those action types.
package kube

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// Client is one cluster's clients. Every action goes through the dynamic client: the
// built-in kinds are converted to their k8s.io/api types (objects.go), other kinds are
// found through Mapper.
type Client struct {
	Dynamic dynamic.Interface
	Mapper  Mapper       // nil: only the built-in kinds (a simulated cluster)
	Config  *rest.Config // for exec; nil in tests with fake clients
	// Exec, when set, runs pods/exec in place of the API server's streaming endpoint: a
	// simulated cluster (testenv/kubesim) answers execs itself. It writes the command's
	// output and returns its exit code. Nil: execs stream through Config.
	Exec func(ctx context.Context, namespace, pod, container string, command []string, stdout, stderr io.Writer) (int, error)
}

// Clusters resolves playbook cluster names (clusters: in the config) to clients, made on
// first use and kept. The cluster "" is the default: the kubeconfig's current context, or
// the pod's own service account when the bot runs in a cluster without a kubeconfig.
type Clusters struct {
	Kubeconfig string            // path; "" for the default loading rules (KUBECONFIG, ~/.kube/config)
	Contexts   map[string]string // cluster name -> kubeconfig context

	mu      sync.Mutex
	clients map[string]*Client
	// connect builds a client; tests replace it with fakes.
	connect func(cluster string) (*Client, error)
}

// NewClusters returns Clusters over a kubeconfig.
func NewClusters(kubeconfig string, contexts map[string]string) *Clusters {
	c := &Clusters{Kubeconfig: kubeconfig, Contexts: contexts, clients: map[string]*Client{}}
	c.connect = c.realClient
	return c
}

// Static returns Clusters with prebuilt clients (tests, and callers that build their own).
func Static(clients map[string]*Client) *Clusters {
	c := &Clusters{clients: map[string]*Client{}, Contexts: map[string]string{}}
	for name, cl := range clients {
		c.clients[name] = cl
		c.Contexts[name] = name
	}
	c.connect = func(cluster string) (*Client, error) { return nil, fmt.Errorf("unknown cluster %q", cluster) }
	return c
}

// Names lists the configured cluster names.
func (c *Clusters) Names() []string {
	var names []string
	for n := range c.Contexts {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Get returns the client of a cluster name.
func (c *Clusters) Get(cluster string) (*Client, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl, ok := c.clients[cluster]; ok {
		return cl, nil
	}
	if cluster != "" {
		if _, ok := c.Contexts[cluster]; !ok {
			if len(c.Contexts) == 0 {
				return nil, fmt.Errorf("unknown cluster %q: no clusters are configured (clusters:)", cluster)
			}
			return nil, fmt.Errorf("unknown cluster %q: the configured clusters are %s", cluster, strings.Join(c.Names(), ", "))
		}
	}
	cl, err := c.connect(cluster)
	if err != nil {
		return nil, err
	}
	c.clients[cluster] = cl
	return cl, nil
}

func (c *Clusters) realClient(cluster string) (*Client, error) {
	cfg, err := c.restConfig(cluster)
	if err != nil {
		return nil, err
	}
	cfg.UserAgent = "incidentbot"
	dc, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	mapper, err := newDiscoveryMapper(cfg)
	if err != nil {
		return nil, err
	}
	return &Client{Dynamic: dc, Mapper: mapper, Config: cfg}, nil
}

// restConfig loads the context of a cluster; for the default cluster with no kubeconfig at
// all it falls back to the in-cluster service account.
func (c *Clusters) restConfig(cluster string) (*rest.Config, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if c.Kubeconfig != "" {
		rules.ExplicitPath = c.Kubeconfig
	}
	overrides := &clientcmd.ConfigOverrides{}
	if cluster != "" {
		overrides.CurrentContext = c.Contexts[cluster]
	}
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides).ClientConfig()
	if err == nil {
		return cfg, nil
	}
	if cluster == "" && clientcmd.IsEmptyConfig(err) {
		return rest.InClusterConfig()
	}
	if cluster != "" {
		return nil, fmt.Errorf("cluster %s (context %s): %w", cluster, c.Contexts[cluster], err)
	}
	return nil, err
}

// Has reports whether a cluster name is configured (or is the default "").
func (c *Clusters) Has(cluster string) bool {
	return cluster == "" || slices.Contains(c.Names(), cluster)
}
