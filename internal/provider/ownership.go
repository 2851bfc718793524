package provider

// Ownership of keys within one Terraform run.
//
// Terraform starts one provider process per provider configuration for each
// walk (validate, plan, apply) and configures it once per walk, so the
// providerData built in Configure sees every resource instance of that
// configuration that the walk plans or applies, and nothing else. The
// registry below lives in providerData and so lasts exactly one walk:
//
//   - In the plan walk every resource instance is planned, changed or not.
//     Each plan registers what it keeps and what it releases, and a plan
//     that overlaps one registered before it fails (two keepers of a key, an
//     exclusive resource beside another one, a key removed by one resource
//     while another one already held it).
//   - In the apply walk only changed instances are called. Their writes to
//     one organization are serialized, and each records which keys it wrote,
//     adopted or kept and which it removed, so a delete or update never
//     removes a key another instance of the run has claimed, and an update
//     writes again a key another instance removed before it.
//
// Owners are organizations and users alike (entity.go); a user's keys and
// its organization's keys are separate sets that never collide.
//
// Two provider aliases, two workspaces or two configurations are separate
// processes: they cannot see each other (see the docs' Ownership section).

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"sort"
	"sync"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/zitadel"
)

// claimant identifies one apply call (create, update or delete).
type claimant uint64

// runOwnership is the registry of one walk.
type runOwnership struct {
	mu     sync.Mutex
	next   claimant
	owners map[string]*ownerState // by ownerKey
	// walk names this walk in the marks its plans leave (see markPlan);
	// plans numbers them, and marked finds a marked plan by its number.
	walk   string
	plans  uint64
	marked map[uint64]*plannedUse
}

// ownerState is what the walk knows of one owner of metadata: an
// organization or a user.
type ownerState struct {
	// writing is a one-slot semaphore: the apply call holding it decides
	// what to write and writes, alone among this process's calls.
	writing chan struct{}
	// Guarded by writing.
	claimed  map[string]claimant // key -> the call that wrote, adopted or kept it
	released map[string]claimant // key -> the call that removed it

	// Guarded by planMu.
	planMu  sync.Mutex
	planned []*plannedUse

	listings ownerListings
}

func (o *runOwnership) of(owner zitadel.Owner) *ownerState {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.owners == nil {
		o.owners = map[string]*ownerState{}
	}
	key := ownerKey(owner)
	g := o.owners[key]
	if g == nil {
		g = &ownerState{writing: make(chan struct{}, 1), claimed: map[string]claimant{}, released: map[string]claimant{}}
		o.owners[key] = g
	}
	return g
}

// ownerWriter is an apply call's exclusive hold on one owner.
type ownerWriter struct {
	g  *ownerState
	id claimant
}

