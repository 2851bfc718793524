package main

// The many-owners scenario: n users and n organizations with ownerKeys keys
// each, one resource per owner (for_each), through create, a no-op plan and
// destroy, beside a terraform_data floor of n instances holding the same
// values. It runs its own fake in-process, because only the fake's hooks
// can create a thousand organizations and users and grant the bench's
// caller ORG_OWNER on each; the standalone fake knows two.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/devenv"
	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/fakezitadel"
	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/proxytest"
	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/zitadel"
)

// ownerKeys is how many keys every owner gets: never an empty list, so a
// refresh has no reason to look its owner up.
const ownerKeys = 10

var ownerSteps = []string{"create", "no-op plan", "update", "destroy"}

// updateStep is the index of the step that applies ownerValues' update:
// every owner changes one value and drops one key.
const updateStep = 2

// parallelism is Terraform's default -parallelism, which the bench keeps:
// at most this many resource operations wait for ZITADEL at once.
const parallelism = 10

// The fake's method names (AllCalls) by role: the metadata searches, one per
// owner and refresh, and the owner lookups a refresh of a non-empty list
// must not make.
var (
	listMethods   = []string{"ListOrgMetadata", "ListOrganizationMetadata", "ListUserMetadata"}
	lookupMethods = []string{"GetMyOrg", "GetUserByID", "ListOrganizations"}
)

// ownerWorkspace is one configuration of the scenario.
type ownerWorkspace struct {
	name   string // folder, and the row's label
	api    string // ZITADEL_API_VERSION; "" for the floor
	users  bool   // for_each over the users, else over the organizations
	config string
}

func (w ownerWorkspace) label() string {
	if w.api == "" {
		return w.name
	}
	return w.name + " (" + w.api + ")"
}

// ownerWorkspaces are the provider's configurations for each API, then the
// floor.
func ownerWorkspaces(apis []string) []ownerWorkspace {
	var out []ownerWorkspace
	for _, api := range apis {
		out = append(out,
			ownerWorkspace{"user_metadata, org_id looked up", api, true, userOwnersConfig},
			ownerWorkspace{"user_metadata, org_id given", api, true, userOrgOwnersConfig},
			ownerWorkspace{"org_metadata", api, false, orgOwnersConfig},
		)
	}
	return append(out, ownerWorkspace{"floor (terraform_data)", "", true, floorOwnersConfig})
}

// ownerFixture is the in-process fake with its n organizations and n users
// (user i a machine user of organization i) and a caller who is ORG_OWNER
// of every organization.
// With -real the fixture is a real ZITADEL's organizations instead
// (startRealOwnerFixture): real then reaches it, srv is nil, and there are
// no users and no call counts.
type ownerFixture struct {
	srv      *fakezitadel.Server
	real     *zitadel.Client
	addr     string
	token    string
	orgs     []string
	users    []string
	userOrgs map[string]string
}

// counted tells whether the fixture counts the provider's calls.
func (f *ownerFixture) counted() bool { return f.srv != nil }

func (f *ownerFixture) resetCalls() {
	if f.srv != nil {
		f.srv.ResetCalls()
	}
}

// calls are the calls since resetCalls and the searches among them; nil
// on a real ZITADEL.
func (f *ownerFixture) calls() (map[string]int, int) {
	if f.srv == nil {
		return nil, 0
	}
	return f.srv.AllCalls(), f.srv.Searches()
}

// close stops the fake, or removes the real organizations.
func (f *ownerFixture) close() {
	if f.srv != nil {
		f.srv.Close()
		return
	}
	_ = parallel(f.orgs, func(org string) error {
		if org == "" {
			return nil // never created: without an id the call would act on the caller's own organization
		}
		return f.real.RemoveOrg(context.Background(), org)
	})
	_ = f.real.Close()
}

