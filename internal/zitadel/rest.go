package zitadel

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/httprule"
)

// restSlack is room for what a request holds besides its items (the
// organization id, the field names).
const restSlack = 1 << 10

// maxQueryBytes bounds the query string of one request: proxies commonly
// refuse request lines above 8 KiB.
const maxQueryBytes = 6 << 10

// restTransport makes calls as JSON over HTTP: HTTP/1.1, or HTTP/2 when a
// TLS server offers it. Bytes travel as standard base64 strings, as
// protojson writes them.
type restTransport struct {
	base       string
	http       *http.Client
	src        tokenSource
	chunkBytes int
	answered   atomic.Bool
}

func newRESTTransport(base string, tlsCfg *tls.Config, src tokenSource, cfg Config) *restTransport {
	chunk := cfg.ChunkBytes
	if chunk <= 0 {
		chunk = DefaultChunkBytes
	}
	return &restTransport{
		base:       base,
		src:        src,
		chunkBytes: chunk,
		http:       newHTTPClient(tlsCfg, cfg, 0),
	}
}

func (*restTransport) name() string { return TransportREST }

func (t *restTransport) attempt(ctx context.Context, r rpc, orgID string, req, resp proto.Message) *Error {
	path, body, err := encodeREST(r.rest, req)
	if err != nil {
		return &Error{Method: r.method, OrgID: orgID, Code: codes.Internal, Kind: KindOther, Transport: TransportREST, Message: "encoding the request: " + err.Error()}
	}
	if len(body) > t.chunkBytes+restSlack || len(path) > len(r.rest.Path)+maxQueryBytes+restSlack {
		e := noAnswer(r.method, orgID, KindRequestTooLarge, TransportREST, fmt.Sprintf("the request would be %d bytes", len(body)+len(path)))
		e.Code = codes.ResourceExhausted
		return e
	}
	hr, err := http.NewRequestWithContext(ctx, r.rest.Verb, t.base+path, bytes.NewReader(body))
	if err != nil {
		return &Error{Method: r.method, OrgID: orgID, Code: codes.Internal, Kind: KindOther, Transport: TransportREST, Message: err.Error()}
	}
	hr.Header.Set("Accept", "application/json")
	if body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	tok, err := t.src.token(ctx)
	if err != nil {
		return tokenError(r.method, orgID, TransportREST, err)
	}
	hr.Header.Set("Authorization", "Bearer "+tok)
	if orgID != "" && !r.orgInRequest {
		hr.Header.Set(OrgHeader, orgID)
	}
	res, err := t.http.Do(hr)
	if err != nil {
		return t.failed(ctx, r.method, orgID, err)
	}
	defer func() { _ = res.Body.Close() }()
	data, err := io.ReadAll(io.LimitReader(res.Body, maxRecvSize+1))
	if err != nil {
		return t.failed(ctx, r.method, orgID, err)
	}
	if len(data) > maxRecvSize {
		e := noAnswer(r.method, orgID, KindTooLarge, TransportREST, fmt.Sprintf("the answer exceeds %d bytes", maxRecvSize))
		e.Code = codes.ResourceExhausted
		return e
	}
	if res.StatusCode/100 == 3 {
		return t.notZITADEL(r, orgID, res, "a redirect")
	}
	if res.StatusCode/100 == 2 {
		if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(data, resp); err != nil {
			return t.notZITADEL(r, orgID, res, "an answer that is not the expected JSON")
		}
		t.answered.Store(true)
		return nil
	}
	var answer struct {
		Code    *int   `json:"code"`
		Message string `json:"message"`
		Details []struct {
			Type string `json:"@type"`
			ID   string `json:"id"`
		} `json:"details"`
	}
	if json.Unmarshal(data, &answer) != nil || answer.Code == nil || *answer.Code < 1 || *answer.Code > 16 || answer.Message == "" {
		return t.notZITADEL(r, orgID, res, "an answer that is not ZITADEL's")
	}
	t.answered.Store(true)
	id := ""
	for _, d := range answer.Details {
		if strings.HasSuffix(d.Type, "zitadel.v1.ErrorDetail") {
			id = d.ID
		}
	}
	code := codes.Code(*answer.Code)
	if id == "" && (res.StatusCode == http.StatusNotFound && code == codes.NotFound && answer.Message == "Not Found" || res.StatusCode == http.StatusMethodNotAllowed) {
		// The API gateway knows no such route: the server lacks the call.
		code, answer.Message = codes.Unimplemented, fmt.Sprintf("no route %s %s (HTTP %d %s)", r.rest.Verb, r.rest.Path, res.StatusCode, answer.Message)
	}
	e := answerError(r.method, orgID, code, answer.Message, id)
	e.HTTPStatus = res.StatusCode
	return e
}

