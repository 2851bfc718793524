package fakezitadel

import (
	"strings"
	"testing"
)

// TestRESTRoutesAreReachable: every route names a gRPC method, and no
// route before it in restRoutes takes its requests (literal segments
// first). Verbs and paths come from the descriptors (httprule's tests).
func TestRESTRoutesAreReachable(t *testing.T) {
	for i, rt := range restRoutes {
		_ = rt.handler() // panics for a method the service does not have
		segments := strings.Split(strings.TrimPrefix(rt.Path, "/"), "/")
		for k, s := range segments {
			if strings.HasPrefix(s, "{") {
				segments[k] = "x"
			}
		}
		for _, earlier := range restRoutes[:i] {
			if _, ok := earlier.match(segments); ok && earlier.Verb == rt.Verb {
				t.Errorf("%s %s (%s) is shadowed by %s %s (%s)", rt.Verb, rt.Path, rt.method, earlier.Verb, earlier.Path, earlier.method)
			}
		}
	}
}

// TestRESTRoutesCoverUserCalls: every user call the fake serves has its
// route (the rule check above vouches for verb and path).
func TestRESTRoutesCoverUserCalls(t *testing.T) {
	want := map[string][]string{
		mgmtDesc.ServiceName: {"AddMachineUser", "GetUserByID", "RemoveUser", "DeactivateUser", "ListUserMetadata", "BulkSetUserMetadata", "BulkRemoveUserMetadata"},
		userDesc.ServiceName: {"GetUserByID", "SetUserMetadata", "ListUserMetadata", "DeleteUserMetadata"},
	}
	routed := map[string]bool{}
	for _, rt := range restRoutes {
		routed[rt.service.ServiceName+"/"+rt.method] = true
	}
	for service, methods := range want {
		for _, m := range methods {
			if !routed[service+"/"+m] {
				t.Errorf("no REST route for %s/%s", service, m)
			}
		}
	}
}
