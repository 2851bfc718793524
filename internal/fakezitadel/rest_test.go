package fakezitadel_test

// Contract tests for the REST transport (contract section 3 and the REST
// routes of sections 1 and 2), over real HTTP against the same listener,
// store and interceptor as gRPC.

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/fakezitadel"
)

// restClient sends JSON requests to a fake over HTTP.
type restClient struct {
	base string
	hc   *http.Client
}

// restReply is an answer: status, HTTP major version, headers and the
// decoded JSON body.
type restReply struct {
	status int
	proto  int
	header http.Header
	body   map[string]any
}

// restEnv is env plus a plain HTTP/1.1 client of the same server.
type restEnv struct {
	*env
	rest restClient
}

func startREST(t *testing.T, opts fakezitadel.Options) *restEnv {
	t.Helper()
	e := start(t, opts)
	return &restEnv{env: e, rest: restClient{base: "http://" + e.srv.Addr(), hc: &http.Client{}}}
}

func bearer(token string) string { return "Bearer " + token }

// call sends one request; auth is the whole Authorization header and org the
// x-zitadel-orgid header, each left out when "". body is sent as is.
func (c restClient) call(t *testing.T, verb, path, auth, org, body string) restReply {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(verb, c.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if org != "" {
		req.Header.Set("x-zitadel-orgid", org)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("%s %s: Content-Type %q", verb, path, ct)
	}
	reply := restReply{status: resp.StatusCode, proto: resp.ProtoMajor, header: resp.Header}
	if err := json.NewDecoder(resp.Body).Decode(&reply.body); err != nil {
		t.Fatalf("%s %s: %v", verb, path, err)
	}
	return reply
}

// ok checks a 200 answer and returns its body.
func (r restReply) ok(t *testing.T) map[string]any {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status %d %v, want 200", r.status, r.body)
	}
	return r.body
}

// wantRESTErr checks an error answer: HTTP status, the gRPC code and message
// and the zitadel.v1.ErrorDetail, present exactly when id is not "".
func wantRESTErr(t *testing.T, r restReply, httpStatus int, code codes.Code, msg, id string) {
	t.Helper()
	if r.status != httpStatus || r.body["code"] != float64(code) || r.body["message"] != msg {
		t.Fatalf("got %d %v, want %d code %d %q", r.status, r.body, httpStatus, code, msg)
	}
	details, has := r.body["details"]
	if id == "" {
		if has {
			t.Fatalf("details %v, want none", details)
		}
		return
	}
	want := []any{map[string]any{
		"@type":   "type.googleapis.com/zitadel.v1.ErrorDetail",
		"id":      id,
		"message": strings.TrimSuffix(msg, " ("+id+")"),
	}}
	if !reflect.DeepEqual(details, want) {
		t.Fatalf("details %v, want %v", details, want)
	}
}

// wantRoutingErr checks grpc-gateway's answer to a request no route serves.
func wantRoutingErr(t *testing.T, r restReply, httpStatus int, code codes.Code) {
	t.Helper()
	want := map[string]any{"code": float64(code), "message": http.StatusText(httpStatus), "details": []any{}}
	if r.status != httpStatus || !reflect.DeepEqual(r.body, want) {
		t.Fatalf("got %d %v, want %d %v", r.status, r.body, httpStatus, want)
	}
}

// jsonObj and jsonList walk a decoded JSON body.
func jsonObj(t *testing.T, v any, key string) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)[key].(map[string]any)
	if !ok {
		t.Fatalf("%q is not an object in %v", key, v)
	}
	return m
}

func jsonList(t *testing.T, v any, key string) []any {
	t.Helper()
	l, ok := v.(map[string]any)[key].([]any)
	if !ok {
		t.Fatalf("%q is not a list in %v", key, v)
	}
	return l
}

// wantFields checks that m holds exactly the named fields, each set.
func wantFields(t *testing.T, m map[string]any, names ...string) {
	t.Helper()
	var got []string
	for k := range m {
		got = append(got, k)
	}
	slices.Sort(got)
	slices.Sort(names)
	if !slices.Equal(got, names) {
		t.Fatalf("fields %v, want %v (in %v)", got, names, m)
	}
}

