package provider

// Ownership of keys across Terraform's lifecycle: replacements, renames and
// keys moving between resources must never lose a key in a green apply.
// Terraform runs independent resources concurrently, so each workflow is
// repeated for many rounds, against a fake that fails overlapping writes to
// one organization with the event-store conflict and lists in no
// particular order.

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/fakezitadel"
	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/zitadel"
)

// ownershipRounds is how often each racy workflow is repeated.
const ownershipRounds = 10

// racyFake is the fake as a busy real server behaves: concurrent writes to
// one organization collide, lists come in no particular order.
var racyFake = fakezitadel.Options{WriteConflicts: true, ShuffleLists: true}

// lifecycleCBD makes a resource body create its replacement first.
const lifecycleCBD = "lifecycle {\n    create_before_destroy = true\n  }"

func TestAccOwnership_createBeforeDestroyReplace(t *testing.T) {
	forEachSubjectWith(t, racyFake, func(t *testing.T, s *subject) {
		e := s.testEnv
		want := map[string]string{e.K("a"): "1", e.K("b"): "2", e.K("c"): "3"}
		cfg := e.Provider() + s.resource("test", s.id, attrMap("values", want), lifecycleCBD)
		steps := []resource.TestStep{{Config: cfg, ConfigStateChecks: []statecheck.StateCheck{s.holds(s.id, want)}}}
		for i := 0; i < ownershipRounds; i++ {
			// A tainted object is replaced: the new one is created (adopting
			// the keys), then the old one destroyed.
			steps = append(steps, resource.TestStep{
				Taint:  []string{s.addr},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(s.addr, plancheck.ResourceActionCreateBeforeDestroy),
				}},
				ConfigStateChecks: []statecheck.StateCheck{s.holds(s.id, want)},
			})
		}
		resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: e.factories(), Steps: steps})
	})
}

func TestAccOwnership_renameWithoutMoved(t *testing.T) {
	forEachSubjectWith(t, racyFake, func(t *testing.T, s *subject) {
		e := s.testEnv
		const resources = 4
		want := map[string]string{}
		for i := 0; i < resources; i++ {
			for _, k := range []string{"x", "y"} {
				want[e.K(fmt.Sprintf("r%d-%s", i, k))] = fmt.Sprintf("v%d", i)
			}
		}
		// Round n names the resources r<i>_<n>: every round destroys the old
		// addresses and creates new ones with the same keys, concurrently.
		cfg := func(round int) string {
			var b strings.Builder
			b.WriteString(e.Provider())
			for i := 0; i < resources; i++ {
				keys := map[string]string{}
				for _, k := range []string{"x", "y"} {
					keys[e.K(fmt.Sprintf("r%d-%s", i, k))] = fmt.Sprintf("v%d", i)
				}
				b.WriteString(s.block(fmt.Sprintf("r%d_%d", i, round), s.attr()+" = "+hclString(s.id), attrMap("values", keys)))
			}
			return b.String()
		}
		var steps []resource.TestStep
		for round := 0; round <= ownershipRounds; round++ {
			steps = append(steps, resource.TestStep{
				Config:            cfg(round),
				ConfigStateChecks: []statecheck.StateCheck{s.holds(s.id, want)},
			})
		}
		resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: e.factories(), Steps: steps})
	})
}

