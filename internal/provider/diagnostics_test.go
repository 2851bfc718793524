package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/zitadel"
)

func TestAPIErrorDetail(t *testing.T) {
	cases := []struct {
		name string
		need access
		err  error
		want []string
		not  []string
	}{
		{"no membership", writeAccess,
			&zitadel.Error{Code: codes.NotFound, Message: "membership not found (AUTHZ-cdgFk)", ID: "AUTHZ-cdgFk", Kind: zitadel.KindNoMembership},
			[]string{"ZITADEL answered NotFound: membership not found (AUTHZ-cdgFk)", "has no membership in organization 42", "nothing was found missing", "ORG_OWNER or ORG_SETTINGS_MANAGER"},
			[]string{"error id AUTHZ-cdgFk"}}, // the message names it already
		{"id only in the detail", readAccess,
			&zitadel.Error{Code: codes.Internal, Message: "database unreachable", ID: "QUERY-xyz12", Kind: zitadel.KindOther},
			[]string{"ZITADEL answered Internal: database unreachable (error id QUERY-xyz12)."}, nil},
		{"viewer writing", writeAccess,
			&zitadel.Error{Code: codes.PermissionDenied, Message: "No matching permissions found (AUTH-5mWD2)", Kind: zitadel.KindPermissionDenied},
			[]string{"lacks the permission org.write"}, []string{"org.read"}},
		{"reader without membership", readAccess,
			&zitadel.Error{Code: codes.NotFound, Message: "membership not found", Kind: zitadel.KindNoMembership},
			[]string{"ORG_OWNER_VIEWER (or any role with org.read)"}, []string{"org.write"}},
		{"resource reading without membership", manageAccess,
			&zitadel.Error{Code: codes.NotFound, Message: "membership not found", Kind: zitadel.KindNoMembership},
			[]string{"Grant it ORG_OWNER or ORG_SETTINGS_MANAGER on the organization, or IAM_OWNER or IAM_ORG_MANAGER"}, []string{"VIEWER"}},
		{"resource reading without the permission", manageAccess,
			&zitadel.Error{Code: codes.PermissionDenied, Message: "No matching permissions found (AUTH-5mWD2)", Kind: zitadel.KindPermissionDenied},
			[]string{"lacks the permission org.read. Grant it ORG_OWNER or ORG_SETTINGS_MANAGER"}, []string{"VIEWER"}},
		{"retries exhausted", writeAccess,
			&zitadel.Error{Code: codes.Unavailable, Message: "down", Kind: zitadel.KindTransient, Attempts: 7},
			[]string{"through 7 attempts", "Nothing is wrong with the configuration"}, nil},
		{"the provider's time ran out", writeAccess,
			&zitadel.Error{Code: codes.DeadlineExceeded, Message: "context deadline exceeded", Kind: zitadel.KindTimeout, Stopped: context.DeadlineExceeded, Waited: 1500 * time.Millisecond},
			[]string{"the provider stopped waiting for ZITADEL after 1.5s", "time limit ran out before ZITADEL answered", "timeouts block"}, []string{"ZITADEL answered DeadlineExceeded"}},
		{"interrupted", writeAccess,
			&zitadel.Error{Code: codes.Canceled, Message: "context canceled", Kind: zitadel.KindCanceled, Stopped: context.Canceled, Waited: 2 * time.Second},
			[]string{"the provider stopped waiting for ZITADEL after 2s", "Terraform was interrupted"}, []string{"ZITADEL answered Canceled"}},
		{"ZITADEL's own deadline", writeAccess,
			&zitadel.Error{Code: codes.DeadlineExceeded, Message: "timeout", Kind: zitadel.KindTimeout},
			[]string{"ZITADEL answered DeadlineExceeded: timeout", "its own time limit ran out"}, []string{"stopped waiting"}},
		{"bad input", writeAccess,
			&zitadel.Error{Code: codes.InvalidArgument, Message: "invalid key", Kind: zitadel.KindInvalidInput},
			[]string{"rejected the request as invalid"}, []string{"bug"}},
		{"v2 lacked", readAccess,
			&zitadel.Error{Code: codes.Unimplemented, Message: "unknown service zitadel.org.v2.OrganizationService", Kind: zitadel.KindUnimplemented, API: zitadel.APIV2, Addr: "z.example:443"},
			[]string{"server at z.example:443 does not serve the organization and user services v2", "ZITADEL 4.7 and later", `api_version = "v1"`, "ZITADEL_API_VERSION"}, nil},
		{"v1 lacked", readAccess,
			&zitadel.Error{Code: codes.Unimplemented, Message: "unknown service", Kind: zitadel.KindUnimplemented, API: zitadel.APIV1, Addr: "z.example:443"},
			[]string{"does not serve ZITADEL's management API v1", `api_version = "v2"`, "4.7 or later"}, []string{`api_version = "v1"`}},
		{"v2 hides the organization", writeAccess,
			&zitadel.Error{Code: codes.PermissionDenied, Message: "organization 42 exists, but the caller may not read it", Kind: zitadel.KindNoAccess, Concluded: true},
			[]string{"While reading in organization 42: organization 42 exists, but the caller may not read it.", "changes nothing", "Grant it ORG_OWNER or ORG_SETTINGS_MANAGER"},
			[]string{"ZITADEL answered"}},
		{"v2 needs an organization", readAccess,
			&zitadel.Error{Message: "the organization service v2 names the organization in every call", Kind: zitadel.KindOrgRequired, Concluded: true},
			[]string{"Set org_id on the resource, data source or ephemeral resource", "ZITADEL_ORG_ID", `api_version = "v1"`}, []string{"ZITADEL answered", "chose"}},
		{"v2 chosen by auto needs an organization", readAccess,
			&zitadel.Error{Message: "the organization service v2 names the organization in every call", Kind: zitadel.KindOrgRequired, Concluded: true, AutoChosen: true},
			[]string{"Set org_id", `api_version = "auto" chose the organization service v2`}, []string{`api_version = "v1"`}},
		{"a gateway's pages instead of gRPC", writeAccess,
			&zitadel.Error{Code: codes.Unavailable, Message: "unexpected HTTP status code received from server: 502", Kind: zitadel.KindTransient, Transport: zitadel.TransportGRPC, Gateway: true, Attempts: 9},
			[]string{"no answer came from ZITADEL", "error page", `transport = "rest"`}, []string{"Nothing is wrong"}},
		{"neither API", readAccess,
			&zitadel.Error{Code: codes.Unimplemented, Message: "unknown service", Kind: zitadel.KindUnimplemented, API: zitadel.APIAuto, Addr: "z:1"},
			[]string{"serves neither ZITADEL's management API v1 nor its organization and user services v2"}, []string{`api_version = "v1"`}},
		{"proxy breaks gRPC", readAccess,
			&zitadel.Error{Code: codes.Unimplemented, Message: "unexpected HTTP status code received from server: 404", Kind: zitadel.KindNotGRPC, Transport: zitadel.TransportGRPC, Addr: "z:1"},
			[]string{"answered the gRPC call, but not in gRPC", `transport = "rest"`}, nil},
		{"neither transport", readAccess,
			&zitadel.Error{Code: codes.Unavailable, Message: "over gRPC: x; over REST: y", Kind: zitadel.KindNotZITADEL, Transport: zitadel.TransportAuto, Addr: "z:1"},
			[]string{"Neither gRPC nor REST got an answer from ZITADEL at z:1", "transport"}, nil},
		{"handshake stated once", readAccess,
			&zitadel.Error{Code: codes.Unavailable, Message: "TLS handshake failed: x509: certificate signed by unknown authority", Kind: zitadel.KindHandshake, Transport: zitadel.TransportGRPC},
			[]string{"no answer came from ZITADEL: TLS handshake failed: x509", "If the server uses a private CA, give its certificate in ca_certificate"}, []string{"The TLS handshake with ZITADEL failed"}},
		{"handshake named when the message does not", readAccess,
			&zitadel.Error{Code: codes.Unavailable, Message: "x509: certificate signed by unknown authority", Kind: zitadel.KindHandshake, Transport: zitadel.TransportREST},
			[]string{"The TLS handshake with ZITADEL failed. If the server uses a private CA"}, nil},
		{"not a ZITADEL error", readAccess, errors.New("dial failed"), []string{"While reading in organization 42: dial failed."}, nil},
	}
	for _, c := range cases {
		got := apiErrorDetail("reading", zitadel.OrgOwner("42"), c.need, c.err)
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", c.name, got, w)
			}
		}
		for _, n := range c.not {
			if strings.Contains(got, n) {
				t.Errorf("%s: %q should not say %q", c.name, got, n)
			}
		}
	}
	if got := apiErrorDetail("reading", zitadel.Owner{}, readAccess, errors.New("x")); !strings.Contains(got, "the caller's own organization") {
		t.Errorf("no org: %q", got)
	}
	// A user's data source needs to read; a user's resource to write too.
	noMember := &zitadel.Error{Code: codes.NotFound, Message: "membership not found", Kind: zitadel.KindNoMembership}
	user := zitadel.UserOwner("42", "7")
	for need, want := range map[access]string{readAccess: "Grant it ORG_OWNER_VIEWER or ORG_USER_MANAGER", manageAccess: "Grant it ORG_OWNER or ORG_USER_MANAGER"} {
		if got := apiErrorDetail("looking up user 7", user, need, noMember); !strings.Contains(got, want) {
			t.Errorf("user, access %d: %q lacks %q", need, got, want)
		}
	}
}

func TestCreateConflictDetail(t *testing.T) {
	got := createConflictDetail(zitadel.OrgOwner("7"), []string{"b", "a,x"}, nil, nil)
	for _, w := range []string{`Keys that exist with a different value: "a,x", "b".`, `terraform import <address> '7:a\,x,b'`} {
		if !strings.Contains(got, w) {
			t.Errorf("%q lacks %q", got, w)
		}
	}
	var many []string
	for i := 0; i < 25; i++ {
		many = append(many, fmt.Sprintf("k%02d", i))
	}
	got = createConflictDetail(zitadel.OrgOwner("7"), nil, many, nil)
	if !strings.Contains(got, `"k19" and 5 more.`) || strings.Contains(got, "k20") || !strings.Contains(got, "'7' takes every key") {
		t.Errorf("many keys: %q", got)
	}
}