// lock waits until no other apply call of this process writes to the
// owner, or ctx ends. The caller must call unlock.
func (o *runOwnership) lock(ctx context.Context, owner zitadel.Owner) (*ownerWriter, error) {
	g := o.of(owner)
	select {
	case g.writing <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	o.mu.Lock()
	o.next++
	id := o.next
	o.mu.Unlock()
	return &ownerWriter{g: g, id: id}, nil
}

// unlock ends the hold.
func (w *ownerWriter) unlock() { <-w.g.writing }

// claim records that this call wrote, adopted or keeps keys.
func (w *ownerWriter) claim(keys []string) {
	for _, k := range keys {
		w.g.claimed[k] = w.id
		delete(w.g.released, k)
	}
}

// release records that this call removed keys.
func (w *ownerWriter) release(keys []string) {
	for _, k := range keys {
		w.g.released[k] = w.id
		delete(w.g.claimed, k)
	}
}

// releasedByOthers returns the keys among keys that another call of this
// run removed. The plan walk refuses two keepers of a key it can see, but
// not one whose map is unknown at plan time (values from another resource):
// such a keeper's update must write the key again after another instance's
// destroy removed it.
func (w *ownerWriter) releasedByOthers(keys []string) []string {
	var out []string
	for _, k := range keys {
		if by, ok := w.g.released[k]; ok && by != w.id {
			out = append(out, k)
		}
	}
	return out
}

// withoutClaimed splits keys into those free to remove and those another
// call of this run has claimed, which must stay.
func (w *ownerWriter) withoutClaimed(keys []string) (free, kept []string) {
	for _, k := range keys {
		if by, ok := w.g.claimed[k]; ok && by != w.id {
			kept = append(kept, k)
		} else {
			free = append(free, k)
		}
	}
	return free, kept
}

// ownerListings are the readings of an owner that the walk's plans shared
// (new resources, added keys, exclusive turning on): every key, or the keys
// under one prefix. A failed read is not kept. In the apply walk a reading
// may predate a write of the same run; Create and Update do not rely on it:
// they decide on a reading of their own under the write lock.
type ownerListings struct {
	mu       sync.Mutex
	byPrefix map[string]*ownerListing // "" holds every key
}

type ownerListing struct {
	server map[string][]byte
	gone   bool
}

// listOwner reads the keys of an owner that start with prefix ("": every
// key), or returns the walk's current reading of them: a reading of every
// key serves every prefix.
func (d *providerData) listOwner(ctx context.Context, owner zitadel.Owner, prefix string) (map[string][]byte, bool, error) {
	l := &d.owners.of(owner).listings
	l.mu.Lock()
	defer l.mu.Unlock()
	if got := l.byPrefix[""]; got != nil {
		return got.server, got.gone, nil
	}
	if got := l.byPrefix[prefix]; got != nil {
		return got.server, got.gone, nil
	}
	server, gone, err := d.readOwner(ctx, owner, prefixFilter(prefix)...)
	if err != nil {
		return nil, false, err
	}
	if l.byPrefix == nil {
		l.byPrefix = map[string]*ownerListing{}
	}
	l.byPrefix[prefix] = &ownerListing{server: server, gone: gone}
	return server, gone, nil
}

// plannedUse is what one plan of one resource instance does with the keys of
// its owner.
type plannedUse struct {
	// create: the instance has no prior state; destroy: no planned state.
	create, destroy bool
	exclusive       bool
	// keeps maps each configured key to the attribute naming it.
	keeps map[string]string
	// held is the prior state's keys.
	held map[string]bool
}

func (u *plannedUse) releases(k string) bool {
	if !u.held[k] {
		return false
	}
	_, kept := u.keeps[k]
	return u.destroy || !kept
}

// overlapKind says how two plans collide.
type overlapKind int

const (
	// bothKeep: two resources configure the same key.
	bothKeep overlapKind = iota
	// sharedExclusive: an exclusive resource and another one share an
	// owner.
	sharedExclusive
	// keptAndReleased: a key held by two resources, one of which removes it
	// while the other keeps it.
	keptAndReleased
)

// overlap is one collision between the plan being made (u) and an earlier
// one (other).
type overlap struct {
	kind  overlapKind
	key   string // "" for sharedExclusive
	other *plannedUse
}

// registerPlan records u for the owner and returns its overlaps with the
// plans registered before it, except its predecessor: the first plan of
// the same replaced instance (nil when u is not the second plan of one).
func (o *runOwnership) registerPlan(owner zitadel.Owner, u, predecessor *plannedUse) (found []overlap) {
	g := o.of(owner)
	g.planMu.Lock()
	defer g.planMu.Unlock()
	for _, p := range g.planned {
		if p != predecessor {
			found = append(found, overlaps(u, p)...)
		}
	}
	g.planned = append(g.planned, u)
	return found
}

// Terraform plans a replaced instance twice, first with its prior state,
// then as new, and hands the second plan the private data the first one
// returned; a copy of an instance (count 1 to 2) is planned as new with
// none. So the first plan of every existing instance leaves a mark that
// names it, and a plan as new that carries a mark of this walk is that
// instance's replacement: its own keys are not another resource's.

// planMark is the private-state key of the mark.
const planMark = "plan"

type mark struct {
	Walk string `json:"walk"`
	Plan uint64 `json:"plan"`
}

// markPlan numbers u and returns the mark naming it.
func (o *runOwnership) markPlan(u *plannedUse) []byte {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.walk == "" {
		var b [8]byte
		_, _ = rand.Read(b[:])
		o.walk = hex.EncodeToString(b[:])
		o.marked = map[uint64]*plannedUse{}
	}
	o.plans++
	o.marked[o.plans] = u
	out, _ := json.Marshal(mark{Walk: o.walk, Plan: o.plans})
	return out
}

// markedPlan returns the plan a mark names, or nil when the mark is empty,
// malformed or from another walk (a state keeps the last mark it got).
func (o *runOwnership) markedPlan(b []byte) *plannedUse {
	var m mark
	if len(b) == 0 || json.Unmarshal(b, &m) != nil {
		return nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.walk == "" || m.Walk != o.walk {
		return nil
	}
	return o.marked[m.Plan]
}

// overlaps lists how u and p collide, keys sorted.
func overlaps(u, p *plannedUse) []overlap {
	var out []overlap
	if !u.destroy && !p.destroy && (u.exclusive || p.exclusive) {
		out = append(out, overlap{kind: sharedExclusive, other: p})
	}
	var keys []string
	seen := map[string]bool{}
	add := func(k string) {
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	for k := range u.keeps {
		add(k)
	}
	for k := range u.held {
		add(k)
	}
	for k := range p.held {
		add(k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		_, uKeeps := u.keeps[k]
		_, pKeeps := p.keeps[k]
		uKeeps = uKeeps && !u.destroy
		pKeeps = pKeeps && !p.destroy
		switch {
		case uKeeps && pKeeps:
			if !u.exclusive && !p.exclusive { // already reported for the organization
				out = append(out, overlap{kind: bothKeep, key: k, other: p})
			}
		case (uKeeps || (u.exclusive && !u.destroy)) && u.held[k] && p.releases(k),
			(pKeeps || (p.exclusive && !p.destroy)) && p.held[k] && u.releases(k):
			// Both held it before this plan: a handover needs one side new to it.
			out = append(out, overlap{kind: keptAndReleased, key: k, other: p})
		}
	}
	return out
}