// parallel runs op on every id, eight at a time, and returns the first
// error.
func parallel(ids []string, op func(id string) error) error {
	var (
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
	)
	sem := make(chan struct{}, 8)
	for _, id := range ids {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := op(id); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return first
}

// startRealOwnerFixture creates n organizations on the real ZITADEL that
// ZITADEL_DOMAIN, ZITADEL_PORT and ZITADEL_INSECURE name, as the instance
// owner whose token ZITADEL_ADMIN_ACCESS_TOKEN holds (make real-start's
// env file); the provider then acts with that token too.
func startRealOwnerFixture(n int) (*ownerFixture, error) {
	domain, token := os.Getenv("ZITADEL_DOMAIN"), os.Getenv("ZITADEL_ADMIN_ACCESS_TOKEN")
	if domain == "" || token == "" {
		return nil, errors.New("-real needs ZITADEL_DOMAIN and ZITADEL_ADMIN_ACCESS_TOKEN (an instance owner's token): set -a; . .tools/real-zitadel.env")
	}
	cfg := zitadel.Config{Domain: domain, Port: 443, AccessToken: token, Retry: zitadel.DefaultRetryPolicy(), CACertPEM: []byte(os.Getenv("ZITADEL_CA_CERTIFICATE"))}
	if os.Getenv("ZITADEL_INSECURE") == "true" {
		cfg.Insecure, cfg.Port = true, 80
	}
	if p := os.Getenv("ZITADEL_PORT"); p != "" {
		port, err := strconv.Atoi(p)
		if err != nil {
			return nil, fmt.Errorf("ZITADEL_PORT: %w", err)
		}
		cfg.Port = port
	}
	client, err := zitadel.New(cfg)
	if err != nil {
		return nil, err
	}
	f := &ownerFixture{real: client, addr: net.JoinHostPort(cfg.Domain, fmt.Sprint(cfg.Port)), token: token}
	f.orgs = make([]string, n)
	names := make([]string, n)
	run := time.Now().Unix()
	for i := range names {
		names[i] = fmt.Sprintf("%d", i)
	}
	err = parallel(names, func(i string) error {
		idx, _ := strconv.Atoi(i)
		id, err := client.AddOrg(context.Background(), fmt.Sprintf("bench-org-%d-%05d", run, idx))
		f.orgs[idx] = id
		return err
	})
	if err != nil {
		f.close()
		return nil, fmt.Errorf("creating the organizations: %w", err)
	}
	return f, nil
}

func startOwnerFixture(n int) (*ownerFixture, error) {
	srv := fakezitadel.New(fakezitadel.Options{})
	f := &ownerFixture{srv: srv, userOrgs: make(map[string]string, n)}
	for i := 0; i < n; i++ {
		f.orgs = append(f.orgs, srv.AddOrg(fmt.Sprintf("bench-org-%05d", i)))
	}
	caller := srv.AddUser(f.orgs[0])
	for i, org := range f.orgs {
		srv.Grant(caller, org, "ORG_OWNER")
		u := srv.AddMachineUser(org, fmt.Sprintf("bench-user-%05d", i))
		f.users = append(f.users, u)
		f.userOrgs[u] = org
	}
	f.token = srv.AddToken(caller)
	addr, err := srv.Start("127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	f.addr = addr
	return f, nil
}

// keyCount is how many metadata keys the owner holds (-1: unknown).
func (f *ownerFixture) keyCount(users bool, id string) int {
	switch {
	case f.srv == nil:
		entries, err := f.real.ListMetadata(context.Background(), zitadel.OrgOwner(id), nil)
		if err != nil {
			return -1
		}
		return len(entries)
	case users:
		return len(f.srv.UserMetadata(id))
	}
	return len(f.srv.Metadata(id))
}

// ownerValues is what every owner's resource holds: ownerKeys short text
// values that name the owner. updated is the configuration of the update
// step: the first value changed and the last key dropped.
func ownerValues(ids []string, updated bool) map[string]map[string]string {
	out := make(map[string]map[string]string, len(ids))
	for i, id := range ids {
		values := make(map[string]string, ownerKeys)
		for k := 0; k < ownerKeys; k++ {
			values[fmt.Sprintf("bench.key.%02d", k)] = fmt.Sprintf("value %d of owner %d", k, i)
		}
		if updated {
			values["bench.key.00"] = fmt.Sprintf("changed value of owner %d", i)
			delete(values, fmt.Sprintf("bench.key.%02d", ownerKeys-1))
		}
		out[id] = values
	}
	return out
}

// writeOwnerVars writes a workspace's variables for a step.
func writeOwnerVars(wsDir string, ws ownerWorkspace, f *ownerFixture, ids []string, updated bool) error {
	vars := map[string]any{"owners": ownerValues(ids, updated)}
	if ws.config == userOrgOwnersConfig {
		vars["user_orgs"] = f.userOrgs
	}
	data, err := json.Marshal(vars)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(wsDir, "terraform.tfvars.json"), data, 0o644)
}

// ownerRun is what measureOwners measured at one RTT.
type ownerRun struct {
	n          int
	rtt        time.Duration
	workspaces []ownerWorkspace
	results    [][]result // by workspace, then step
}

// measureOwners runs the scenario for n owners and appends its tables. It
// returns what it measured and the requirement violations it found (the
// caller fails the run after writing the report), or an error that stopped
// it.
func measureOwners(terraform, dir string, n int, apis []string, rc string, wrapEnv []string, rssFile string, rtt time.Duration, onReal bool, report *strings.Builder) (ownerRun, []string, error) {
	run, violations, err := measureOwnersAt(terraform, dir, n, apis, rc, wrapEnv, rssFile, rtt, onReal)
	if err == nil {
		writeOwnerTables(report, run)
	}
	return run, violations, err
}

func measureOwnersAt(terraform, dir string, n int, apis []string, rc string, wrapEnv []string, rssFile string, rtt time.Duration, onReal bool) (ownerRun, []string, error) {
	var none ownerRun
	start := startOwnerFixture
	if onReal {
		if rtt > 0 {
			// A real ZITADEL answers only under the address it knows.
			return none, nil, errors.New("-real measures at -rtt 0 only")
		}
		start = startRealOwnerFixture
		fmt.Printf("many owners on a real ZITADEL: %d organizations, %d keys each\n", n, ownerKeys)
	} else {
		fmt.Printf("many owners: %d users and %d organizations, %d keys each, %s\n", n, n, ownerKeys, rttText(rtt))
	}
	f, err := start(n)
	if err != nil {
		return none, nil, err
	}
	defer f.close()
	fake := devenv.Fake{Endpoint: f.addr, AccessToken: f.token}
	if rtt > 0 {
		lp, err := proxytest.StartLatency(f.addr, rtt)
		if err != nil {
			return none, nil, err
		}
		defer func() { _ = lp.Close() }()
		fake.Endpoint = lp.Addr()
	}
	baseEnv := append(fake.TerraformEnv(rc), wrapEnv...)

	work := filepath.Join(dir, "owners", fmt.Sprint(n))
	_ = os.RemoveAll(work)
	workspaces := ownerWorkspaces(apis)
	if onReal {
		workspaces = slices.DeleteFunc(workspaces, func(ws ownerWorkspace) bool { return ws.users })
	}
	results := make([][]result, len(workspaces))
	var violations []string
	for wi, ws := range workspaces {
		wsDir := filepath.Join(work, fmt.Sprint(wi))
		if err := os.MkdirAll(wsDir, 0o755); err != nil {
			return none, nil, err
		}
		if err := os.WriteFile(filepath.Join(wsDir, "main.tf"), []byte(ws.config), 0o644); err != nil {
			return none, nil, err
		}
		ids := f.orgs
		if ws.users {
			ids = f.users
		}
		env := baseEnv
		if ws.api != "" {
			env = append(baseEnv[:len(baseEnv):len(baseEnv)], "ZITADEL_API_VERSION="+ws.api, "ZITADEL_TRANSPORT=grpc")
		}
		for si, step := range ownerSteps {
			if si == 0 || si == updateStep {
				if err := writeOwnerVars(wsDir, ws, f, ids, si == updateStep); err != nil {
					return none, nil, err
				}
			}
			_ = os.Remove(rssFile)
			f.resetCalls()
			began := time.Now()
			cpu, err := terraformStepCPU(terraform, wsDir, env, step)
			if err != nil {
				return none, nil, fmt.Errorf("many owners, %s, %s: %w", ws.label(), step, err)
			}
			r := result{wall: time.Since(began), cpu: cpu}
			calls, searches := f.calls()
			if ws.api != "" {
				r.rssKB, r.providerCPU = providerUsage(rssFile)
				r.calls = calls
				violations = append(violations, f.checkStep(ws, step, ids, r.calls, searches)...)
			}
			results[wi] = append(results[wi], r)
			fmt.Printf("  %-40s %-11s %8s  CPU %s (provider %s)  %s\n", ws.label(), step, r.wall.Round(time.Millisecond),
				r.cpu.Round(time.Millisecond), r.providerCPU.Round(time.Millisecond), formatOwnerCalls(r.calls))
		}
	}
	return ownerRun{n: n, rtt: rtt, workspaces: workspaces, results: results}, violations, nil
}

// stepBudget is what a step may call per owner: at most lists metadata
// list calls and lookups owner lookups, and exactly writes writes (sets
// and removes); -1 is no limit.
type stepBudget struct{ lists, lookups, writes int }

// ownerBudgets are the per-owner budgets of each step (DESIGN.md and
// BENCHMARKS.md "Round trips" say what each call is for). A create lists
// once in each walk (the apply walk's reading serves the create), looks
// the owner up beside those lists (its new keys are not there yet, and an
// empty answer needs the lookup) and writes once; the update and destroy
// read once in their refresh and write what changed (the update sets one
// value and removes one key); a no-op plan reads once.
var ownerBudgets = map[string]stepBudget{
	"create":     {lists: 2, lookups: 2, writes: 1},
	"no-op plan": {lists: 1, lookups: 0, writes: 0},
	"update":     {lists: 1, lookups: 0, writes: 2},
	"destroy":    {lists: 1, lookups: 0, writes: 1},
}

// checkStep checks what the fake saw and holds after a step of a provider
// workspace: after create every owner holds its keys, after the update one
// fewer, after destroy none; every step stayed within its budget, and the
// no-op plan made exactly one search of one page per owner. The fake
// counts by method, not by owner: one owner read twice and another not at
// all would pass, but Terraform plans every instance, so that is not a
// failure to expect.
func (f *ownerFixture) checkStep(ws ownerWorkspace, step string, ids []string, calls map[string]int, searches int) []string {
	var out []string
	fail := func(format string, args ...any) {
		out = append(out, fmt.Sprintf("%s, %s: ", ws.label(), step)+fmt.Sprintf(format, args...))
	}
	want := map[string]int{"create": ownerKeys, "update": ownerKeys - 1, "destroy": 0}
	if keys, ok := want[step]; ok {
		wrong := 0
		for _, id := range ids {
			if f.keyCount(ws.users, id) != keys {
				wrong++
			}
		}
		if wrong > 0 {
			fail("%d of %d owners do not hold %d keys on the fake", wrong, len(ids), keys)
		}
	}
	lists, lookups, writes := 0, map[string]int{}, map[string]int{}
	nLookups, nWrites := 0, 0
	for m, c := range calls {
		switch {
		case contains(listMethods, m):
			lists += c
		case contains(lookupMethods, m):
			lookups[m] = c
			nLookups += c
		default:
			writes[m] = c
			nWrites += c
		}
	}
	if !f.counted() {
		return out
	}
	n, b := len(ids), ownerBudgets[step]
	if step == "no-op plan" && (lists != n || searches != n) {
		fail("%d metadata list calls (%d searches) for %d owners; want exactly one list call per owner", lists, searches, n)
	} else if lists > b.lists*n {
		fail("%d metadata list calls for %d owners; want at most %d per owner", lists, n, b.lists)
	}
	if nLookups > b.lookups*n {
		if b.lookups == 0 {
			fail("owner lookups %s; want none: every list holds keys, so no refresh needs to ask whether its owner exists", formatOwnerCalls(lookups))
		} else {
			fail("owner lookups %s for %d owners; want at most %d per owner", formatOwnerCalls(lookups), n, b.lookups)
		}
	}
	if nWrites != b.writes*n {
		if b.writes == 0 {
			fail("unexpected calls %s; want only the metadata lists", formatOwnerCalls(writes))
		} else {
			fail("writes %s for %d owners; want %d per owner", formatOwnerCalls(writes), n, b.writes)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// formatOwnerCalls renders call counts with the fake's full method names,
// sorted: "GetUserByID 1000, ListUserMetadata 1000".
func formatOwnerCalls(calls map[string]int) string {
	return devenv.FormatCallsAs(calls, func(k string) string { return k })
}

// perOwner is the calls per owner of a step, in all and by method:
// "6: BulkSetUserMetadata 1, GetUserByID 2, ListUserMetadata 3".
func perOwner(calls map[string]int, owners int) string {
	total := 0
	for _, c := range calls {
		total += c
	}
	if total == 0 {
		return "0"
	}
	per := func(c int) string { return strconv.FormatFloat(float64(c)/float64(owners), 'f', -1, 64) }
	methods := slices.Sorted(maps.Keys(calls))
	parts := make([]string, len(methods))
	for i, m := range methods {
		parts[i] = m + " " + per(calls[m])
	}
	return per(total) + ": " + strings.Join(parts, ", ")
}

// writeOwnerTables appends one table per step; the floor is the last
// workspace.
func writeOwnerTables(report *strings.Builder, run ownerRun) {
	n, rtt, workspaces, results := run.n, run.rtt, run.workspaces, run.results
	fmt.Fprintf(report, "## Many owners: %d users and %d organizations, %d keys each\n\n", n, n, ownerKeys)
	fmt.Fprintf(report, "One resource per owner (`for_each`), gRPC, %s; the floor is a `terraform_data` with the same `for_each` over %d ids and the same %d values as input. CPU is the whole command's (Terraform and the provider processes; steadier than wall time on a shared machine), provider CPU the provider processes' alone. RPC counts are per step, over all owners; calls per owner are those counts divided by the owners, by method (calls made side by side wait for one round trip: see the RTT comparison).\n\n", rttText(rtt), n, ownerKeys)
	floor := results[len(results)-1]
	for i, step := range ownerSteps {
		fmt.Fprintf(report, "### %s\n\n| resource | wall | / floor | CPU | / floor | provider CPU | peak RSS | RPCs | calls per owner |\n|---|---:|---:|---:|---:|---:|---:|---|---|\n", step)
		for wi, ws := range workspaces {
			r := results[wi][i]
			if ws.api == "" {
				fmt.Fprintf(report, "| %s | %s | 1.00x | %s | 1.00x | | | | |\n", ws.label(), seconds(r.wall), seconds(r.cpu))
				continue
			}
			fmt.Fprintf(report, "| %s | %s | %.2fx | %s | %.2fx | %s | %.1f MB | %s | %s |\n", ws.label(), seconds(r.wall), r.wall.Seconds()/floor[i].wall.Seconds(),
				seconds(r.cpu), r.cpu.Seconds()/floor[i].cpu.Seconds(), seconds(r.providerCPU), float64(r.rssKB)/1024, formatOwnerCalls(r.calls), perOwner(r.calls, n))
		}
		report.WriteString("\n")
	}
}

const ownersProvider = `terraform {
  required_providers {
    zitadelmeta = { source = "zitadelmeta/zitadelmeta" }
  }
}
provider "zitadelmeta" {}
variable "owners" { type = map(map(string)) }
`

const userOwnersConfig = ownersProvider + `resource "zitadelmeta_user_metadata" "bench" {
  for_each = var.owners
  user_id  = each.key
  values   = each.value
}
`

const userOrgOwnersConfig = ownersProvider + `variable "user_orgs" { type = map(string) }
resource "zitadelmeta_user_metadata" "bench" {
  for_each = var.owners
  user_id  = each.key
  org_id   = var.user_orgs[each.key]
  values   = each.value
}
`

const orgOwnersConfig = ownersProvider + `resource "zitadelmeta_org_metadata" "bench" {
  for_each = var.owners
  org_id   = each.key
  values   = each.value
}
`

const floorOwnersConfig = `variable "owners" { type = map(map(string)) }
resource "terraform_data" "floor" {
  for_each = var.owners
  input    = { values = each.value }
}
`

// writeRoundTrips compares each later run with the first (RTT 0 as a
// rule): the wall time of every step at both, their ratio, and the round
// trips per owner that the difference is worth. Terraform runs at most
// parallelism operations at once, so n owners each waiting w round trips
// of rtt add about n*w*rtt/parallelism: w is measured, not counted, and
// calls made side by side count once.
func writeRoundTrips(report *strings.Builder, runs []ownerRun) {
	if len(runs) < 2 {
		return
	}
	base := runs[0]
	for _, r := range runs[1:] {
		fmt.Fprintf(report, "## Many owners: %v against %v\n\n", r.rtt, base.rtt)
		fmt.Fprintf(report, "%d users and %d organizations, %d keys each; the same steps at RTT %v and %v, one run after the other. Waits per owner: (wall at %v - wall at %v) x %d (Terraform's parallelism) / (%d owners x %v), the round trips each owner's operations waited for in a row.\n\n", r.n, r.n, ownerKeys, base.rtt, r.rtt, r.rtt, base.rtt, parallelism, r.n, r.rtt-base.rtt)
		report.WriteString("| resource | step | wall at " + base.rtt.String() + " | wall at " + r.rtt.String() + " | ratio | waits per owner | calls per owner |\n|---|---|---:|---:|---:|---:|---|\n")
		for wi, ws := range r.workspaces {
			for si, step := range ownerSteps {
				a, b := base.results[wi][si], r.results[wi][si]
				waits := (b.wall - a.wall).Seconds() * parallelism / (float64(r.n) * (r.rtt - base.rtt).Seconds())
				fmt.Fprintf(report, "| %s | %s | %s | %s | %.2fx | %.1f | %s |\n", ws.label(), step, seconds(a.wall), seconds(b.wall), b.wall.Seconds()/a.wall.Seconds(), waits, perOwner(b.calls, r.n))
			}
		}
		report.WriteString("\n")
	}
}
