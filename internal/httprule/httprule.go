// Package httprule reads the REST route of a ZITADEL gRPC method from the
// google.api.http rule its generated descriptor carries, the rule ZITADEL's
// gateway serves. The client and the fake both take their routes from here,
// so neither can mistype a verb or a path, nor disagree with the other.
package httprule

import (
	"fmt"
	"net/http"

	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// Route is one method's REST route.
type Route struct {
	Verb string
	// Path is the template as the server serves it; a segment "{field}"
	// binds one path segment to that field of the request.
	Path string
	// Body: the JSON body is the request (body "*"). Otherwise the body is
	// ignored and query parameters carry the fields the path does not.
	Body bool
}

// mounts is where ZITADEL serves a service's gateway when its rules are
// relative: the management API's rules omit /management/v1.
var mounts = map[protoreflect.FullName]string{
	"zitadel.management.v1.ManagementService": "/management/v1",
}

// Of is the route of service's method (service as in its ServiceDesc,
// "zitadel.org.v2.OrganizationService"). The generated package that
// defines the service must be linked in.
func Of(service, method string) (Route, error) {
	md, err := Method(service, method)
	if err != nil {
		return Route{}, err
	}
	return OfMethod(md)
}

// OfMethod is the route of a method its descriptor describes.
func OfMethod(md protoreflect.MethodDescriptor) (Route, error) {
	rule, _ := proto.GetExtension(md.Options(), annotations.E_Http).(*annotations.HttpRule)
	if rule == nil {
		return Route{}, fmt.Errorf("%s has no google.api.http rule", md.FullName())
	}
	var r Route
	switch p := rule.GetPattern().(type) {
	case *annotations.HttpRule_Get:
		r.Verb, r.Path = http.MethodGet, p.Get
	case *annotations.HttpRule_Post:
		r.Verb, r.Path = http.MethodPost, p.Post
	case *annotations.HttpRule_Put:
		r.Verb, r.Path = http.MethodPut, p.Put
	case *annotations.HttpRule_Delete:
		r.Verb, r.Path = http.MethodDelete, p.Delete
	case *annotations.HttpRule_Patch:
		r.Verb, r.Path = http.MethodPatch, p.Patch
	default:
		return Route{}, fmt.Errorf("%s: a google.api.http rule of another kind", md.FullName())
	}
	switch rule.GetBody() {
	case "*":
		r.Body = true
	case "":
	default:
		return Route{}, fmt.Errorf("%s: body %q (one field) is not supported", md.FullName(), rule.GetBody())
	}
	r.Path = mounts[md.Parent().FullName()] + r.Path
	return r, nil
}

// Method is the descriptor of service's method.
func Method(service, method string) (protoreflect.MethodDescriptor, error) {
	d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(service))
	if err != nil {
		return nil, fmt.Errorf("service %s: %w", service, err)
	}
	sd, ok := d.(protoreflect.ServiceDescriptor)
	if !ok {
		return nil, fmt.Errorf("%s is not a service", service)
	}
	md := sd.Methods().ByName(protoreflect.Name(method))
	if md == nil {
		return nil, fmt.Errorf("service %s has no method %s", service, method)
	}
	return md, nil
}

// Must is Of for routes fixed at build time: it panics on an error.
func Must(service, method string) Route {
	r, err := Of(service, method)
	if err != nil {
		panic("httprule: " + err.Error())
	}
	return r
}
