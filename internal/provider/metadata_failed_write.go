package provider

// A write that failed part way: what ZITADEL acknowledged is recorded in
// the state, and what is unknown is read back, so the state never claims
// a key the server lacks nor forgets one it holds (DESIGN.md section 4).

import (
	"context"
	"errors"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/zitadel"
)

// Read-back after a failed write: it normally gets readBackTimeout of its
// own (the operation's own deadline may be what failed it), but once the
// user interrupts it gets only interruptGrace, so Ctrl-C stops the provider
// within seconds.
const (
	readBackTimeout = 30 * time.Second
	interruptGrace  = 3 * time.Second
)

// readBackContext bounds a read-back as described above; grace 0 means
// interruptGrace.
func readBackContext(ctx context.Context, grace time.Duration) (context.Context, context.CancelFunc) {
	if grace <= 0 {
		grace = interruptGrace
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), readBackTimeout)
	stop := context.AfterFunc(ctx, func() {
		if errors.Is(ctx.Err(), context.Canceled) {
			time.AfterFunc(grace, cancel)
		}
	})
	return rctx, func() { stop(); cancel() }
}

// failedWrite is what a create or update meant to do and how far its
// acknowledged calls got: setDone entries of set and removeDone keys of
// remove, in order.
type failedWrite struct {
	prior, desired      keySet
	set                 []zitadel.KV
	remove              []string
	setDone, removeDone int
	create              bool
}

// acknowledged is prior with the acknowledged calls applied: what is known
// to be on the server when nothing can be read back.
func (f failedWrite) acknowledged() keySet {
	out := make(keySet, len(f.prior))
	for k, v := range f.prior {
		out[k] = v
	}
	for _, kv := range f.set[:f.setDone] {
		out[kv.Key] = f.desired[kv.Key]
	}
	for _, k := range f.remove[:f.removeDone] {
		delete(out, k)
	}
	return out
}

// recordFailedWrite records, after a write failed part-way, exactly what
// the server now holds for every key the resource had or wanted, so nothing
// that reached the server is forgotten and the next plan shows only the
// rest. If the read-back fails too, it records what the acknowledged calls
// wrote. A create of which nothing reached the server records nothing, so
// no empty tainted object is left behind.
func (r *metadataResource) recordFailedWrite(ctx context.Context, w *ownerWriter, owner zitadel.Owner, plan metadataObject, f failedWrite, st setter, priv privateSetter, digests *woDigests, diags *diag.Diagnostics) {
	rctx, cancel := readBackContext(ctx, r.data.interruptGrace)
	defer cancel()
	got := f.acknowledged()
	// readOwner confirms an empty answer: on v2 a caller who may not read
	// the organization gets one, which must not count as "nothing landed".
	if server, _, err := r.data.readOwner(rctx, owner); err != nil {
		tflog.Warn(ctx, "could not read back metadata after a failed write; recording the acknowledged writes", map[string]any{"error": err.Error()})
	} else {
		wanted := make(keySet, len(f.prior)+len(f.desired))
		for k, v := range f.prior {
			wanted[k] = v
		}
		for k, v := range f.desired {
			wanted[k] = v
		}
		got = refresh(wanted, server, false, digests)
	}
	if f.create && !anyLanded(f.set, got) {
		return
	}
	// A write-only key the write meant to write and is not known to have
	// written stays in the state as "not written", whether or not the
	// server shows it (a write may land unacknowledged, a list may lag):
	// the next plan writes it, and an exclusive refresh never takes it in
	// as a value. One the update let go of and the server lacks leaves.
	for k, d := range f.desired {
		if g, ok := got[k]; d.in == inWriteOnly && (!ok || g.in != inWriteOnly || g.text != woWritten) {
			got[k] = value{in: inWriteOnly, text: woNotWritten}
		}
	}
	for k, g := range got {
		if _, wanted := f.desired[k]; g.in == inWriteOnly && g.text == woRemoved && !wanted {
			delete(got, k)
		}
	}
	w.claim(sortedKeys(got))
	plan.setKeys(got, plan.metadataModel)
	r.set(ctx, st, plan, diags)
	digests.save(ctx, priv, got, diags)
}

// anyLanded reports whether any entry of set is on the server as written.
func anyLanded(set []zitadel.KV, got keySet) bool {
	for _, kv := range set {
		if v, ok := got[kv.Key]; ok && string(v.raw) == string(kv.Value) {
			return true
		}
	}
	return false
}
