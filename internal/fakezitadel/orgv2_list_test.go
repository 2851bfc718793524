package fakezitadel_test

// Contract tests for the organization service v2 reads (contract section 2):
// ListOrganizationMetadata pages with a default and a maximum and applies
// the permission as a filter; ListOrganizations by id tells a removed
// organization from one the caller cannot see.

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	filterv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/filter/v2"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	mdv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/metadata/v2"
	orgv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/org/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/fakezitadel"
)

func (e *v2env) list(t *testing.T, token, org string, p *filterv2.PaginationRequest, filters ...*mdv2.MetadataSearchFilter) *orgv2.ListOrganizationMetadataResponse {
	t.Helper()
	resp, err := e.oc.ListOrganizationMetadata(as(token, ""), &orgv2.ListOrganizationMetadataRequest{OrganizationId: org, Pagination: p, Filters: filters})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// wantPage checks a page of a v2 list: got entries and its pagination
// against n entries, total and applied limit.
func wantPage(t *testing.T, name string, got int, p *filterv2.PaginationResponse, n int, total, applied uint64) {
	t.Helper()
	if got != n || p.GetTotalResult() != total || p.GetAppliedLimit() != applied {
		t.Fatalf("%s: %d results, total %d, applied %d; want %d, %d, %d", name, got, p.GetTotalResult(), p.GetAppliedLimit(), n, total, applied)
	}
}

func keyFilter(key string, m filterv2.TextFilterMethod) *mdv2.MetadataSearchFilter {
	return &mdv2.MetadataSearchFilter{Filter: &mdv2.MetadataSearchFilter_KeyFilter{KeyFilter: &mdv2.MetadataKeyFilter{Key: key, Method: m}}}
}

func v2Keys(resp *orgv2.ListOrganizationMetadataResponse) []string {
	return itemKeys(resp.GetMetadata())
}

func TestV2ListPaging(t *testing.T) {
	e := startV2(t, fakezitadel.Options{})
	org, tok := e.fx.OrgID, e.fx.OwnerToken
	for i := range 1050 {
		e.srv.SetMetadata(org, fmt.Sprintf("k%04d", i), []byte("v"))
	}
	check := func(name string, resp *orgv2.ListOrganizationMetadataResponse, n int, total, applied uint64) {
		t.Helper()
		wantPage(t, name, len(resp.GetMetadata()), resp.GetPagination(), n, total, applied)
	}
	check("no pagination", e.list(t, tok, org, nil), 100, 1050, 0)
	// Limit 0 in a given pagination: the default, reported as applied.
	check("limit 0", e.list(t, tok, org, &filterv2.PaginationRequest{}), 100, 1050, 100)
	check("limit 1000", e.list(t, tok, org, &filterv2.PaginationRequest{Limit: 1000}), 1000, 1050, 1000)
	last := e.list(t, tok, org, &filterv2.PaginationRequest{Offset: 1040, Limit: 20})
	check("last page", last, 10, 1050, 20)
	if got := v2Keys(last); got[0] != "k1040" || got[9] != "k1049" {
		t.Fatalf("last page %v", got)
	}
	check("past the end", e.list(t, tok, org, &filterv2.PaginationRequest{Offset: 1050, Limit: 20}), 0, 0, 20)
	_, err := e.oc.ListOrganizationMetadata(as(tok, ""), &orgv2.ListOrganizationMetadataRequest{OrganizationId: org, Pagination: &filterv2.PaginationRequest{Limit: 1001}})
	wantErr(t, err, codes.InvalidArgument, "Limit exceeded (QUERY-4M0fs)", "QUERY-4M0fs")
	// Not request validation: the quirk of v4.11 to v4.13.1 leaves it alone.
	q := startV2(t, fakezitadel.Options{UnknownWrapQuirk: true})
	_, err = q.oc.ListOrganizationMetadata(as(q.fx.OwnerToken, ""), &orgv2.ListOrganizationMetadataRequest{OrganizationId: q.fx.OrgID, Pagination: &filterv2.PaginationRequest{Limit: 1001}})
	wantErr(t, err, codes.InvalidArgument, "Limit exceeded (QUERY-4M0fs)", "QUERY-4M0fs")
	m := e.list(t, tok, org, &filterv2.PaginationRequest{Limit: 1}).GetMetadata()[0]
	if m.GetKey() != "k0000" || string(m.GetValue()) != "v" || m.GetCreationDate() == nil || m.GetChangeDate() == nil {
		t.Fatalf("entry %v", m)
	}
}

func TestV2ListFilters(t *testing.T) {
	e := startV2(t, fakezitadel.Options{})
	org, tok := e.fx.OrgID, e.fx.OwnerToken
	for _, k := range []string{"app_name", "appXname", "App%Cfg", "team.owner", "TEAM.lead"} {
		e.srv.SetMetadata(org, k, []byte("v"))
	}
	cases := []struct {
		filters []*mdv2.MetadataSearchFilter
		want    string
	}{
		{nil, "App%Cfg,TEAM.lead,appXname,app_name,team.owner"},
		{[]*mdv2.MetadataSearchFilter{keyFilter("", filterv2.TextFilterMethod_TEXT_FILTER_METHOD_EQUALS)}, ""},
		{[]*mdv2.MetadataSearchFilter{keyFilter("app_", filterv2.TextFilterMethod_TEXT_FILTER_METHOD_STARTS_WITH)}, "app_name"},
		{[]*mdv2.MetadataSearchFilter{keyFilter("team", filterv2.TextFilterMethod_TEXT_FILTER_METHOD_STARTS_WITH_IGNORE_CASE)}, "TEAM.lead,team.owner"},
		{[]*mdv2.MetadataSearchFilter{keyFilter("%", filterv2.TextFilterMethod_TEXT_FILTER_METHOD_CONTAINS)}, "App%Cfg"},
		{[]*mdv2.MetadataSearchFilter{
			keyFilter("app", filterv2.TextFilterMethod_TEXT_FILTER_METHOD_STARTS_WITH),
			keyFilter("name", filterv2.TextFilterMethod_TEXT_FILTER_METHOD_ENDS_WITH),
		}, "appXname,app_name"},
	}
	for _, c := range cases {
		if got := strings.Join(v2Keys(e.list(t, tok, org, nil, c.filters...)), ","); got != c.want {
			t.Errorf("filters %v: got %q, want %q", c.filters, got, c.want)
		}
	}
	bad := []struct {
		filters []*mdv2.MetadataSearchFilter
		msg     string
	}{
		{[]*mdv2.MetadataSearchFilter{keyFilter("k", 99)}, "invalid ListOrganizationMetadataRequest.Filters[0]: embedded message failed validation | caused by: invalid MetadataSearchFilter.KeyFilter: embedded message failed validation | caused by: invalid MetadataKeyFilter.Method: value must be one of the defined enum values"},
		{[]*mdv2.MetadataSearchFilter{keyFilter("k", 0), {}}, "invalid ListOrganizationMetadataRequest.Filters[1]: embedded message failed validation | caused by: invalid MetadataSearchFilter.Filter: value is required"},
	}
	for _, c := range bad {
		_, err := e.oc.ListOrganizationMetadata(as(tok, ""), &orgv2.ListOrganizationMetadataRequest{OrganizationId: org, Filters: c.filters})
		wantErr(t, err, codes.InvalidArgument, c.msg, "")
	}
	_, err := e.oc.ListOrganizationMetadata(as(tok, ""), &orgv2.ListOrganizationMetadataRequest{})
	wantErr(t, err, codes.InvalidArgument, "invalid ListOrganizationMetadataRequest.OrganizationId: value length must be between 1 and 200 runes, inclusive", "")
}

// TestV2ListPermissionFilter: no permission and no organization both answer
// OK with an empty list, never an error.
func TestV2ListPermissionFilter(t *testing.T) {
	e := startV2(t, fakezitadel.Options{})
	e.srv.SetMetadata(e.fx.OrgID, "k", []byte("v"))
	e.srv.SetMetadata(e.fx.SecondOrgID, "k", []byte("v"))
	if err := e.srv.RemoveOrganization(e.fx.SecondOrgID); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, token, org string
		want             int
	}{
		{"viewer", e.fx.ViewerToken, e.fx.OrgID, 1},
		{"instance owner", e.iamToken, e.fx.OrgID, 1},
		{"outsider", e.fx.OutsiderToken, e.fx.OrgID, 0},
		{"never existed", e.iamToken, "123", 0},
		{"removed, owner", e.fx.OwnerToken, e.fx.SecondOrgID, 0},
		{"removed, instance owner", e.iamToken, e.fx.SecondOrgID, 0},
	} {
		resp := e.list(t, c.token, c.org, nil)
		if len(resp.GetMetadata()) != c.want || resp.GetPagination().GetTotalResult() != uint64(c.want) {
			t.Errorf("%s: %d results, total %d; want %d", c.name, len(resp.GetMetadata()), resp.GetPagination().GetTotalResult(), c.want)
		}
	}
}