// failed classifies a request that got no HTTP answer.
func (t *restTransport) failed(ctx context.Context, method, orgID string, err error) *Error {
	if stopped := ended(ctx); stopped != nil {
		// The caller's deadline or cancellation, in gRPC's words; retry.do
		// names the kind.
		return answerError(method, orgID, status.FromContextError(stopped).Code(), stopped.Error(), "")
	}
	switch {
	case tlsFailure(err):
		return noAnswer(method, orgID, KindHandshake, TransportREST, "TLS handshake failed: "+err.Error())
	case !t.answered.Load():
		return noAnswer(method, orgID, KindUnreachable, TransportREST, err.Error())
	}
	return noAnswer(method, orgID, KindTransient, TransportREST, err.Error())
}

// notZITADEL is an HTTP answer that did not come from ZITADEL's API:
// a proxy's error page, a redirect, or another service at the address. A
// gateway's "try again" (429, 502 to 504, 520 to 524) is transient, as
// when ZITADEL restarts behind it.
func (t *restTransport) notZITADEL(r rpc, orgID string, res *http.Response, what string) *Error {
	kind := KindNotZITADEL
	if gatewayStatus(res.StatusCode) {
		kind = KindTransient
	}
	if loc := res.Header.Get("Location"); loc != "" && res.StatusCode/100 == 3 {
		// Redirects are never followed: they would turn writes into
		// reads, and carry the extra headers to another host.
		what = "a redirect to " + redactURL(loc)
	}
	e := noAnswer(r.method, orgID, kind, TransportREST, fmt.Sprintf("%s %s answered HTTP %s with %s (Content-Type %q)", r.rest.Verb, res.Request.URL.Path, res.Status, what, res.Header.Get("Content-Type")))
	e.HTTPStatus = res.StatusCode
	return e
}

// encodeREST fills a route's path from the request and encodes what is
// left as the JSON body or, for a route without one, as query parameters
// (contract sections 1 to 3: the keys of a v2 delete travel in the query).
func encodeREST(rt httprule.Route, req proto.Message) (string, []byte, error) {
	msg := proto.Clone(req).ProtoReflect()
	fields := msg.Descriptor().Fields()
	path := rt.Path
	for {
		i := strings.IndexByte(path, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(path[i:], '}') + i
		fd := fields.ByName(protoreflect.Name(path[i+1 : j]))
		if fd == nil {
			return "", nil, fmt.Errorf("route %s: no field %s", rt.Path, path[i+1:j])
		}
		path = path[:i] + url.PathEscape(msg.Get(fd).String()) + path[j+1:]
		msg.Clear(fd)
	}
	if rt.Body {
		body, err := protojson.Marshal(msg.Interface())
		return path, body, err
	}
	q := url.Values{}
	var err error
	msg.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.Message() != nil || fd.IsMap() || fd.Kind() == protoreflect.BytesKind:
			err = fmt.Errorf("route %s: field %s cannot travel as a query parameter", rt.Path, fd.Name())
			return false
		case fd.IsList():
			for i := 0; i < v.List().Len(); i++ {
				q.Add(string(fd.Name()), v.List().Get(i).String())
			}
		default:
			q.Add(string(fd.Name()), v.String())
		}
		return true
	})
	if err != nil || len(q) == 0 {
		return path, nil, err
	}
	return path + "?" + q.Encode(), nil, nil
}

// entrySize is how much one entry adds to a bulk set's JSON body:
// {"key":"…","value":"<base64>"}, plus the two spaces protojson may add
// after separators (it varies its whitespace from build to build).
func (*restTransport) entrySize(key string, value []byte) int {
	return len(`{"key":,"value":""}, `) + 2 + jsonStringSize(key) + base64.StdEncoding.EncodedLen(len(value))
}

// keySize is how much one key adds to a bulk remove: to v1's JSON body
// ("…", and a space) or to v2's query string (keys=…&).
func (*restTransport) keySize(key string) int {
	return max(jsonStringSize(key)+2, len("keys=&")+len(url.QueryEscape(key)))
}

// limit is the chunk size, or for a route whose items travel in the query
// string, what a request line may carry.
func (*restTransport) limit(r rpc, chunkBytes int) int {
	if !r.rest.Body {
		return maxQueryBytes
	}
	return chunkBytes
}

// redactURL is a redirect target without its query (it may carry
// tokens).
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "another address"
	}
	u.RawQuery, u.Fragment, u.User = "", "", nil
	return u.String()
}

func jsonStringSize(s string) int {
	b, _ := json.Marshal(s)
	return len(b)
}
