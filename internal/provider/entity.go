package provider

// The owners of metadata. Organizations and users carry the same metadata
// model, and one engine serves both: the resource, the data source, the
// plan checks, ownership within a run and the diagnostics are written once
// (metadata_*.go). An entity adds only what tells its owners apart: the
// attributes naming the owner, how an omitted organization is found, and
// how an import ID names the owner.

import (
	"context"
	"errors"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/zitadel"
)

// entity is one kind of owner of metadata.
type entity interface {
	// names says how the entity is called.
	names() entityNames

	// resourceAttributes are the resource's attributes naming the owner.
	resourceAttributes() map[string]schema.Attribute
	// dataSourceAttributes are the data source's.
	dataSourceAttributes() map[string]dsschema.Attribute

	// owner is the owner a state, or a plan whose owner is known, names.
	owner(o *metadataObject) zitadel.Owner
	// record writes a resolved owner into a plan or state.
	record(o *metadataObject, owner zitadel.Owner)
	// resolve finds the owner of a plan that did not know it yet.
	resolve(ctx context.Context, d *providerData, plan *metadataObject) (zitadel.Owner, error)
	// planOwner finds the owner at plan time, records it in the plan and
	// asks for replacement when it changes; false when not known yet.
	planOwner(ctx context.Context, d *providerData, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse, state *metadataObject) (zitadel.Owner, bool)
	// configuredOwner is the owner a configuration names in full before
	// any lookup confirms it, so that a new resource's search can be sent
	// beside planOwner's lookup (listEarly); false when a lookup must find
	// part of it first, or when planOwner makes none.
	configuredOwner(ctx context.Context, d *providerData, cfg tfsdk.Config) (zitadel.Owner, bool)
	// importOwner resolves the owner part of an import ID.
	importOwner(ctx context.Context, d *providerData, id string) (zitadel.Owner, error)
	// dataSourceOwner resolves a data source's owner from its
	// configuration.
	dataSourceOwner(ctx context.Context, d *providerData, orgID, userID string) (zitadel.Owner, error)
	// goneAdvice explains what to do about a removed owner; consequence
	// says what its removal means here.
	goneAdvice(owner zitadel.Owner, consequence string) string
}

// entityNames are what an entity is called.
type entityNames struct {
	// noun names an owner in messages: "organization", "user"; typeSuffix
	// follows the provider's type name: "_org_metadata"; ownerAttr is the
	// attribute that names the owner: org_id, user_id.
	noun, typeSuffix, ownerAttr string
	// api names the calls, for descriptions; searchAPI the searches.
	api, searchAPI string
	// hasUser tells whether the schemas have user_id.
	hasUser bool
}

// NewOrgMetadataResource is the zitadelmeta_org_metadata resource.
func NewOrgMetadataResource() resource.Resource { return &metadataResource{e: orgEntity{}} }

// NewUserMetadataResource is the zitadelmeta_user_metadata resource.
func NewUserMetadataResource() resource.Resource { return &metadataResource{e: userEntity{}} }

// NewOrgMetadataDataSource is the zitadelmeta_org_metadata data source.
func NewOrgMetadataDataSource() datasource.DataSource {
	return &metadataDataSource{e: orgEntity{}, kind: "data source"}
}

// NewUserMetadataDataSource is the zitadelmeta_user_metadata data source.
func NewUserMetadataDataSource() datasource.DataSource {
	return &metadataDataSource{e: userEntity{}, kind: "data source"}
}

// NewOrgMetadataEphemeralResource is the zitadelmeta_org_metadata
// ephemeral resource.
func NewOrgMetadataEphemeralResource() ephemeral.EphemeralResource {
	return &metadataEphemeral{metadataDataSource{e: orgEntity{}, kind: "ephemeral resource"}}
}

// NewUserMetadataEphemeralResource is the zitadelmeta_user_metadata
// ephemeral resource.
func NewUserMetadataEphemeralResource() ephemeral.EphemeralResource {
	return &metadataEphemeral{metadataDataSource{e: userEntity{}, kind: "ephemeral resource"}}
}

// ownerKey identifies an owner in the run's ownership registry.
func ownerKey(o zitadel.Owner) string { return o.Noun() + "/" + o.ID() }

// addOwnerError reports an owner that could not be resolved.
func addOwnerError(diags *diag.Diagnostics, summary string, owner zitadel.Owner, need access, err error) {
	var w *zitadel.WrongOrgError
	if errors.As(err, &w) {
		diags.AddError(summary, wrongOrgDetail(w))
		return
	}
	doing := "finding the caller's organization"
	if owner.IsUser() {
		doing = "looking up user " + owner.UserID
	}
	addAPIError(diags, summary, doing, owner, need, err)
}

// model is where a plan, state or configuration is read into and written
// from: full, which adds user_id, or base, the part the schema has without.
func model[B, F any](e entity, full *F, base *B) any {
	if e.names().hasUser {
		return full
	}
	return base
}

// regexpTrimmed matches a string that is not empty and neither starts nor
// ends with white space.
var regexpTrimmed = regexp.MustCompile(`^\S(?:.*\S)?$`)

// orgIDAttribute is a resource's optional org_id: computed when omitted,
// and kept from the state while the plan does not know it.
func orgIDAttribute(desc string, validators ...validator.String) schema.Attribute {
	return schema.StringAttribute{
		Optional:            true,
		Computed:            true,
		MarkdownDescription: desc,
		PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		Validators:          validators,
	}
}
