package kube

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/client-go/rest"
)

// Mapping is the resource that serves a kind, and whether its objects live in a namespace.
type Mapping struct {
	Resource   schema.GroupVersionResource
	Kind       schema.GroupVersionKind
	Namespaced bool
}

// Mapper finds the resource of a kind: what patch and apply need for kinds the actions
// have no Go type for (ConfigMaps, custom resources). apiVersion "" means any group.
type Mapper interface {
	Mapping(ctx context.Context, apiVersion, kind string) (*Mapping, error)
}

// StaticMapper maps a fixed set of kinds, for clusters whose kinds are known in advance
// (tests, simulated clusters).
type StaticMapper []Mapping

// Mapping finds kind among the fixed mappings.
func (s StaticMapper) Mapping(_ context.Context, apiVersion, kind string) (*Mapping, error) {
	for i := range s {
		m := &s[i]
		if m.Kind.Kind == kind && (apiVersion == "" || m.Kind.GroupVersion().String() == apiVersion) {
			return m, nil
		}
	}
	return nil, fmt.Errorf("no kind %s %s", apiVersion, kind)
}

// discoveryMapper reads the API server's discovery documents (/api/v1, /apis and
// /apis/<group>/<version>), one group version at a time as kinds are asked for, and keeps
// them. A kind not found in a kept document reads it again once, for a custom resource
// installed since. It is what kubectl's deferred discovery mapper does for these calls,
// without client-go's discovery package (which links every API group's types).
type discoveryMapper struct {
	rest *rest.RESTClient

	mu        sync.Mutex
	resources map[string]*metav1.APIResourceList // group version -> its resources
	preferred []string                           // the groups' preferred versions, core first
}

func newDiscoveryMapper(cfg *rest.Config) (*discoveryMapper, error) {
	cfg = rest.CopyConfig(cfg)
	cfg.NegotiatedSerializer = serializer.NewCodecFactory(runtime.NewScheme()).WithoutConversion()
	rc, err := rest.UnversionedRESTClientFor(cfg)
	if err != nil {
		return nil, err
	}
	return &discoveryMapper{rest: rc, resources: map[string]*metav1.APIResourceList{}}, nil
}

func (d *discoveryMapper) Mapping(ctx context.Context, apiVersion, kind string) (*Mapping, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	versions := []string{apiVersion}
	if apiVersion == "" {
		var err error
		if versions, err = d.preferredVersions(ctx); err != nil {
			return nil, err
		}
	}
	for _, fresh := range []bool{false, true} {
		for _, gv := range versions {
			m, err := d.find(ctx, gv, kind, fresh)
			if err != nil || m != nil {
				return m, err
			}
		}
	}
	if apiVersion == "" {
		return nil, fmt.Errorf("no group serves kind %s", kind)
	}
	return nil, fmt.Errorf("%s serves no kind %s", apiVersion, kind)
}

// find looks for kind in a group version's resources, reading them first if they are not
// kept or fresh is set. A group version the server does not serve has no kinds.
func (d *discoveryMapper) find(ctx context.Context, groupVersion, kind string, fresh bool) (*Mapping, error) {
	gv, err := schema.ParseGroupVersion(groupVersion)
	if err != nil {
		return nil, fmt.Errorf("apiVersion %q: %w", groupVersion, err)
	}
	list := d.resources[groupVersion]
	if list == nil || fresh {
		path := "/apis/" + groupVersion
		if gv.Group == "" {
			path = "/api/" + gv.Version
		}
		list = &metav1.APIResourceList{}
		if err := d.get(ctx, path, list); apierrors.IsNotFound(err) {
			list = &metav1.APIResourceList{}
		} else if err != nil {
			return nil, fmt.Errorf("discover %s: %w", groupVersion, err)
		}
		d.resources[groupVersion] = list
	}
	for _, r := range list.APIResources {
		if r.Kind == kind && !strings.Contains(r.Name, "/") {
			return &Mapping{Resource: gv.WithResource(r.Name), Kind: gv.WithKind(kind), Namespaced: r.Namespaced}, nil
		}
	}
	return nil, nil
}

// preferredVersions lists core v1 and every group's preferred version.
func (d *discoveryMapper) preferredVersions(ctx context.Context) ([]string, error) {
	if d.preferred == nil {
		var groups metav1.APIGroupList
		if err := d.get(ctx, "/apis", &groups); err != nil {
			return nil, fmt.Errorf("discover API groups: %w", err)
		}
		d.preferred = []string{"v1"}
		for _, g := range groups.Groups {
			if v := g.PreferredVersion.GroupVersion; v != "" {
				d.preferred = append(d.preferred, v)
			}
		}
	}
	return d.preferred, nil
}

func (d *discoveryMapper) get(ctx context.Context, path string, into any) error {
	body, err := d.rest.Get().AbsPath(path).SetHeader("Accept", "application/json").DoRaw(ctx)
	if err != nil {
		return err
	}
	return json.Unmarshal(body, into)
}
