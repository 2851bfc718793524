package provider

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/zitadel"
)

var _ datasource.DataSourceWithConfigure = (*orgMetadataDataSource)(nil)

// orgMetadataDataSource is the metadata search.
type orgMetadataDataSource struct {
	data *providerData
}

// NewOrgMetadataDataSource is the zitadelmeta_org_metadata data source.
func NewOrgMetadataDataSource() datasource.DataSource { return &orgMetadataDataSource{} }

type filterModel struct {
	Key    types.String `tfsdk:"key"`
	Method types.String `tfsdk:"method"`
}

type orgMetadataDataModel struct {
	ID                    types.String  `tfsdk:"id"`
	OrgID                 types.String  `tfsdk:"org_id"`
	Filters               []filterModel `tfsdk:"filter"`
	SensitiveKeys         types.Set     `tfsdk:"sensitive_keys"`
	Values                types.Map     `tfsdk:"values"`
	BinaryValues          types.Map     `tfsdk:"binary_values"`
	SensitiveValues       types.Map     `tfsdk:"sensitive_values"`
	SensitiveBinaryValues types.Map     `tfsdk:"sensitive_binary_values"`
	Entries               types.List    `tfsdk:"entries"`
}

// filterMethods maps the filter's method names to the search's methods.
var filterMethods = map[string]zitadel.Method{
	"equals":                  zitadel.Equals,
	"equals_ignore_case":      zitadel.EqualsIgnoreCase,
	"starts_with":             zitadel.StartsWith,
	"starts_with_ignore_case": zitadel.StartsWithIgnoreCase,
	"contains":                zitadel.Contains,
	"contains_ignore_case":    zitadel.ContainsIgnoreCase,
	"ends_with":               zitadel.EndsWith,
	"ends_with_ignore_case":   zitadel.EndsWithIgnoreCase,
}

var entryAttrTypes = map[string]attr.Type{
	"key":            types.StringType,
	"value":          types.StringType,
	"value_base64":   types.StringType,
	"sequence":       types.Int64Type,
	"creation_date":  types.StringType,
	"change_date":    types.StringType,
	"resource_owner": types.StringType,
}

func (d *orgMetadataDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_org_metadata"
}

func (d *orgMetadataDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	methods := sortedKeys(filterMethods)
	resp.Schema = schema.Schema{
		MarkdownDescription: "Searches the metadata of one ZITADEL organization (`ListOrgMetadata`, or `ListOrganizationMetadata` with the provider's `api_version = \"v2\"`), optionally narrowed by key filters. Every page is read; no match is an empty result.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "The organization id."},
			"org_id": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: "Organization to search. Defaults to the provider's `org_id`, else the organization of the authenticated user or service account (with the management API v1 only: the organization service v2 needs an id); an empty string counts as unset. The effective organization is exported as `id` (and here when omitted).",
			},
			"sensitive_keys": schema.SetAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: "Keys whose values are secrets, such as those a resource keeps in `sensitive_values`. Their values appear only in `sensitive_values` and `sensitive_binary_values`, which Terraform keeps out of plan output, and never in `values`, `binary_values` or `entries`. Reading a secret with a data source still stores it in state, in clear: protect the state.",
			},
			"values": schema.MapAttribute{
				ElementType:         types.StringType,
				Computed:            true,
				MarkdownDescription: "Text of every matching value that is valid UTF-8, by key (keys in `sensitive_keys` excepted).",
			},
			"sensitive_values": schema.MapAttribute{
				ElementType:         types.StringType,
				Computed:            true,
				Sensitive:           true,
				MarkdownDescription: "Like `values`, for the matching keys in `sensitive_keys` only.",
			},
			"sensitive_binary_values": schema.MapAttribute{
				ElementType:         types.StringType,
				Computed:            true,
				Sensitive:           true,
				MarkdownDescription: "Like `binary_values`, for the matching keys in `sensitive_keys` only.",
			},
			"binary_values": schema.MapAttribute{
				ElementType:         types.StringType,
				Computed:            true,
				MarkdownDescription: "Base64 (standard, padded) of every matching value, by key (keys in `sensitive_keys` excepted); decode with `base64decode()` only when the value is text.",
			},
			"entries": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "Every matching entry, sorted by key (keys in `sensitive_keys` excepted).",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"key":            schema.StringAttribute{Computed: true, MarkdownDescription: "The key."},
					"value":          schema.StringAttribute{Computed: true, MarkdownDescription: "The value as text; null when it is not valid UTF-8."},
					"value_base64":   schema.StringAttribute{Computed: true, MarkdownDescription: "The value, base64-encoded."},
					"sequence":       schema.Int64Attribute{Computed: true, MarkdownDescription: "Sequence of the key's last event; null with the organization service v2 (`api_version`), which does not return it."},
					"creation_date":  schema.StringAttribute{Computed: true, MarkdownDescription: "When the key was first set (RFC 3339)."},
					"change_date":    schema.StringAttribute{Computed: true, MarkdownDescription: "When the key was last set (RFC 3339)."},
					"resource_owner": schema.StringAttribute{Computed: true, MarkdownDescription: "The organization that owns the entry; null with the organization service v2 (`api_version`), which does not return it."},
				}},
			},
		},
		Blocks: map[string]schema.Block{
			"filter": schema.ListNestedBlock{
				MarkdownDescription: "A key filter. Several filters are ANDed. `%` and `_` match literally.",
				NestedObject: schema.NestedBlockObject{Attributes: map[string]schema.Attribute{
					"key": schema.StringAttribute{
						Required:            true,
						MarkdownDescription: "Text to compare keys with (at most 200 characters).",
						Validators:          []validator.String{stringvalidator.UTF8LengthAtMost(maxKeyRunes)},
					},
					"method": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: fmt.Sprintf("How to compare: one of %s. Defaults to `equals`. The `_ignore_case` variants lower-case both sides.", quoteList(methods)),
						Validators:          []validator.String{stringvalidator.OneOf(methods...)},
					},
				}},
			},
		},
	}
}