func TestAccOwnership_keyMovesBetweenResources(t *testing.T) {
	forEachSubjectWith(t, racyFake, func(t *testing.T, s *subject) {
		e := s.testEnv
		const resources, keys = 3, 6
		// Rounds alternate: odd rounds move every key to the next resource,
		// even rounds change the values in place (a move that also changes a
		// value fails the plan: see TestAccOwnership_moveWithNewValue).
		layout := func(round int) (string, map[string]string) {
			all := map[string]string{}
			per := make([]map[string]string, resources)
			for i := range per {
				per[i] = map[string]string{e.K("anchor" + fmt.Sprint(i)): "a"}
				all[e.K("anchor"+fmt.Sprint(i))] = "a"
			}
			for j := 0; j < keys; j++ {
				k, v := e.K(fmt.Sprintf("moving%d", j)), fmt.Sprintf("v%d", round/2)
				per[(j+(round+1)/2)%resources][k] = v
				all[k] = v
			}
			var b strings.Builder
			b.WriteString(e.Provider())
			for i, m := range per {
				b.WriteString(s.block(fmt.Sprintf("r%d", i), s.attr()+" = "+hclString(s.id), attrMap("values", m)))
			}
			return b.String(), all
		}
		var steps []resource.TestStep
		for round := 0; round <= ownershipRounds; round++ {
			cfg, want := layout(round)
			steps = append(steps, resource.TestStep{
				Config:            cfg,
				ConfigStateChecks: []statecheck.StateCheck{s.holds(s.id, want)},
			})
		}
		resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: e.factories(), Steps: steps})
	})
}

// A key one resource lets go of and a new resource applied after it takes
// in (depends_on): the apply walk's plan of the new resource reads the
// owner through the walk's earlier reading, from before the first
// resource's update removed the key; that plan must read again, and the
// create write the key rather than adopt it from the earlier reading.
func TestAccOwnership_keyHandedToALaterCreate(t *testing.T) {
	forEachSubject(t, func(t *testing.T, s *subject) {
		e := s.testEnv
		k, a, b := e.K("x.k"), e.K("x.a"), e.K("x.b")
		one, two := e.K("x.1"), e.K("x.2")
		first := s.resource("a", s.id, attrMap("values", map[string]string{k: "v", a: "a"}))
		// a drops k and adds two keys under the prefix both share, which
		// its apply-walk plan reads; b takes k in, with the value it holds.
		then := s.resource("a", s.id, attrMap("values", map[string]string{a: "a", one: "1", two: "2"})) +
			s.resource("b", s.id, attrMap("values", map[string]string{k: "v", b: "b"}), "depends_on = ["+s.typ+".a]")
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: e.factories(),
			Steps: []resource.TestStep{
				{Config: e.Provider() + first},
				{
					Config:            e.Provider() + then,
					ConfigStateChecks: []statecheck.StateCheck{s.holds(s.id, map[string]string{k: "v", a: "a", b: "b", one: "1", two: "2"})},
				},
			},
		})
	})
}

func TestAccOwnership_overlapFailsThePlan(t *testing.T) {
	parallelOnFake(t)
	e := newTestEnv(t)
	k, other := e.K("shared"), e.K("other")
	org := "org_id = " + hclString(e.OrgID)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				// Two resources name one key, whatever the values.
				Config: e.Provider() +
					orgMetadata("a", org, attrMap("values", map[string]string{k: "1"})) +
					orgMetadata("b", org, attrMap("sensitive_values", map[string]string{k: "1", other: "2"})),
				PlanOnly:    true,
				ExpectError: errorText("Metadata Key Managed by Two Resources", fmt.Sprintf("%q", k), "key", "is in its", "Remove the keys from one of the two"),
			},
			{
				// Identical resources (count = 2) are two claimants too.
				Config:      e.Provider() + orgMetadata("a", "count = 2", org, attrMap("values", map[string]string{k: "1"})),
				PlanOnly:    true,
				ExpectError: errorText("Metadata Key Managed by Two Resources"),
			},
			{
				// An exclusive resource owns its organization alone.
				Config: e.Provider() +
					orgMetadata("a", org, "exclusive = true", attrMap("values", map[string]string{k: "1"})) +
					orgMetadata("b", org, attrMap("values", map[string]string{other: "2"})),
				PlanOnly:    true,
				ExpectError: errorText("Exclusive Resource Shares Its Organization", e.OrgID),
			},
			{
				// Nothing was written by the failed plans.
				Config: e.Provider() + orgMetadata("a", org, attrMap("values", map[string]string{k: "1"})),
				ConfigStateChecks: []statecheck.StateCheck{
					e.serverHolds(e.OrgID, map[string]string{k: "1"}, other),
				},
			},
			{
				// b takes over a key a still holds (an import of it) while a is
				// destroyed: applying would delete a key b keeps.
				Config: e.Provider() + orgMetadata("b", org, attrMap("values", map[string]string{k: "1"})) +
					fmt.Sprintf("import {\n  to = zitadelmeta_org_metadata.b\n  id = %s\n}\n", hclString(importID{Owner: e.OrgID, Keys: []string{k}}.String())),
				PlanOnly:    true,
				ExpectError: errorText("Metadata Key Held by Two Resources", fmt.Sprintf("%q is held", k), "removes it through", "terraform state rm"),
			},
		},
	})
}