// TestV2ListShuffled: v2 lists in v1's order, which ShuffleLists makes
// unsorted.
func TestV2ListShuffled(t *testing.T) {
	e := startV2(t, fakezitadel.Options{ShuffleLists: true})
	for i := range 50 {
		e.srv.SetMetadata(e.fx.OrgID, fmt.Sprintf("key%02d", i), []byte("v"))
	}
	got := v2Keys(e.list(t, e.fx.OwnerToken, e.fx.OrgID, nil))
	v1, err := e.mc.ListOrgMetadata(e.owner(), &management.ListOrgMetadataRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if slices.IsSorted(got) || !slices.Equal(got, listedKeys(v1)) {
		t.Fatalf("v2 order %v, want v1's unsorted %v", got, listedKeys(v1))
	}
}

func TestV2ListOrganizationsByID(t *testing.T) {
	e := startV2(t, fakezitadel.Options{})
	if err := e.srv.RemoveOrganization(e.fx.SecondOrgID); err != nil {
		t.Fatal(err)
	}
	byID := func(token, id string) *orgv2.ListOrganizationsResponse {
		t.Helper()
		resp, err := e.oc.ListOrganizations(as(token, ""), &orgv2.ListOrganizationsRequest{Queries: []*orgv2.SearchQuery{
			{Query: &orgv2.SearchQuery_IdQuery{IdQuery: &orgv2.OrganizationIDQuery{Id: id}}},
		}})
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	for _, c := range []struct {
		name, token, org string
		total            uint64
		visible          bool
	}{
		{"owner", e.fx.OwnerToken, e.fx.OrgID, 1, true},
		{"viewer", e.fx.ViewerToken, e.fx.OrgID, 1, true},
		{"instance owner", e.iamToken, e.fx.OrgID, 1, true},
		{"outsider", e.fx.OutsiderToken, e.fx.OrgID, 1, false},
		{"removed, owner", e.fx.OwnerToken, e.fx.SecondOrgID, 0, false},
		{"removed, instance owner", e.iamToken, e.fx.SecondOrgID, 0, false},
		{"never existed", e.iamToken, "123", 0, false},
	} {
		resp := byID(c.token, c.org)
		if resp.GetDetails().GetTotalResult() != c.total || (len(resp.GetResult()) == 1) != c.visible || len(resp.GetResult()) > 1 {
			t.Errorf("%s: total %d, %d results; want %d, visible %v", c.name, resp.GetDetails().GetTotalResult(), len(resp.GetResult()), c.total, c.visible)
			continue
		}
		if c.visible {
			if o := resp.GetResult()[0]; o.GetId() != c.org || o.GetState() != orgv2.OrganizationState_ORGANIZATION_STATE_ACTIVE {
				t.Errorf("%s: organization %v", c.name, o)
			}
		}
	}
	_, err := e.oc.ListOrganizations(e.owner(), &orgv2.ListOrganizationsRequest{Queries: []*orgv2.SearchQuery{
		{Query: &orgv2.SearchQuery_DomainQuery{DomainQuery: &orgv2.OrganizationDomainQuery{Domain: "acme.localhost"}}},
	}})
	if status.Code(err) != codes.Unimplemented {
		t.Fatalf("domain query: %v, want Unimplemented", err)
	}
}
