package zitadel

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
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
	// KindNotGRPC: something answered a gRPC call, but not in gRPC (an
	// HTTP status or page of a proxy in between, or a refused HTTP/2
	// handshake), and no gRPC answer ever came in this process.
	KindNotGRPC
	// KindNotZITADEL: a REST call got an HTTP answer that is not ZITADEL's
	// (a proxy's error page, or another service at the address).
	KindNotZITADEL
	// KindNoH2: the TLS server did not agree to HTTP/2 (ALPN), which gRPC
	// needs: a proxy that only speaks HTTP/1.1.
	KindNoH2
	// KindUserNotFound: the user does not exist, was removed, or is not a
	// user of the organization the call named (COMMAND-uXHNj on writes,
	// QUERY-Dfbg2 from the user lookup).
	KindUserNotFound
	// KindRequestTooLarge: the request was not sent because it would exceed
	// the transport's limit (the chosen transport changed after the
	// request was sized); size it again.
	KindRequestTooLarge
)

// Error is a failed ZITADEL call, classified.
type Error struct {
	// Method is the short RPC name, e.g. "BulkSetOrgMetadata".
	Method string
	// OrgID is the organization the call acted on ("" for the caller's own).
	OrgID string
	// UserID is the user whose metadata the call acted on, if any.
	UserID string
	Code   codes.Code
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
	// Transport is how the failed attempt travelled (TransportGRPC,
	// TransportREST, or TransportAuto when both were tried); "" for an
	// answer of ZITADEL.
	Transport string
	// Gateway marks a gRPC call answered by a gateway's "try again" status
	// before ZITADEL ever answered over gRPC: ZITADEL may be restarting
	// behind it, or the gateway may not pass gRPC at all.
	Gateway bool
	// HTTPStatus is the HTTP status of a REST answer, or of the answer a
	// proxy gave to a gRPC call when known; 0 otherwise.
	HTTPStatus int
	// AutoChosen marks an error of the organization service v2 that
	// api_version auto chose because the server lacks v1.
	AutoChosen bool
	// Concluded marks an error the client concluded from answers that were
	// all OK (KindNoAccess, KindOrgNotFound from a v2 organization search,
	// KindOrgRequired); Code is then not an answer of ZITADEL.
	Concluded bool
	// Stopped is set when the provider stopped waiting for the call
	// itself: context.DeadlineExceeded when its time ran out,
	// context.Canceled when it was interrupted. Waited is how long the call
	// had been going on then, retries included. Code then tells nothing of
	// ZITADEL.
	Stopped error
	Waited  time.Duration
	// Last is ZITADEL's last answer before the provider stopped waiting
	// ("Unavailable: ..."), when it was one the provider meant to retry.
	Last string
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

// classify makes any error of an attempt an *Error. Transports return
// *Error already; anything else is unexpected and classified as KindOther.
func classify(method, orgID string, err error) *Error {
	var already *Error
	if errors.As(err, &already) {
		return already
	}
	return &Error{Method: method, OrgID: orgID, Code: codes.Unknown, Message: err.Error(), Kind: KindOther}
}

// kindOf classifies an answer of ZITADEL by its error id, then its code
// (and, for Unknown, the event-store conflict in its message). Failures to
// get an answer are classified by the transport that saw them.
func kindOf(e *Error) Kind {
	switch e.ID {
	case "AUTHZ-cdgFk":
		return KindNoMembership
	case "AUTH-5mWD2":
		return KindPermissionDenied
	case "AUTH-Bs7Ds", "COMMAND-QXPGs":
		return KindOrgNotFound
	case "META-2npds", "META-2nnds", "META-mcnw3", "QUERY-Rph32":
		return KindKeysMissing
	case "COMMAND-uXHNj", "QUERY-Dfbg2", "MANAG-fpo4B":
		return KindUserNotFound
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
