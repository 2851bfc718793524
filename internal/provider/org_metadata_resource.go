package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"
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

func (r *orgMetadataResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	mapDesc := func(s string) string {
		return s + " Keys: 1 to 200 characters; values: 1 to 500000 bytes. A key may appear in only one of `values`, `binary_values` and `sensitive_values`."
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages a set of metadata keys of one ZITADEL organization, written with one `BulkSetOrgMetadata` call and read back with one paged `ListOrgMetadata` search. Keys the resource does not manage are never read, shown or touched, unless `exclusive` is true.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The organization id.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"org_id": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: "Organization whose metadata is managed. Defaults to the provider's `org_id`, else the organization of the authenticated user or service account. The effective id is always recorded. Changing it replaces the resource.",
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.UseStateForUnknown(),
					stringplanmodifier.RequiresReplace(),
				},
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
				MarkdownDescription: "When `true`, the resource owns every key of the organization: keys on the server that the configuration lacks show in the plan and are removed on apply, and destroy removes all keys. When `false` (the default), only the keys in the configuration are read, changed and removed.",
			},
		},
		Blocks: map[string]schema.Block{"timeouts": timeoutsBlock()},
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

// ModifyPlan resolves an omitted org_id at plan time, so the plan shows the
// organization, and a resource without org_id moves (is replaced) when the
// organization it defaults to changes. It also warns when turning exclusive
// off would remove keys that only exclusivity had taken in.
func (r *orgMetadataResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil {
		return
	}
	if !req.State.Raw.IsNull() {
		// Only a switch from exclusive to not is worth decoding the maps for.
		var wasExclusive, isExclusive types.Bool
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("exclusive"), &wasExclusive)...)
		resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("exclusive"), &isExclusive)...)
		if wasExclusive.ValueBool() && !isExclusive.IsUnknown() && !isExclusive.ValueBool() {
			var plan, state orgMetadataModel
			resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
			resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
			if w := exclusiveOffWarning(ctx, state, plan); w != "" && !resp.Diagnostics.HasError() {
				resp.Diagnostics.AddAttributeWarning(path.Root("exclusive"), "Keys Will Be Removed", w)
			}
		}
		if resp.Diagnostics.HasError() {
			return
		}
	}
	var configured types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("org_id"), &configured)...)
	if resp.Diagnostics.HasError() || !configured.IsNull() {
		return
	}
	orgID, err := r.data.resolveOrg(ctx, configured)
	if err != nil {
		addAPIError(&resp.Diagnostics, "Unable to Plan Organization Metadata", "finding the caller's organization", "", readAccess, err)
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("org_id"), orgID)...)
	if req.State.Raw.IsNull() {
		return
	}
	var prior types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("org_id"), &prior)...)
	if prior.ValueString() != orgID {
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("org_id"))
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("id"), types.StringUnknown())...)
	}
}