// Moving a resource to another organization leaves its keys behind in the
// old one: they count there, not in the new one.
func TestAccOwnership_orgChange(t *testing.T) {
	parallelOnFake(t)
	e := newTestEnv(t)
	e.ownsOrganizations() // it needs a second organization
	j, x := e.K("j"), e.K("x")
	in := func(org string) string { return "org_id = " + hclString(org) }
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{Config: e.Provider() +
				orgMetadata("a", in(e.OrgID), attrMap("values", map[string]string{j: "a", x: "a"})) +
				orgMetadata("b", in(e.SecondOrgID), attrMap("values", map[string]string{j: "b"}))},
			{
				// a held j in the first organization; b keeps j in the second.
				Config: e.Provider() +
					orgMetadata("a", in(e.SecondOrgID), attrMap("values", map[string]string{x: "a"})) +
					orgMetadata("b", in(e.SecondOrgID), attrMap("values", map[string]string{j: "b"})),
				ConfigStateChecks: []statecheck.StateCheck{
					e.serverHolds(e.SecondOrgID, map[string]string{j: "b", x: "a"}),
					e.serverHolds(e.OrgID, nil, j, x),
				},
			},
			{
				// In the new organization a key with another value is a
				// conflict, whatever the old organization held.
				PreConfig:   func() { e.Set(e.OrgID, x, []byte("foreign")) },
				Config:      e.Provider() + orgMetadata("a", in(e.OrgID), attrMap("values", map[string]string{x: "a"})) + orgMetadata("b", in(e.SecondOrgID), attrMap("values", map[string]string{j: "b"})),
				PlanOnly:    true,
				ExpectError: errorText("Keys that exist with a different value: " + fmt.Sprintf("%q", x)),
			},
		},
	})
}

// A resource whose organization is only known at apply still counts, at
// plan time, where its keys are now.
func TestAccOwnership_unknownOrgStillCounts(t *testing.T) {
	parallelOnFake(t)
	e := newTestEnv(t)
	k, j := e.K("k"), e.K("j")
	cfg := func(round int, xKeys map[string]string) string {
		return e.Provider() +
			fmt.Sprintf("resource \"terraform_data\" \"org\" {\n  input = %s\n  triggers_replace = [%d]\n}\n", hclString(e.OrgID), round) +
			orgMetadata("x", "org_id = terraform_data.org.output", attrMap("values", xKeys)) +
			orgMetadata("b", "org_id = "+hclString(e.OrgID), attrMap("values", map[string]string{k: "1"}))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{Config: cfg(1, map[string]string{j: "1"})},
			{
				Config:      cfg(2, map[string]string{j: "1", k: "1"}),
				PlanOnly:    true,
				ExpectError: errorText("Metadata Key Managed by Two Resources", fmt.Sprintf("%q", k)),
			},
			{
				Config:            cfg(3, map[string]string{j: "1"}),
				ConfigStateChecks: []statecheck.StateCheck{e.serverHolds(e.OrgID, map[string]string{k: "1", j: "1"})},
			},
		},
	})
}

