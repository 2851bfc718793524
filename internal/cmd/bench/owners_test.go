package main

import (
	"math"
	"os"

	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/fakezitadel"
)

func TestCheckNoOpPlan(t *testing.T) {
	ws := ownerWorkspace{name: "user_metadata", api: "v1", users: true}
	owners := []string{"u1", "u2"}
	f := &ownerFixture{srv: fakezitadel.New(fakezitadel.Options{})}
	cases := []struct {
		name     string
		calls    map[string]int
		searches int
		want     []string // fragments, one per violation
	}{
		{"one list per owner", map[string]int{"ListUserMetadata": 2}, 2, nil},
		{"a second page", map[string]int{"ListUserMetadata": 3}, 2, []string{"3 metadata list calls (2 searches) for 2 owners"}},
		{"an owner read twice", map[string]int{"ListUserMetadata": 3}, 3, []string{"3 metadata list calls"}},
		{"an owner not read", map[string]int{"ListUserMetadata": 1}, 1, []string{"1 metadata list calls"}},
		{"a lookup", map[string]int{"ListUserMetadata": 2, "GetUserByID": 1}, 2, []string{"owner lookups GetUserByID 1"}},
		{"a write", map[string]int{"ListUserMetadata": 2, "BulkSetUserMetadata": 1}, 2, []string{"unexpected calls BulkSetUserMetadata 1"}},
		{"everything", map[string]int{"ListUserMetadata": 4, "GetMyOrg": 2, "ListOrganizations": 1, "RemoveOrg": 1}, 4,
			[]string{"4 metadata list calls", "owner lookups GetMyOrg 2, ListOrganizations 1", "unexpected calls RemoveOrg 1"}},
	}
	for _, c := range cases {
		got := f.checkStep(ws, "no-op plan", owners, c.calls, c.searches)
		if len(got) != len(c.want) {
			t.Errorf("%s: violations %q, want %d", c.name, got, len(c.want))
			continue
		}
		for i, frag := range c.want {
			if !strings.Contains(got[i], frag) || !strings.HasPrefix(got[i], "user_metadata (v1), no-op plan: ") {
				t.Errorf("%s: violation %q, want one naming the step and %q", c.name, got[i], frag)
			}
		}
	}
}

