package fakezitadel_test

// Contract tests for the user calls over REST (contract section 4): the
// same handlers and interceptor as gRPC, the routes of the generated
// google.api.http rules, JSON in protojson's camelCase.

import (
	"net/http"
	"reflect"
	"testing"

	"google.golang.org/grpc/codes"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/fakezitadel"
)

// TestRESTUserV1Shapes: the v1 user metadata routes act in the organization
// of the header, with JSON bodies (the bulk remove too).
func TestRESTUserV1Shapes(t *testing.T) {
	e := startREST(t, fakezitadel.Options{})
	owner, org, id := bearer(e.fx.OwnerToken), e.fx.OrgID, e.fx.UserID
	base := "/management/v1/users/" + id + "/metadata"

	body := e.rest.call(t, "POST", base+"/_bulk", owner, org, `{"metadata":[{"key":"r1","value":"aGVsbG8="},{"key":"r2","value":"MQ=="}]}`).ok(t)
	details := jsonObj(t, body, "details")
	wantFields(t, details, "sequence", "changeDate", "resourceOwner")
	// A fresh machine user has one event; the two entries make 2 and 3.
	if details["sequence"] != "3" || details["resourceOwner"] != org || string(e.srv.UserMetadata(id)["r1"]) != "hello" {
		t.Fatalf("BulkSet details %v, metadata %v", details, e.srv.UserMetadata(id))
	}

	body = e.rest.call(t, "POST", base+"/_search", owner, org,
		`{"query":{"limit":1000},"queries":[{"keyQuery":{"key":"r1","method":"TEXT_QUERY_METHOD_EQUALS"}}]}`).ok(t)
	if jsonObj(t, body, "details")["totalResult"] != "1" {
		t.Fatalf("details %v", body["details"])
	}
	result := jsonList(t, body, "result")
	item := result[0].(map[string]any)
	if len(result) != 1 || item["key"] != "r1" || item["value"] != "aGVsbG8=" {
		t.Fatalf("result %v", result)
	}
	itemDetails := jsonObj(t, item, "details")
	wantFields(t, itemDetails, "sequence", "creationDate", "changeDate", "resourceOwner")
	if itemDetails["sequence"] != "2" || itemDetails["resourceOwner"] != org {
		t.Fatalf("item details %v", itemDetails)
	}

	details = jsonObj(t, e.rest.call(t, "DELETE", base+"/_bulk", owner, org, `{"keys":["r1"]}`).ok(t), "details")
	if details["sequence"] != "4" || len(e.srv.UserKeys(id)) != 1 {
		t.Fatalf("BulkRemove details %v, keys %v", details, e.srv.UserKeys(id))
	}
	r := e.rest.call(t, "DELETE", base+"/_bulk", owner, org, `{"keys":["r2","nope"]}`)
	wantRESTErr(t, r, 404, codes.NotFound, "One or more keys do not exist (META-2nnds)", "META-2nnds")

	// Another organization in the header: writes fail, the list is empty.
	other := e.fx.SecondOrgID
	r = e.rest.call(t, "POST", base+"/_bulk", owner, other, `{"metadata":[{"key":"x","value":"MQ=="}]}`)
	wantRESTErr(t, r, 400, codes.FailedPrecondition, "User could not be found (COMMAND-uXHNj)", "COMMAND-uXHNj")
	r = e.rest.call(t, "DELETE", base+"/_bulk", owner, other, `{"keys":["r2"]}`)
	wantRESTErr(t, r, 400, codes.FailedPrecondition, "User could not be found (COMMAND-uXHNj)", "COMMAND-uXHNj")
	body = e.rest.call(t, "POST", base+"/_search", owner, other, `{}`).ok(t)
	if _, has := body["result"]; has || len(jsonObj(t, body, "details")) != 1 {
		t.Fatalf("list in another organization %v, want no result and no total", body)
	}
	r = e.rest.call(t, "GET", "/management/v1/users/"+id, owner, other, "")
	wantRESTErr(t, r, 404, codes.NotFound, "User could not be found (MANAG-fpo4B)", "MANAG-fpo4B")

	r = e.rest.call(t, "POST", base+"/_bulk", bearer(e.fx.ViewerToken), org, `{"metadata":[{"key":"x","value":"MQ=="}]}`)
	wantRESTErr(t, r, 403, codes.PermissionDenied, "No matching permissions found (AUTH-5mWD2)", "AUTH-5mWD2")
	r = e.rest.call(t, "POST", base+"/_search", bearer(e.fx.OutsiderToken), org, `{}`)
	wantRESTErr(t, r, 404, codes.NotFound, "membership not found (AUTHZ-cdgFk)", "AUTHZ-cdgFk")
	r = e.rest.call(t, "POST", base+"/_bulk", owner, org, `{"metadata":[]}`)
	wantRESTErr(t, r, 400, codes.FailedPrecondition, "Metadata list is empty (META-9mm2d)", "META-9mm2d")
}