func TestOverlaps(t *testing.T) {
	keeps := func(keys ...string) map[string]string {
		m := map[string]string{}
		for _, k := range keys {
			m[k] = "values"
		}
		return m
	}
	held := func(keys ...string) map[string]bool {
		m := map[string]bool{}
		for _, k := range keys {
			m[k] = true
		}
		return m
	}
	cases := map[string]struct {
		u, p *plannedUse
		want []string // kind:key
	}{
		"two keepers of one key": {
			u:    &plannedUse{keeps: keeps("k", "a")},
			p:    &plannedUse{keeps: keeps("k", "b")},
			want: []string{"0:k"},
		},
		"disjoint keys": {
			u: &plannedUse{keeps: keeps("a")},
			p: &plannedUse{keeps: keeps("b")},
		},
		"exclusive beside another": {
			u:    &plannedUse{keeps: keeps("a"), exclusive: true},
			p:    &plannedUse{keeps: keeps("b")},
			want: []string{"1:"},
		},
		"handover to a new resource (rename, moved key)": {
			u: &plannedUse{create: true, keeps: keeps("k")},
			p: &plannedUse{destroy: true, held: held("k")},
		},
		"handover between existing resources": {
			u: &plannedUse{keeps: keeps("k", "a"), held: held("a")},
			p: &plannedUse{keeps: keeps("b"), held: held("k", "b")},
		},
		"both held it, one destroyed": {
			u:    &plannedUse{keeps: keeps("k"), held: held("k")},
			p:    &plannedUse{destroy: true, held: held("k")},
			want: []string{"2:k"},
		},
		"both held it, the other lets go (order reversed)": {
			u:    &plannedUse{keeps: keeps("b"), held: held("k", "b")},
			p:    &plannedUse{keeps: keeps("k"), held: held("k")},
			want: []string{"2:k"},
		},
		"an exclusive resource held what a destroyed one releases": {
			u:    &plannedUse{exclusive: true, held: held("k")},
			p:    &plannedUse{destroy: true, held: held("k")},
			want: []string{"2:k"},
		},
		"two destroys": {
			u: &plannedUse{destroy: true, held: held("k")},
			p: &plannedUse{destroy: true, held: held("k")},
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			var got []string
			for _, o := range overlaps(c.u, c.p) {
				got = append(got, fmt.Sprintf("%d:%s", o.kind, o.key))
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Fatalf("overlaps = %v, want %v", got, c.want)
			}
		})
	}
}

func TestRegisterPlanPairsAReplacement(t *testing.T) {
	var o runOwnership
	// Terraform plans a replaced instance twice: with its prior state, then
	// as new, handing the second plan the mark the first one left. The
	// second plan is its own successor, not a second keeper.
	first := &plannedUse{keeps: map[string]string{"k": "values"}, held: map[string]bool{"k": true}}
	m := o.markPlan(first)
	if found := o.registerPlan(zitadel.OrgOwner("org"), first, nil); len(found) != 0 {
		t.Fatalf("first plan: %v", found)
	}
	second := &plannedUse{create: true, keeps: map[string]string{"k": "values"}}
	pred := o.markedPlan(m)
	if found := o.registerPlan(zitadel.OrgOwner("org"), second, pred); len(found) != 0 || pred != first {
		t.Fatalf("replacement's second plan: overlaps %v, predecessor %v", found, pred)
	}
	// A copy of the instance (count 1 to 2) carries no mark: a second keeper,
	// however alike the two configurations are.
	third := &plannedUse{create: true, keeps: map[string]string{"k": "values"}}
	if found := o.registerPlan(zitadel.OrgOwner("org"), third, o.markedPlan(nil)); len(found) == 0 {
		t.Fatal("a copy of an existing resource was not reported")
	}
	// A mark from another walk (a state keeps the last one) names nothing.
	var other runOwnership
	if p := other.markedPlan(m); p != nil {
		t.Fatalf("another walk's mark names %v", p)
	}
	other.markPlan(&plannedUse{})
	if p := other.markedPlan(m); p != nil {
		t.Fatalf("another walk's mark names %v", p)
	}
	// Another organization is another namespace.
	if found := o.registerPlan(zitadel.OrgOwner("other"), &plannedUse{create: true, keeps: map[string]string{"k": "values"}}, nil); len(found) != 0 {
		t.Fatalf("other organization: %v", found)
	}
}

