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
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/zitadel"
)

var _ datasource.DataSourceWithConfigure = (*metadataDataSource)(nil)

// metadataDataSource is the metadata search of one owner: an organization
// or a user, as its entity says.
type metadataDataSource struct {
	data *providerData
	e    entity
	// kind names it in messages: "data source" or "ephemeral resource".
	kind string
}

type filterModel struct {
	Key    types.String `tfsdk:"key"`
	Method types.String `tfsdk:"method"`
}

type metadataDataModel struct {
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

// metadataDataObject is the data source's configuration and state: the
// shared attributes, and user_id for a user's metadata.
type metadataDataObject struct {
	metadataDataModel
	UserID types.String `tfsdk:"user_id"`
}

func (d *metadataDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + d.e.names().typeSuffix
}

func (d *metadataDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	methods := sortedKeys(filterMethods)
	attrs := map[string]schema.Attribute{
		"sensitive_keys": schema.SetAttribute{
			ElementType:         types.StringType,
			Optional:            true,
			MarkdownDescription: "Keys whose values are secrets, such as those a resource keeps in `sensitive_values`. Their values appear only in `sensitive_values` and `sensitive_binary_values`, which Terraform keeps out of plan output, and never in `values`, `binary_values` or `entries`. The data source stores what it reads in state, in clear; the ephemeral resource of the same name keeps it out of plans and state.",
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
				"sequence":       schema.Int64Attribute{Computed: true, MarkdownDescription: "Sequence of the key's last event; null with `api_version = \"v2\"`, which does not return it."},
				"creation_date":  schema.StringAttribute{Computed: true, MarkdownDescription: "When the key was first set (RFC 3339)."},
				"change_date":    schema.StringAttribute{Computed: true, MarkdownDescription: "When the key was last set (RFC 3339)."},
				"resource_owner": schema.StringAttribute{Computed: true, MarkdownDescription: "The organization that owns the entry; null with `api_version = \"v2\"`, which does not return it."},
			}},
		},
	}
	attrs["id"] = schema.StringAttribute{Computed: true, MarkdownDescription: fmt.Sprintf("The %s id.", d.e.names().noun)}
	for name, a := range d.e.dataSourceAttributes() {
		attrs[name] = a
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: fmt.Sprintf("Searches the metadata of one ZITADEL %s (%s), optionally narrowed by key filters. Every page is read; no match is an empty result.", d.e.names().noun, d.e.names().searchAPI),
		Attributes:          attrs,
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

func (d *metadataDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

func (d *metadataDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if o, ok := d.search(ctx, req.Config, &resp.Diagnostics); ok {
		resp.Diagnostics.Append(resp.State.Set(ctx, model(d.e, o, &o.metadataDataModel))...)
	}
}

// search runs the search a configuration asks for: the data source's read,
// and the ephemeral resource's open. False, with the error reported, when
// it fails.
func (d *metadataDataSource) search(ctx context.Context, config getter, diags *diag.Diagnostics) (*metadataDataObject, bool) {
	var o metadataDataObject
	diags.Append(config.Get(ctx, model(d.e, &o, &o.metadataDataModel))...)
	if diags.HasError() {
		return nil, false
	}
	m := &o.metadataDataModel
	summary := fmt.Sprintf("Unable to Search %s Metadata", capital(d.e.names().noun))
	owner, err := d.e.dataSourceOwner(ctx, d.data, m.OrgID.ValueString(), o.UserID.ValueString())
	if err != nil {
		addOwnerError(diags, summary, owner, readAccess, err)
		return nil, false
	}
	filters := make([]zitadel.KeyFilter, 0, len(m.Filters))
	for _, f := range m.Filters {
		method := zitadel.Equals
		if !f.Method.IsNull() {
			method = filterMethods[f.Method.ValueString()]
		}
		filters = append(filters, zitadel.KeyFilter{Key: f.Key.ValueString(), Method: method})
	}
	entries, gone, err := d.data.readEntries(ctx, owner, filters)
	if err != nil {
		addAPIError(diags, summary, "searching the metadata", owner, readAccess, err)
		return nil, false
	}
	if gone {
		diags.AddError(summary, fmt.Sprintf("%s does not exist in ZITADEL: it was removed, or never existed. Check %s on the %s.", capital(ownerName(owner)), d.e.names().ownerAttr, d.kind))
		return nil, false
	}
	m.ID = types.StringValue(owner.ID())
	if m.OrgID.IsNull() {
		m.OrgID = types.StringValue(owner.OrgID)
	}
	var secret []string
	diags.Append(m.SensitiveKeys.ElementsAs(ctx, &secret, false)...)
	if diags.HasError() {
		return nil, false
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
	return &o, true
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