// TestRESTManagementShapes: every v1 route answers protojson in camelCase,
// uint64 as strings and bytes as standard base64.
func TestRESTManagementShapes(t *testing.T) {
	e := startREST(t, fakezitadel.Options{})
	owner, org := bearer(e.fx.OwnerToken), e.fx.OrgID

	body := e.rest.call(t, "POST", "/management/v1/metadata/_bulk", owner, org, `{"metadata":[{"key":"r1","value":"aGVsbG8="}]}`).ok(t)
	details := jsonObj(t, body, "details")
	wantFields(t, details, "sequence", "changeDate", "resourceOwner")
	if details["sequence"] != "7" || details["resourceOwner"] != org {
		t.Fatalf("BulkSet details %v", details)
	}
	if got := string(e.srv.Metadata(org)["r1"]); got != "hello" {
		t.Fatalf("stored %q", got)
	}

	body = e.rest.call(t, "POST", "/management/v1/metadata/_search", owner, org,
		`{"query":{"offset":"0","limit":1000},"queries":[{"keyQuery":{"key":"r","method":"TEXT_QUERY_METHOD_STARTS_WITH"}}]}`).ok(t)
	details = jsonObj(t, body, "details")
	wantFields(t, details, "totalResult", "viewTimestamp")
	if details["totalResult"] != "1" {
		t.Fatalf("totalResult %v", details["totalResult"])
	}
	result := jsonList(t, body, "result")
	if len(result) != 1 || result[0].(map[string]any)["key"] != "r1" || result[0].(map[string]any)["value"] != "aGVsbG8=" {
		t.Fatalf("result %v", result)
	}
	itemDetails := jsonObj(t, result[0], "details")
	wantFields(t, itemDetails, "sequence", "creationDate", "changeDate", "resourceOwner")
	if itemDetails["sequence"] != "7" {
		t.Fatalf("item details %v", itemDetails)
	}

	// A key in the path is unescaped: "k 2".
	details = jsonObj(t, e.rest.call(t, "POST", "/management/v1/metadata/k%202", owner, org, `{"value":"d29ybGQ="}`).ok(t), "details")
	wantFields(t, details, "sequence", "creationDate", "resourceOwner")
	if details["sequence"] != "8" {
		t.Fatalf("Set details %v", details)
	}
	md := jsonObj(t, e.rest.call(t, "GET", "/management/v1/metadata/k%202", owner, org, "").ok(t), "metadata")
	if md["key"] != "k 2" || md["value"] != "d29ybGQ=" {
		t.Fatalf("Get %v", md)
	}
	details = jsonObj(t, e.rest.call(t, "DELETE", "/management/v1/metadata/k%202", owner, org, "").ok(t), "details")
	if details["sequence"] != "9" {
		t.Fatalf("Remove details %v", details)
	}
	details = jsonObj(t, e.rest.call(t, "DELETE", "/management/v1/metadata/_bulk", owner, org, `{"keys":["r1"]}`).ok(t), "details")
	wantFields(t, details, "sequence", "changeDate", "resourceOwner")
	if details["sequence"] != "10" || len(e.srv.Keys(org)) != 0 {
		t.Fatalf("BulkRemove details %v, keys left %v", details, e.srv.Keys(org))
	}

	// GetMyOrg answers for the organization of the header.
	got := jsonObj(t, e.rest.call(t, "GET", "/management/v1/orgs/me", owner, e.fx.SecondOrgID, "").ok(t), "org")
	if got["id"] != e.fx.SecondOrgID || got["state"] != "ORG_STATE_ACTIVE" || got["name"] != "globex" || got["primaryDomain"] != "globex.localhost" {
		t.Fatalf("GetMyOrg %v", got)
	}
	if jsonObj(t, got, "details")["sequence"] != "6" {
		t.Fatalf("GetMyOrg details %v", got["details"])
	}
}

