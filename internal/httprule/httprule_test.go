package httprule

import (
	"net/http"
	"testing"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	orgv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/org/v2"
	userv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2"
)

// The routes the API contract (../shared/zitadel-api-contract.md) and the
// seeds give, read back from the descriptors.
func TestRoutesOfTheContract(t *testing.T) {
	mgmt := management.ManagementService_ServiceDesc.ServiceName
	org := orgv2.OrganizationService_ServiceDesc.ServiceName
	user := userv2.UserService_ServiceDesc.ServiceName
	for _, c := range []struct {
		service, method string
		want            Route
	}{
		{mgmt, "GetMyOrg", Route{http.MethodGet, "/management/v1/orgs/me", false}},
		{mgmt, "BulkSetOrgMetadata", Route{http.MethodPost, "/management/v1/metadata/_bulk", true}},
		{mgmt, "BulkRemoveOrgMetadata", Route{http.MethodDelete, "/management/v1/metadata/_bulk", true}},
		{mgmt, "ListOrgMetadata", Route{http.MethodPost, "/management/v1/metadata/_search", true}},
		{mgmt, "ListUserMetadata", Route{http.MethodPost, "/management/v1/users/{id}/metadata/_search", true}},
		{org, "SetOrganizationMetadata", Route{http.MethodPost, "/v2/organizations/{organization_id}/metadata", true}},
		{org, "DeleteOrganizationMetadata", Route{http.MethodDelete, "/v2/organizations/{organization_id}/metadata", false}},
		{user, "GetUserByID", Route{http.MethodGet, "/v2/users/{user_id}", false}},
		{user, "ListUserMetadata", Route{http.MethodPost, "/v2/users/{user_id}/metadata/search", true}},
	} {
		got, err := Of(c.service, c.method)
		if err != nil || got != c.want {
			t.Errorf("%s/%s: %+v, %v; want %+v", c.service, c.method, got, err, c.want)
		}
	}
}

func TestErrors(t *testing.T) {
	mgmt := management.ManagementService_ServiceDesc.ServiceName
	for _, c := range [][2]string{
		{"zitadel.nothing.v1.NoService", "Get"},
		{mgmt, "NoSuchMethod"},
		{"zitadel.management.v1.ListOrgMetadataRequest", "Get"}, // a message, not a service
		{"grpc.health.v1.Health", "Check"},                      // not linked in, or no rule
	} {
		if r, err := Of(c[0], c[1]); err == nil {
			t.Errorf("%s/%s: %+v, want an error", c[0], c[1], r)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("Must did not panic")
		}
	}()
	Must(mgmt, "NoSuchMethod")
}