func quoteList(items []string) string {
	return "`" + strings.Join(items, "`, `") + "`"
}

func (d *orgMetadataDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

func (d *orgMetadataDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m orgMetadataDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	const summary = "Unable to Search Organization Metadata"
	orgID, err := d.data.resolveOrg(ctx, m.OrgID)
	if err != nil {
		addAPIError(&resp.Diagnostics, summary, "finding the caller's organization", "", readAccess, err)
		return
	}
	filters := make([]zitadel.KeyFilter, 0, len(m.Filters))
	for _, f := range m.Filters {
		method := zitadel.Equals
		if !f.Method.IsNull() {
			method = filterMethods[f.Method.ValueString()]
		}
		filters = append(filters, zitadel.KeyFilter{Key: f.Key.ValueString(), Method: method})
	}
	entries, err := d.data.api.ListMetadata(ctx, zitadel.OrgOwner(orgID), filters)
	if err != nil {
		addAPIError(&resp.Diagnostics, summary, "searching the metadata", orgID, readAccess, err)
		return
	}
	if len(entries) == 0 {
		gone, err := d.data.orgRemoved(ctx, orgID)
		if err != nil {
			addAPIError(&resp.Diagnostics, summary, "checking the organization", orgID, readAccess, err)
			return
		}
		if gone {
			resp.Diagnostics.AddError(summary, fmt.Sprintf("Organization %s does not exist in ZITADEL: it was removed, or never existed. Check org_id on the data source and the provider's org_id (ZITADEL_ORG_ID).", orgID))
			return
		}
	}
	m.ID = types.StringValue(orgID)
	if m.OrgID.IsNull() {
		m.OrgID = m.ID
	}
	var secret []string
	resp.Diagnostics.Append(m.SensitiveKeys.ElementsAs(ctx, &secret, false)...)
	if resp.Diagnostics.HasError() {
		return
	}
	hidden := make(map[string]bool, len(secret))
	for _, k := range secret {
		hidden[k] = true
	}
	var open, sensitive []zitadel.Entry
	for _, e := range entries {
		if hidden[e.Key] {
			sensitive = append(sensitive, e)
		} else {
			open = append(open, e)
		}
	}
	m.Values, m.BinaryValues, m.Entries = entriesToValues(open)
	m.SensitiveValues, m.SensitiveBinaryValues, _ = entriesToValues(sensitive)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

// entriesToValues renders search results as the data source's outputs.
func entriesToValues(entries []zitadel.Entry) (text, binary types.Map, list types.List) {
	textElems := map[string]attr.Value{}
	binElems := map[string]attr.Value{}
	objs := make([]attr.Value, 0, len(entries))
	objType := types.ObjectType{AttrTypes: entryAttrTypes}
	for _, e := range entries {
		b64 := base64.StdEncoding.EncodeToString(e.Value)
		txt := types.StringNull()
		if utf8.Valid(e.Value) {
			txt = types.StringValue(string(e.Value))
			textElems[e.Key] = txt
		}
		binElems[e.Key] = types.StringValue(b64)
		seq, owner := types.Int64Null(), types.StringNull()
		if e.V1Details {
			seq, owner = types.Int64Value(int64(e.Sequence)), types.StringValue(e.ResourceOwner)
		}
		objs = append(objs, types.ObjectValueMust(entryAttrTypes, map[string]attr.Value{
			"key":            types.StringValue(e.Key),
			"value":          txt,
			"value_base64":   types.StringValue(b64),
			"sequence":       seq,
			"creation_date":  rfc3339(e.CreationDate),
			"change_date":    rfc3339(e.ChangeDate),
			"resource_owner": owner,
		}))
	}
	return types.MapValueMust(types.StringType, textElems), types.MapValueMust(types.StringType, binElems), types.ListValueMust(objType, objs)
}

func rfc3339(t time.Time) types.String {
	if t.IsZero() {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339Nano))
}
