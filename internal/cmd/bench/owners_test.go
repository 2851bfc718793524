package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCheckNoOpPlan(t *testing.T) {
	ws := ownerWorkspace{name: "user_metadata", api: "v1", users: true}
	owners := []string{"u1", "u2"}
	f := &ownerFixture{}
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
	got := ownerValues([]string{"a", "b"})
	if len(got) != 2 || len(got["a"]) != ownerKeys || got["a"]["bench.key.00"] == got["b"]["bench.key.00"] {
		t.Errorf("ownerValues = %v", got)
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
