package provider

// zitadelmeta_user_metadata: the user entity. The resource and data source
// themselves are the shared ones (metadata_*.go); a user's calls need the
// user's own organization (the management API v1 answers another one's
// search with an empty list), which is looked up once and recorded.

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/zitadel"
)

// userEntity is a user's metadata.
type userEntity struct{}

func (userEntity) names() entityNames {
	return entityNames{
		noun: "user", typeSuffix: "_user_metadata", ownerAttr: "user_id", hasUser: true,
		api:       "the management API's `BulkSetUserMetadata` and `ListUserMetadata`, or the user service v2's `SetUserMetadata` and `ListUserMetadata`",
		searchAPI: "`ListUserMetadata` of the management API, or of the user service v2 with the provider's `api_version = \"v2\"`",
	}
}

// notBlank rejects an id that is empty or padded (a padded user_id would
// replace the resource for the same user). A blank org_id means "not set",
// as it does for organization metadata, so that a variable defaulting to
// "" works for both.
var notBlank = stringvalidator.RegexMatches(regexpTrimmed, "must be a user id, not empty and without white space around it (trimspace() removes it)")

const (
	userIDDesc  = "The user (human or machine) whose metadata is %s."
	userOrgDesc = "The user's organization, %s (the user service v2's `GetUserByID`); when given, it must be the user's own organization, else %s names the right one. Empty or blank means not set, as omitted (then the organization is looked up on every operation instead of recorded, since Terraform keeps the configured value). The provider's `org_id` is not used: a user's calls always go to its own organization, which the management API v1 needs in every call."
)

func (userEntity) resourceAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"user_id": schema.StringAttribute{
			Required:            true,
			MarkdownDescription: fmt.Sprintf(userIDDesc, "managed") + " Changing it replaces the resource.",
			PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			Validators:          []validator.String{notBlank},
		},
		"org_id": orgIDAttribute(fmt.Sprintf(userOrgDesc, "looked up once when omitted and recorded here", "the plan fails with an error that")),
	}
}

func (userEntity) dataSourceAttributes() map[string]dsschema.Attribute {
	return map[string]dsschema.Attribute{
		"user_id": dsschema.StringAttribute{
			Required:            true,
			MarkdownDescription: fmt.Sprintf(userIDDesc, "searched"),
			Validators:          []validator.String{notBlank},
		},
		"org_id": dsschema.StringAttribute{
			Optional:            true,
			Computed:            true,
			MarkdownDescription: fmt.Sprintf(userOrgDesc, "looked up on every read and exported here when omitted", "reading fails with an error that"),
		},
	}
}

func (userEntity) owner(o *metadataObject) zitadel.Owner {
	return zitadel.UserOwner(configuredOrg(o.OrgID), strings.TrimSpace(o.UserID.ValueString()))
}

func (userEntity) record(o *metadataObject, owner zitadel.Owner) {
	o.ID = types.StringValue(owner.UserID)
	if o.UserID.IsUnknown() || o.UserID.IsNull() { // an import
		o.UserID = o.ID
	}
	if o.OrgID.IsUnknown() || o.OrgID.IsNull() {
		o.OrgID = types.StringValue(owner.OrgID)
	}
}

// resolve keeps what the plan resolved (id is set once the plan has looked
// the user up), else looks the user up: its user_id was not known when
// planning.
func (e userEntity) resolve(ctx context.Context, d *providerData, plan *metadataObject) (zitadel.Owner, error) {
	owner := e.owner(plan)
	if !plan.ID.IsUnknown() && plan.ID.ValueString() != "" && owner.OrgID != "" {
		return owner, nil
	}
	found, err := d.lookupUser(ctx, owner.UserID, owner.OrgID)
	if zitadel.IsKind(err, zitadel.KindUserNotFound) && !plan.ID.IsUnknown() && plan.ID.ValueString() != "" {
		// A state with a blank org_id names a user that is gone: the
		// operation goes on with the owner it has, where a removed user is
		// confirmed and handled as for every state (readOwner, Delete).
		return owner, nil
	}
	return found, err
}

func (userEntity) importOwner(ctx context.Context, d *providerData, id string) (zitadel.Owner, error) {
	return d.lookupUser(ctx, id, "")
}

func (userEntity) dataSourceOwner(ctx context.Context, d *providerData, orgID, userID string) (zitadel.Owner, error) {
	return d.lookupUser(ctx, strings.TrimSpace(userID), strings.TrimSpace(orgID))
}

func (userEntity) goneAdvice(owner zitadel.Owner, consequence string) string {
	return fmt.Sprintf("User %s does not exist or was removed from ZITADEL, so %s. Remove this resource from the configuration, or point its user_id at an existing user.", owner.UserID, consequence)
}

