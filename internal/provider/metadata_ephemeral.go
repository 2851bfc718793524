package provider

// The ephemeral resources (Terraform 1.10 and later): the data sources'
// search, held only in memory. Their answers feed provider configurations
// and write-only attributes, and never reach a plan or a state.

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	eschema "github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
)

var _ ephemeral.EphemeralResourceWithConfigure = (*metadataEphemeral)(nil)

// metadataEphemeral is the data source's search as an ephemeral resource.
type metadataEphemeral struct{ ds metadataDataSource }

func (r *metadataEphemeral) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + r.ds.e.names().typeSuffix
}

func (r *metadataEphemeral) Schema(ctx context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	var ds datasource.SchemaResponse
	r.ds.Schema(ctx, datasource.SchemaRequest{}, &ds)
	resp.Schema = eschema.Schema{
		MarkdownDescription: ds.Schema.MarkdownDescription + fmt.Sprintf(" Ephemeral: what it reads is held in memory for one Terraform run and never written to a plan or state, so secrets read with it can feed a provider configuration or a write-only attribute (such as `sensitive_values_wo`). Terraform 1.10 and later; the `zitadelmeta%s` data source stores what it reads in state.", r.ds.e.names().typeSuffix),
		Attributes:          ephemeralAttributes(ds.Schema.Attributes),
		Blocks:              ephemeralBlocks(ds.Schema.Blocks),
	}
}

func (r *metadataEphemeral) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	r.ds.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

func (r *metadataEphemeral) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	if o, ok := r.ds.search(ctx, req.Config, &resp.Diagnostics); ok {
		resp.Diagnostics.Append(resp.Result.Set(ctx, model(r.ds.e, o, &o.metadataDataModel))...)
	}
}

// ephemeralAttributes are the data source's attributes in the ephemeral
// resource's schema types: one schema, written once.
func ephemeralAttributes(in map[string]dsschema.Attribute) map[string]eschema.Attribute {
	out := make(map[string]eschema.Attribute, len(in))
	for name, a := range in {
		switch a := a.(type) {
		case dsschema.StringAttribute:
			out[name] = eschema.StringAttribute{Required: a.Required, Optional: a.Optional, Computed: a.Computed, Sensitive: a.Sensitive, MarkdownDescription: a.MarkdownDescription, Validators: a.Validators}
		case dsschema.Int64Attribute:
			out[name] = eschema.Int64Attribute{Required: a.Required, Optional: a.Optional, Computed: a.Computed, Sensitive: a.Sensitive, MarkdownDescription: a.MarkdownDescription, Validators: a.Validators}
		case dsschema.SetAttribute:
			out[name] = eschema.SetAttribute{ElementType: a.ElementType, Required: a.Required, Optional: a.Optional, Computed: a.Computed, Sensitive: a.Sensitive, MarkdownDescription: a.MarkdownDescription, Validators: a.Validators}
		case dsschema.MapAttribute:
			out[name] = eschema.MapAttribute{ElementType: a.ElementType, Required: a.Required, Optional: a.Optional, Computed: a.Computed, Sensitive: a.Sensitive, MarkdownDescription: a.MarkdownDescription, Validators: a.Validators}
		case dsschema.ListNestedAttribute:
			out[name] = eschema.ListNestedAttribute{
				NestedObject: eschema.NestedAttributeObject{Attributes: ephemeralAttributes(a.NestedObject.Attributes)},
				Required:     a.Required, Optional: a.Optional, Computed: a.Computed, Sensitive: a.Sensitive, MarkdownDescription: a.MarkdownDescription, Validators: a.Validators,
			}
		default:
			panic(fmt.Sprintf("ephemeralAttributes: attribute %s of type %T", name, a))
		}
	}
	return out
}

func ephemeralBlocks(in map[string]dsschema.Block) map[string]eschema.Block {
	out := make(map[string]eschema.Block, len(in))
	for name, b := range in {
		switch b := b.(type) {
		case dsschema.ListNestedBlock:
			out[name] = eschema.ListNestedBlock{
				NestedObject:        eschema.NestedBlockObject{Attributes: ephemeralAttributes(b.NestedObject.Attributes)},
				MarkdownDescription: b.MarkdownDescription, Validators: b.Validators,
			}
		default:
			panic(fmt.Sprintf("ephemeralBlocks: block %s of type %T", name, b))
		}
	}
	return out
}