func TestOrgWriterClaims(t *testing.T) {
	var o runOwnership
	ctx := t.Context()
	a, _ := o.lock(ctx, zitadel.OrgOwner("org"))
	a.claim([]string{"k"})
	a.unlock()
	b, _ := o.lock(ctx, zitadel.OrgOwner("org"))
	free, kept := b.withoutClaimed([]string{"k", "j"})
	if fmt.Sprint(free, kept) != "[j] [k]" {
		t.Fatalf("free %v, kept %v", free, kept)
	}
	b.release([]string{"j"})
	b.unlock()
	c, _ := o.lock(ctx, zitadel.OrgOwner("org"))
	defer c.unlock()
	if got := c.releasedByOthers([]string{"j", "k"}); fmt.Sprint(got) != "[j]" {
		t.Fatalf("releasedByOthers = %v", got)
	}
	// A call's own claims never hold it back.
	c.claim([]string{"own"})
	if free, _ := c.withoutClaimed([]string{"own"}); len(free) != 1 {
		t.Fatalf("own claim kept: %v", free)
	}
}

// The walk's readings: one serves every prefix under its own, an apply
// under the write lock uses one only while no apply call held the lock
// since it began, and the lookup goes beside a check's search.
func TestWalkReadingsAndTheWriteLock(t *testing.T) {
	srv, fx := fakezitadel.StartTest(t, fakezitadel.Options{})
	srv.SetMetadata(fx.OrgID, "app.a", []byte("1"))
	client := testClient(t, srv, fx.OwnerToken, func(c *zitadel.Config) { c.APIVersion = zitadel.APIV2 })
	d := &providerData{api: client}
	ctx := t.Context()
	org := zitadel.OrgOwner(fx.OrgID)
	calls := func() map[string]int {
		defer srv.ResetCalls()
		return srv.AllCalls()
	}
	srv.ResetCalls()

	// A check of new keys: one search, its lookup beside it.
	if server, gone, err := d.listOwner(ctx, org, "app.n"); err != nil || gone || len(server) != 0 {
		t.Fatalf("listOwner(app.n) = %v, %v, %v", server, gone, err)
	}
	if got := calls(); got["ListOrganizationMetadata"] != 1 || got["ListOrganizations"] != 1 {
		t.Fatalf("first check: calls %v, want one search and one lookup", got)
	}
	// A refresh's reading of app. serves a check of app.b; app.n's reading
	// serves app.n again; neither needs a call, nor a lookup of an owner
	// found in place.
	d.keepReading(org, "app.", 0, time.Now(), map[string][]byte{"app.a": []byte("1")}, false)
	if server, _, _ := d.listOwner(ctx, org, "app.b"); string(server["app.a"]) != "1" {
		t.Fatalf("listOwner(app.b) = %v, want the refresh's reading", server)
	}
	if _, _, err := d.listOwner(ctx, org, "app.n"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.listOwner(ctx, org, "other"); err != nil {
		t.Fatal(err)
	}
	if got := calls(); got["ListOrganizationMetadata"] != 1 || len(got) != 1 {
		t.Fatalf("covered prefixes: calls %v, want only the search of other", got)
	}

	// The first apply uses the walk's reading; after it, the next one
	// reads again (the first one may have written).
	w, _ := d.owners.lock(ctx, org)
	if _, _, err := d.lockedReading(ctx, w, org, "app.b"); err != nil {
		t.Fatal(err)
	}
	if got := calls(); len(got) != 0 {
		t.Fatalf("first apply: calls %v, want none", got)
	}
	w.unlock()
	w, _ = d.owners.lock(ctx, org)
	if _, _, err := d.lockedReading(ctx, w, org, "app.b"); err != nil {
		t.Fatal(err)
	}
	if got := calls(); got["ListOrganizationMetadata"] != 1 {
		t.Fatalf("second apply: calls %v, want a search", got)
	}
	w.unlock()
	// A plan after a hold reads again, and the apply that follows it
	// uses that reading.
	if _, _, err := d.listOwner(ctx, org, "app.b"); err != nil {
		t.Fatal(err)
	}
	if got := calls(); got["ListOrganizationMetadata"] != 1 {
		t.Fatalf("plan after a hold: calls %v, want a search", got)
	}
	w, _ = d.owners.lock(ctx, org)
	if _, _, err := d.lockedReading(ctx, w, org, "app.b"); err != nil {
		t.Fatal(err)
	}
	if got := calls(); len(got) != 0 {
		t.Fatalf("apply after that plan: calls %v, want none", got)
	}
	// A reading begun while an apply held the lock is not used either,
	// even by the apply that follows at once.
	d.keepReading(org, "held.", w.before+1, time.Now(), map[string][]byte{}, false)
	w.unlock()
	w, _ = d.owners.lock(ctx, org)
	defer w.unlock()
	if _, _, err := d.lockedReading(ctx, w, org, "held.x"); err != nil {
		t.Fatal(err)
	}
	if got := calls(); got["ListOrganizationMetadata"] != 1 {
		t.Fatalf("reading under a hold: calls %v, want a search", got)
	}
	// Nor is one older than freshFor, though no apply held the owner.
	d.keepReading(org, "old.", w.before, time.Now().Add(-2*freshFor), map[string][]byte{}, false)
	if _, _, err := d.lockedReading(ctx, w, org, "old.x"); err != nil {
		t.Fatal(err)
	}
	if got := calls(); got["ListOrganizationMetadata"] != 1 {
		t.Fatalf("old reading: calls %v, want a search", got)
	}
}

// A copy of an existing resource (count 1 to 2) is a second keeper of its
// keys, not the replacement of the first one: the plan fails.
func TestAccOwnership_copyFailsThePlan(t *testing.T) {
	forEachSubject(t, func(t *testing.T, s *subject) {
		e := s.testEnv
		want := map[string]string{e.K("k"): "1"}
		cfg := func(n int) string {
			return e.Provider() + s.block("test", fmt.Sprintf("count = %d", n), s.attr()+" = "+hclString(s.id), attrMap("values", want))
		}
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: e.factories(),
			Steps: []resource.TestStep{
				{Config: cfg(1)},
				{Config: cfg(2), PlanOnly: true, ExpectError: errorText("Metadata Key Managed by Two Resources", fmt.Sprintf("%q", e.K("k")))},
				{Config: cfg(1), PlanOnly: true},
			},
		})
	})
}

