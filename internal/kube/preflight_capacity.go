package kube

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/nephoran/incidentbot/internal/incident"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiresource "k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// demand is an amount of CPU (millicores), memory (bytes) and pods.
type demand struct{ cpu, mem, pods int64 }

func (d *demand) add(o demand) { d.cpu, d.mem, d.pods = d.cpu+o.cpu, d.mem+o.mem, d.pods+o.pods }

func (d demand) times(n int64) demand { return demand{d.cpu * n, d.mem * n, d.pods * n} }

// podDemand is what the scheduler reserves for a pod: the sum of its containers' requests,
// or its largest init container's if that is more, plus its overhead; and one pod.
func podDemand(spec *corev1.PodSpec) demand {
	var sum corev1.ResourceList = corev1.ResourceList{}
	for _, c := range spec.Containers {
		for name, q := range c.Resources.Requests {
			v := sum[name]
			v.Add(q)
			sum[name] = v
		}
	}
	d := demand{cpu: milli(sum, corev1.ResourceCPU), mem: value(sum, corev1.ResourceMemory), pods: 1}
	for _, c := range spec.InitContainers {
		d.cpu = max(d.cpu, milli(c.Resources.Requests, corev1.ResourceCPU))
		d.mem = max(d.mem, value(c.Resources.Requests, corev1.ResourceMemory))
	}
	d.cpu += milli(spec.Overhead, corev1.ResourceCPU)
	d.mem += value(spec.Overhead, corev1.ResourceMemory)
	return d
}

func milli(l corev1.ResourceList, name corev1.ResourceName) int64 {
	if q, ok := l[name]; ok {
		return q.MilliValue()
	}
	return 0
}

func value(l corev1.ResourceList, name corev1.ResourceName) int64 {
	if q, ok := l[name]; ok {
		return q.Value()
	}
	return 0
}

// moves reports whether a drain evicts the pod to be scheduled elsewhere: not a finished
// pod, a DaemonSet's (it stays with its node) or a mirror pod.
func moves(p *corev1.Pod) bool {
	if p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
		return false
	}
	if _, mirror := p.Annotations[MirrorPodAnnotation]; mirror {
		return false
	}
	owner := metav1.GetControllerOf(p)
	return owner == nil || owner.Kind != "DaemonSet"
}

// capacity checks that the Ready, schedulable nodes (less those the run drains) hold the
// requests of the pods running on them, plus the pods the drains move and the scale-ups
// add, with min_headroom percent of their CPU and memory left free.
func (x *Actions) capacity(ctx context.Context, c *Client, a *incident.Action, l incident.PreflightLimits, nodes []corev1.Node, pods []corev1.Pod, drained map[string]bool) preflightCheck {
	var alloc demand
	usable := map[string]bool{}
	for _, n := range nodes {
		if !nodeReady(&n) || n.Spec.Unschedulable || drained[n.Name] {
			continue
		}
		usable[n.Name] = true
		alloc.add(demand{milli(n.Status.Allocatable, corev1.ResourceCPU), value(n.Status.Allocatable, corev1.ResourceMemory), value(n.Status.Allocatable, corev1.ResourcePods)})
	}
	var used, moved demand
	for _, p := range pods {
		switch {
		case p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed:
		case usable[p.Spec.NodeName]:
			used.add(podDemand(&p.Spec))
		case drained[p.Spec.NodeName] && moves(&p):
			moved.add(podDemand(&p.Spec))
		}
	}
	added, scaled, err := scaleUps(ctx, c, a)
	if err != nil {
		return preflightCheck{"capacity", false, "cannot weigh the scale-ups: " + describeErr(err)}
	}
	if len(usable) == 0 {
		return preflightCheck{"capacity", false, "no node is Ready and schedulable" + besides(drained)}
	}
	want := used
	want.add(moved)
	want.add(added)
	free := int64(100 - l.MinHeadroom)
	limit := demand{alloc.cpu * free / 100, alloc.mem * free / 100, alloc.pods}
	var short []string
	if want.cpu > limit.cpu {
		short = append(short, "CPU")
	}
	if want.mem > limit.mem {
		short = append(short, "memory")
	}
	if want.pods > limit.pods {
		short = append(short, "pods")
	}
	figures := fmt.Sprintf("%d Ready, schedulable nodes%s; CPU %s of %s (at most %s, %d%% free); memory %s of %s (at most %s); pods %d of %d",
		len(usable), besides(drained), cpuText(want.cpu), cpuText(alloc.cpu), cpuText(limit.cpu), l.MinHeadroom,
		memText(want.mem), memText(alloc.mem), memText(limit.mem), want.pods, alloc.pods)
	var parts []string
	if added.pods > 0 {
		parts = append(parts, fmt.Sprintf("%d pods added by %s (%s CPU, %s memory)", added.pods, strings.Join(scaled, ", "), cpuText(added.cpu), memText(added.mem)))
	}
	if moved.pods > 0 {
		parts = append(parts, fmt.Sprintf("%d pods moved off the drained nodes (%s CPU, %s memory)", moved.pods, cpuText(moved.cpu), memText(moved.mem)))
	}
	if len(parts) > 0 {
		figures += "; running pods plus " + strings.Join(parts, " and ")
	}
	if len(short) > 0 {
		figures = "not enough " + strings.Join(short, ", ") + ": " + figures
	}
	return preflightCheck{"capacity", len(short) == 0, figures}
}

