package provider

// Plan-time behaviour of the metadata resources: the owner (resolved by the
// entity), overlaps between resources of one configuration, and what a new
// or growing resource will meet on the server.

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/zitadel"
)

// planSummary is the summary of a plan-time error.
func (r *metadataResource) planSummary() string { return "Unable to Plan " + r.title() }

// ModifyPlan resolves the owner (a resource whose omitted org_id defaults
// to another organization, or whose user changes, is replaced), registers
// what the plan keeps and releases so overlapping resources fail here
// rather than at apply, and reads the owner where applying would otherwise
// meet keys no plan showed.
func (r *metadataResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.data == nil {
		return
	}
	var state *metadataObject
	if !req.State.Raw.IsNull() {
		s := r.get(ctx, req.State, &resp.Diagnostics)
		state = &s
	}
	if req.Plan.Raw.IsNull() {
		if state != nil && !resp.Diagnostics.HasError() {
			r.planDestroy(ctx, *state, &resp.Diagnostics)
		}
		return
	}
	plan := r.get(ctx, req.Plan, &resp.Diagnostics)
	cfg := r.get(ctx, req.Config, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	// The write-only values come from the configuration; the state has
	// their keys and statuses.
	wo, woComplete := cfg.writeOnlyValues()
	var prior keySet
	if state != nil {
		var diags diag.Diagnostics
		prior, diags = state.keys()
		resp.Diagnostics.Append(diags...)
	}
	noChange := state != nil && req.Plan.Raw.Equal(req.State.Raw)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("sensitive_values_wo_keys"), plannedWriteOnlyKeys(wo, woComplete, state, prior, noChange))...)
	desired, complete := plan.knownKeys()
	desired, complete = withWriteOnly(desired, wo), complete && woComplete
	var early *earlyListing
	if state == nil {
		// A new resource's search goes out beside the owner's lookup.
		if guess, ok := r.e.configuredOwner(ctx, r.data, req.Config); ok {
			early = r.data.listEarly(ctx, guess, searchPrefix(plan.Exclusive.ValueBool(), sortedKeys(desired)))
		}
	}
	owner, known := r.e.planOwner(ctx, r.data, req, resp, state)
	r.data.settle(early, owner, known && !resp.Diagnostics.HasError())
	if resp.Diagnostics.HasError() || (!known && state == nil) {
		// A new resource whose owner is not known yet is checked in the
		// apply walk, once it is.
		return
	}
	use := &plannedUse{create: state == nil, exclusive: plan.Exclusive.ValueBool(), held: map[string]bool{}}
	use.keeps = make(map[string]string, len(desired))
	for k, v := range desired {
		use.keeps[k] = mapAttr[v.in]
	}
	var predecessor *plannedUse
	moves := false
	if state != nil {
		was := r.e.owner(state)
		if !known {
			// Its owner may change: count it where its keys are now.
			owner = was
		}
		if moves = ownerKey(owner) != ownerKey(was); moves {
			// The replacement leaves its keys behind with the old owner, to
			// be removed there, and starts empty here.
			r.registerRelease(was, prior, &resp.Diagnostics)
		} else {
			for k := range prior {
				use.held[k] = true
			}
		}
		if w := exclusiveOffWarning(state.metadataModel, plan.metadataModel, prior, desired, complete); w != "" {
			resp.Diagnostics.AddAttributeWarning(path.Root("exclusive"), "Keys Will Be Removed", w)
		}
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, planMark, r.data.owners.markPlan(use))...)
	} else {
		m, diags := req.Private.GetKey(ctx, planMark)
		resp.Diagnostics.Append(diags...)
		predecessor = r.data.owners.markedPlan(m)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	if found := r.data.owners.registerPlan(owner, use, predecessor); len(found) > 0 {
		r.overlapDiagnostics(owner, use, found, &resp.Diagnostics)
		return
	}
	if !known || moves {
		return // the replacement's own plan, as new, reads the owner
	}
	if state == nil {
		r.checkCreate(ctx, owner, use, desired, complete, predecessor, &resp.Diagnostics)
		return
	}
	r.checkUpdate(ctx, owner, *state, plan, prior, desired, &resp.Diagnostics)
}