// TestRESTUserV1Lifecycle: AddMachineUser, GetUserByID, DeactivateUser and
// RemoveUser over REST.
func TestRESTUserV1Lifecycle(t *testing.T) {
	e := startREST(t, fakezitadel.Options{})
	owner, org := bearer(e.fx.OwnerToken), e.fx.SecondOrgID
	body := e.rest.call(t, "POST", "/management/v1/users/machine", owner, org, `{"userName":"rest-bot","name":"Rest Bot"}`).ok(t)
	id, _ := body["userId"].(string)
	if id == "" || jsonObj(t, body, "details")["resourceOwner"] != org {
		t.Fatalf("AddMachineUser %v", body)
	}
	user := jsonObj(t, e.rest.call(t, "GET", "/management/v1/users/"+id, owner, org, "").ok(t), "user")
	if user["id"] != id || user["state"] != "USER_STATE_ACTIVE" || user["userName"] != "rest-bot" ||
		jsonObj(t, user, "details")["resourceOwner"] != org || jsonObj(t, user, "machine")["name"] != "Rest Bot" {
		t.Fatalf("GetUserByID %v", user)
	}
	e.rest.call(t, "POST", "/management/v1/users/"+id+"/_deactivate", owner, org, `{}`).ok(t)
	if state := jsonObj(t, e.rest.call(t, "GET", "/management/v1/users/"+id, owner, org, "").ok(t), "user")["state"]; state != "USER_STATE_INACTIVE" {
		t.Fatalf("state %v", state)
	}
	e.rest.call(t, "DELETE", "/management/v1/users/"+id, owner, org, "").ok(t)
	wantRESTErr(t, e.rest.call(t, "GET", "/management/v1/users/"+id, owner, org, ""), 404, codes.NotFound, "User could not be found (QUERY-Dfbg2)", "QUERY-Dfbg2")
	wantRESTErr(t, e.rest.call(t, "DELETE", "/management/v1/users/"+id, owner, org, ""), 404, codes.NotFound, "User could not be found (COMMAND-m9od)", "COMMAND-m9od")
	// "machine" is a literal segment for POST, an id for GET.
	wantRESTErr(t, e.rest.call(t, "GET", "/management/v1/users/machine", owner, org, ""), 404, codes.NotFound, "User could not be found (QUERY-Dfbg2)", "QUERY-Dfbg2")
	wantRoutingErr(t, e.rest.call(t, "PUT", "/management/v1/users/"+id, owner, org, "{}"), 405, codes.Unimplemented)
}

// TestRESTUserV2Shapes: the user service v2 routes, the user in the path,
// no header; Delete takes its keys from the query only.
func TestRESTUserV2Shapes(t *testing.T) {
	e := startREST(t, fakezitadel.Options{})
	owner, id := bearer(e.fx.OwnerToken), e.fx.SecondUserID
	base := "/v2/users/" + id + "/metadata"

	body := e.rest.call(t, "POST", base, owner, "", `{"metadata":[{"key":"a","value":"MQ=="},{"key":"b","value":"Mg=="},{"key":"c","value":"Mw=="}]}`).ok(t)
	wantFields(t, body, "setDate")
	if keys := e.srv.UserKeys(id); len(keys) != 3 {
		t.Fatalf("keys %v", keys)
	}
	body = e.rest.call(t, "POST", base+"/search", owner, "", `{"pagination":{"limit":2},"filters":[{"keyFilter":{"key":"d","method":"TEXT_FILTER_METHOD_ENDS_WITH"}}]}`).ok(t)
	// No match: total 0, which protojson leaves out.
	if p := jsonObj(t, body, "pagination"); !reflect.DeepEqual(p, map[string]any{"appliedLimit": "2"}) {
		t.Fatalf("pagination %v", p)
	}
	body = e.rest.call(t, "POST", base+"/search", owner, "", `{"pagination":{"limit":2}}`).ok(t)
	if p := jsonObj(t, body, "pagination"); !reflect.DeepEqual(p, map[string]any{"totalResult": "3", "appliedLimit": "2"}) {
		t.Fatalf("pagination %v", p)
	}
	items := jsonList(t, body, "metadata")
	item := items[0].(map[string]any)
	wantFields(t, item, "key", "value", "creationDate", "changeDate")
	if len(items) != 2 || item["key"] != "a" || item["value"] != "MQ==" {
		t.Fatalf("metadata %v", items)
	}
	body = e.rest.call(t, "POST", base+"/search", owner, "", `{}`).ok(t)
	if len(jsonList(t, body, "metadata")) != 3 {
		t.Fatalf("search without pagination %v", body)
	}

	// The keys travel in the query; a JSON body is ignored.
	r := e.rest.call(t, "DELETE", base, owner, "", `{"keys":["a"]}`)
	wantRESTErr(t, r, 400, codes.FailedPrecondition, "Metadata list is empty (META-9mm2d)", "META-9mm2d")
	body = e.rest.call(t, "DELETE", base+"?keys=a&keys=b", owner, "", "").ok(t)
	wantFields(t, body, "deletionDate")
	if keys := e.srv.UserKeys(id); len(keys) != 1 || keys[0] != "c" {
		t.Fatalf("keys left %v", keys)
	}
	r = e.rest.call(t, "DELETE", base+"?keys=c&keys=nope", owner, "", "")
	wantRESTErr(t, r, 404, codes.NotFound, "One or more keys do not exist (META-2nnds)", "META-2nnds")

	user := jsonObj(t, e.rest.call(t, "GET", "/v2/users/"+id, owner, "", "").ok(t), "user")
	if user["userId"] != id || user["state"] != "USER_STATE_ACTIVE" || jsonObj(t, user, "details")["resourceOwner"] != e.fx.SecondOrgID {
		t.Fatalf("GetUserByID %v", user)
	}

	// The outsider: no entries, but the total leaks; the lookup is NotFound
	// for lack of membership, not for lack of a user.
	outsider := bearer(e.fx.OutsiderToken)
	body = e.rest.call(t, "POST", base+"/search", outsider, "", `{}`).ok(t)
	if _, has := body["metadata"]; has || jsonObj(t, body, "pagination")["totalResult"] != "1" {
		t.Fatalf("outsider search %v", body)
	}
	wantRESTErr(t, e.rest.call(t, "GET", "/v2/users/"+id, outsider, "", ""), 404, codes.NotFound, "membership not found (AUTHZ-cdgFk)", "AUTHZ-cdgFk")
	wantRESTErr(t, e.rest.call(t, "POST", base, outsider, "", `{"metadata":[{"key":"a","value":"MQ=="}]}`), 404, codes.NotFound, "membership not found (AUTHZ-cdgFk)", "AUTHZ-cdgFk")
	wantRESTErr(t, e.rest.call(t, "GET", "/v2/users/123", outsider, "", ""), 404, codes.NotFound, "User could not be found (QUERY-Dfbg2)", "QUERY-Dfbg2")
	wantRESTErr(t, e.rest.call(t, "POST", "/v2/users/123/metadata", bearer(e.fx.AdminToken), "", `{"metadata":[{"key":"a","value":"MQ=="}]}`), 400, codes.FailedPrecondition, "User could not be found (COMMAND-uXHNj)", "COMMAND-uXHNj")
	wantRESTErr(t, e.rest.call(t, "POST", base, bearer(e.fx.ViewerToken), "", `{"metadata":[{"key":"a","value":"MQ=="}]}`), 404, codes.NotFound, "membership not found (AUTHZ-cdgFk)", "AUTHZ-cdgFk")
	wantRESTErr(t, e.rest.call(t, "POST", base+"/search", owner, "", `{"pagination":{"limit":1001}}`), 400, codes.InvalidArgument, "Limit exceeded (QUERY-4M0fs)", "QUERY-4M0fs")
}

