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
	"strings"
	"sync"
	"sync/atomic"
	"time"

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
	// holds counts the holds of writing, taken and ended: odd while an
	// apply call holds it. A reading sent at a count that has not moved
	// since saw every write this process made to the owner.
	holds atomic.Uint64
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
	// before is the owner's hold count when this hold began.
	before uint64
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
	before := g.holds.Add(1) - 1
	o.mu.Lock()
	o.next++
	id := o.next
	o.mu.Unlock()
	return &ownerWriter{g: g, id: id, before: before}, nil
}

// unlock ends the hold.
func (w *ownerWriter) unlock() {
	w.g.holds.Add(1)
	<-w.g.writing
}

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

// ownerListings are the readings of an owner that the walk shared: those of
// the plans' checks (new resources, added keys, exclusive turning on) and of
// the refreshes. Each holds every key ("") or the keys under one prefix, and
// serves any prefix that starts with its own. A failed read is not kept.
//
// In the apply walk Terraform plans each changed instance again right
// before applying it, so the check of that plan has just read what the
// apply needs. The apply uses that reading, under the owner's write lock,
// only if no apply call of this process held the lock since the reading
// began (ownerState.holds) and it is fresh (freshFor): otherwise this run
// may have written since, or too much time has passed, and the apply reads
// again. What it saves is the read-back of an answer the walk already
// holds; a write by someone else in those few seconds is as unseen as one
// between a read and a write.
type ownerListings struct {
	mu       sync.Mutex
	byPrefix map[string]*ownerListing
}

type ownerListing struct {
	server map[string][]byte // may hold keys beyond the prefix asked for
	gone   bool
	// holds is the owner's hold count when the search was sent, and sent
	// when.
	holds uint64
	sent  time.Time
}

// freshFor is how old a reading an apply decides on may be: the apply
// walk's plan of an instance comes moments before its apply, and an older
// reading (another instance's, before a dependency's slow apply) is read
// again rather than trusted against other writers.
const freshFor = 5 * time.Second

// find returns the latest reading that covers prefix (sent at the highest
// hold count), nil when there is none. Guarded by mu.
func (l *ownerListings) find(prefix string) *ownerListing {
	var found *ownerListing
	for p, got := range l.byPrefix {
		if strings.HasPrefix(prefix, p) && (found == nil || got.holds > found.holds) {
			found = got
		}
	}
	return found
}

// keep records a reading of the keys under prefix. Guarded by mu.
func (l *ownerListings) keep(prefix string, got *ownerListing) {
	if l.byPrefix == nil {
		l.byPrefix = map[string]*ownerListing{}
	}
	l.byPrefix[prefix] = got
}

// listOwner reads the keys of an owner that start with prefix ("": every
// key), or returns the walk's reading of them, which may hold more keys
// than those, unless an apply call of this process has held the owner's
// write lock since that reading (the apply walk's plans then read what the
// run wrote). When the walk has not seen the owner yet, its lookup is sent
// beside the search: a new resource's keys are usually not there yet, and
// only the lookup tells an empty answer from a removed owner.
func (d *providerData) listOwner(ctx context.Context, owner zitadel.Owner, prefix string) (map[string][]byte, bool, error) {
	g := d.owners.of(owner)
	l := &g.listings
	l.mu.Lock()
	defer l.mu.Unlock()
	holds := g.holds.Load()
	if got := l.find(prefix); got != nil && got.holds == holds {
		return got.server, got.gone, nil
	}
	got := &ownerListing{holds: holds, sent: time.Now()}
	entries, gone, err := d.searchOwner(ctx, owner, prefixFilter(prefix), true)
	if err != nil {
		return nil, false, err
	}
	got.server, got.gone = entriesByKey(entries), gone
	l.keep(prefix, got)
	return got.server, got.gone, nil
}

// keepReading shares a refresh's reading of an owner with the walk's later
// checks (an update's added keys under the same prefix need no search of
// their own).
func (d *providerData) keepReading(owner zitadel.Owner, prefix string, holds uint64, sent time.Time, server map[string][]byte, gone bool) {
	l := &d.owners.of(owner).listings
	l.mu.Lock()
	defer l.mu.Unlock()
	if had := l.byPrefix[prefix]; had == nil || had.holds < holds {
		l.keep(prefix, &ownerListing{server: server, gone: gone, holds: holds, sent: sent})
	}
}

// earlyListing is a search of an owner's keys sent before a lookup has
// confirmed the owner (see entity.configuredOwner).
type earlyListing struct {
	owner  zitadel.Owner
	prefix string
	holds  uint64
	sent   time.Time
	done   chan struct{}
	server map[string][]byte
	err    error
}

// listEarly sends the search for the keys under prefix of the owner a
// configuration names, unless the walk already has a reading of them; nil
// when it sent none. settle waits for it.
func (d *providerData) listEarly(ctx context.Context, owner zitadel.Owner, prefix string) *earlyListing {
	g := d.owners.of(owner)
	holds := g.holds.Load()
	g.listings.mu.Lock()
	got := g.listings.find(prefix)
	g.listings.mu.Unlock()
	if got != nil && got.holds == holds {
		return nil
	}
	e := &earlyListing{owner: owner, prefix: prefix, holds: holds, sent: time.Now(), done: make(chan struct{})}
	go func() {
		defer close(e.done)
		entries, err := d.api.ListMetadata(ctx, owner, prefixFilter(prefix))
		e.server, e.err = entriesByKey(entries), err
	}()
	return e
}

// settle waits for an early search and keeps its answer as the walk's
// reading when the lookup found the owner it searched (found, ok): the
// lookup has shown the owner in place, so an empty answer means no keys.
// A failed search is dropped, and so would be one for another owner
// (planOwner fails on a user of another organization than org_id names);
// the plan's checks then search again.
func (d *providerData) settle(e *earlyListing, found zitadel.Owner, ok bool) {
	if e == nil {
		return
	}
	<-e.done
	if ok && e.err == nil && found == e.owner {
		d.keepReading(found, e.prefix, e.holds, e.sent, e.server, false)
	}
}

// lockedReading returns what an apply holding w needs of the keys under
// prefix: the walk's reading when no apply call held the owner since it
// began and it is fresh (freshFor), else a new search.
func (d *providerData) lockedReading(ctx context.Context, w *ownerWriter, owner zitadel.Owner, prefix string) (map[string][]byte, bool, error) {
	l := &w.g.listings
	l.mu.Lock()
	got := l.find(prefix)
	l.mu.Unlock()
	// A reading begun during a hold counts one more than the hold's
	// before, and a later hold's before counts its end: neither matches.
	if got != nil && got.holds == w.before && time.Since(got.sent) < freshFor {
		return got.server, got.gone, nil
	}
	return d.readOwner(ctx, owner, prefixFilter(prefix)...)
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