// planDestroy registers that a destroyed instance lets go of its keys.
func (r *metadataResource) planDestroy(ctx context.Context, state metadataObject, diags *diag.Diagnostics) {
	prior, d := state.keys()
	diags.Append(d...)
	if owner := r.e.owner(&state); !diags.HasError() && (owner.OrgID != "" || owner.UserID != "") {
		r.registerRelease(owner, prior, diags)
	}
}

// registerRelease registers that an object lets go of all its keys of an
// owner: it is destroyed, or replaced with another owner.
func (r *metadataResource) registerRelease(owner zitadel.Owner, prior keySet, diags *diag.Diagnostics) {
	use := &plannedUse{destroy: true, held: make(map[string]bool, len(prior))}
	for k := range prior {
		use.held[k] = true
	}
	if found := r.data.owners.registerPlan(owner, use, nil); len(found) > 0 {
		r.overlapDiagnostics(owner, use, found, diags)
	}
}

// checkCreate reads the organization (once per walk) and reports what a new
// resource would meet: keys with other values and, for an exclusive one,
// keys it would remove, are errors; keys it adopts are a warning. Keys the
// instance held before its replacement are its own, not a conflict.
func (r *metadataResource) checkCreate(ctx context.Context, owner zitadel.Owner, use *plannedUse, desired keySet, complete bool, predecessor *plannedUse, diags *diag.Diagnostics) {
	server, gone, err := r.data.listOwner(ctx, owner, searchPrefix(use.exclusive, sortedKeys(desired)))
	if err != nil {
		addAPIError(diags, r.planSummary(), "reading the existing metadata", owner, manageAccess, err)
		return
	}
	if gone {
		diags.AddAttributeError(path.Root(r.e.names().ownerAttr), capital(r.e.names().noun)+" Removed", r.e.goneAdvice(owner, "no metadata can be written to it"))
		return
	}
	own := map[string]bool{}
	if predecessor != nil {
		own = predecessor.held
	}
	var adopted, conflicts, foreign, changed []string
	for k, raw := range server {
		if own[k] {
			// The replaced object's keys: the new one must meet them as it
			// would in either order of create and destroy (see below).
			d, managed := desired[k]
			switch {
			case managed && (d.raw == nil || string(d.raw) != string(raw)): // a new or unknown value
				changed = append(changed, k)
			case !managed && use.exclusive && complete: // an exclusive one would remove it
				changed = append(changed, k)
			}
			continue
		}
		d, managed := desired[k]
		switch {
		case managed && d.raw == nil: // value not known yet
		case managed && string(d.raw) == string(raw):
			adopted = append(adopted, k)
		case managed:
			conflicts = append(conflicts, k)
		case use.exclusive && complete:
			if _, configured := use.keeps[k]; !configured {
				foreign = append(foreign, k)
			}
		}
	}
	if len(conflicts) > 0 || len(foreign) > 0 {
		diags.AddError(r.planSummary(), createConflictDetail(owner, conflicts, foreign, writeOnlyAmong(conflicts, desired)))
		return
	}
	if len(changed) > 0 {
		// Terraform shows no warning of a replacement's second plan, and
		// does not tell the provider whether the new object comes first.
		slices.Sort(changed)
		diags.AddError("Replacement Changes Its Own Keys", fmt.Sprintf(
			"This plan replaces the resource (replace_triggered_by or -replace) and also changes %[1]s, which the object it replaces holds in %[2]s: a new value, a value not known until apply, or (for an exclusive resource) a key the configuration drops. With create_before_destroy the new object is created while the old one still holds %[3]s, and a new object cannot tell its own earlier keys from another writer's, so the create would stop with the old object left deposed. Apply the change in two steps: first the new configuration without the replacement (for one apply, drop the -replace option or the changed replace_triggered_by reference), then the replacement.",
			listKeys(changed), ownerName(owner), itThem(len(changed))))
		return
	}
	if len(adopted) > 0 {
		slices.Sort(adopted)
		diags.AddWarning("Existing Metadata Adopted", fmt.Sprintf(
			"%[1]s already holds %[2]s with exactly the configured values. This resource adopts %[3]s and from then on owns %[3]s: destroying it, or removing %[3]s from its configuration, removes %[3]s from ZITADEL. If a resource this plan destroys held %[3]s (a rename without a moved block), prefer a moved block.",
			capital(ownerName(owner)), listKeys(adopted), itThem(len(adopted))))
	}
}