// TestRESTOrgV2Shapes: the organization service v2 routes, the organization
// named in the path and no header.
func TestRESTOrgV2Shapes(t *testing.T) {
	e := startREST(t, fakezitadel.Options{})
	owner, org := bearer(e.fx.OwnerToken), e.fx.SecondOrgID
	base := "/v2/organizations/" + org + "/metadata"

	body := e.rest.call(t, "POST", base, owner, "", `{"metadata":[{"key":"a","value":"MQ=="},{"key":"b","value":"Mg=="}]}`).ok(t)
	wantFields(t, body, "setDate")
	if e.srv.Keys(org)[1] != "b" {
		t.Fatalf("keys %v", e.srv.Keys(org))
	}

	body = e.rest.call(t, "POST", base+"/search", owner, "",
		`{"pagination":{"offset":"0","limit":1000},"filters":[{"keyFilter":{"key":"a","method":"TEXT_FILTER_METHOD_STARTS_WITH"}}]}`).ok(t)
	if p := jsonObj(t, body, "pagination"); !reflect.DeepEqual(p, map[string]any{"totalResult": "1", "appliedLimit": "1000"}) {
		t.Fatalf("pagination %v", p)
	}
	items := jsonList(t, body, "metadata")
	if len(items) != 1 {
		t.Fatalf("metadata %v", items)
	}
	item := items[0].(map[string]any)
	wantFields(t, item, "key", "value", "creationDate", "changeDate")
	if item["key"] != "a" || item["value"] != "MQ==" {
		t.Fatalf("item %v", item)
	}

	body = e.rest.call(t, "DELETE", base+"?keys=a&keys=b", owner, "", "").ok(t)
	wantFields(t, body, "deletionDate")
	if len(e.srv.Keys(org)) != 0 {
		t.Fatalf("keys left %v", e.srv.Keys(org))
	}

	body = e.rest.call(t, "POST", "/v2/organizations/_search", owner, "", `{"queries":[{"idQuery":{"id":"`+org+`"}}]}`).ok(t)
	if jsonObj(t, body, "details")["totalResult"] != "1" {
		t.Fatalf("details %v", body["details"])
	}
	orgs := jsonList(t, body, "result")
	if len(orgs) != 1 || orgs[0].(map[string]any)["id"] != org || orgs[0].(map[string]any)["state"] != "ORGANIZATION_STATE_ACTIVE" {
		t.Fatalf("result %v", orgs)
	}
}

