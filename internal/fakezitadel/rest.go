package fakezitadel

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	orgv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/org/v2"
	userv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/httprule"
)

// The REST transport: the routes ZITADEL's grpc-gateway serves for the calls
// the fake implements (contract sections 1 to 3), on the gRPC listener.
// Each request becomes the gRPC request message (protojson, unknown fields
// and enum names discarded as ZITADEL's gateway does; path and query
// parameters on top) and runs through the registered service's method
// handler with Server.intercept, so REST and gRPC share authentication, the
// org header, permissions, call counts, faults, options and the store.
// Answers are protojson (camelCase, uint64 as strings, bytes as base64);
// errors are the gRPC status as JSON with grpc-gateway's HTTP status.

// restRoute is one gRPC method's REST route, its google.api.http rule as
// the generated descriptors carry it (the client reads its routes the same
// way).
type restRoute struct {
	httprule.Route
	service *grpc.ServiceDesc
	method  string
}

func routeOf(service *grpc.ServiceDesc, method string) restRoute {
	return restRoute{httprule.Must(service.ServiceName, method), service, method}
}

var (
	mgmtDesc = &management.ManagementService_ServiceDesc
	orgDesc  = &orgv2.OrganizationService_ServiceDesc
	userDesc = &userv2.UserService_ServiceDesc
)

// restRoutes, literal segments before variables where both match.
var restRoutes = []restRoute{
	routeOf(mgmtDesc, "GetMyOrg"),
	routeOf(mgmtDesc, "AddOrg"),
	routeOf(mgmtDesc, "RemoveOrg"),
	routeOf(mgmtDesc, "AddOrgMember"),
	routeOf(mgmtDesc, "ListOrgMetadata"),
	routeOf(mgmtDesc, "BulkSetOrgMetadata"),
	routeOf(mgmtDesc, "BulkRemoveOrgMetadata"),
	routeOf(mgmtDesc, "SetOrgMetadata"),
	routeOf(mgmtDesc, "GetOrgMetadata"),
	routeOf(mgmtDesc, "RemoveOrgMetadata"),
	routeOf(orgDesc, "ListOrganizations"),
	routeOf(orgDesc, "SetOrganizationMetadata"),
	routeOf(orgDesc, "ListOrganizationMetadata"),
	routeOf(orgDesc, "DeleteOrganizationMetadata"),
	routeOf(mgmtDesc, "AddMachineUser"),
	routeOf(mgmtDesc, "GetUserByID"),
	routeOf(mgmtDesc, "RemoveUser"),
	routeOf(mgmtDesc, "DeactivateUser"),
	routeOf(mgmtDesc, "AddPersonalAccessToken"),
	routeOf(mgmtDesc, "ListUserMetadata"),
	routeOf(mgmtDesc, "BulkSetUserMetadata"),
	routeOf(mgmtDesc, "BulkRemoveUserMetadata"),
	routeOf(userDesc, "GetUserByID"),
	routeOf(userDesc, "SetUserMetadata"),
	routeOf(userDesc, "ListUserMetadata"),
	routeOf(userDesc, "DeleteUserMetadata"),
}

// match binds the route's path parameters, matching segment by segment the
// unescaped path as grpc-gateway's default (legacy) unescaping mode does: a
// %2F in a key splits it, so such keys are reachable only through the bulk
// and search routes.
func (rt restRoute) match(segments []string) (map[string]string, bool) {
	want := strings.Split(strings.TrimPrefix(rt.Path, "/"), "/")
	if len(want) != len(segments) {
		return nil, false
	}
	params := map[string]string{}
	for i, w := range want {
		if name, ok := strings.CutPrefix(w, "{"); ok {
			params[strings.TrimSuffix(name, "}")] = segments[i]
		} else if w != segments[i] {
			return nil, false
		}
	}
	return params, true
}

// handler is the generated gRPC method handler of the route's call.
func (rt restRoute) handler() grpc.MethodHandler {
	for _, m := range rt.service.Methods {
		if m.MethodName == rt.method {
			return m.Handler
		}
	}
	panic("fakezitadel: no gRPC method " + rt.method)
}

// restHandler serves restRoutes with the given service implementations (the
// ones registered with the gRPC server). A path no route matches answers as
// grpc-gateway's unknown route, 404; a known path with another verb 405 (as
// ZITADEL configures its gateway). The routes of a service switched off by
// the options do not exist, but a call of one is counted as over gRPC.
func (s *Server) restHandler(impls map[*grpc.ServiceDesc]any) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		segments := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
		otherVerb := false
		for _, rt := range restRoutes {
			params, ok := rt.match(segments)
			if !ok {
				continue
			}
			disabled := s.disabled(rt.service.ServiceName)
			switch {
			case rt.Verb != r.Method:
				otherVerb = otherVerb || disabled == nil
			case disabled != nil:
				_ = s.countAndFault(restContext(r), rt.service.ServiceName, rt.method, disabled)
				writeRoutingError(w, http.StatusNotFound, codes.NotFound)
				return
			default:
				s.serveREST(w, r, rt, params, impls[rt.service])
				return
			}
		}
		if otherVerb {
			writeRoutingError(w, http.StatusMethodNotAllowed, codes.Unimplemented)
			return
		}
		writeRoutingError(w, http.StatusNotFound, codes.NotFound)
	})
}