// checkUpdate reads the organization (once per walk) when the plan adds
// keys, to fail on those it would overwrite, or turns exclusive on, to name
// the keys it takes in.
func (r *metadataResource) checkUpdate(ctx context.Context, owner zitadel.Owner, state, plan metadataObject, prior, desired keySet, diags *diag.Diagnostics) {
	var added []string
	for _, k := range addedKeys(prior, desired) {
		if desired[k].raw != nil {
			added = append(added, k)
		}
	}
	turningExclusive := !state.Exclusive.ValueBool() && plan.Exclusive.ValueBool()
	if len(added) == 0 && !turningExclusive {
		return
	}
	server, gone, err := r.data.listOwner(ctx, owner, searchPrefix(turningExclusive, added))
	if err != nil {
		addAPIError(diags, r.planSummary(), "reading the existing metadata", owner, manageAccess, err)
		return
	}
	if gone {
		return // refresh has already dropped the resource, or will
	}
	if taken := overwritten(added, desired, server); len(taken) > 0 {
		diags.AddError(r.planSummary(), addConflictDetail(owner, taken))
		return
	}
	if turningExclusive {
		// Keys the state holds and the configuration lacks are removed by
		// this apply, as for any resource, and the plan shows them; only the
		// server's other keys are left alone until the next plan.
		var foreign []string
		for k := range server {
			_, configured := desired[k]
			if _, held := prior[k]; !configured && !held {
				foreign = append(foreign, k)
			}
		}
		if len(foreign) > 0 {
			slices.Sort(foreign)
			diags.AddAttributeWarning(path.Root("exclusive"), "Exclusive Takes In Existing Keys", fmt.Sprintf(
				"exclusive is turning on, and %[1]s holds %[2]s, which the configuration lacks. This apply leaves %[3]s alone; from the next refresh on this resource owns %[3]s, and the next plan removes %[3]s from ZITADEL unless you add %[3]s to the configuration.",
				ownerName(owner), listKeys(foreign), itThem(len(foreign))))
		}
	}
}

// knownKeys collects the plan's keys whose names are known; a value not
// known yet has a nil raw. complete is false when a whole map is unknown.
func (m *metadataModel) knownKeys() (ks keySet, complete bool) {
	ks, complete = keySet{}, true
	for _, k := range valueMaps {
		mv := m.mapOf(k)
		if mv.IsUnknown() {
			complete = false
			continue
		}
		for key, ev := range mv.Elements() {
			sv, ok := ev.(types.String)
			if !ok || sv.IsUnknown() || sv.IsNull() {
				ks[key] = value{in: k}
				continue
			}
			if k == inBinaryValues {
				if v, err := binaryValue(sv.ValueString()); err == nil {
					ks[key] = v
					continue
				}
				ks[key] = value{in: k}
				continue
			}
			ks[key] = value{raw: []byte(sv.ValueString()), in: k, text: sv.ValueString()}
		}
	}
	return ks, complete
}

// exclusiveOffWarning explains, when exclusive goes from true to false,
// which keys the plan removes from ZITADEL because the configuration lacks
// them, and how to keep them.
func exclusiveOffWarning(state, plan metadataModel, prior, desired keySet, complete bool) string {
	if !state.Exclusive.ValueBool() || plan.Exclusive.IsUnknown() || plan.Exclusive.ValueBool() || !complete {
		return ""
	}
	_, remove := writesFor(prior, desired)
	if len(remove) == 0 {
		return ""
	}
	n := len(remove)
	return fmt.Sprintf("exclusive is turning off, but the configuration lacks %[1]s, which this resource manages: applying this plan removes %[2]s from ZITADEL. To keep %[2]s, add %[2]s to the configuration, or set exclusive back to true.", listKeys(remove), itThem(n))
}