// TestRESTErrors: the error body is the gRPC status as JSON, with
// grpc-gateway's HTTP status and the ErrorDetail exactly when ZITADEL
// attaches one.
func TestRESTErrors(t *testing.T) {
	e := startREST(t, fakezitadel.Options{})
	owner, viewer, outsider := bearer(e.fx.OwnerToken), bearer(e.fx.ViewerToken), bearer(e.fx.OutsiderToken)
	org := e.fx.OrgID
	v2 := "/v2/organizations/" + org + "/metadata"
	if err := e.srv.RemoveOrganization(e.fx.SecondOrgID); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name                    string
		verb, path, auth, orgID string
		body                    string
		httpStatus              int
		code                    codes.Code
		msg, id                 string
	}{
		{"missing auth header", "GET", "/management/v1/orgs/me", "", org, "", 401, codes.Unauthenticated, "auth header missing", ""},
		{"no bearer prefix", "GET", "/management/v1/orgs/me", "Basic abc", org, "", 401, codes.Unauthenticated, "invalid auth header (AUTH-toLo1)", "AUTH-toLo1"},
		{"bad token", "GET", "/management/v1/orgs/me", bearer("nope"), org, "", 401, codes.Unauthenticated, "Errors.Token.Invalid (AUTH-7fs1e)", "AUTH-7fs1e"},
		{"no membership", "POST", "/management/v1/metadata/_search", outsider, org, `{}`, 404, codes.NotFound, "membership not found (AUTHZ-cdgFk)", "AUTHZ-cdgFk"},
		{"org never existed", "POST", "/management/v1/metadata/_search", owner, "123", `{}`, 403, codes.PermissionDenied, "Organisation doesn't exist (AUTH-Bs7Ds)", "AUTH-Bs7Ds"},
		{"removed org write", "POST", "/management/v1/metadata/_bulk", bearer(e.fx.AdminToken), e.fx.SecondOrgID, `{"metadata":[{"key":"k","value":"MQ=="}]}`, 400, codes.FailedPrecondition, "Organisation not found (COMMAND-QXPGs)", "COMMAND-QXPGs"},
		{"removed org, membership gone with it", "POST", "/management/v1/metadata/_search", owner, e.fx.SecondOrgID, `{}`, 404, codes.NotFound, "membership not found (AUTHZ-cdgFk)", "AUTHZ-cdgFk"},
		{"viewer write v1", "POST", "/management/v1/metadata/_bulk", viewer, org, `{"metadata":[{"key":"k","value":"MQ=="}]}`, 403, codes.PermissionDenied, "No matching permissions found (AUTH-5mWD2)", "AUTH-5mWD2"},
		{"viewer write v2", "POST", v2, viewer, "", `{"metadata":[{"key":"k","value":"MQ=="}]}`, 403, codes.PermissionDenied, "No matching permissions found (AUTH-AWfge)", "AUTH-AWfge"},
		{"invalid base64", "POST", "/management/v1/metadata/_bulk", owner, org, `{"metadata":[{"key":"r1","value":"not base64!"}]}`, 400, codes.InvalidArgument, `proto: (line 1:34): invalid value for bytes field value: "not base64!"`, ""},
		{"invalid key", "POST", "/management/v1/metadata/_bulk", owner, org, `{"metadata":[{"key":"","value":"MQ=="}]}`, 400, codes.InvalidArgument,
			"invalid BulkSetOrgMetadataRequest.Metadata[0]: embedded message failed validation | caused by: invalid BulkSetOrgMetadataRequest_Metadata.Key: value length must be between 1 and 200 runes, inclusive", ""},
		{"empty bulk set", "POST", "/management/v1/metadata/_bulk", owner, org, `{"metadata":[]}`, 400, codes.FailedPrecondition, "Metadata list is empty (META-9mm2d)", "META-9mm2d"},
		{"get missing key", "GET", "/management/v1/metadata/nope", owner, org, "", 404, codes.NotFound, "Metadata not found (QUERY-Rph32)", "QUERY-Rph32"},
		{"bulk remove missing key", "DELETE", "/management/v1/metadata/_bulk", owner, org, `{"keys":["nope"]}`, 404, codes.NotFound, "One or more keys do not exist (META-2npds)", "META-2npds"},
		{"unknown method number", "POST", "/management/v1/metadata/_search", owner, org, `{"queries":[{"keyQuery":{"key":"a","method":99}}]}`, 400, codes.InvalidArgument,
			"invalid ListOrgMetadataRequest.Queries[0]: embedded message failed validation | caused by: invalid MetadataQuery.KeyQuery: embedded message failed validation | caused by: invalid MetadataKeyQuery.Method: value must be one of the defined enum values", ""},
		{"v2 delete keys in body only", "DELETE", v2, owner, "", `{"keys":["a"]}`, 400, codes.FailedPrecondition, "Metadata list is empty (META-9mw2d)", "META-9mw2d"},
		{"v2 list limit 1001", "POST", v2 + "/search", owner, "", `{"pagination":{"limit":1001}}`, 400, codes.InvalidArgument, "Limit exceeded (QUERY-4M0fs)", "QUERY-4M0fs"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.rest.call(t, c.verb, c.path, c.auth, c.orgID, c.body)
			wantRESTErr(t, r, c.httpStatus, c.code, c.msg, c.id)
			if c.code == codes.Unauthenticated && r.header.Get("WWW-Authenticate") != c.msg {
				t.Fatalf("WWW-Authenticate %q", r.header.Get("WWW-Authenticate"))
			}
		})
	}
	if len(e.srv.Keys(org)) != 0 {
		t.Fatalf("failed calls wrote %v", e.srv.Keys(org))
	}

	t.Run("unknown route", func(t *testing.T) {
		wantRoutingErr(t, e.rest.call(t, "GET", "/management/v1/nothing", owner, org, ""), 404, codes.NotFound)
		wantRoutingErr(t, e.rest.call(t, "POST", "/v2/organizations/"+org+"/other", owner, "", "{}"), 404, codes.NotFound)
		// A key holding "/" splits the path, as in grpc-gateway's default
		// unescaping mode.
		wantRoutingErr(t, e.rest.call(t, "GET", "/management/v1/metadata/a%2Fb", owner, org, ""), 404, codes.NotFound)
	})
	t.Run("wrong verb", func(t *testing.T) {
		wantRoutingErr(t, e.rest.call(t, "PUT", "/management/v1/metadata/_bulk", owner, org, "{}"), 405, codes.Unimplemented)
		wantRoutingErr(t, e.rest.call(t, "GET", "/v2/organizations/_search", owner, "", ""), 405, codes.Unimplemented)
	})
}

