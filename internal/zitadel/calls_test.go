package zitadel

import (
	"testing"

	filterv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/filter/v2"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	mdpb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/metadata"
	mdv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/metadata/v2"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object"
	orgv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/org/v2"
	userv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2"
	"google.golang.org/protobuf/proto"
)

// Each row of the call tables builds, from the descriptors, the request
// the typed stubs would: owner field, search fields, entries and keys.
func TestCallTablesBuildTheTypedRequests(t *testing.T) {
	org, user := OrgOwner("o1"), UserOwner("o1", "u1")
	filters := []KeyFilter{{Key: "a", Method: StartsWith}}
	entries := []KV{{Key: "k1", Value: []byte("v1")}, {Key: "k2", Value: []byte{0, 0xff}}}
	keys := []string{"k1", "k2"}
	v1q := &object.ListQuery{Offset: 3, Limit: 7}
	v1f := []*mdpb.MetadataQuery{{Query: &mdpb.MetadataQuery_KeyQuery{KeyQuery: &mdpb.MetadataKeyQuery{Key: "a", Method: object.TextQueryMethod_TEXT_QUERY_METHOD_STARTS_WITH}}}}
	v2p := &filterv2.PaginationRequest{Offset: 3, Limit: 7, Asc: true}
	v2f := []*mdv2.MetadataSearchFilter{{Filter: &mdv2.MetadataSearchFilter_KeyFilter{KeyFilter: &mdv2.MetadataKeyFilter{Key: "a", Method: filterv2.TextFilterMethod_TEXT_FILTER_METHOD_STARTS_WITH}}}}
	v1, v2 := newV1API(nil), newV2API(nil)
	for _, c := range []struct {
		name string
		got  proto.Message
		want proto.Message
	}{
		{"v1 org search", v1.searchRequest(org, filters, 3, 7), &management.ListOrgMetadataRequest{Query: v1q, Queries: v1f}},
		{"v1 user search", v1.searchRequest(user, filters, 3, 7), &management.ListUserMetadataRequest{Id: "u1", Query: v1q, Queries: v1f}},
		{"v2 org search", v2.searchRequest(org, filters, 3, 7), &orgv2.ListOrganizationMetadataRequest{OrganizationId: "o1", Pagination: v2p, Filters: v2f}},
		{"v2 user search", v2.searchRequest(user, filters, 3, 7), &userv2.ListUserMetadataRequest{UserId: "u1", Pagination: v2p, Filters: v2f}},
		{"v1 org set", v1.setRequest(org, entries), &management.BulkSetOrgMetadataRequest{Metadata: []*management.BulkSetOrgMetadataRequest_Metadata{{Key: "k1", Value: []byte("v1")}, {Key: "k2", Value: []byte{0, 0xff}}}}},
		{"v1 user set", v1.setRequest(user, entries), &management.BulkSetUserMetadataRequest{Id: "u1", Metadata: []*management.BulkSetUserMetadataRequest_Metadata{{Key: "k1", Value: []byte("v1")}, {Key: "k2", Value: []byte{0, 0xff}}}}},
		{"v2 org set", v2.setRequest(org, entries), &orgv2.SetOrganizationMetadataRequest{OrganizationId: "o1", Metadata: []*orgv2.Metadata{{Key: "k1", Value: []byte("v1")}, {Key: "k2", Value: []byte{0, 0xff}}}}},
		{"v2 user set", v2.setRequest(user, entries), &userv2.SetUserMetadataRequest{UserId: "u1", Metadata: []*userv2.Metadata{{Key: "k1", Value: []byte("v1")}, {Key: "k2", Value: []byte{0, 0xff}}}}},
		{"v1 org remove", v1.removeRequest(org, keys), &management.BulkRemoveOrgMetadataRequest{Keys: keys}},
		{"v1 user remove", v1.removeRequest(user, keys), &management.BulkRemoveUserMetadataRequest{Id: "u1", Keys: keys}},
		{"v2 org remove", v2.removeRequest(org, keys), &orgv2.DeleteOrganizationMetadataRequest{OrganizationId: "o1", Keys: keys}},
		{"v2 user remove", v2.removeRequest(user, keys), &userv2.DeleteUserMetadataRequest{UserId: "u1", Keys: keys}},
	} {
		if !proto.Equal(c.want, c.got) {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
}

// Each API reads the answers of both kinds' searches.
func TestCallTablesReadTheAnswers(t *testing.T) {
	v1Answers := []proto.Message{
		&management.ListOrgMetadataResponse{Details: &object.ListDetails{TotalResult: 5}, Result: []*mdpb.Metadata{{Key: "k", Value: []byte("v")}}},
		&management.ListUserMetadataResponse{Details: &object.ListDetails{TotalResult: 5}, Result: []*mdpb.Metadata{{Key: "k", Value: []byte("v")}}},
	}
	for _, a := range v1Answers {
		if page, total := v1Found(a); len(page) != 1 || page[0].Key != "k" || string(page[0].Value) != "v" || !page[0].V1Details || total != 5 {
			t.Errorf("v1Found(%T) = %v, %d", a, page, total)
		}
	}
	v2Answers := []proto.Message{
		&orgv2.ListOrganizationMetadataResponse{Pagination: &filterv2.PaginationResponse{TotalResult: 5}, Metadata: []*mdv2.Metadata{{Key: "k", Value: []byte("v")}}},
		&userv2.ListUserMetadataResponse{Pagination: &filterv2.PaginationResponse{TotalResult: 5}, Metadata: []*mdv2.Metadata{{Key: "k", Value: []byte("v")}}},
	}
	for _, a := range v2Answers {
		if page, total := v2Found(a); len(page) != 1 || page[0].Key != "k" || string(page[0].Value) != "v" || page[0].V1Details || total != 5 {
			t.Errorf("v2Found(%T) = %v, %d", a, page, total)
		}
	}
	// Every row's calls answer with what its API reads.
	for _, api := range []struct {
		name  string
		table *callTable
		found func(proto.Message) ([]Entry, uint64)
	}{{"v1", &v1Calls, v1Found}, {"v2", &v2Calls, v2Found}} {
		for k, row := range api.table {
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Errorf("%s kind %d: %s answers with %s, which it cannot read: %v", api.name, k, row.list.method, row.list.out.Descriptor().FullName(), r)
					}
				}()
				api.found(row.list.out.New().Interface())
			}()
		}
	}
}