func TestProviderUsage(t *testing.T) {
	file := filepath.Join(t.TempDir(), "rss.txt")
	if err := os.WriteFile(file, []byte("30000 120\n45000 800\n12\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	peak, cpu := providerUsage(file)
	if peak != 45000 || cpu != 920*time.Millisecond {
		t.Errorf("providerUsage = %d KiB, %s; want 45000 KiB, 920ms", peak, cpu)
	}
	if peak, cpu := providerUsage(filepath.Join(t.TempDir(), "missing")); peak != 0 || cpu != 0 {
		t.Errorf("no file: %d, %s", peak, cpu)
	}
}

func TestOwnerValues(t *testing.T) {
	got := ownerValues([]string{"a", "b"}, false)
	if len(got) != 2 || len(got["a"]) != ownerKeys || got["a"]["bench.key.00"] == got["b"]["bench.key.00"] {
		t.Errorf("ownerValues = %v", got)
	}
	// The update changes one value and drops one key of every owner.
	upd := ownerValues([]string{"a", "b"}, true)
	for _, id := range []string{"a", "b"} {
		changed, dropped := 0, 0
		for k, v := range got[id] {
			w, ok := upd[id][k]
			switch {
			case !ok:
				dropped++
			case w != v:
				changed++
			}
		}
		if changed != 1 || dropped != 1 || len(upd[id]) != ownerKeys-1 {
			t.Errorf("update of %s: %d changed, %d dropped, %d keys; want 1, 1, %d", id, changed, dropped, len(upd[id]), ownerKeys-1)
		}
	}
}

func TestCheckBudgets(t *testing.T) {
	ws := ownerWorkspace{name: "org_metadata", api: "v2"}
	owners := []string{"o1", "o2"}
	f := &ownerFixture{srv: fakezitadel.New(fakezitadel.Options{})}
	for _, c := range []struct {
		step  string
		calls map[string]int
		want  []string
	}{
		{"update", map[string]int{"ListOrganizationMetadata": 2, "SetOrganizationMetadata": 2, "DeleteOrganizationMetadata": 2}, nil},
		{"update", map[string]int{"ListOrganizationMetadata": 4, "SetOrganizationMetadata": 2, "DeleteOrganizationMetadata": 2}, []string{"4 metadata list calls for 2 owners; want at most 1 per owner"}},
		{"update", map[string]int{"ListOrganizationMetadata": 2, "ListOrganizations": 1, "SetOrganizationMetadata": 2, "DeleteOrganizationMetadata": 2}, []string{"owner lookups ListOrganizations 1"}},
		{"update", map[string]int{"ListOrganizationMetadata": 2, "SetOrganizationMetadata": 2}, []string{"writes SetOrganizationMetadata 2 for 2 owners; want 2 per owner"}},
	} {
		got := f.checkStep(ws, c.step, owners, c.calls, 0)
		// The fake is empty: every owner misses its keys.
		if len(got) == 0 || !strings.Contains(got[0], "2 of 2 owners do not hold 9 keys") {
			t.Errorf("%v: violations %q, want the missing keys first", c.calls, got)
			continue
		}
		got = got[1:]
		if len(got) != len(c.want) {
			t.Errorf("%v: violations %q, want %q", c.calls, got, c.want)
			continue
		}
		for i, frag := range c.want {
			if !strings.Contains(got[i], frag) {
				t.Errorf("%v: violation %q, want %q", c.calls, got[i], frag)
			}
		}
	}
}

func TestWriteRoundTrips(t *testing.T) {
	ws := []ownerWorkspace{{name: "org_metadata", api: "v2"}}
	run := func(rtt time.Duration, walls ...time.Duration) ownerRun {
		r := ownerRun{n: 100, rtt: rtt, workspaces: ws, results: [][]result{nil}}
		for _, w := range walls {
			r.results[0] = append(r.results[0], result{wall: w, calls: map[string]int{"ListOrganizationMetadata": 100}})
		}
		return r
	}
	var b strings.Builder
	writeRoundTrips(&b, []ownerRun{run(0, 2*time.Second, time.Second, time.Second, time.Second)})
	if b.Len() != 0 {
		t.Errorf("one run: %q, want nothing", b.String())
	}
	// 100 owners at 50ms and parallelism 10: each round trip in a row
	// adds 0.5 s.
	writeRoundTrips(&b, []ownerRun{
		run(0, 2*time.Second, time.Second, time.Second, time.Second),
		run(50*time.Millisecond, 3500*time.Millisecond, 1500*time.Millisecond, 2*time.Second, 2*time.Second),
	})
	for _, want := range []string{
		"## Many owners: 50ms against 0s",
		"| org_metadata (v2) | create | 2.00 s | 3.50 s | 1.75x | 3.0 | 1: ListOrganizationMetadata 1 |",
		"| org_metadata (v2) | no-op plan | 1.00 s | 1.50 s | 1.50x | 1.0 |",
		"| org_metadata (v2) | update | 1.00 s | 2.00 s | 2.00x | 2.0 |",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, b.String())
		}
	}
}

func TestPerOwner(t *testing.T) {
	for _, c := range []struct {
		calls  map[string]int
		owners int
		want   string
	}{
		{map[string]int{"ListUserMetadata": 3000, "GetUserByID": 2000, "BulkSetUserMetadata": 1000}, 1000, "6: BulkSetUserMetadata 1, GetUserByID 2, ListUserMetadata 3"},
		{map[string]int{"ListOrgMetadata": 30}, 20, "1.5: ListOrgMetadata 1.5"},
		{nil, 10, "0"},
	} {
		if got := perOwner(c.calls, c.owners); got != c.want {
			t.Errorf("perOwner(%v, %d) = %q, want %q", c.calls, c.owners, got, c.want)
		}
	}
}

func TestJudge(t *testing.T) {
	a := aim{"create", 2.0}
	for _, c := range []struct {
		ratios        []float64
		median, noise float64
		ok            bool
	}{
		{[]float64{1.8, 1.9, 1.7}, 1.8, 0.1, true},
		// Above the aim, but by less than the rounds disagree: noise.
		{[]float64{2.3, 2.1, 1.9}, 2.1, 0.2, true},
		// Steadily above: a regression.
		{[]float64{2.5, 2.6, 2.55}, 2.55, 0.05, false},
		// One fast round does not excuse two slow ones.
		{[]float64{1.0, 5.0, 5.0}, 5.0, 2.0, false},
	} {
		v := judge(a, c.ratios)
		if math.Abs(v.median-c.median) > 1e-9 || math.Abs(v.noise-c.noise) > 1e-9 || v.ok() != c.ok {
			t.Errorf("judge(%v) = median %v, noise %v, ok %v; want %v, %v, %v", c.ratios, v.median, v.noise, v.ok(), c.median, c.noise, c.ok)
		}
	}
}