// TestRESTUnknownWrapQuirk: validation errors and a missing auth header come
// as code Unknown wrapping the intended status, hence HTTP 500.
func TestRESTUnknownWrapQuirk(t *testing.T) {
	e := startREST(t, fakezitadel.Options{UnknownWrapQuirk: true})
	r := e.rest.call(t, "POST", "/management/v1/metadata/"+strings.Repeat("a", 201), bearer(e.fx.OwnerToken), e.fx.OrgID, `{"value":"MQ=="}`)
	wantRESTErr(t, r, 500, codes.Unknown, "rpc error: code = InvalidArgument desc = invalid SetOrgMetadataRequest.Key: value length must be between 1 and 200 runes, inclusive ()", "")
	r = e.rest.call(t, "GET", "/management/v1/orgs/me", "", e.fx.OrgID, "")
	wantRESTErr(t, r, 500, codes.Unknown, "rpc error: code = Unauthenticated desc = auth header missing ()", "")
	// Errors with an id keep their code.
	r = e.rest.call(t, "DELETE", "/management/v1/metadata/_bulk", bearer(e.fx.OwnerToken), e.fx.OrgID, `{"keys":["nope"]}`)
	wantRESTErr(t, r, 404, codes.NotFound, "One or more keys do not exist (META-2npds)", "META-2npds")
}

// TestRESTUnknownMethodName: an enum name the proto does not know is dropped
// by the gateway's decoder, leaving EQUALS; numbers are accepted too.
func TestRESTUnknownMethodName(t *testing.T) {
	e := startREST(t, fakezitadel.Options{})
	for _, k := range []string{"a", "ab", "b"} {
		e.srv.SetMetadata(e.fx.OrgID, k, []byte("v"))
	}
	search := func(method string) []string {
		t.Helper()
		body := e.rest.call(t, "POST", "/management/v1/metadata/_search", bearer(e.fx.OwnerToken), e.fx.OrgID,
			`{"queries":[{"keyQuery":{"key":"a","method":`+method+`}}]}`).ok(t)
		var keys []string
		for _, item := range jsonList(t, body, "result") {
			keys = append(keys, item.(map[string]any)["key"].(string))
		}
		slices.Sort(keys)
		return keys
	}
	for method, want := range map[string][]string{
		`"TEXT_QUERY_METHOD_NO_SUCH_METHOD"`: {"a"},
		`"TEXT_QUERY_METHOD_STARTS_WITH"`:    {"a", "ab"},
		`2`:                                  {"a", "ab"},
	} {
		if got := search(method); !slices.Equal(got, want) {
			t.Errorf("method %s: keys %v, want %v", method, got, want)
		}
	}
}

// TestRESTCountsAndFaults: a REST call is counted under its gRPC method name
// with the gRPC ones, and injected faults apply to it.
func TestRESTCountsAndFaults(t *testing.T) {
	e := startREST(t, fakezitadel.Options{})
	owner, org := bearer(e.fx.OwnerToken), e.fx.OrgID
	e.rest.call(t, "POST", "/management/v1/metadata/_bulk", owner, org, `{"metadata":[{"key":"r","value":"MQ=="}]}`).ok(t)
	if _, err := e.mc.BulkSetOrgMetadata(e.owner(), bulk("g", "1")); err != nil {
		t.Fatal(err)
	}
	if n := e.srv.Calls("BulkSetOrgMetadata"); n != 2 {
		t.Fatalf("Calls = %d, want 2", n)
	}
	if n := e.srv.Connections("BulkSetOrgMetadata"); n != 2 {
		t.Fatalf("Connections = %d, want 2 (one HTTP/1.1, one gRPC)", n)
	}
	// A body the gateway cannot decode never reaches the call.
	e.rest.call(t, "POST", "/management/v1/metadata/_bulk", owner, org, `{"metadata":[{"key":"r","value":"!"}]}`)
	if n := e.srv.Calls("BulkSetOrgMetadata"); n != 2 {
		t.Fatalf("Calls = %d after an undecodable body, want 2", n)
	}

	e.srv.InjectFault("ListOrgMetadata", 1, fakezitadel.Fault{Code: codes.Unavailable, Message: "try later"})
	wantRESTErr(t, e.rest.call(t, "POST", "/management/v1/metadata/_search", owner, org, `{}`), 503, codes.Unavailable, "try later", "")
	e.rest.call(t, "POST", "/management/v1/metadata/_search", owner, org, `{}`).ok(t)
	e.srv.InjectFault("SetOrganizationMetadata", 1, fakezitadel.Fault{Code: codes.ResourceExhausted, Message: "quota"})
	wantRESTErr(t, e.rest.call(t, "POST", "/v2/organizations/"+org+"/metadata", owner, "", `{"metadata":[{"key":"q","value":"MQ=="}]}`), 429, codes.ResourceExhausted, "quota", "")
	if n := e.srv.Calls("ListOrgMetadata"); n != 2 {
		t.Fatalf("Calls(ListOrgMetadata) = %d, want 2", n)
	}
}

