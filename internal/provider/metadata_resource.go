package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/zitadel"
)

var (
	_ resource.ResourceWithConfigure      = (*metadataResource)(nil)
	_ resource.ResourceWithImportState    = (*metadataResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*metadataResource)(nil)
	_ resource.ResourceWithValidateConfig = (*metadataResource)(nil)
)

// metadataResource manages a set of metadata keys of one owner: an
// organization or a user, as its entity says.
type metadataResource struct {
	data *providerData
	e    entity
}

func (r *metadataResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + r.e.names().typeSuffix
}

// title is the entity's noun for a summary: "Organization Metadata".
func (r *metadataResource) title() string { return capital(r.e.names().noun) + " Metadata" }

func (r *metadataResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	noun := r.e.names().noun
	mapDesc := func(s string) string {
		return s + " Keys: 1 to 200 characters; values: 1 to 500000 bytes. A key may appear in only one of `values`, `binary_values`, `sensitive_values` and `sensitive_values_wo`."
	}
	attrs := map[string]schema.Attribute{
		"values": schema.MapAttribute{
			ElementType:         types.StringType,
			Optional:            true,
			MarkdownDescription: mapDesc("Text values (UTF-8), by key."),
		},
		"binary_values": schema.MapAttribute{
			ElementType:         types.StringType,
			Optional:            true,
			MarkdownDescription: mapDesc("Binary values, by key, given base64-encoded (standard alphabet, padded), e.g. with `filebase64()`. ZITADEL stores the decoded bytes; they are never encoded twice."),
		},
		"sensitive_values": schema.MapAttribute{
			ElementType:         types.StringType,
			Optional:            true,
			Sensitive:           true,
			MarkdownDescription: mapDesc("Text values kept out of plan output, by key. Stored in state like every value."),
		},
		"sensitive_values_wo": schema.MapAttribute{
			ElementType:         types.StringType,
			Optional:            true,
			Sensitive:           true,
			WriteOnly:           true,
			MarkdownDescription: mapDesc("Text values that never touch plan or state, by key (write-only; Terraform 1.11 and later, OpenTofu 1.11 and later). The state keeps only the keys, in `sensitive_values_wo_keys`, and a salted digest of each value in its private part, so a value changed or removed outside Terraform is written again. A value is written when its key is added, when a refresh or a failed apply left it changed, removed or not written, and when `sensitive_values_wo_version` changes, not when only the configuration gives another value (a source that changes on every run would rotate the secret on every apply). Give the values from ephemeral sources, such as an ephemeral variable or the `zitadelmeta_org_metadata` ephemeral resource."),
		},
		"sensitive_values_wo_version": schema.Int64Attribute{
			Optional:            true,
			MarkdownDescription: "Any number; changing it writes every value of `sensitive_values_wo` again, as the configuration gives them now. Change it to roll out a new value.",
		},
		"sensitive_values_wo_keys": schema.MapAttribute{
			ElementType:         types.StringType,
			Computed:            true,
			MarkdownDescription: "The keys of `sensitive_values_wo`, each with its status: `written`, `changed outside Terraform` or `removed outside Terraform` (found by a refresh; the next apply writes it again), or `not written` (a failed apply). No value, no digest.",
		},
		"exclusive": schema.BoolAttribute{
			Optional:            true,
			Computed:            true,
			Default:             booldefault.StaticBool(false),
			MarkdownDescription: fmt.Sprintf("When `true`, the resource owns every key of the %[1]s: keys on the server that the configuration lacks show in the plan and are removed on apply, and destroy removes every key the state holds. It must be the only resource of its %[1]s in the configuration. When `false` (the default), only the keys in the configuration are read, changed and removed.", noun),
		},
	}
	attrs["id"] = schema.StringAttribute{
		Computed:            true,
		MarkdownDescription: fmt.Sprintf("The id of the %s the resource acts on (the effective `%s`).", noun, r.e.names().ownerAttr),
		PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
	for name, a := range r.e.resourceAttributes() {
		attrs[name] = a
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: fmt.Sprintf("Manages a set of metadata keys of one ZITADEL %[1]s, written with one bulk call and read back with one paged search (%[2]s: see the provider's `api_version`). Keys the resource does not manage are never shown in its plan or touched, unless `exclusive` is true. Each key belongs to one resource: two resources naming the same key of one %[1]s fail the plan.", noun, r.e.names().api),
		Attributes:          attrs,
		Blocks:              map[string]schema.Block{"timeouts": timeoutsBlock(ctx)},
	}
}

func (r *metadataResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

func (r *metadataResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	cfg := r.get(ctx, req.Config, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(cfg.validateKeys(ctx)...)
}

func (r *metadataResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	plan := r.get(ctx, req.Plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	summary := "Unable to Create " + r.title()
	ctx, cancel := withTimeout(ctx, plan.Timeouts, "create")
	defer cancel()
	// What the plan resolved, or, when it could not yet, a lookup.
	owner, err := r.e.resolve(ctx, r.data, &plan)
	if err != nil {
		addOwnerError(&resp.Diagnostics, summary, owner, manageAccess, err)
		return
	}
	ctx = logOwner(ctx, owner)
	cfg := r.get(ctx, req.Config, &resp.Diagnostics)
	digests := loadDigests(ctx, nil, &resp.Diagnostics)
	wo, _ := cfg.writeOnlyValues()
	digests.stamp(wo)
	desired, w := r.lockFor(ctx, owner, summary, &plan, wo, &resp.Diagnostics)
	if w == nil {
		return
	}
	defer w.unlock()
	prefix := searchPrefix(plan.Exclusive.ValueBool(), sortedKeys(desired))
	server, gone, err := r.data.lockedReading(ctx, w, owner, prefix)
	if err != nil {
		addAPIError(&resp.Diagnostics, summary, "reading the existing metadata", owner, manageAccess, err)
		return
	}
	if gone {
		resp.Diagnostics.AddError(capital(r.e.names().noun)+" Removed", r.e.goneAdvice(owner, "no metadata can be written to it"))
		return
	}
	// Keys already holding the desired bytes are adopted; any other existing
	// key would be overwritten (or, when exclusive, removed) without the user
	// having seen it in a plan, so it stops the apply.
	adopted := keySet{}
	var conflicts, foreign []string
	for k, raw := range server {
		d, managed := desired[k]
		switch {
		case managed && string(d.raw) == string(raw):
			adopted[k] = d
		case managed:
			conflicts = append(conflicts, k)
		case plan.Exclusive.ValueBool():
			foreign = append(foreign, k)
		}
	}
	if len(conflicts) > 0 || len(foreign) > 0 {
		resp.Diagnostics.AddError(summary, createConflictDetail(owner, conflicts, foreign, writeOnlyAmong(conflicts, desired)))
		return
	}
	r.e.record(&plan, owner)
	set, _ := writesFor(adopted, desired)
	write := set
	if len(set) == 0 {
		// Every key is adopted. Writing them again (ZITADEL skips values
		// that do not change) proves that the caller may write: a token
		// that may only read must not create a resource owning keys it
		// could never remove.
		write, _ = writesFor(nil, desired)
	}
	tflog.Debug(ctx, "creating metadata", map[string]any{"keys": len(desired), "adopted": len(adopted), "writes": len(set)})
	if applied, err := r.data.api.SetMetadata(ctx, owner, write); err != nil {
		addAPIError(&resp.Diagnostics, summary, "writing "+keyCount(len(write)), owner, writeAccess, err)
		r.recordFailedWrite(ctx, w, owner, plan, failedWrite{prior: adopted, desired: desired, set: set, setDone: min(applied, len(set)), create: true}, &resp.State, resp.Private, digests, &resp.Diagnostics)
		return
	}
	w.claim(sortedKeys(desired))
	r.recordApplied(ctx, &resp.State, resp.Private, req.Plan.Raw, plan, desired, digests, &resp.Diagnostics)
}

// recordApplied writes the state and the write-only digests of a create or
// update that wrote every desired key.
func (r *metadataResource) recordApplied(ctx context.Context, st *tfsdk.State, priv privateSetter, planned tftypes.Value, plan metadataObject, desired keySet, digests *woDigests, diags *diag.Diagnostics) {
	plan.SensitiveValuesWOKeys = writeOnlyKeys(desired)
	r.setApplied(ctx, st, planned, plan, diags)
	digests.save(ctx, priv, desired, diags)
}

// lockFor reads the keys a plan wants, with the configuration's write-only
// ones (wo), then locks the owner (see lock); nil, with the error reported,
// when either fails or diags already holds an error.
func (r *metadataResource) lockFor(ctx context.Context, owner zitadel.Owner, summary string, plan *metadataObject, wo keySet, diags *diag.Diagnostics) (keySet, *ownerWriter) {
	desired, d := plan.keys()
	diags.Append(d...)
	if diags.HasError() {
		return nil, nil
	}
	desired = withWriteOnly(desired, wo)
	return desired, r.lock(ctx, owner, summary, diags)
}

// lock waits until no other apply call of this process writes to the
// owner; nil, with an error reported, when ctx ends first.
func (r *metadataResource) lock(ctx context.Context, owner zitadel.Owner, summary string, diags *diag.Diagnostics) *ownerWriter {
	w, err := r.data.owners.lock(ctx, owner)
	if err != nil {
		addAPIError(diags, summary, "waiting for other writes to the "+r.e.names().noun, owner, writeAccess, err)
		return nil
	}
	return w
}

// start begins an operation on the owner a state names: under the
// operation's deadline (from t), with the owner in the log fields, and
// with the keys the state holds.
func (r *metadataResource) start(ctx context.Context, op string, t timeouts.Value, state *metadataObject, diags *diag.Diagnostics) (context.Context, context.CancelFunc, zitadel.Owner, keySet) {
	ctx, cancel := withTimeout(ctx, t, op)
	// A state records its owner in full, except a user's organization
	// under a blank org_id: what is missing is looked up, never guessed.
	owner, err := r.e.resolve(ctx, r.data, state)
	if err != nil {
		addOwnerError(diags, "Unable to "+capital(op)+" "+r.title(), owner, manageAccess, err)
		return ctx, cancel, owner, nil
	}
	ctx = logOwner(ctx, owner)
	held, d := state.keys()
	diags.Append(d...)
	return ctx, cancel, owner, held
}

// logOwner adds the owner to the log fields of ctx.
func logOwner(ctx context.Context, owner zitadel.Owner) context.Context {
	ctx = tflog.SetField(ctx, "org_id", owner.OrgID)
	if owner.IsUser() {
		ctx = tflog.SetField(ctx, "user_id", owner.UserID)
	}
	return ctx
}

func (r *metadataResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	state := r.get(ctx, req.State, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, owner, prior := r.start(ctx, "read", state.Timeouts, &state, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}
	prefix := searchPrefix(state.Exclusive.ValueBool(), sortedKeys(prior))
	holds, sent := r.data.owners.of(owner).holds.Load(), time.Now()
	server, gone, err := r.data.readOwner(ctx, owner, prefixFilter(prefix)...)
	if err != nil {
		addAPIError(&resp.Diagnostics, "Unable to Read "+r.title(), "searching the metadata", owner, manageAccess, err)
		return
	}
	r.data.keepReading(owner, prefix, holds, sent, server, gone)
	if gone {
		tflog.Warn(ctx, r.e.names().noun+" was removed outside Terraform; removing its metadata from state")
		resp.Diagnostics.AddWarning(capital(r.e.names().noun)+" Removed",
			r.e.goneAdvice(owner, "its metadata is gone too and the resource was removed from state; while the configuration still names it, plans fail"))
		resp.State.RemoveResource(ctx)
		return
	}
	digests := loadDigests(ctx, req.Private, &resp.Diagnostics)
	digests.attach(prior)
	state.setKeys(refresh(prior, server, state.Exclusive.ValueBool(), digests), state.metadataModel)
	r.e.record(&state, owner)
	r.set(ctx, &resp.State, state, &resp.Diagnostics)
}

func (r *metadataResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	plan := r.get(ctx, req.Plan, &resp.Diagnostics)
	state := r.get(ctx, req.State, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	summary := "Unable to Update " + r.title()
	ctx, cancel, owner, prior := r.start(ctx, "update", plan.Timeouts, &state, &resp.Diagnostics)
	defer cancel()
	cfg := r.get(ctx, req.Config, &resp.Diagnostics)
	digests := loadDigests(ctx, req.Private, &resp.Diagnostics)
	digests.attach(prior)
	wo, _ := cfg.writeOnlyValues()
	digests.stamp(wo)
	desired, w := r.lockFor(ctx, owner, summary, &plan, wo, &resp.Diagnostics)
	if w == nil {
		return
	}
	defer w.unlock()
	if !r.checkAdded(ctx, w, owner, summary, prior, desired, &resp.Diagnostics) {
		return
	}
	rewrite := versionChanged(state.metadataModel, plan.metadataModel)
	keepWritten(prior, desired, rewrite)
	set, remove := writesFor(prior, desired)
	if rewrite {
		// A new version writes every write-only value again.
		set = writeAlso(set, desired, writeOnlyAmong(sortedKeys(desired), desired), digests)
	}
	// A key this resource keeps that another resource of this run removed
	// (both held it, one with a map unknown at plan time) is written again.
	set = writeAlso(set, desired, w.releasedByOthers(sortedKeys(desired)), digests)
	remove, kept := w.withoutClaimed(remove)
	tflog.Debug(ctx, "updating metadata", map[string]any{"writes": len(set), "removals": len(remove), "left_to_others": len(kept)})
	if plan.OrgID.IsUnknown() {
		plan.OrgID = state.OrgID
	}
	r.e.record(&plan, owner)
	failed := failedWrite{prior: prior, desired: desired, set: set, remove: remove}
	var err error
	if failed.setDone, err = r.data.api.SetMetadata(ctx, owner, set); err != nil {
		addAPIError(&resp.Diagnostics, summary, "writing "+keyCount(len(set)), owner, writeAccess, err)
		r.recordFailedWrite(ctx, w, owner, plan, failed, &resp.State, resp.Private, digests, &resp.Diagnostics)
		return
	}
	if len(remove) > 0 {
		if failed.removeDone, err = r.data.api.RemoveMetadata(ctx, owner, remove); err != nil {
			addAPIError(&resp.Diagnostics, summary, "removing "+keyCount(len(remove)), owner, writeAccess, err)
			r.recordFailedWrite(ctx, w, owner, plan, failed, &resp.State, resp.Private, digests, &resp.Diagnostics)
			return
		}
	}
	w.claim(sortedKeys(desired))
	w.release(remove)
	r.addKeptWarning(&resp.Diagnostics, owner, kept)
	r.recordApplied(ctx, &resp.State, resp.Private, req.Plan.Raw, plan, desired, digests, &resp.Diagnostics)
	// The plan's mark (see markPlan) names one walk's plan; a state need
	// not keep it.
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, planMark, nil)...)
}

// checkAdded reads, under the write lock, the keys an update adds: one that
// holds another value than the configured one would be overwritten although
// no plan showed it (the plan fails on such a key, but the server may have
// changed since, as under a saved plan), so it stops the update as it stops
// a create. False, with the error reported, when the update must not write.
func (r *metadataResource) checkAdded(ctx context.Context, w *ownerWriter, owner zitadel.Owner, summary string, prior, desired keySet, diags *diag.Diagnostics) bool {
	add := addedKeys(prior, desired)
	if len(add) == 0 {
		return true
	}
	server, gone, err := r.data.lockedReading(ctx, w, owner, searchPrefix(false, add))
	if err != nil {
		addAPIError(diags, summary, "reading the existing metadata", owner, manageAccess, err)
		return false
	}
	if gone {
		diags.AddError(capital(r.e.names().noun)+" Removed", r.e.goneAdvice(owner, "no metadata can be written to it"))
		return false
	}
	if taken := overwritten(add, desired, server); len(taken) > 0 {
		diags.AddError(summary, addConflictDetail(owner, taken))
		return false
	}
	return true
}

// addKeptWarning says which keys a delete or update left on the server
// because another resource of the same run wrote, adopted or keeps them.
func (r *metadataResource) addKeptWarning(diags *diag.Diagnostics, owner zitadel.Owner, kept []string) {
	if len(kept) == 0 {
		return
	}
	diags.AddWarning("Metadata Keys Left in Place", fmt.Sprintf(
		"%[1]s: %[2]s stayed in ZITADEL although this resource lets go of %[4]s, because another zitadelmeta%[3]s resource in this run wrote or adopted %[4]s (a replacement created before this destroy, a renamed resource, or a key moved between resources). That resource now owns %[4]s.",
		capital(ownerName(owner)), listKeys(kept), r.e.names().typeSuffix, itThem(len(kept))))
}

func (r *metadataResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	state := r.get(ctx, req.State, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	summary := "Unable to Delete " + r.title()
	ctx, cancel, owner, managed := r.start(ctx, "delete", state.Timeouts, &state, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() || len(managed) == 0 {
		return
	}
	// Only what the state holds: an exclusive resource's state holds every
	// key the refresh for this plan found, and a key that appeared since was
	// shown in no plan.
	w := r.lock(ctx, owner, summary, &resp.Diagnostics)
	if w == nil {
		return
	}
	defer w.unlock()
	keys, kept := w.withoutClaimed(sortedKeys(managed))
	if len(keys) > 0 {
		_, err := r.data.api.RemoveMetadata(ctx, owner, keys)
		if zitadel.IsKind(err, zitadel.KindNoMembership) || zitadel.IsKind(err, zitadel.KindUserNotFound) {
			// On v2 a caller with only organization roles gets the first
			// for an organization that no longer exists, and a removed
			// user's writes fail with the second: then there is nothing
			// left to remove, which only the owner's lookup tells.
			if gone, gerr := r.data.ownerRemoved(ctx, owner); gerr == nil && gone {
				err = nil
			}
		}
		if err != nil && !zitadel.IsKind(err, zitadel.KindOrgNotFound) {
			addAPIError(&resp.Diagnostics, summary, "removing "+keyCount(len(keys)), owner, writeAccess, err)
			return
		}
		w.release(keys)
	}
	r.addKeptWarning(&resp.Diagnostics, owner, kept)
}
