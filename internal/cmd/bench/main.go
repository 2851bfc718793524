// Command bench measures the provider with the real Terraform CLI against the
// standalone fake ZITADEL, for several numbers of keys, through create,
// no-op plan, one-key update and destroy, and, against an in-process fake,
// many owners of a few keys each (owners.go): one resource per user or
// organization, through create, no-op plan and destroy. Each step also runs
// on a floor: terraform_data holding the same maps, which is Terraform's own
// cost. It prints markdown tables (wall time, provider peak RSS, RPCs by
// method, provider/floor ratio) and writes them to a file. It exits non-zero
// when the many owners' no-op plan makes more than one list call per owner
// or any owner lookup. `make bench` runs it.
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/devenv"
	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/proxytest"
)

// Environment of the wrapper mode: the bench binary stands in for the
// provider, runs the real one and records its peak RSS.
const (
	envWrapTarget = "ZMBENCH_WRAP_TARGET"
	envRSSFile    = "ZMBENCH_RSS_FILE"
)

func main() {
	if target := os.Getenv(envWrapTarget); target != "" {
		os.Exit(wrap(target, os.Getenv(envRSSFile)))
	}
	terraform := flag.String("terraform", "terraform", "path of the Terraform CLI")
	sizes := flag.String("sizes", "100,1000,10000", "numbers of keys, comma-separated")
	dir := flag.String("dir", ".bench", "scratch folder")
	out := flag.String("out", ".bench/results.md", "where to write the tables")
	workloads := flag.String("workloads", "mixed,varied", "value mixes of the single-organization runs, comma-separated: mixed (short text, 2 KiB text, 20 KiB binary) or varied (text of 1 to 300 bytes); none skips them")
	sparse := flag.Int("sparse", 5000, "also measure a 2-key resource refreshed in an organization of this many keys (0: skip)")
	owners := flag.Int("owners", 1000, "also measure this many users and as many organizations of 10 keys each, one resource per owner (0: skip)")
	ownerAPIs := flag.String("owner-apis", "v1,v2", "metadata APIs (ZITADEL_API_VERSION) of the many-owners runs, comma-separated: v1, v2")
	rttList := flag.String("rtt", "0", "round trips between the provider and the fake, comma-separated (0, 50ms): the provider reaches it through a proxy on loopback that holds every byte for half of it each way (0: straight). The many-owners runs are made at each, and compared with the first; the other runs at the first")
	onReal := flag.Bool("real", false, "run the many-owners scenario (organizations only, RTT 0) against the real ZITADEL that ZITADEL_DOMAIN, ZITADEL_PORT, ZITADEL_INSECURE and ZITADEL_ADMIN_ACCESS_TOKEN name (make real-start's .tools/real-zitadel.env), creating and at the end removing its organizations; the other runs still use the fake")
	check := flag.Bool("check", false, "only check the aims (BENCHMARKS.md): a 10,000-key create and no-op plan against the floor, three rounds; fails when a step's median ratio exceeds its aim by more than the rounds' noise")
	flag.Parse()
	var rtts []time.Duration
	for _, r := range strings.Split(*rttList, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(r))
		if strings.TrimSpace(r) == "0" {
			d, err = 0, nil
		}
		if err != nil || d < 0 {
			fmt.Fprintf(os.Stderr, "bench: -rtt %q: give durations of 0 or more, such as 0,50ms\n", r)
			os.Exit(2)
		}
		if slices.Contains(rtts, d) {
			fmt.Fprintf(os.Stderr, "bench: -rtt %q: each round trip once\n", r)
			os.Exit(2)
		}
		rtts = append(rtts, d)
	}
	if *onReal && (len(rtts) > 1 || rtts[0] != 0) {
		fmt.Fprintln(os.Stderr, "bench: -real measures at -rtt 0 only: a real ZITADEL answers only under the address it knows")
		os.Exit(2)
	}
	var ws []string
	for _, w := range strings.Split(*workloads, ",") {
		w = strings.TrimSpace(w)
		if w == "none" || w == "" {
			continue
		}
		if _, ok := workloadValues[w]; !ok {
			fmt.Fprintf(os.Stderr, "bench: unknown workload %q\n", w)
			os.Exit(2)
		}
		ws = append(ws, w)
	}
	var ns []int
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if len(ws) > 0 && (err != nil || n < 2) {
			fmt.Fprintf(os.Stderr, "bench: bad size %q\n", s)
			os.Exit(2)
		}
		ns = append(ns, n)
	}
	var apis []string
	for _, a := range strings.Split(*ownerAPIs, ",") {
		a = strings.TrimSpace(a)
		if a != "v1" && a != "v2" {
			fmt.Fprintf(os.Stderr, "bench: unknown API %q for -owner-apis (v1 or v2)\n", a)
			os.Exit(2)
		}
		apis = append(apis, a)
	}
	if *owners < 0 || *owners == 1 {
		fmt.Fprintf(os.Stderr, "bench: -owners %d: give 0 to skip, or at least 2\n", *owners)
		os.Exit(2)
	}
	o := options{terraform: *terraform, dir: *dir, out: *out, sizes: ns, workloads: ws, sparse: *sparse, owners: *owners, ownerAPIs: apis, rtts: rtts, check: *check, real: *onReal}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// wrap runs the real provider with this process's arguments and standard