// TestRESTWriteConflict: the event store's conflict, injected or from
// Options.WriteConflicts, is HTTP 500 with code Unknown and no detail.
func TestRESTWriteConflict(t *testing.T) {
	t.Run("injected", func(t *testing.T) {
		e := startREST(t, fakezitadel.Options{})
		e.srv.InjectFault("BulkSetOrgMetadata", 1, fakezitadel.Fault{Code: codes.Unknown, Message: fakezitadel.WriteConflictMessage})
		body := `{"metadata":[{"key":"k","value":"MQ=="}]}`
		wantRESTErr(t, e.rest.call(t, "POST", "/management/v1/metadata/_bulk", bearer(e.fx.OwnerToken), e.fx.OrgID, body), 500, codes.Unknown, fakezitadel.WriteConflictMessage, "")
		e.rest.call(t, "POST", "/management/v1/metadata/_bulk", bearer(e.fx.OwnerToken), e.fx.OrgID, body).ok(t)
	})
	t.Run("concurrent writes", func(t *testing.T) {
		e := startREST(t, fakezitadel.Options{WriteConflicts: true, WriteWindow: conflictWindow})
		replies := make([]restReply, 2)
		write := func(i int, key string) func() error {
			return func() error {
				replies[i] = e.rest.call(t, "POST", "/management/v1/metadata/_bulk", bearer(e.fx.OwnerToken), e.fx.OrgID, `{"metadata":[{"key":"`+key+`","value":"MQ=="}]}`)
				return nil
			}
		}
		concurrently(write(0, "x"), write(1, "y"))
		failed := replies[0]
		if replies[0].status == http.StatusOK {
			failed = replies[1]
		}
		wantRESTErr(t, failed, 500, codes.Unknown, fakezitadel.WriteConflictMessage, "")
		if n := e.srv.WriteConflicts(); n != 1 || len(e.srv.Keys(e.fx.OrgID)) != 1 {
			t.Fatalf("WriteConflicts = %d, keys %v; want 1 conflict and one key", n, e.srv.Keys(e.fx.OrgID))
		}
	})
}

// TestRESTDisabledServices: the routes of a switched-off service do not
// exist (404, not 405), yet calls of them are counted as over gRPC.
func TestRESTDisabledServices(t *testing.T) {
	t.Run("v1", func(t *testing.T) {
		e := startREST(t, fakezitadel.Options{DisableV1: true})
		owner, org := bearer(e.fx.OwnerToken), e.fx.OrgID
		wantRoutingErr(t, e.rest.call(t, "POST", "/management/v1/metadata/_bulk", owner, org, `{"metadata":[{"key":"k","value":"MQ=="}]}`), 404, codes.NotFound)
		wantRoutingErr(t, e.rest.call(t, "GET", "/management/v1/orgs/me", owner, org, ""), 404, codes.NotFound)
		wantRoutingErr(t, e.rest.call(t, "PUT", "/management/v1/metadata/_bulk", owner, org, "{}"), 404, codes.NotFound)
		if e.srv.Calls("BulkSetOrgMetadata") != 1 || e.srv.Calls("GetMyOrg") != 1 || len(e.srv.Keys(org)) != 0 {
			t.Fatalf("calls %v, keys %v", e.srv.AllCalls(), e.srv.Keys(org))
		}
		e.rest.call(t, "POST", "/v2/organizations/"+org+"/metadata", owner, "", `{"metadata":[{"key":"k","value":"MQ=="}]}`).ok(t)
	})
	t.Run("v2", func(t *testing.T) {
		e := startREST(t, fakezitadel.Options{DisableV2: true})
		owner, org := bearer(e.fx.OwnerToken), e.fx.OrgID
		wantRoutingErr(t, e.rest.call(t, "POST", "/v2/organizations/"+org+"/metadata", owner, "", `{"metadata":[{"key":"k","value":"MQ=="}]}`), 404, codes.NotFound)
		wantRoutingErr(t, e.rest.call(t, "POST", "/v2/organizations/_search", owner, "", `{}`), 404, codes.NotFound)
		if e.srv.Calls("SetOrganizationMetadata") != 1 || e.srv.Calls("ListOrganizations") != 1 {
			t.Fatalf("calls %v", e.srv.AllCalls())
		}
		e.rest.call(t, "POST", "/management/v1/metadata/_bulk", owner, org, `{"metadata":[{"key":"k","value":"MQ=="}]}`).ok(t)
	})
}