// A replacement (replace_triggered_by) that also changes the values of its
// own keys fails the plan, with or without create_before_destroy (the
// provider cannot tell which): the two steps it names both work, for many
// rounds against a racy fake.
func TestAccOwnership_replacementChangingItsKeysTakesTwoSteps(t *testing.T) {
	for _, cbd := range []bool{false, true} {
		t.Run(fmt.Sprintf("create_before_destroy=%t", cbd), func(t *testing.T) {
			parallelOnFake(t)
			e := newTestEnvWith(t, racyFake)
			k := e.K("k")
			org := "org_id = " + hclString(e.OrgID)
			cfg := func(trigger, value int) string {
				life := "lifecycle {\n    replace_triggered_by = [terraform_data.trigger]\n  }"
				if cbd {
					life = "lifecycle {\n    create_before_destroy = true\n    replace_triggered_by = [terraform_data.trigger]\n  }"
				}
				return e.Provider() +
					fmt.Sprintf("resource \"terraform_data\" \"trigger\" {\n  input = \"%d\"\n}\n", trigger) +
					orgMetadata("test", org, attrMap("values", map[string]string{k: fmt.Sprint(value), e.K("same"): "s"}), life)
			}
			steps := []resource.TestStep{{Config: cfg(0, 0)}}
			for r := 1; r <= 3; r++ {
				steps = append(steps,
					resource.TestStep{Config: cfg(r, r), PlanOnly: true, ExpectError: errorText("Replacement Changes Its Own Keys", fmt.Sprintf("%q", k))},
					resource.TestStep{Config: cfg(r-1, r), ConfigStateChecks: []statecheck.StateCheck{e.serverHolds(e.OrgID, map[string]string{k: fmt.Sprint(r)})}},
					resource.TestStep{
						Config: cfg(r, r),
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction("zitadelmeta_org_metadata.test", map[bool]plancheck.ResourceActionType{
								false: plancheck.ResourceActionDestroyBeforeCreate, true: plancheck.ResourceActionCreateBeforeDestroy,
							}[cbd]),
						}},
						ConfigStateChecks: []statecheck.StateCheck{e.serverHolds(e.OrgID, map[string]string{k: fmt.Sprint(r), e.K("same"): "s"})},
					})
			}
			resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: e.factories(), Steps: steps})
		})
	}
}

