package web

import (
	"testing"
	"time"
)

// The y axis tops at an even multiple of a round step (so its middle is round too).
func TestKPIChartAxis(t *testing.T) {
	for _, c := range []struct {
		values []float64
		want   string
	}{
		{[]float64{float64(3 * time.Minute)}, "4m"},
		{[]float64{float64(7 * time.Minute)}, "8m"},
		{[]float64{float64(50 * time.Minute)}, "1h"},
		{[]float64{float64(130 * time.Minute)}, "4h"},
		{[]float64{float64(20 * time.Hour)}, "1d"},
		{nil, "1m"},
	} {
		ch := monthChart{Label: durationLabel, Steps: durationSteps}
		for _, v := range c.values {
			ch.Points = append(ch.Points, chartPoint{Value: v, Known: true})
		}
		if got := durationLabel(ch.top()); got != c.want {
			t.Errorf("top of %v: %s, want %s", c.values, got, c.want)
		}
	}
}

// Durations read in at most two units, to the second under ten minutes.
func TestShortDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		45 * time.Second: "45s", 90 * time.Second: "1m30s", 3 * time.Minute: "3m", 12*time.Minute + 20*time.Second: "12m",
		80 * time.Minute: "1h20m", 2 * time.Hour: "2h", 76 * time.Hour: "3d4h", 48 * time.Hour: "2d",
	} {
		if got := shortDuration(d); got != want {
			t.Errorf("%s: %q, want %q", d, got, want)
		}
	}
}
