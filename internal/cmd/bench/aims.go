package main

// The regression check (-check): the steps whose aims BENCHMARKS.md keeps,
// measured against the terraform_data floor in three interleaved rounds.
// A step fails when the median of its three ratios exceeds its aim by more
// than the noise of those rounds (half their largest ratio less their
// smallest):
// on a shared machine a single run moves by a quarter or more, and a
// regression has to stand out of that to count.

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// aim is the largest ratio to the floor a step of the provider may take.
type aim struct {
	step  string
	ratio float64
}

// aims are checked on the varied workload at aimKeys keys, over gRPC.
var aims = []aim{{"create", 2.0}, {"no-op plan", 1.1}}

const (
	aimKeys     = 10000
	aimWorkload = "varied"
	aimRounds   = 3
)

// verdict is what the rounds of one step say about its aim.
type verdict struct {
	aim           aim
	ratios        []float64
	median, noise float64
}

func (v verdict) ok() bool { return v.median <= v.aim.ratio+v.noise }

// judge reads the ratios of a step's rounds.
func judge(a aim, ratios []float64) verdict {
	s := slices.Sorted(slices.Values(ratios))
	return verdict{aim: a, ratios: ratios, median: s[len(s)/2], noise: (s[len(s)-1] - s[0]) / 2}
}

// checkAims runs the rounds and appends their table; it returns the aims
// that failed.
func checkAims(terraform, dir string, env []string, report *strings.Builder) ([]string, error) {
	work := filepath.Join(dir, "aims")
	_ = os.RemoveAll(work)
	walls := map[string]map[string][]time.Duration{} // workspace -> step -> rounds
	for _, ws := range []string{"floor", "grpc"} {
		walls[ws] = map[string][]time.Duration{}
		wsDir := filepath.Join(work, ws)
		if err := os.MkdirAll(wsDir, 0o755); err != nil {
			return nil, err
		}
		body := providerConfig
		if ws == "floor" {
			body = floorConfig
		}
		if err := os.WriteFile(filepath.Join(wsDir, "main.tf"), []byte(body), 0o644); err != nil {
			return nil, err
		}
		if err := writeVars(wsDir, aimWorkload, aimKeys, false); err != nil {
			return nil, err
		}
	}
	for round := 1; round <= aimRounds; round++ {
		for _, ws := range []string{"floor", "grpc"} {
			wsDir, wsEnv := filepath.Join(work, ws), env
			if ws != "floor" {
				wsEnv = append(env[:len(env):len(env)], "ZITADEL_TRANSPORT="+ws)
			}
			for _, step := range []string{"create", "no-op plan", "destroy"} {
				start := time.Now()
				if err := terraformStep(terraform, wsDir, wsEnv, step); err != nil {
					return nil, fmt.Errorf("aims, round %d, %s, %s: %w", round, ws, step, err)
				}
				wall := time.Since(start)
				walls[ws][step] = append(walls[ws][step], wall)
				fmt.Printf("  round %d %-6s %-11s %8s\n", round, ws, step, wall.Round(time.Millisecond))
			}
		}
	}
	var failed []string
	fmt.Fprintf(report, "## Aims: %d keys (%s), gRPC, against the floor, %d rounds\n\n", aimKeys, aimWorkload, aimRounds)
	report.WriteString("A step fails when the median of its ratios exceeds its aim by more than the rounds' noise (half the largest ratio less the smallest).\n\n| step | floor | provider | ratios | median | noise | aim | verdict |\n|---|---|---|---|---:|---:|---:|---|\n")
	for _, a := range aims {
		var ratios []float64
		for i, f := range walls["floor"][a.step] {
			ratios = append(ratios, walls["grpc"][a.step][i].Seconds()/f.Seconds())
		}
		v := judge(a, ratios)
		result := "met"
		switch {
		case v.median > a.ratio && v.ok():
			result = "within the noise"
		case !v.ok():
			result = "FAILED"
			failed = append(failed, fmt.Sprintf("%s: median %.2fx of the floor, aim %.2fx, noise %.2f", a.step, v.median, a.ratio, v.noise))
		}
		fmt.Fprintf(report, "| %s | %s | %s | %s | %.2fx | %.2f | %.2fx | %s |\n", a.step, durations(walls["floor"][a.step]), durations(walls["grpc"][a.step]), ratioList(ratios), v.median, v.noise, a.ratio, result)
	}
	report.WriteString("\n")
	return failed, nil
}

func durations(ds []time.Duration) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = fmt.Sprintf("%.2f", d.Seconds())
	}
	return strings.Join(parts, ", ") + " s"
}

func ratioList(rs []float64) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = fmt.Sprintf("%.2fx", r)
	}
	return strings.Join(parts, ", ")
}