// Moving a key between existing resources while changing its value fails
// the plan, as it does for a new resource; the two steps work.
func TestAccOwnership_moveWithNewValue(t *testing.T) {
	forEachSubject(t, func(t *testing.T, s *subject) {
		e := s.testEnv
		k, j := e.K("k"), e.K("j")
		cfg := func(a, b map[string]string) string {
			return e.Provider() + s.resource("a", s.id, attrMap("values", a)) + s.resource("b", s.id, attrMap("values", b))
		}
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: e.factories(),
			Steps: []resource.TestStep{
				{Config: cfg(map[string]string{k: "old", e.K("a"): "a"}, map[string]string{j: "j"})},
				{
					Config:      cfg(map[string]string{e.K("a"): "a"}, map[string]string{j: "j", k: "new"}),
					PlanOnly:    true,
					ExpectError: errorText(fmt.Sprintf("already holds %q, which this resource does not manage yet, with another value", k)),
				},
				{Config: cfg(map[string]string{e.K("a"): "a"}, map[string]string{j: "j", k: "old"})},
				{
					Config:            cfg(map[string]string{e.K("a"): "a"}, map[string]string{j: "j", k: "new"}),
					ConfigStateChecks: []statecheck.StateCheck{s.holds(s.id, map[string]string{k: "new", j: "j"})},
				},
			},
		})
	})
}

// writeBeforeApply is a plan check that writes key with value on the
// subject's owner, as someone else would, once the step's plan is saved and
// before it is applied.
type writeBeforeApply struct {
	s          *subject
	key, value string
}

func (c writeBeforeApply) CheckPlan(context.Context, plancheck.CheckPlanRequest, *plancheck.CheckPlanResponse) {
	c.s.set(c.s.id, c.key, []byte(c.value))
}

// The apply reads again what it adds (the apply walk's own plan of the
// instance, shared with the apply under the owner's write lock): a value
// written after the plan is never overwritten, by a create or by an update.
// The steps apply a saved plan, as terraform apply PLANFILE does.
func TestAccOwnership_writeBetweenPlanAndApply(t *testing.T) {
	forEachSubject(t, func(t *testing.T, s *subject) {
		e := s.testEnv
		k, j, n := e.K("k"), e.K("j"), e.K("n")
		write := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{writeBeforeApply{s, k, "theirs"}}}
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: e.factories(),
			Steps: []resource.TestStep{
				{
					ConfigPlanChecks: write,
					Config:           e.Provider() + s.resource("test", s.id, attrMap("values", map[string]string{k: "mine", n: "n"})),
					ExpectError:      errorText(`Keys that exist with a different value: "` + k + `"`),
				},
				{
					PreConfig:         func() { s.del(s.id, k) },
					Config:            e.Provider() + s.resource("test", s.id, attrMap("values", map[string]string{j: "j"})),
					ConfigStateChecks: []statecheck.StateCheck{s.holds(s.id, map[string]string{j: "j"}, k, n)},
				},
				{
					ConfigPlanChecks: write,
					Config:           e.Provider() + s.resource("test", s.id, attrMap("values", map[string]string{j: "j", k: "mine"})),
					ExpectError:      errorText(fmt.Sprintf("already holds %q, which this resource does not manage yet, with another value", k)),
				},
				{
					// Nothing was written; the state still holds j alone.
					Config:   e.Provider() + s.resource("test", s.id, attrMap("values", map[string]string{j: "j"})),
					PlanOnly: true,
				},
			},
			CheckDestroy: func(*terraform.State) error {
				if got := string(s.metadata(s.id)[k]); got != "theirs" {
					return fmt.Errorf("%s holds %q, want the other writer's value", k, got)
				}
				return nil
			},
		})
	})
}