func besides(drained map[string]bool) string {
	if len(drained) == 0 {
		return ""
	}
	return fmt.Sprintf(" besides the %d the run drains", len(drained))
}

// scaleUps adds up what the scale steps ahead add to their workloads: for each workload,
// the most replicas any of them sets, less its replicas now (never below 0), times its pod
// template's requests. It also names the steps that add pods.
func scaleUps(ctx context.Context, c *Client, a *incident.Action) (demand, []string, error) {
	type workload struct {
		kind, ns, name string
	}
	peak := map[workload]int32{}
	var order []workload
	steps := map[workload][]string{}
	for _, u := range a.Ahead {
		s := u.Action
		if s.Type != "kubernetes.scale" || s.Replicas == nil {
			continue
		}
		var targets []workload
		switch {
		case s.StatefulSet != "":
			targets = []workload{{"statefulset", s.Namespace, s.StatefulSet}}
		case s.All:
			list, err := listAs[appsv1.Deployment](ctx, c, deploymentsResource, s.Namespace, metav1.ListOptions{})
			if err != nil {
				return demand{}, nil, err
			}
			for _, d := range list {
				targets = append(targets, workload{"deployment", s.Namespace, d.Name})
			}
		default:
			targets = []workload{{"deployment", s.Namespace, s.Deployment}}
		}
		for _, w := range targets {
			if _, seen := peak[w]; !seen {
				order = append(order, w)
			}
			peak[w] = max(peak[w], int32(*s.Replicas))
			steps[w] = append(steps[w], u.StepID)
		}
	}
	var total demand
	var named []string
	for _, w := range order {
		var now int32
		var spec *corev1.PodSpec
		if w.kind == "statefulset" {
			s, err := getAs[appsv1.StatefulSet](ctx, c, statefulSetsResource, w.ns, w.name)
			if err != nil {
				return demand{}, nil, err
			}
			now, spec = replicas(s.Spec.Replicas), &s.Spec.Template.Spec
		} else {
			d, err := getAs[appsv1.Deployment](ctx, c, deploymentsResource, w.ns, w.name)
			if err != nil {
				return demand{}, nil, err
			}
			now, spec = replicas(d.Spec.Replicas), &d.Spec.Template.Spec
		}
		if extra := peak[w] - now; extra > 0 {
			total.add(podDemand(spec).times(int64(extra)))
			for _, id := range steps[w] {
				if !slices.Contains(named, id) {
					named = append(named, id)
				}
			}
		}
	}
	return total, named, nil
}

func cpuText(m int64) string { return apiresource.NewMilliQuantity(m, apiresource.DecimalSI).String() }

// memText writes bytes in Gi when whole, else in Mi (rounded down: limits are not overstated).
func memText(b int64) string {
	if b%(1<<30) == 0 {
		return fmt.Sprintf("%dGi", b>>30)
	}
	return fmt.Sprintf("%dMi", b>>20)
}