// overlapDiagnostics reports u's collisions with earlier plans, one
// diagnostic per colliding resource and kind.
func (r *metadataResource) overlapDiagnostics(owner zitadel.Owner, u *plannedUse, found []overlap, diags *diag.Diagnostics) {
	typ, noun, of := "zitadelmeta"+r.e.names().typeSuffix, r.e.names().noun, ownerName(owner)
	type group struct {
		first overlap
		keys  []string
	}
	var order []*group
	byOther := map[*plannedUse]map[overlapKind]*group{}
	for _, o := range found {
		if byOther[o.other] == nil {
			byOther[o.other] = map[overlapKind]*group{}
		}
		g := byOther[o.other][o.kind]
		if g == nil {
			g = &group{first: o}
			byOther[o.other][o.kind] = g
			order = append(order, g)
		}
		if o.key != "" {
			g.keys = append(g.keys, o.key)
		}
	}
	for _, g := range order {
		other := describePlan(g.first.other)
		switch g.first.kind {
		case sharedExclusive:
			detail := fmt.Sprintf("This resource has exclusive = true, so it owns every key of %s, but another %s resource in this configuration (%s) manages keys of the same %s. Set exclusive = false here, or move those keys into this resource and remove the other one.", of, typ, other, noun)
			if !u.exclusive {
				detail = fmt.Sprintf("%s is owned by another %s resource with exclusive = true (%s), and this resource manages keys of it too. Move these keys into the exclusive resource, or set exclusive = false on it.", capital(of), typ, other)
			}
			diags.AddAttributeError(path.Root("exclusive"), "Exclusive Resource Shares Its "+capital(noun), detail)
		case bothKeep:
			k := g.keys[0]
			diags.AddAttributeError(path.Root(u.keeps[k]).AtMapKey(k), "Metadata Key Managed by Two Resources", fmt.Sprintf(
				"%s: the configuration of this resource and of another %s resource (%s; key %q is in its %s) both name %s. Each key must be managed by exactly one resource: otherwise their applies overwrite each other, and destroying either deletes the key for both. Remove the keys from one of the two. To move a key, take it out of one and add it to the other in the same apply; to rename a resource, use a moved block.",
				capital(of), typ, other, k, g.first.other.keeps[k], listKeys(g.keys)))
		case keptAndReleased:
			diags.AddError("Metadata Key Held by Two Resources", fmt.Sprintf(
				"%[1]s: %[2]s %[3]s held in the state of this resource and of another %[4]s object (%[5]s), and this plan removes %[6]s through one of the two while the other keeps %[6]s, so applying it would delete keys that stay configured. To stop managing %[6]s with the resource that lets go without deleting %[6]s from ZITADEL, remove that resource from state first (terraform state rm, or, with Terraform 1.7 or later, a removed block with lifecycle { destroy = false }), then plan again. If the object being destroyed is a deposed object that a failed create_before_destroy replacement of the same resource left behind, remove the resource from state and import it again (terraform import <address> '%[7]s:<key>,...').",
				capital(of), listKeys(g.keys), isAre(len(g.keys)), typ, other, itThem(len(g.keys)), owner.ID()))
		}
	}
}

// describePlan names another resource for a message, by what it does: the
// provider is never told resource addresses.
func describePlan(p *plannedUse) string {
	var keys []string
	if p.destroy {
		keys = sortedKeys(p.held)
	} else {
		keys = sortedKeys(p.keeps)
	}
	list := listKeysN(keys, 3)
	if len(keys) == 0 {
		list = "no key yet"
	}
	switch {
	case p.destroy:
		return "one this plan destroys, which holds " + list
	case p.exclusive && p.create:
		return "a new exclusive one that configures " + list
	case p.exclusive:
		return "an exclusive one that configures " + list
	case p.create:
		return "a new one that manages " + list
	}
	return "one that manages " + list
}

