package main

// The many-owners scenario: n users and n organizations with ownerKeys keys
// each, one resource per owner (for_each), through create, a no-op plan and
// destroy, beside a terraform_data floor of n instances holding the same
// values. It runs its own fake in-process, because only the fake's hooks
// can create a thousand organizations and users and grant the bench's
// caller ORG_OWNER on each; the standalone fake knows two.

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/devenv"
	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/fakezitadel"
	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/proxytest"
)

// ownerKeys is how many keys every owner gets: never an empty list, so a
// refresh has no reason to look its owner up.
const ownerKeys = 10

var ownerSteps = []string{"create", "no-op plan", "destroy"}

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
type ownerFixture struct {
	srv      *fakezitadel.Server
	addr     string
	token    string
	orgs     []string
	users    []string
	userOrgs map[string]string
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

// keyCount is how many metadata keys the owner holds on the fake.
func (f *ownerFixture) keyCount(users bool, id string) int {
	if users {
		return len(f.srv.UserMetadata(id))
	}
	return len(f.srv.Metadata(id))
}

// ownerValues is what every owner's resource holds: ownerKeys short text
// values that name the owner.
func ownerValues(ids []string) map[string]map[string]string {
	out := make(map[string]map[string]string, len(ids))
	for i, id := range ids {
		values := make(map[string]string, ownerKeys)
		for k := 0; k < ownerKeys; k++ {
			values[fmt.Sprintf("bench.key.%02d", k)] = fmt.Sprintf("value %d of owner %d", k, i)
		}
		out[id] = values
	}
	return out
}

// measureOwners runs the scenario for n owners and appends its tables. It
// returns the requirement violations it found (the caller fails the run
// after writing the report) or an error that stopped it.
func measureOwners(terraform, dir string, n int, apis []string, rc string, wrapEnv []string, rssFile string, rtt time.Duration, report *strings.Builder) ([]string, error) {
	fmt.Printf("many owners: %d users and %d organizations, %d keys each, %s\n", n, n, ownerKeys, rttText(rtt))
	f, err := startOwnerFixture(n)
	if err != nil {
		return nil, err
	}
	defer f.srv.Close()
	fake := devenv.Fake{Endpoint: f.addr, AccessToken: f.token}
	if rtt > 0 {
		lp, err := proxytest.StartLatency(f.addr, rtt)
		if err != nil {
			return nil, err
		}
		defer func() { _ = lp.Close() }()
		fake.Endpoint = lp.Addr()
	}
	baseEnv := append(fake.TerraformEnv(rc), wrapEnv...)

	work := filepath.Join(dir, "owners", fmt.Sprint(n))
	_ = os.RemoveAll(work)
	workspaces := ownerWorkspaces(apis)
	results := make([][]result, len(workspaces))
	var violations []string
	for wi, ws := range workspaces {
		wsDir := filepath.Join(work, fmt.Sprint(wi))
		if err := os.MkdirAll(wsDir, 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(wsDir, "main.tf"), []byte(ws.config), 0o644); err != nil {
			return nil, err
		}
		ids := f.orgs
		if ws.users {
			ids = f.users
		}
		vars := map[string]any{"owners": ownerValues(ids)}
		if ws.config == userOrgOwnersConfig {
			vars["user_orgs"] = f.userOrgs
		}
		data, err := json.Marshal(vars)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(wsDir, "terraform.tfvars.json"), data, 0o644); err != nil {
			return nil, err
		}
		env := baseEnv
		if ws.api != "" {
			env = append(baseEnv[:len(baseEnv):len(baseEnv)], "ZITADEL_API_VERSION="+ws.api, "ZITADEL_TRANSPORT=grpc")
		}
		for _, step := range ownerSteps {
			_ = os.Remove(rssFile)
			f.srv.ResetCalls()
			start := time.Now()
			cpu, err := terraformStepCPU(terraform, wsDir, env, step)
			if err != nil {
				return nil, fmt.Errorf("many owners, %s, %s: %w", ws.label(), step, err)
			}
			r := result{wall: time.Since(start), cpu: cpu}
			searches := f.srv.Searches()
			if ws.api != "" {
				r.rssKB, r.providerCPU = providerUsage(rssFile)
				r.calls = f.srv.AllCalls()
				violations = append(violations, f.checkStep(ws, step, ids, r.calls, searches)...)
			}
			results[wi] = append(results[wi], r)
			fmt.Printf("  %-40s %-11s %8s  CPU %s (provider %s)  %s\n", ws.label(), step, r.wall.Round(time.Millisecond),
				r.cpu.Round(time.Millisecond), r.providerCPU.Round(time.Millisecond), formatOwnerCalls(r.calls))
		}
	}
	writeOwnerTables(report, n, rtt, workspaces, results)
	return violations, nil
}

// checkStep checks what the fake saw and holds after a step of a provider
// workspace: after create every owner holds its keys, after destroy none;
// the no-op plan made exactly one search of one page per owner and no
// other call (no owner lookup, no write). The fake counts by method, not
// by owner: one owner read twice and another not at all would pass, but
// Terraform refreshes every instance, so that is not a failure to expect.
func (f *ownerFixture) checkStep(ws ownerWorkspace, step string, ids []string, calls map[string]int, searches int) []string {
	var out []string
	fail := func(format string, args ...any) {
		out = append(out, fmt.Sprintf("%s, %s: ", ws.label(), step)+fmt.Sprintf(format, args...))
	}
	switch step {
	case "create", "destroy":
		want := ownerKeys
		if step == "destroy" {
			want = 0
		}
		wrong := 0
		for _, id := range ids {
			if f.keyCount(ws.users, id) != want {
				wrong++
			}
		}
		if wrong > 0 {
			fail("%d of %d owners do not hold %d keys on the fake", wrong, len(ids), want)
		}
	case "no-op plan":
		lists, lookups, others := 0, map[string]int{}, map[string]int{}
		for m, c := range calls {
			switch {
			case contains(listMethods, m):
				lists += c
			case contains(lookupMethods, m):
				lookups[m] = c
			default:
				others[m] = c
			}
		}
		if lists != len(ids) || searches != len(ids) {
			fail("%d metadata list calls (%d searches) for %d owners; want exactly one list call per owner", lists, searches, len(ids))
		}
		if len(lookups) > 0 {
			fail("owner lookups %s; want none: every list holds %d keys, so no refresh needs to ask whether its owner exists", formatOwnerCalls(lookups), ownerKeys)
		}
		if len(others) > 0 {
			fail("unexpected calls %s; want only the metadata lists", formatOwnerCalls(others))
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

// perOwner is the round trips per owner of a step, in all and by method:
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
func writeOwnerTables(report *strings.Builder, n int, rtt time.Duration, workspaces []ownerWorkspace, results [][]result) {
	fmt.Fprintf(report, "## Many owners: %d users and %d organizations, %d keys each\n\n", n, n, ownerKeys)
	fmt.Fprintf(report, "One resource per owner (`for_each`), gRPC, %s; the floor is a `terraform_data` with the same `for_each` over %d ids and the same %d values as input. CPU is the whole command's (Terraform and the provider processes; steadier than wall time on a shared machine), provider CPU the provider processes' alone. RPC counts are per step, over all owners; round trips per owner are those counts divided by the owners, by method.\n\n", rttText(rtt), n, ownerKeys)
	floor := results[len(results)-1]
	for i, step := range ownerSteps {
		fmt.Fprintf(report, "### %s\n\n| resource | wall | / floor | CPU | / floor | provider CPU | peak RSS | RPCs | round trips per owner |\n|---|---:|---:|---:|---:|---:|---:|---|---|\n", step)
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