// exclusiveOffWarning explains, when exclusive goes from true to false,
// which keys the plan removes from ZITADEL because the configuration lacks
// them, and how to keep them.
func exclusiveOffWarning(ctx context.Context, state, plan orgMetadataModel) string {
	if !state.Exclusive.ValueBool() || plan.Exclusive.IsUnknown() || plan.Exclusive.ValueBool() {
		return ""
	}
	for _, m := range []types.Map{plan.Values, plan.BinaryValues, plan.SensitiveValues} {
		if m.IsUnknown() {
			return ""
		}
	}
	prior, d1 := state.keys(ctx)
	desired, d2 := plan.keys(ctx)
	if d1.HasError() || d2.HasError() {
		return ""
	}
	_, remove := changes(prior, desired)
	if len(remove) == 0 {
		return ""
	}
	return fmt.Sprintf("exclusive is turning off, but the configuration lacks %s, which this resource manages: applying this plan removes them from ZITADEL. To keep them, add them to the configuration, or set exclusive back to true.", listKeys(remove))
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
	orgID, err := r.data.resolveOrg(ctx, plan.OrgID)
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
	entries, err := r.data.api.ListMetadata(ctx, orgID, nil)
	if err != nil {
		addAPIError(&resp.Diagnostics, summary, "reading the existing metadata", orgID, readAccess, err)
		return
	}
	server := entriesByKey(entries)
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
	plan.OrgID = types.StringValue(orgID)
	plan.ID = plan.OrgID
	set, _ := changes(adopted, desired)
	tflog.Debug(ctx, "creating organization metadata", map[string]any{"keys": len(desired), "adopted": len(adopted), "writes": len(set)})
	if _, err := r.data.api.SetMetadata(ctx, orgID, set); err != nil {
		addAPIError(&resp.Diagnostics, summary, fmt.Sprintf("writing %d keys", len(set)), orgID, writeAccess, err)
		r.saveServerState(ctx, orgID, plan, keySet{}, desired, &resp.State, &resp.Diagnostics)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func createConflictDetail(orgID string, conflicts, foreign []string) string {
	slices.Sort(conflicts)
	slices.Sort(foreign)
	var b strings.Builder
	fmt.Fprintf(&b, "Organization %s already holds metadata this resource would overwrite without it having been shown in a plan.", orgID)
	if len(conflicts) > 0 {
		fmt.Fprintf(&b, "\n\nKeys that exist with a different value: %s.", listKeys(conflicts))
	}
	if len(foreign) > 0 {
		fmt.Fprintf(&b, "\n\nKeys not in the configuration, which an exclusive resource would remove: %s.", listKeys(foreign))
	}
	all := append(conflicts, foreign...)
	if len(all) <= maxListedKeys {
		fmt.Fprintf(&b, "\n\nTo take them over, import them first (terraform import <address> '%s' takes just these keys, '%s' every key; an import block works too), then plan: the plan shows each change before it is made. Or remove the keys from the configuration.", importID{OrgID: orgID, Keys: all}, orgID)
	} else {
		fmt.Fprintf(&b, "\n\nTo take them over, import them first (terraform import <address> '%s' takes every key; an import block works too), then plan: the plan shows each change before it is made. Or remove the keys from the configuration.", orgID)
	}
	return b.String()
}

// maxListedKeys bounds how many keys one message names.
const maxListedKeys = 20

// listKeys quotes keys for a message, naming at most maxListedKeys.
func listKeys(keys []string) string {
	n := min(len(keys), maxListedKeys)
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

func (r *orgMetadataResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state orgMetadataModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	orgID := state.OrgID.ValueString()
	ctx = tflog.SetField(ctx, "org_id", orgID)
	ctx, cancel := withTimeout(ctx, state.Timeouts, "read")
	defer cancel()
	server, gone, err := r.data.readOrg(ctx, orgID)
	if err != nil {
		addAPIError(&resp.Diagnostics, "Unable to Read Organization Metadata", "searching the metadata", orgID, readAccess, err)
		return
	}
	if gone {
		tflog.Warn(ctx, "organization was removed outside Terraform; removing its metadata from state")
		resp.Diagnostics.AddWarning("Organization Removed",
			fmt.Sprintf("Organization %s no longer exists in ZITADEL, so its metadata is gone too. The resource was removed from state; the next plan creates it again if the configuration still names it.", orgID))
		resp.State.RemoveResource(ctx)
		return
	}
	prior, diags := state.keys(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	state.setKeys(refresh(prior, server, state.Exclusive.ValueBool()), state)
	state.ID = state.OrgID
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
	orgID := state.OrgID.ValueString()
	ctx = tflog.SetField(ctx, "org_id", orgID)
	prior, diags := state.keys(ctx)
	resp.Diagnostics.Append(diags...)
	desired, diags := plan.keys(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	set, remove := changes(prior, desired)
	tflog.Debug(ctx, "updating organization metadata", map[string]any{"writes": len(set), "removals": len(remove)})
	plan.OrgID, plan.ID = state.OrgID, state.OrgID
	if _, err := r.data.api.SetMetadata(ctx, orgID, set); err != nil {
		addAPIError(&resp.Diagnostics, summary, fmt.Sprintf("writing %d keys", len(set)), orgID, writeAccess, err)
		r.saveServerState(ctx, orgID, plan, prior, desired, &resp.State, &resp.Diagnostics)
		return
	}
	if len(remove) > 0 {
		if err := r.data.api.RemoveMetadata(ctx, orgID, remove); err != nil {
			addAPIError(&resp.Diagnostics, summary, fmt.Sprintf("removing %d keys", len(remove)), orgID, writeAccess, err)
			r.saveServerState(ctx, orgID, plan, prior, desired, &resp.State, &resp.Diagnostics)
			return
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

// readBackTimeout bounds the read that records what a failed write left.
const readBackTimeout = 30 * time.Second

// stateSetter is resource.CreateResponse's and UpdateResponse's State.
type stateSetter interface {
	Set(ctx context.Context, v any) diag.Diagnostics
}

// saveServerState records, after a write failed part-way, exactly what the
// server now holds for every key the resource had or wanted, so nothing
// that reached the server is forgotten and the next plan shows only the
// rest. If even that read fails, the prior state stays.
func (r *orgMetadataResource) saveServerState(ctx context.Context, orgID string, plan orgMetadataModel, prior, desired keySet, st stateSetter, diags *diag.Diagnostics) {
	// The operation's own deadline may be what failed it: read back on a
	// short one of its own.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), readBackTimeout)
	defer cancel()
	entries, err := r.data.api.ListMetadata(ctx, orgID, nil)
	if err != nil {
		tflog.Warn(ctx, "could not read back metadata after a failed write", map[string]any{"error": err.Error()})
		return
	}
	wanted := keySet{}
	for k, v := range prior {
		wanted[k] = v
	}
	for k, v := range desired {
		wanted[k] = v
	}
	plan.setKeys(refresh(wanted, entriesByKey(entries), false), plan)
	diags.Append(st.Set(ctx, plan)...)
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
	orgID := state.OrgID.ValueString()
	ctx = tflog.SetField(ctx, "org_id", orgID)
	managed, diags := state.keys(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	keys := sortedKeys(managed)
	if state.Exclusive.ValueBool() {
		entries, err := r.data.api.ListMetadata(ctx, orgID, nil)
		if err != nil && !zitadel.IsKind(err, zitadel.KindOrgNotFound) {
			addAPIError(&resp.Diagnostics, summary, "listing the keys to remove", orgID, readAccess, err)
			return
		}
		keys = sortedKeys(entriesByKey(entries))
	}
	if len(keys) == 0 {
		return
	}
	err := r.data.api.RemoveMetadata(ctx, orgID, keys)
	if err != nil && !zitadel.IsKind(err, zitadel.KindOrgNotFound) {
		addAPIError(&resp.Diagnostics, summary, fmt.Sprintf("removing %d keys", len(keys)), orgID, writeAccess, err)
	}
}

func (r *orgMetadataResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	const summary = "Unable to Import Organization Metadata"
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
	m.Timeouts = types.ObjectNull(timeoutsAttrTypes)
	m.setKeys(adopt(server, keys), orgMetadataModel{Values: types.MapNull(types.StringType), BinaryValues: types.MapNull(types.StringType), SensitiveValues: types.MapNull(types.StringType)})
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}