// serveREST runs one call through the gRPC method handler and interceptor.
func (s *Server) serveREST(w http.ResponseWriter, r *http.Request, rt restRoute, params map[string]string, impl any) {
	dec := func(in any) error {
		msg := in.(proto.Message)
		var err error
		if rt.Body {
			err = decodeBody(r.Body, msg)
		} else {
			err = decodeQuery(r.URL.Query(), msg)
		}
		if err != nil {
			return status.Error(codes.InvalidArgument, err.Error())
		}
		fields := msg.ProtoReflect().Descriptor().Fields()
		for name, v := range params {
			msg.ProtoReflect().Set(fields.ByName(protoreflect.Name(name)), protoreflect.ValueOfString(v))
		}
		return nil
	}
	resp, err := rt.handler()(impl, restContext(r), dec, s.intercept)
	if err != nil {
		st := status.Convert(err)
		if st.Code() == codes.Unauthenticated {
			w.Header().Set("WWW-Authenticate", st.Message())
		}
		writeProtoJSON(w, httpStatusFromCode(st.Code()), st.Proto())
		return
	}
	writeProtoJSON(w, http.StatusOK, resp.(proto.Message))
}

// restContext is what the gateway forwards to gRPC: the authorization and
// x-zitadel-* headers as incoming metadata, and the client as the peer.
func restContext(r *http.Request) context.Context {
	md := metadata.MD{}
	for name, values := range r.Header {
		key := strings.ToLower(name)
		if key == "authorization" || strings.HasPrefix(key, "x-zitadel-") {
			md.Append(key, values...)
		}
	}
	return metadata.NewIncomingContext(clientContext(r), md)
}

var restUnmarshal = protojson.UnmarshalOptions{DiscardUnknown: true}

// decodeBody reads the first JSON value of the body into msg, as
// grpc-gateway's JSONPb decoder does; an empty body leaves msg empty.
// DiscardUnknown also drops enum names the proto does not know, leaving the
// field 0: this is why an unknown text method behaves as EQUALS over REST.
func decodeBody(body io.Reader, msg proto.Message) error {
	var raw json.RawMessage
	if err := json.NewDecoder(body).Decode(&raw); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		return err
	}
	if err := restUnmarshal.Unmarshal(raw, msg); err != nil {
		// protobuf-go randomizes the space after "proto:" per build; the
		// real server's message has a plain one.
		return errors.New(strings.Replace(err.Error(), "proto:\u00a0", "proto: ", 1))
	}
	return nil
}

// decodeQuery fills the top-level fields of msg named by query parameters
// (JSON or proto names; unknown ones are ignored), repeated fields from
// repeated parameters. No route needs nested fields.
func decodeQuery(query url.Values, msg proto.Message) error {
	fields := msg.ProtoReflect().Descriptor().Fields()
	obj := map[string]any{}
	for name, values := range query {
		fd := fields.ByJSONName(name)
		if fd == nil {
			fd = fields.ByTextName(name)
		}
		if fd == nil || fd.Message() != nil || fd.IsMap() {
			continue
		}
		converted := make([]any, len(values))
		for i, v := range values {
			converted[i] = v
			if b, err := strconv.ParseBool(v); err == nil && fd.Kind() == protoreflect.BoolKind {
				converted[i] = b
			}
		}
		if fd.IsList() {
			obj[fd.JSONName()] = converted
		} else {
			obj[fd.JSONName()] = converted[0]
		}
	}
	raw, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	return restUnmarshal.Unmarshal(raw, msg)
}

func writeProtoJSON(w http.ResponseWriter, code int, msg proto.Message) {
	body, err := protojson.Marshal(msg)
	if err != nil {
		code, body = http.StatusInternalServerError, []byte(`{"code":13,"message":"failed to marshal the answer"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write(body)
}

// writeRoutingError answers a request no route serves as grpc-gateway does:
// the HTTP status text as the message and an empty details list.
func writeRoutingError(w http.ResponseWriter, httpStatus int, code codes.Code) {
	writeJSON(w, httpStatus, map[string]any{"code": int(code), "message": http.StatusText(httpStatus), "details": []any{}})
}

// httpStatusFromCode is grpc-gateway's runtime.HTTPStatusFromCode.
func httpStatusFromCode(code codes.Code) int {
	switch code {
	case codes.OK:
		return http.StatusOK
	case codes.Canceled:
		return 499
	case codes.InvalidArgument, codes.FailedPrecondition, codes.OutOfRange:
		return http.StatusBadRequest
	case codes.DeadlineExceeded:
		return http.StatusGatewayTimeout
	case codes.NotFound:
		return http.StatusNotFound
	case codes.AlreadyExists, codes.Aborted:
		return http.StatusConflict
	case codes.PermissionDenied:
		return http.StatusForbidden
	case codes.Unauthenticated:
		return http.StatusUnauthorized
	case codes.ResourceExhausted:
		return http.StatusTooManyRequests
	case codes.Unimplemented:
		return http.StatusNotImplemented
	case codes.Unavailable:
		return http.StatusServiceUnavailable
	default: // Unknown, Internal, DataLoss
		return http.StatusInternalServerError
	}
}