// Two resources hold a key, one of them through a map that is unknown at
// plan time (so the plan walk cannot see it keep the key): when the other
// one is destroyed in the same run, the keeper writes the key again.
func TestAccOwnership_unknownKeeperRewritesReleasedKey(t *testing.T) {
	parallelOnFake(t)
	e := newTestEnv(t)
	k, b := e.K("k"), e.K("b")
	org := "org_id = " + hclString(e.OrgID)
	a := orgMetadata("a", org, attrMap("values", map[string]string{k: "v"}))
	keeper := func(n int) string {
		return fmt.Sprintf("resource \"terraform_data\" \"m\" {\n  input = { %s = \"v\", %s = \"%d\" }\n}\n", hclString(k), hclString(b), n) +
			orgMetadata("b", org, "values = terraform_data.m.output")
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{Config: e.Provider() + a},
			// The keeper adopts k; only the next plan sees both keep it.
			{Config: e.Provider() + a + keeper(1), ExpectError: errorText("Managed by Two Resources")},
			{
				// What that error says to do: remove k from one of the two.
				Config:            e.Provider() + keeper(2),
				ConfigStateChecks: []statecheck.StateCheck{e.serverHolds(e.OrgID, map[string]string{k: "v", b: "2"})},
			},
		},
	})
}

// The same holds for a replacement whose own key's value is unknown until
// apply, and for an exclusive one that drops one of its keys: with
// create_before_destroy the new object would meet them first.
func TestAccOwnership_replacementUnknownOrDroppedOwnKeys(t *testing.T) {
	parallelOnFake(t)
	e := newTestEnv(t)
	k, x := e.K("k"), e.K("x")
	org := "org_id = " + hclString(e.OrgID)
	life := "lifecycle {\n    create_before_destroy = true\n    replace_triggered_by = [terraform_data.trigger]\n  }"
	trigger := func(n int) string {
		return fmt.Sprintf("resource \"terraform_data\" \"trigger\" {\n  input = \"%d\"\n}\n", n)
	}
	exclusive := func(n int, vals map[string]string) string {
		return e.Provider() + trigger(n) + orgMetadata("test", org, "exclusive = true", attrMap("values", vals), life)
	}
	unknown := func(n int) string {
		return e.Provider() + trigger(n) + orgMetadata("test", org, "values = { "+hclString(k)+" = terraform_data.trigger.output }", life)
	}
	t.Run("exclusive drops a key", func(t *testing.T) {
		org2 := e.addOrg("replace-exclusive")
		org = "org_id = " + hclString(org2)
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: e.factories(),
			Steps: []resource.TestStep{
				{Config: exclusive(0, map[string]string{k: "1", x: "2"})},
				{Config: exclusive(1, map[string]string{k: "1"}), PlanOnly: true, ExpectError: errorText("Replacement Changes Its Own Keys", fmt.Sprintf("%q", x))},
				{Config: exclusive(0, map[string]string{k: "1"})},
				{Config: exclusive(1, map[string]string{k: "1"}), ConfigStateChecks: []statecheck.StateCheck{e.serverHolds(org2, map[string]string{k: "1"}, x)}},
			},
		})
	})
	t.Run("unknown value", func(t *testing.T) {
		org = "org_id = " + hclString(e.OrgID)
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: e.factories(),
			Steps: []resource.TestStep{
				{Config: unknown(0)},
				{Config: unknown(1), PlanOnly: true, ExpectError: errorText("Replacement Changes Its Own Keys", fmt.Sprintf("%q", k))},
			},
		})
	})
}