// streams, forwards nothing else, and appends a line with the child's peak
// RSS (KiB) and CPU time (user and system, milliseconds).
func wrap(target, rssFile string) int {
	cmd := exec.Command(target, os.Args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	if cmd.ProcessState != nil && rssFile != "" {
		if f, ferr := os.OpenFile(rssFile, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); ferr == nil {
			_, _ = fmt.Fprintln(f, maxRSSKiB(cmd.ProcessState), cpuTime(cmd.ProcessState).Milliseconds())
			_ = f.Close()
		}
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	if err != nil {
		return 1
	}
	return 0
}

// result is one measured step. cpu is the whole terraform command's CPU
// time, its provider processes included; providerCPU theirs alone. Only the
// many-owners runs record them.
type result struct {
	wall             time.Duration
	rssKB            int64
	calls            map[string]int
	cpu, providerCPU time.Duration
}

var steps = []string{"create", "no-op plan", "no-op apply", "one-key update", "destroy"}

// changedFrom is the first step that sees the one changed key.
const changedFrom = 3

// options are the flags of a run.
type options struct {
	terraform, dir, out string
	sizes               []int
	workloads           []string
	sparse, owners      int
	ownerAPIs           []string
	rtts                []time.Duration
	check, real         bool
}

func run(o options) error {
	terraform, out, ns, workloads, sparse, owners, ownerAPIs := o.terraform, o.out, o.sizes, o.workloads, o.sparse, o.owners, o.ownerAPIs
	rtt := o.rtts[0]
	dir, err := filepath.Abs(o.dir)
	if err != nil {
		return err
	}
	realDir, wrapDir := filepath.Join(dir, "bin", "real"), filepath.Join(dir, "bin", "wrap")
	for _, d := range []string{realDir, wrapDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	fmt.Println("building the provider and the fake")
	realProvider := filepath.Join(realDir, devenv.ProviderBinary)
	if err := devenv.Build(realProvider, "."); err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	if err := copyFile(self, filepath.Join(wrapDir, devenv.ProviderBinary)); err != nil {
		return err
	}
	info, err := devenv.StartFake(filepath.Join(dir, "bin"))
	if err != nil {
		return err
	}
	defer info.Stop()
	// The provider reaches the fake through the latency proxy; the bench's
	// own calls to the fake (counts) go straight.
	reach := *info
	if rtt > 0 {
		lp, err := proxytest.StartLatency(info.Endpoint, rtt)
		if err != nil {
			return err
		}
		defer func() { _ = lp.Close() }()
		reach.Endpoint = lp.Addr()
	}

	rc := filepath.Join(dir, "terraformrc")
	if err := devenv.WriteCLIConfig(rc, wrapDir); err != nil {
		return err
	}
	rssFile := filepath.Join(dir, "rss.txt")
	wrapEnv := []string{envWrapTarget + "=" + realProvider, envRSSFile + "=" + rssFile}
	env := append(reach.TerraformEnv(rc), wrapEnv...)

	var report strings.Builder
	fmt.Fprintf(&report, "Measured %s on %s/%s, %d cores (%s), %s memory; Terraform %s; %s.\n\n", time.Now().UTC().Format("2006-01-02"), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cpuModel(), memTotal(), tfVersion(terraform), rttText(rtt))
	if o.check {
		failed, err := checkAims(terraform, dir, env, &report)
		if err != nil {
			return err
		}
		if err := writeReport(out, report.String()); err != nil {
			return err
		}
		if len(failed) > 0 {
			return fmt.Errorf("FAIL: a step exceeds its aim by more than the noise (results written to %s):\n  %s", out, strings.Join(failed, "\n  "))
		}
		return nil
	}
	for _, workload := range workloads {
		fmt.Fprintf(&report, "## Workload %q: %s\n\n", workload, workloadDescription[workload])
		if err := measure(terraform, dir, workload, ns, env, info, rssFile, &report); err != nil {
			return err
		}
	}
	if sparse > 0 {
		if err := measureSparse(terraform, dir, sparse, env, info, &report); err != nil {
			return err
		}
	}
	var violations []string
	if owners > 0 {
		var runs []ownerRun
		for _, rtt := range o.rtts {
			r, v, err := measureOwners(terraform, dir, owners, ownerAPIs, rc, wrapEnv, rssFile, rtt, o.real, &report)
			if err != nil {
				return err
			}
			runs, violations = append(runs, r), append(violations, v...)
		}
		writeRoundTrips(&report, runs)
	}
	if err := writeReport(out, report.String()); err != nil {
		return err
	}
	if len(violations) > 0 {
		return fmt.Errorf("FAIL: the many-owners runs broke the provider's call budget (results written to %s):\n  %s", out, strings.Join(violations, "\n  "))
	}
	return nil
}

// writeReport prints the report and writes it to out.
func writeReport(out, report string) error {
	fmt.Print("\n" + report)
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	return os.WriteFile(out, []byte(report), 0o644)
}

// measure runs every step for every size of one workload, on the provider
// over each transport and on the floor, and appends the tables.
func measure(terraform, dir, workload string, ns []int, env []string, fake *devenv.Fake, rssFile string, report *strings.Builder) error {
	results := map[string]map[int][]result{}
	for _, n := range ns {
		fmt.Printf("%s, N = %d\n", workload, n)
		work := filepath.Join(dir, workload, fmt.Sprint(n))
		_ = os.RemoveAll(work)
		for _, ws := range workspaces {
			wsDir := filepath.Join(work, ws)
			if err := os.MkdirAll(wsDir, 0o755); err != nil {
				return err
			}
			body, wsEnv := providerConfig, append(env[:len(env):len(env)], "ZITADEL_TRANSPORT="+ws)
			if ws == "floor" {
				body, wsEnv = floorConfig, env
			}
			if err := os.WriteFile(filepath.Join(wsDir, "main.tf"), []byte(body), 0o644); err != nil {
				return err
			}
			var rs []result
			for i, step := range steps {
				if err := writeVars(wsDir, workload, n, i >= changedFrom); err != nil {
					return err
				}
				_ = os.Remove(rssFile)
				if err := fake.ResetCalls(); err != nil {
					return err
				}
				start := time.Now()
				if err := terraformStep(terraform, wsDir, wsEnv, step); err != nil {
					return fmt.Errorf("%d keys, %s, %s: %w", n, ws, step, err)
				}
				r := result{wall: time.Since(start)}
				if ws != "floor" {
					r.rssKB = peakRSS(rssFile)
					var err error
					if r.calls, err = fake.Calls(); err != nil {
						return err
					}
				}
				rs = append(rs, r)
				fmt.Printf("  %-8s %-15s %8s\n", ws, step, r.wall.Round(time.Millisecond))
			}
			if results[ws] == nil {
				results[ws] = map[int][]result{}
			}
			results[ws][n] = rs
		}
	}
	for i, step := range steps {
		fmt.Fprintf(report, "### %s\n\n| keys | gRPC | REST | floor (terraform_data) | gRPC / floor | REST / gRPC | peak RSS (gRPC) | RPCs (gRPC) |\n|---:|---:|---:|---:|---:|---:|---:|---|\n", step)
		for _, n := range ns {
			g, r, f := results["grpc"][n][i], results["rest"][n][i], results["floor"][n][i]
			fmt.Fprintf(report, "| %d | %s | %s | %s | %.2fx | %.2fx | %.1f MB | %s |\n", n, seconds(g.wall), seconds(r.wall), seconds(f.wall),
				g.wall.Seconds()/f.wall.Seconds(), r.wall.Seconds()/g.wall.Seconds(), float64(g.rssKB)/1024, devenv.FormatCalls(g.calls))
		}
		report.WriteString("\n")
	}
	return nil
}

// workspaces are what each size is measured on: the provider over gRPC and
// over REST (ZITADEL_TRANSPORT), and the terraform_data floor.
var workspaces = []string{"grpc", "rest", "floor"}

// measureSparse fills an organization with others keys through a first
// workspace, then creates and refreshes a resource of two keys that share
// the prefix "app." in a second one: the refresh reads one page.
func measureSparse(terraform, dir string, others int, env []string, fake *devenv.Fake, report *strings.Builder) error {
	fmt.Printf("sparse: 2 keys among %d\n", others)
	work := filepath.Join(dir, "sparse")
	_ = os.RemoveAll(work)
	filler := map[string]string{}
	for i := 0; i < others; i++ {
		filler[fmt.Sprintf("other.%05d", i)] = fmt.Sprintf("value %d", i)
	}
	fmt.Fprintf(report, "## A 2-key resource in an organization of %d keys\n\n| step | provider | RPCs |\n|---|---:|---|\n", others+2)
	for _, ws := range []struct {
		name   string
		values map[string]string
		steps  []string
	}{
		{"filler", filler, []string{"create"}},
		{"app", map[string]string{"app.color": "blue", "app.logo": "x"}, []string{"create", "no-op plan", "destroy"}},
	} {
		wsDir := filepath.Join(work, ws.name)
		if err := os.MkdirAll(wsDir, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(wsDir, "main.tf"), []byte(providerConfig), 0o644); err != nil {
			return err
		}
		data, _ := json.Marshal(map[string]any{"values": ws.values, "binary_values": map[string]string{}})
		if err := os.WriteFile(filepath.Join(wsDir, "terraform.tfvars.json"), data, 0o644); err != nil {
			return err
		}
		for _, step := range ws.steps {
			if err := fake.ResetCalls(); err != nil {
				return err
			}
			start := time.Now()
			if err := terraformStep(terraform, wsDir, env, step); err != nil {
				return fmt.Errorf("sparse, %s, %s: %w", ws.name, step, err)
			}
			wall := time.Since(start)
			calls, err := fake.Calls()
			if err != nil {
				return err
			}
			if ws.name == "app" {
				fmt.Fprintf(report, "| %s | %s | %s |\n", step, seconds(wall), devenv.FormatCalls(calls))
			}
		}
	}
	report.WriteString("\n")
	return nil
}

func terraformStep(terraform, dir string, env []string, step string) error {
	_, err := terraformStepCPU(terraform, dir, env, step)
	return err
}

// terraformStepCPU runs a step and returns the CPU time of the terraform
// process and of every descendant it waited for (the provider processes).
func terraformStepCPU(terraform, dir string, env []string, step string) (time.Duration, error) {
	var args []string
	switch step {
	case "create", "no-op apply", "one-key update", "update":
		args = []string{"apply", "-auto-approve", "-input=false", "-no-color"}
	case "no-op plan":
		// Exit code 2 (changes present) fails the step.
		args = []string{"plan", "-refresh=true", "-input=false", "-no-color", "-detailed-exitcode"}
	case "destroy":
		args = []string{"destroy", "-auto-approve", "-input=false", "-no-color"}
	default:
		return 0, fmt.Errorf("no terraform command for step %q", step)
	}
	cmd := exec.Command(terraform, args...)
	cmd.Dir, cmd.Env = dir, env
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	if err := cmd.Run(); err != nil {
		tail := buf.String()
		if len(tail) > 3000 {
			tail = tail[len(tail)-3000:]
		}
		return 0, fmt.Errorf("%w\n%s", err, tail)
	}
	return cpuTime(cmd.ProcessState), nil
}

// cpuTime is a finished process's user and system time; on Linux that
// includes the descendants it waited for.
func cpuTime(ps *os.ProcessState) time.Duration { return ps.UserTime() + ps.SystemTime() }

// workloadValues fills the maps with key i's value for each workload.
var workloadValues = map[string]func(i int, key string, values, binary map[string]string){
	// Mostly short text, every tenth a 2 KiB text, every hundredth a 20 KiB
	// binary value.
	"mixed": func(i int, key string, values, binary map[string]string) {
		switch {
		case i%100 == 1:
			raw := make([]byte, 20<<10)
			for j := range raw {
				raw[j] = byte(i + j*7)
			}
			raw[0] = 0xff // never valid UTF-8
			binary[key] = base64.StdEncoding.EncodeToString(raw)
		case i%10 == 2:
			values[key] = strings.Repeat(fmt.Sprintf("text-%d;", i), 2048/10)
		default:
			values[key] = fmt.Sprintf("value number %d of the benchmark", i)
		}
	},
	// Text of 1 to 300 bytes, spread evenly.
	"varied": func(i int, key string, values, _ map[string]string) {
		values[key] = strings.Repeat("abcdefghij", 30)[:1+(i*7919)%300]
	},
}

var workloadDescription = map[string]string{
	"mixed":  "mostly short text, every tenth value 2 KiB of text, every hundredth 20 KiB of binary",
	"varied": "text values of 1 to 300 bytes",
}

// writeVars writes the maps for n keys of a workload; changed alters one
// key.
func writeVars(dir, workload string, n int, changed bool) error {
	values, binary := map[string]string{}, map[string]string{}
	for i := 0; i < n; i++ {
		workloadValues[workload](i, fmt.Sprintf("bench.key.%05d", i), values, binary)
	}
	if changed {
		values["bench.key.00000"] = "changed"
	}
	data, err := json.Marshal(map[string]any{"values": values, "binary_values": binary})
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "terraform.tfvars.json"), data, 0o644)
}

const providerConfig = `terraform {
  required_providers {
    zitadelmeta = { source = "zitadelmeta/zitadelmeta" }
  }
}
provider "zitadelmeta" {}
variable "org_id" { type = string }
variable "values" { type = map(string) }
variable "binary_values" { type = map(string) }
resource "zitadelmeta_org_metadata" "bench" {
  org_id        = var.org_id
  values        = var.values
  binary_values = var.binary_values
}
`

const floorConfig = `variable "org_id" { type = string }
variable "values" { type = map(string) }
variable "binary_values" { type = map(string) }
resource "terraform_data" "floor" {
  input = {
    values        = var.values
    binary_values = var.binary_values
  }
}
`

// peakRSS is the largest peak RSS any provider process of a step reported.
func peakRSS(file string) int64 {
	peak, _ := providerUsage(file)
	return peak
}

// providerUsage is the largest peak RSS (KiB) any provider process of a
// step reported and the CPU time they took together.
func providerUsage(file string) (peakKiB int64, cpu time.Duration) {
	data, err := os.ReadFile(file)
	if err != nil {
		return 0, 0
	}
	for _, l := range strings.Split(string(data), "\n") {
		f := strings.Fields(l)
		if len(f) == 0 {
			continue
		}
		if v, err := strconv.ParseInt(f[0], 10, 64); err == nil && v > peakKiB {
			peakKiB = v
		}
		if len(f) > 1 {
			if ms, err := strconv.ParseInt(f[1], 10, 64); err == nil {
				cpu += time.Duration(ms) * time.Millisecond
			}
		}
	}
	return peakKiB, cpu
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer func() { _ = in.Close() }()
	outFile, err := os.OpenFile(to, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(outFile, in); err != nil {
		_ = outFile.Close()
		return err
	}
	return outFile.Close()
}

func tfVersion(terraform string) string {
	out, err := exec.Command(terraform, "version").Output()
	if err != nil {
		return "unknown"
	}
	first, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimPrefix(first, "Terraform ")
}

func memTotal() string {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return "unknown"
	}
	for _, l := range strings.Split(string(data), "\n") {
		if kb, ok := strings.CutPrefix(l, "MemTotal:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(kb), "kB")), 10, 64)
			return fmt.Sprintf("%.0f GiB", float64(n)/(1<<20))
		}
	}
	return "unknown"
}

func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, "model name") {
			_, v, _ := strings.Cut(l, ":")
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// rttText says how far the fake was: every table's runs share it.
func rttText(rtt time.Duration) string {
	if rtt == 0 {
		return "RTT 0 (the fake on loopback, no latency proxy)"
	}
	return fmt.Sprintf("RTT %v (the fake behind a latency proxy on loopback, -rtt)", rtt)
}