// v1UserHint adds, to a "user not found" of the management API v1 for a
// user whose organization was not given, that v1 looks users up in one
// organization only.
func v1UserHint(owner zitadel.Owner, err error) string {
	var ze *zitadel.Error
	if owner.OrgID != "" || !errors.As(err, &ze) || ze.API != zitadel.APIV1 || ze.Concluded {
		return ""
	}
	return " The management API v1 (api_version = \"v1\", or a ZITADEL older than 4.7, which lacks the user service v2) finds a user only in the organization it asks in: the provider's org_id (ZITADEL_ORG_ID), or else the caller's own. If the user belongs to another organization, set org_id to that organization."
}

// lookupUser finds a user's organization, checking orgID ("" unless the
// configuration names one) against it.
func (d *providerData) lookupUser(ctx context.Context, userID, orgID string) (zitadel.Owner, error) {
	owner := zitadel.UserOwner(orgID, userID)
	u, err := d.api.LookupUser(ctx, owner)
	if err != nil {
		return owner, err
	}
	if u.OrgID == "" {
		u.OrgID = orgID // the lookup did not say: keep what was given
	}
	found := zitadel.UserOwner(u.OrgID, userID)
	d.markAlive(found)
	return found, nil
}

// configuredOwner is the user of a configuration that gives org_id, with
// that organization; planOwner's lookup tells whether the user is there
// and belongs to it. Without org_id the lookup must find the organization
// first (the management API v1 searches in it).
func (userEntity) configuredOwner(ctx context.Context, _ *providerData, cfg tfsdk.Config) (zitadel.Owner, bool) {
	var userID, orgID types.String
	if cfg.GetAttribute(ctx, path.Root("user_id"), &userID).HasError() || cfg.GetAttribute(ctx, path.Root("org_id"), &orgID).HasError() ||
		userID.IsUnknown() || orgID.IsUnknown() {
		return zitadel.Owner{}, false
	}
	owner := zitadel.UserOwner(configuredOrg(orgID), strings.TrimSpace(userID.ValueString()))
	return owner, owner.OrgID != "" && owner.UserID != ""
}

// planOwner returns the user the plan acts on, with its organization: the
// state's when the user stays the same, else looked up, and recorded in
// org_id when that is omitted; false when user_id is not known yet.
func (e userEntity) planOwner(ctx context.Context, d *providerData, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse, state *metadataObject) (zitadel.Owner, bool) {
	var userID, orgID types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("user_id"), &userID)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("org_id"), &orgID)...)
	if resp.Diagnostics.HasError() {
		return zitadel.Owner{}, false
	}
	if userID.IsUnknown() || orgID.IsUnknown() {
		if state != nil {
			// Another user, or another organization: known at apply.
			if orgID.IsNull() {
				resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("org_id"), types.StringUnknown())...)
			}
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("id"), types.StringUnknown())...)
			if orgID.IsUnknown() {
				resp.RequiresReplace = append(resp.RequiresReplace, path.Root("org_id"))
			}
		}
		return zitadel.Owner{}, false
	}
	wanted := zitadel.UserOwner(configuredOrg(orgID), strings.TrimSpace(userID.ValueString()))
	if state != nil {
		was := e.owner(state)
		if was.UserID == wanted.UserID && was.OrgID != "" && (wanted.OrgID == "" || wanted.OrgID == was.OrgID) {
			return was, true // no lookup: the state knows
		}
	}
	owner, err := d.lookupUser(ctx, wanted.UserID, wanted.OrgID)
	if err != nil {
		summary := "Unable to Plan User Metadata"
		var w *zitadel.WrongOrgError
		switch {
		case errors.As(err, &w):
			resp.Diagnostics.AddAttributeError(path.Root("org_id"), "Wrong Organization for the User", wrongOrgDetail(w))
		case zitadel.IsKind(err, zitadel.KindUserNotFound):
			resp.Diagnostics.AddAttributeError(path.Root("user_id"), "User Not Found", e.goneAdvice(owner, "no metadata can be written to it")+v1UserHint(owner, err))
		default:
			addOwnerError(&resp.Diagnostics, summary, owner, manageAccess, err)
		}
		return zitadel.Owner{}, false
	}
	if orgID.IsNull() {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("org_id"), owner.OrgID)...)
	}
	if state == nil || e.owner(state).UserID != owner.UserID {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("id"), owner.UserID)...)
	}
	if state != nil {
		// A state with a blank org_id recorded none: a user never moves
		// between organizations, so only a recorded one can differ.
		if was := e.owner(state).OrgID; was != "" && was != owner.OrgID {
			resp.RequiresReplace = append(resp.RequiresReplace, path.Root("org_id"))
		}
	}
	return owner, true
}
