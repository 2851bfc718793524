package zitadel

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/message"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Kind says what an API error means for the caller.
type Kind int

const (
	// KindOther is any error without a more specific meaning.
	KindOther Kind = iota
	// KindInvalidInput: the request was rejected as bad input (InvalidArgument,
	// including ZITADEL's Unknown wrapping of it).
	KindInvalidInput
	// KindUnauthenticated: the token is missing, malformed, invalid or expired.
	KindUnauthenticated
	// KindNoMembership: the caller has no membership in the organization
	// (NotFound on the wire, but nothing is gone).
	KindNoMembership
	// KindPermissionDenied: the caller is a member but lacks the permission.
	KindPermissionDenied
	// KindOrgNotFound: the organization never existed (AUTH-Bs7Ds) or was
	// removed (COMMAND-QXPGs).
	KindOrgNotFound
	// KindKeysMissing: a key to get or remove does not exist.
	KindKeysMissing
	// KindTransient: worth retrying (Unavailable, ResourceExhausted, the
	// event-store write conflict).
	KindTransient
	// KindTimeout: the deadline passed.
	KindTimeout
	// KindCanceled: the caller gave up.
	KindCanceled
	// KindTooLarge: a request or response exceeded a gRPC size limit.
	KindTooLarge
	// KindHandshake: the TLS handshake failed (untrusted certificate, or TLS
	// against a plaintext server): a configuration problem, not retried.
	KindHandshake
	// KindUnreachable: no connection could be made (refused, unknown host,
	// unreachable network) and none ever was: most likely a wrong domain or
	// port, so it is retried only briefly.
	KindUnreachable
	// KindUnimplemented: the server does not serve the call (a ZITADEL
	// without that API, or a proxy that does not know its route). API
	// names the API that is missing.
	KindUnimplemented
	// KindNoAccess: the organization exists but the caller may not read it.
	// The organization service v2 answers such a caller's search with an
	// empty list instead of an error; the client found out by asking.
	KindNoAccess
	// KindOrgRequired: the call needs an organization id and none was
	// given: the organization service v2 has no way to name "the caller's
	// own organization".
	KindOrgRequired
)

// Error is a failed ZITADEL call, classified.
type Error struct {
	// Method is the short RPC name, e.g. "BulkSetOrgMetadata".
	Method string
	// OrgID is the organization the call acted on ("" for the caller's own).
	OrgID string
	Code  codes.Code
	// Message is ZITADEL's message, unwrapped from the Unknown quirk.
	Message string
	// ID is ZITADEL's error id, e.g. "META-2npds", when it sent one.
	ID   string
	Kind Kind
	// Attempts is how many times the call was tried.
	Attempts int
	// Addr is the host:port the client dials, for KindUnreachable and
	// KindUnimplemented.
	Addr string
	// API is the metadata API the call belonged to (APIV1 or APIV2), for
	// KindUnimplemented and KindOrgRequired.
	API string
	// Concluded marks an error the client concluded from answers that were
	// all OK (KindNoAccess, KindOrgNotFound from a v2 organization search,
	// KindOrgRequired); Code is then not an answer of ZITADEL.
	Concluded bool
}

func (e *Error) Error() string {
	s := fmt.Sprintf("%s: %s: %s", e.Method, e.Code, e.Message)
	if e.Attempts > 1 {
		s += fmt.Sprintf(" (after %d attempts)", e.Attempts)
	}
	return s
}

// IsKind reports whether err is an *Error of kind k.
func IsKind(err error, k Kind) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == k
}

// wrapped matches ZITADEL v4.11 to v4.13.1 folding a status into Unknown:
// "rpc error: code = InvalidArgument desc = ... ()".
var wrapped = regexp.MustCompile(`^rpc error: code = (\w+) desc = (.*?)(?: \(\))?$`)

var idSuffix = regexp.MustCompile(`\(([A-Za-z]+-[A-Za-z0-9]+)\)$`)

var codeNames = map[string]codes.Code{}

func init() {
	for c := codes.OK; c <= codes.Unauthenticated; c++ {
		codeNames[c.String()] = c
	}
}

// classify turns a gRPC error into an *Error.
func classify(method, orgID string, err error) *Error {
	var already *Error
	if errors.As(err, &already) {
		return already
	}
	st, _ := status.FromError(err)
	e := &Error{Method: method, OrgID: orgID, Code: st.Code(), Message: st.Message()}
	if e.Code == codes.Unknown {
		if m := wrapped.FindStringSubmatch(e.Message); m != nil {
			if c, ok := codeNames[m[1]]; ok {
				e.Code, e.Message = c, m[2]
			}
		}
	}
	for _, d := range st.Details() {
		if ed, ok := d.(*message.ErrorDetail); ok {
			e.ID = ed.GetId()
		}
	}
	if e.ID == "" {
		if m := idSuffix.FindStringSubmatch(e.Message); m != nil {
			e.ID = m[1]
		}
	}
	e.Kind = kindOf(e)
	return e
}

func kindOf(e *Error) Kind {
	switch e.ID {
	case "AUTHZ-cdgFk":
		return KindNoMembership
	case "AUTH-5mWD2":
		return KindPermissionDenied
	case "AUTH-Bs7Ds", "COMMAND-QXPGs":
		return KindOrgNotFound
	case "META-2npds", "META-mcnw3", "QUERY-Rph32":
		return KindKeysMissing
	}
	if e.Code == codes.ResourceExhausted && strings.Contains(e.Message, "larger than max") {
		return KindTooLarge
	}
	if e.Code == codes.Unavailable && strings.Contains(e.Message, handshakeFailed) {
		return KindHandshake
	}
	switch e.Code {
	case codes.InvalidArgument:
		return KindInvalidInput
	case codes.Unauthenticated:
		return KindUnauthenticated
	case codes.PermissionDenied:
		return KindPermissionDenied
	case codes.Unavailable, codes.ResourceExhausted:
		return KindTransient
	case codes.DeadlineExceeded:
		return KindTimeout
	case codes.Canceled:
		return KindCanceled
	case codes.Unimplemented:
		return KindUnimplemented
	case codes.Unknown:
		if isWriteConflict(e.Message) {
			return KindTransient
		}
	case codes.NotFound:
		if strings.Contains(strings.ToLower(e.Message), "membership") {
			return KindNoMembership
		}
	}
	return KindOther
}

// isWriteConflict recognises the event-store conflict concurrent writes to
// one organization cause: Unknown with SQLSTATE 23505 on the events table.
func isWriteConflict(msg string) bool {
	return strings.Contains(msg, "SQLSTATE 23505")
}

// handshakeFailed is how gRPC reports a failed TLS handshake.
const handshakeFailed = "authentication handshake failed"

func isHandshakeFailure(err error) bool {
	return strings.Contains(status.Convert(err).Message(), handshakeFailed)
}
