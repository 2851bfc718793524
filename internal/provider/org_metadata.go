package provider

// zitadelmeta_org_metadata: the organization entity. The resource and data
// source themselves are the shared ones (metadata_*.go).

import (
	"context"
	"fmt"

	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/zitadel"
)

// orgEntity is an organization's metadata.
type orgEntity struct{}

func (orgEntity) names() entityNames {
	return entityNames{
		noun: "organization", typeSuffix: "_org_metadata", ownerAttr: "org_id",
		api:       "the management API's `BulkSetOrgMetadata` and `ListOrgMetadata`, or the organization service v2's `SetOrganizationMetadata` and `ListOrganizationMetadata`",
		searchAPI: "`ListOrgMetadata`, or `ListOrganizationMetadata` with the provider's `api_version = \"v2\"`",
	}
}

func (orgEntity) resourceAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		// Replacement is decided in ModifyPlan on the effective
		// organization, so that "" and a padded id of the same organization
		// do not replace.
		"org_id": orgIDAttribute("Organization whose metadata is managed. Defaults to the provider's `org_id`, else the organization of the authenticated user or service account (as the management API v1 reports it; with the organization service v2, a new resource needs an id and an existing one keeps the organization its state records); an empty string counts as unset (the attribute itself then stays empty, as configured). The effective organization is always recorded in `id` (and here when omitted): refer to `id`, not `org_id`, for it. Changing it, or the organization it defaults to, replaces the resource."),
	}
}

func (orgEntity) dataSourceAttributes() map[string]dsschema.Attribute {
	return map[string]dsschema.Attribute{
		"org_id": dsschema.StringAttribute{
			Optional:            true,
			Computed:            true,
			MarkdownDescription: "Organization to search. Defaults to the provider's `org_id`, else the organization of the authenticated user or service account (with the management API v1 only: the organization service v2 needs an id); an empty string counts as unset. The effective organization is exported as `id` (and here when omitted).",
		},
	}
}

// owner is org_id, trimmed, or, when org_id is blank (org_id = "" means
// "not set"), id, which always records the effective organization.
func (orgEntity) owner(o *metadataObject) zitadel.Owner {
	if id := configuredOrg(o.OrgID); id != "" {
		return zitadel.OrgOwner(id)
	}
	return zitadel.OrgOwner(o.ID.ValueString())
}

func (orgEntity) record(o *metadataObject, owner zitadel.Owner) {
	o.ID = types.StringValue(owner.OrgID)
	if o.OrgID.IsUnknown() || o.OrgID.IsNull() {
		o.OrgID = o.ID
	}
}

func (e orgEntity) resolve(ctx context.Context, d *providerData, plan *metadataObject) (zitadel.Owner, error) {
	if owner := e.owner(plan); owner.OrgID != "" {
		return owner, nil
	}
	id, err := d.resolveOrg(ctx, plan.OrgID)
	return zitadel.OrgOwner(id), err
}

func (orgEntity) importOwner(_ context.Context, _ *providerData, id string) (zitadel.Owner, error) {
	return zitadel.OrgOwner(id), nil
}

func (orgEntity) dataSourceOwner(ctx context.Context, d *providerData, orgID, _ string) (zitadel.Owner, error) {
	id, err := d.resolveOrg(ctx, types.StringValue(orgID))
	return zitadel.OrgOwner(id), err
}

func (orgEntity) goneAdvice(owner zitadel.Owner, consequence string) string {
	return fmt.Sprintf("Organization %s does not exist or was removed from ZITADEL, so %s. Remove this resource from the configuration, or point its org_id (or the provider's org_id, ZITADEL_ORG_ID) at an existing organization.", owner.OrgID, consequence)
}

// planOwner returns the organization the plan acts on and records it in id
// (and in org_id when that is omitted); false when it is not known yet. A
// blank org_id means "not set", as an omitted one does. When the effective
// organization changes, the resource is replaced.
// configuredOwner: an organization's plan makes no lookup of its own to
// overlap (its search looks it up on the side: listOwner).
func (orgEntity) configuredOwner(context.Context, *providerData, tfsdk.Config) (zitadel.Owner, bool) {
	return zitadel.Owner{}, false
}

func (e orgEntity) planOwner(ctx context.Context, d *providerData, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse, state *metadataObject) (zitadel.Owner, bool) {
	var configured types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("org_id"), &configured)...)
	if resp.Diagnostics.HasError() {
		return zitadel.Owner{}, false
	}
	if configured.IsUnknown() {
		if state != nil { // it may name another organization
			resp.RequiresReplace = append(resp.RequiresReplace, path.Root("org_id"))
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("id"), types.StringUnknown())...)
		}
		return zitadel.Owner{}, false
	}
	was := ""
	if state != nil {
		was = e.owner(state).OrgID
	}
	orgID, err := d.resolveOrg(ctx, configured)
	if zitadel.IsKind(err, zitadel.KindOrgRequired) && was != "" {
		// The organization service v2 cannot tell the caller's own
		// organization; an existing resource stays in the one its state
		// records (the one v1 resolved when it was created).
		orgID, err = was, nil
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Unable to Plan Organization Metadata", "finding the caller's organization", zitadel.Owner{}, manageAccess, err)
		return zitadel.Owner{}, false
	}
	// Each SetAttribute rewrites the whole plan value (expensive at
	// thousands of keys), so the plan is touched only where it must be.
	blankSet := !configured.IsNull() && configuredOrg(configured) == ""
	switch {
	case configured.IsNull():
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("org_id"), orgID)...)
	case blankSet && (state == nil || was != orgID):
		// Only id can show which organization a blank org_id means.
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("id"), orgID)...)
	}
	if state != nil && was != orgID {
		// Another organization: replaced. An org_id set or resolved into
		// the plan differs from the state's; with a blank one only id tells.
		changed := path.Root("org_id")
		if blankSet {
			changed = path.Root("id")
		}
		resp.RequiresReplace = append(resp.RequiresReplace, changed)
	}
	return zitadel.OrgOwner(orgID), true
}