// overwritten lists, sorted, the keys among keys that the server holds with
// other bytes than desired.
func overwritten(keys []string, desired keySet, server map[string][]byte) []string {
	var out []string
	for _, k := range keys {
		if raw, ok := server[k]; ok && string(raw) != string(desired[k].raw) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// addConflictDetail explains why an existing resource may not add keys
// that hold other values on the server, and what to do.
func addConflictDetail(owner zitadel.Owner, keys []string) string {
	return fmt.Sprintf("%[1]s already holds %[2]s, which this resource does not manage yet, with %[3]s than the configured %[4]s. Adding a key never overwrites a value that no plan of this resource has shown, as creating a resource never does.\n\nIf another resource of this configuration lets go of %[5]s in this same apply (a key moved between resources), apply the change in two steps: first move %[5]s with the value the server holds, then change it. If nothing else manages %[5]s, take %[5]s over with the value the server holds (put that value into this resource's configuration, apply, then change it), or delete %[5]s from ZITADEL if nothing needs %[5]s. If something else owns %[5]s, remove %[5]s from this configuration.",
		capital(ownerName(owner)), listKeys(keys), plural(len(keys), "another value", "other values"), plural(len(keys), "one", "ones"), itThem(len(keys)))
}

// writeOnlyAmong lists the keys of keys that desired holds in
// sensitive_values_wo.
func writeOnlyAmong(keys []string, desired keySet) []string {
	var out []string
	for _, k := range keys {
		if desired[k].in == inWriteOnly {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func createConflictDetail(owner zitadel.Owner, conflicts, foreign, writeOnly []string) string {
	slices.Sort(conflicts)
	slices.Sort(foreign)
	var b strings.Builder
	fmt.Fprintf(&b, "%s already holds metadata this resource would overwrite without it having been shown in a plan.", capital(ownerName(owner)))
	if len(conflicts) > 0 {
		fmt.Fprintf(&b, "\n\nKeys that exist with a different value: %s.", listKeys(conflicts))
	}
	if len(foreign) > 0 {
		fmt.Fprintf(&b, "\n\nKeys not in the configuration, which an exclusive resource would remove: %s.", listKeys(foreign))
	}
	all := append(conflicts, foreign...)
	const hint = "\n\nIf these keys are this resource's own (it replaces a tainted object of itself, or a create_before_destroy replacement changes their values), or another resource lets go of them in this same plan (a rename without a moved block, a key moved to a new resource), do not import them: apply the change in two steps, first with the values the server holds (or terraform untaint the object, or use a moved block), then with the new values. If another resource of this configuration keeps them, remove them from one of the two."
	id := owner.ID()
	ids := fmt.Sprintf("'%s' takes every key", id)
	if len(all) <= maxListedKeys {
		ids = fmt.Sprintf("'%s' takes just these keys, '%s' every key", importID{Owner: id, Keys: all}, id)
	}
	fmt.Fprintf(&b, "\n\nIf nothing else in this configuration manages them, take them over: import them first (terraform import <address> %s; an import block works too) and add the imported keys to this resource's configuration, then plan: the plan shows each change before it is made, and an imported key the configuration lacks is planned for removal.", ids)
	if len(conflicts) > 0 {
		b.WriteString(" Or remove the keys with other values from this resource's configuration.")
	}
	if len(foreign) > 0 {
		b.WriteString(" Or, for the keys an exclusive resource would remove, set exclusive = false, or delete them from ZITADEL if nothing needs them.")
	}
	if len(conflicts) > 0 {
		b.WriteString(hint)
	}
	if len(writeOnly) > 0 {
		fmt.Fprintf(&b, "\n\n%s in sensitive_values_wo: do not import %s, since an imported key lands in values, in the state. Give %s the value ZITADEL holds and apply (the resource adopts %s without the value touching the state), then change the value together with sensitive_values_wo_version.",
			capital(plural(len(writeOnly), "the key ", "the keys ")+listKeys(writeOnly)+plural(len(writeOnly), " is", " are")), itThem(len(writeOnly)), itThem(len(writeOnly)), itThem(len(writeOnly)))
	}
	return b.String()
}

// maxListedKeys bounds how many keys one message names.
const maxListedKeys = 20

// listKeys quotes keys for a message, naming at most maxListedKeys.
func listKeys(keys []string) string { return listKeysN(keys, maxListedKeys) }

// plural is one for n == 1, else many: a message agrees with its count.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// isAre and itThem agree a message's verb and pronoun with n keys.
func isAre(n int) string { return plural(n, "is", "are") }

func itThem(n int) string { return plural(n, "it", "them") }

// keyCount is "1 key" or "n keys".
func keyCount(n int) string { return fmt.Sprintf("%d %s", n, plural(n, "key", "keys")) }

// listKeysN quotes keys for a message, naming at most n.
func listKeysN(keys []string, n int) string {
	n = min(len(keys), n)
	quoted := make([]string, n)
	for i, k := range keys[:n] {
		quoted[i] = fmt.Sprintf("%q", k)
	}
	s := strings.Join(quoted, ", ")
	if len(keys) > n {
		s += fmt.Sprintf(" and %d more", len(keys)-n)
	}
	return s
}
