package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/zitadel"
)

var (
	_ resource.ResourceWithConfigure      = (*orgMetadataResource)(nil)
	_ resource.ResourceWithImportState    = (*orgMetadataResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*orgMetadataResource)(nil)
	_ resource.ResourceWithValidateConfig = (*orgMetadataResource)(nil)
)

// orgMetadataResource manages a set of metadata keys of one organization.
type orgMetadataResource struct {
	data *providerData
}

// NewOrgMetadataResource is the zitadelmeta_org_metadata resource.
func NewOrgMetadataResource() resource.Resource { return &orgMetadataResource{} }

func (r *orgMetadataResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_org_metadata"
}

func (r *orgMetadataResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	mapDesc := func(s string) string {
		return s + " Keys: 1 to 200 characters; values: 1 to 500000 bytes. A key may appear in only one of `values`, `binary_values` and `sensitive_values`."
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages a set of metadata keys of one ZITADEL organization, written with one bulk call and read back with one paged search (the management API's `BulkSetOrgMetadata` and `ListOrgMetadata`, or the organization service v2's `SetOrganizationMetadata` and `ListOrganizationMetadata`: see the provider's `api_version`). Keys the resource does not manage are never shown in its plan or touched, unless `exclusive` is true. Each key belongs to one resource: two resources naming the same key of one organization fail the plan.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The id of the organization the resource acts on (the effective `org_id`).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"org_id": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: "Organization whose metadata is managed. Defaults to the provider's `org_id`, else the organization of the authenticated user or service account (as the management API v1 reports it; with the organization service v2, a new resource needs an id and an existing one keeps the organization its state records); an empty string counts as unset. The effective organization is always recorded in `id` (and here when omitted). Changing it, or the organization it defaults to, replaces the resource.",
				// Replacement is decided in ModifyPlan on the effective
				// organization, so that "" and a padded id of the same
				// organization do not replace.
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
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
			"exclusive": schema.BoolAttribute{
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
				MarkdownDescription: "When `true`, the resource owns every key of the organization: keys on the server that the configuration lacks show in the plan and are removed on apply, and destroy removes every key the state holds. It must be the only resource of its organization in the configuration. When `false` (the default), only the keys in the configuration are read, changed and removed.",
			},
		},
		Blocks: map[string]schema.Block{"timeouts": timeoutsBlock(ctx)},
	}
}