// TestRESTUserCountsFaultsAndSwitches: REST user calls are counted and
// faulted under their gRPC names, and their routes vanish with the service.
func TestRESTUserCountsFaultsAndSwitches(t *testing.T) {
	e := startREST(t, fakezitadel.Options{})
	owner, id := bearer(e.fx.OwnerToken), e.fx.UserID
	e.srv.InjectFault("SetUserMetadata", 1, fakezitadel.Fault{Code: codes.Unknown, Message: fakezitadel.WriteConflictMessage})
	wantRESTErr(t, e.rest.call(t, "POST", "/v2/users/"+id+"/metadata", owner, "", `{"metadata":[{"key":"a","value":"MQ=="}]}`), 500, codes.Unknown, fakezitadel.WriteConflictMessage, "")
	e.rest.call(t, "POST", "/v2/users/"+id+"/metadata", owner, "", `{"metadata":[{"key":"a","value":"MQ=="}]}`).ok(t)
	e.rest.call(t, "POST", "/management/v1/users/"+id+"/metadata/_search", owner, e.fx.OrgID, `{}`).ok(t)
	if e.srv.Calls("SetUserMetadata") != 2 || e.srv.Calls("zitadel.management.v1.ManagementService/ListUserMetadata") != 1 || e.srv.Calls("ListUserMetadata") != 1 {
		t.Fatalf("calls %v", e.srv.AllCalls())
	}

	off := startREST(t, fakezitadel.Options{DisableV2: true})
	r := off.rest.call(t, "POST", "/v2/users/"+off.fx.UserID+"/metadata", bearer(off.fx.OwnerToken), "", `{"metadata":[{"key":"a","value":"MQ=="}]}`)
	wantRoutingErr(t, r, http.StatusNotFound, codes.NotFound)
	wantRoutingErr(t, off.rest.call(t, "GET", "/v2/users/"+off.fx.UserID, bearer(off.fx.OwnerToken), "", ""), http.StatusNotFound, codes.NotFound)
	if off.srv.Calls("SetUserMetadata") != 1 || len(off.srv.UserKeys(off.fx.UserID)) != 0 {
		t.Fatalf("calls %v", off.srv.AllCalls())
	}
	off.rest.call(t, "POST", "/management/v1/users/"+off.fx.UserID+"/metadata/_bulk", bearer(off.fx.OwnerToken), off.fx.OrgID, `{"metadata":[{"key":"a","value":"MQ=="}]}`).ok(t)
}