// TestRESTSharesStoreWithGRPC: what one transport writes the other reads.
func TestRESTSharesStoreWithGRPC(t *testing.T) {
	e := startREST(t, fakezitadel.Options{})
	owner, org := bearer(e.fx.OwnerToken), e.fx.OrgID
	e.rest.call(t, "POST", "/management/v1/metadata/_bulk", owner, org, `{"metadata":[{"key":"rest","value":"aGVsbG8="}]}`).ok(t)
	got, err := e.mc.GetOrgMetadata(e.owner(), &management.GetOrgMetadataRequest{Key: "rest"})
	if err != nil || string(got.GetMetadata().GetValue()) != "hello" || got.GetMetadata().GetDetails().GetSequence() != 7 {
		t.Fatalf("gRPC read %v, %v", got, err)
	}
	if _, err := e.mc.SetOrgMetadata(e.owner(), &management.SetOrgMetadataRequest{Key: "grpc", Value: []byte("world")}); err != nil {
		t.Fatal(err)
	}
	md := jsonObj(t, e.rest.call(t, "GET", "/management/v1/metadata/grpc", owner, org, "").ok(t), "metadata")
	if md["value"] != "d29ybGQ=" || jsonObj(t, md, "details")["sequence"] != "8" {
		t.Fatalf("REST read %v", md)
	}
}

// TestRESTTransports: REST over HTTP/1.1, h2c and TLS (h2 and HTTP/1.1), next
// to gRPC on the same listener.
func TestRESTTransports(t *testing.T) {
	client := func(tlsConfig *tls.Config, set func(*http.Protocols)) *http.Client {
		// Each transport its own TLS config: one enabling HTTP/2 adds "h2"
		// to the NextProtos of the config it holds.
		tr := &http.Transport{TLSClientConfig: tlsConfig.Clone(), Protocols: new(http.Protocols)}
		set(tr.Protocols)
		return &http.Client{Transport: tr}
	}
	plain, plainFx := fakezitadel.StartTest(t, fakezitadel.Options{})
	secure, fx := fakezitadel.StartTest(t, fakezitadel.Options{TLS: true})
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(secure.CACertPEM()) {
		t.Fatal("no CA certificate")
	}
	tlsConfig := &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	cases := []struct {
		name  string
		fx    fakezitadel.Fixture
		base  string
		hc    *http.Client
		proto int
	}{
		{"http1", plainFx, "http://" + plain.Addr(), client(nil, func(p *http.Protocols) { p.SetHTTP1(true) }), 1},
		{"h2c", plainFx, "http://" + plain.Addr(), client(nil, func(p *http.Protocols) { p.SetUnencryptedHTTP2(true) }), 2},
		{"tls h2", fx, "https://" + secure.Addr(), client(tlsConfig, func(p *http.Protocols) { p.SetHTTP2(true) }), 2},
		{"tls http1", fx, "https://" + secure.Addr(), client(tlsConfig, func(p *http.Protocols) { p.SetHTTP1(true) }), 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rc := restClient{base: c.base, hc: c.hc}
			r := rc.call(t, "GET", "/management/v1/orgs/me", bearer(c.fx.OwnerToken), c.fx.OrgID, "")
			if r.proto != c.proto || jsonObj(t, r.ok(t), "org")["id"] != c.fx.OrgID {
				t.Fatalf("HTTP/%d %v", r.proto, r.body)
			}
		})
	}

	conn, err := grpc.NewClient("passthrough:///"+secure.Addr(), grpc.WithTransportCredentials(credentials.NewTLS(tlsConfig)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	got, err := management.NewManagementServiceClient(conn).GetMyOrg(as(fx.OwnerToken, fx.OrgID), &management.GetMyOrgRequest{})
	if err != nil || got.GetOrg().GetId() != fx.OrgID {
		t.Fatalf("gRPC over TLS: %v, %v", got, err)
	}
	if n := secure.Calls("GetMyOrg"); n != 3 {
		t.Fatalf("Calls(GetMyOrg) = %d, want 3", n)
	}
}