func (r *orgMetadataResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

func (r *orgMetadataResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg orgMetadataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(cfg.validateKeys(ctx)...)
}

func (r *orgMetadataResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan orgMetadataModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	const summary = "Unable to Create Organization Metadata"
	ctx, cancel := withTimeout(ctx, plan.Timeouts, "create")
	defer cancel()
	orgID, err := plan.org(), error(nil) // id holds what the plan resolved
	if orgID == "" {
		orgID, err = r.data.resolveOrg(ctx, plan.OrgID)
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, summary, "finding the caller's organization", "", readAccess, err)
		return
	}
	ctx = tflog.SetField(ctx, "org_id", orgID)
	desired, diags := plan.keys(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	w, err := r.data.owners.lockOrg(ctx, orgID)
	if err != nil {
		addAPIError(&resp.Diagnostics, summary, "waiting for other writes to the organization", orgID, writeAccess, err)
		return
	}
	defer w.unlock()
	prefix := searchPrefix(plan.Exclusive.ValueBool(), sortedKeys(desired))
	server, gone, err := r.data.readOrg(ctx, orgID, prefixFilter(prefix)...)
	if err != nil {
		addAPIError(&resp.Diagnostics, summary, "reading the existing metadata", orgID, readAccess, err)
		return
	}
	if gone {
		resp.Diagnostics.AddAttributeError(path.Root("org_id"), "Organization Removed", orgRemovedAdvice(orgID, "no metadata can be written to it"))
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
		resp.Diagnostics.AddError(summary, createConflictDetail(orgID, conflicts, foreign))
		return
	}
	plan.ID = types.StringValue(orgID)
	if plan.OrgID.IsUnknown() {
		plan.OrgID = plan.ID
	}
	set, _ := changes(adopted, desired)
	tflog.Debug(ctx, "creating organization metadata", map[string]any{"keys": len(desired), "adopted": len(adopted), "writes": len(set)})
	if applied, err := r.data.api.SetMetadata(ctx, zitadel.OrgOwner(orgID), set); err != nil {
		addAPIError(&resp.Diagnostics, summary, fmt.Sprintf("writing %d keys", len(set)), orgID, writeAccess, err)
		r.recordFailedWrite(ctx, w, plan, failedWrite{prior: adopted, desired: desired, set: set, setDone: applied, create: true}, &resp.State, &resp.Diagnostics)
		return
	}
	w.claim(sortedKeys(desired))
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *orgMetadataResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state orgMetadataModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	orgID := state.org()
	ctx = tflog.SetField(ctx, "org_id", orgID)
	ctx, cancel := withTimeout(ctx, state.Timeouts, "read")
	defer cancel()
	prior, diags := state.keys(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	prefix := searchPrefix(state.Exclusive.ValueBool(), sortedKeys(prior))
	server, gone, err := r.data.readOrg(ctx, orgID, prefixFilter(prefix)...)
	if err != nil {
		addAPIError(&resp.Diagnostics, "Unable to Read Organization Metadata", "searching the metadata", orgID, readAccess, err)
		return
	}
	if gone {
		tflog.Warn(ctx, "organization was removed outside Terraform; removing its metadata from state")
		resp.Diagnostics.AddWarning("Organization Removed",
			orgRemovedAdvice(orgID, "its metadata is gone too and the resource was removed from state; while the configuration still names it, plans fail"))
		resp.State.RemoveResource(ctx)
		return
	}
	state.setKeys(refresh(prior, server, state.Exclusive.ValueBool()), state)
	state.ID = types.StringValue(orgID)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *orgMetadataResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state orgMetadataModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	const summary = "Unable to Update Organization Metadata"
	ctx, cancel := withTimeout(ctx, plan.Timeouts, "update")
	defer cancel()
	orgID := state.org()
	ctx = tflog.SetField(ctx, "org_id", orgID)
	prior, diags := state.keys(ctx)
	resp.Diagnostics.Append(diags...)
	desired, diags := plan.keys(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	w, err := r.data.owners.lockOrg(ctx, orgID)
	if err != nil {
		addAPIError(&resp.Diagnostics, summary, "waiting for other writes to the organization", orgID, writeAccess, err)
		return
	}
	defer w.unlock()
	set, remove := changes(prior, desired)
	// A key this resource keeps that another resource of this run removed
	// (it held the key too, or handed it over) is written again.
	for _, k := range w.releasedByOthers(sortedKeys(desired)) {
		if !slices.ContainsFunc(set, func(kv zitadel.KV) bool { return kv.Key == k }) {
			set = append(set, zitadel.KV{Key: k, Value: desired[k].raw})
		}
	}
	remove, kept := w.withoutClaimed(remove)
	tflog.Debug(ctx, "updating organization metadata", map[string]any{"writes": len(set), "removals": len(remove), "left_to_others": len(kept)})
	plan.ID = types.StringValue(orgID)
	if plan.OrgID.IsUnknown() {
		plan.OrgID = state.OrgID
	}
	failed := failedWrite{prior: prior, desired: desired, set: set, remove: remove}
	if failed.setDone, err = r.data.api.SetMetadata(ctx, zitadel.OrgOwner(orgID), set); err != nil {
		addAPIError(&resp.Diagnostics, summary, fmt.Sprintf("writing %d keys", len(set)), orgID, writeAccess, err)
		r.recordFailedWrite(ctx, w, plan, failed, &resp.State, &resp.Diagnostics)
		return
	}
	if len(remove) > 0 {
		if failed.removeDone, err = r.data.api.RemoveMetadata(ctx, zitadel.OrgOwner(orgID), remove); err != nil {
			addAPIError(&resp.Diagnostics, summary, fmt.Sprintf("removing %d keys", len(remove)), orgID, writeAccess, err)
			r.recordFailedWrite(ctx, w, plan, failed, &resp.State, &resp.Diagnostics)
			return
		}
	}
	w.claim(sortedKeys(desired))
	w.release(remove)
	addKeptWarning(&resp.Diagnostics, orgID, kept)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

// addKeptWarning says which keys a delete or update left on the server
// because another resource of the same run wrote, adopted or keeps them.
func addKeptWarning(diags *diag.Diagnostics, orgID string, kept []string) {
	if len(kept) == 0 {
		return
	}
	diags.AddWarning("Metadata Keys Left in Place", fmt.Sprintf(
		"Organization %s: %s stayed in ZITADEL although this resource lets go of them, because another zitadelmeta_org_metadata resource in this run wrote or adopted them (a replacement created before this destroy, a renamed resource, or a key moved between resources). They now belong to that resource.",
		orgID, listKeys(kept)))
}

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

// stateSetter is resource.CreateResponse's and UpdateResponse's State.
type stateSetter interface {
	Set(ctx context.Context, v any) diag.Diagnostics
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
func (r *orgMetadataResource) recordFailedWrite(ctx context.Context, w *orgWriter, plan orgMetadataModel, f failedWrite, st stateSetter, diags *diag.Diagnostics) {
	rctx, cancel := readBackContext(ctx, r.data.interruptGrace)
	defer cancel()
	got := f.acknowledged()
	// readOrg confirms an empty answer: on v2 a caller who may not read the
	// organization gets one, which must not count as "nothing landed".
	if server, _, err := r.data.readOrg(rctx, plan.org()); err != nil {
		tflog.Warn(ctx, "could not read back metadata after a failed write; recording the acknowledged writes", map[string]any{"error": err.Error()})
	} else {
		wanted := make(keySet, len(f.prior)+len(f.desired))
		for k, v := range f.prior {
			wanted[k] = v
		}
		for k, v := range f.desired {
			wanted[k] = v
		}
		got = refresh(wanted, server, false)
	}
	if f.create && !anyLanded(f.set, got) {
		return
	}
	w.claim(sortedKeys(got))
	plan.setKeys(got, plan)
	diags.Append(st.Set(ctx, plan)...)
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

func (r *orgMetadataResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state orgMetadataModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	const summary = "Unable to Delete Organization Metadata"
	ctx, cancel := withTimeout(ctx, state.Timeouts, "delete")
	defer cancel()
	orgID := state.org()
	ctx = tflog.SetField(ctx, "org_id", orgID)
	managed, diags := state.keys(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() || len(managed) == 0 {
		return
	}
	// Only what the state holds: an exclusive resource's state holds every
	// key the refresh for this plan found, and a key that appeared since was
	// shown in no plan.
	w, err := r.data.owners.lockOrg(ctx, orgID)
	if err != nil {
		addAPIError(&resp.Diagnostics, summary, "waiting for other writes to the organization", orgID, writeAccess, err)
		return
	}
	defer w.unlock()
	keys, kept := w.withoutClaimed(sortedKeys(managed))
	if len(keys) > 0 {
		_, err := r.data.api.RemoveMetadata(ctx, zitadel.OrgOwner(orgID), keys)
		if zitadel.IsKind(err, zitadel.KindNoMembership) {
			// On v2 a caller with only organization roles gets this for an
			// organization that no longer exists: then there is nothing
			// left to remove.
			if gone, gerr := r.data.orgRemoved(ctx, orgID); gerr == nil && gone {
				err = nil
			}
		}
		if err != nil && !zitadel.IsKind(err, zitadel.KindOrgNotFound) {
			addAPIError(&resp.Diagnostics, summary, fmt.Sprintf("removing %d keys", len(keys)), orgID, writeAccess, err)
			return
		}
		w.release(keys)
	}
	addKeptWarning(&resp.Diagnostics, orgID, kept)
}

func (r *orgMetadataResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	const summary = "Unable to Import Organization Metadata"
	// Import has no timeouts block of its own: it gets a read's default.
	ctx, cancel := context.WithTimeout(ctx, defaultTimeouts["read"])
	defer cancel()
	id, err := parseImportID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid Import ID", fmt.Sprintf("The import ID %q is not valid: %s. %s", req.ID, err, importIDHelp))
		return
	}
	server, gone, err := r.data.readOrg(ctx, id.OrgID)
	if err != nil {
		addAPIError(&resp.Diagnostics, summary, "searching the metadata", id.OrgID, readAccess, err)
		return
	}
	if gone {
		resp.Diagnostics.AddError(summary, fmt.Sprintf("Organization %s does not exist or was removed. Check the organization id in the import ID.", id.OrgID))
		return
	}
	keys := id.Keys
	if keys == nil {
		keys = sortedKeys(server)
	}
	var missing []string
	for _, k := range keys {
		if _, ok := server[k]; !ok {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		resp.Diagnostics.AddError(summary, fmt.Sprintf("Organization %s has no metadata with the keys %s. Check the spelling (keys are case-sensitive) and the escapes in the import ID. %s", id.OrgID, listKeys(missing), importIDHelp))
		return
	}
	var m orgMetadataModel
	m.ID, m.OrgID, m.Exclusive = types.StringValue(id.OrgID), types.StringValue(id.OrgID), types.BoolValue(false)
	m.Timeouts = nullTimeouts()
	m.setKeys(adopt(server, keys), orgMetadataModel{Values: types.MapNull(types.StringType), BinaryValues: types.MapNull(types.StringType), SensitiveValues: types.MapNull(types.StringType)})
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}
