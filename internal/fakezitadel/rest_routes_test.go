package fakezitadel

import (
	"encoding/json"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// TestRESTRoutesMatchHTTPRules checks restRoutes against the google.api.http
// rules the generated descriptors carry (paths of the management service
// are relative to /management/v1), so every route is the real server's
// verb, path and body rule, and every route names a gRPC method.
func TestRESTRoutesMatchHTTPRules(t *testing.T) {
	ext, err := protoregistry.GlobalTypes.FindExtensionByName("google.api.http")
	if err != nil {
		t.Fatal(err)
	}
	for _, rt := range restRoutes {
		_ = rt.handler() // panics for a method the service does not have
		sd, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(rt.service.ServiceName))
		if err != nil {
			t.Fatal(err)
		}
		md := sd.(protoreflect.ServiceDescriptor).Methods().ByName(protoreflect.Name(rt.method))
		raw, err := protojson.Marshal(proto.GetExtension(md.Options(), ext).(proto.Message))
		if err != nil {
			t.Fatal(err)
		}
		var rule map[string]string
		if err := json.Unmarshal(raw, &rule); err != nil {
			t.Fatal(err)
		}
		path := rule[strings.ToLower(rt.verb)]
		if rt.service == mgmtDesc {
			path = "/management/v1" + path
		}
		if path != rt.path || (rule["body"] == "*") != rt.body {
			t.Errorf("%s: route %s %s body %v, rule %v", rt.method, rt.verb, rt.path, rt.body, rule)
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
