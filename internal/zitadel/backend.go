package zitadel

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// The metadata APIs a client can speak (Config.APIVersion).
const (
	// APIAuto uses v1 while the server serves it and v2 when it does not,
	// decided on the first call that gets an answer.
	APIAuto = "auto"
	// APIV1 is the management API v1 (BulkSetOrgMetadata, ListOrgMetadata,
	// BulkRemoveOrgMetadata, GetMyOrg): every ZITADEL v2 to v4.
	APIV1 = "v1"
	// APIV2 is the organization service v2 (SetOrganizationMetadata,
	// ListOrganizationMetadata, DeleteOrganizationMetadata,
	// ListOrganizations): ZITADEL v4.7 and later.
	APIV2 = "v2"
)

// APIVersions lists the accepted values of Config.APIVersion.
var APIVersions = []string{APIAuto, APIV1, APIV2}

// MinV2Version is the first ZITADEL release that serves the organization
// service v2's metadata calls.
const MinV2Version = "4.7"

// backend is one metadata API. It makes single calls (with the client's
// retries); the engine in metadata.go pages, chunks, sorts and checks on
// top of it, the same for every backend.
type backend interface {
	// version is APIV1 or APIV2 (APIAuto until decided).
	version() string
	// getOrg tells which organization orgID ("" for the caller's own)
	// is and whether it exists.
	getOrg(ctx context.Context, orgID string) (Org, error)
	// getUser finds a user: its organization and state.
	getUser(ctx context.Context, owner Owner) (User, error)
	// listPage reads one page of a search. total is the number of matches
	// the server reports, 0 for an empty page.
	listPage(ctx context.Context, owner Owner, filters []KeyFilter, offset uint64, limit int) (page []Entry, total uint64, err error)
	// set writes entries in one atomic call.
	set(ctx context.Context, owner Owner, entries []KV) error
	// remove removes keys in one atomic call; a missing key fails it with
	// KindKeysMissing.
	remove(ctx context.Context, owner Owner, keys []string) error
	// writes are the calls set and remove make for an owner, for sizing
	// requests.
	writes(owner Owner) (set, remove rpc)
}

// backendFor builds the backend Config.APIVersion names.
func (c *Client) backendFor(version string) (backend, error) {
	switch version {
	case APIV1:
		return c.v1, nil
	case APIV2:
		return c.v2, nil
	case "", APIAuto:
		return &autoAPI{v1: c.v1, v2: c.v2}, nil
	}
	return nil, fmt.Errorf("api version %q is not one of %q, %q and %q", version, APIAuto, APIV1, APIV2)
}

// APIVersion is the metadata API the client uses: APIV1 or APIV2, or
// APIAuto while that is not decided yet.
func (c *Client) APIVersion() string { return c.api.version() }

// autoAPI speaks v1 while the server serves it and v2 when it does not.
// The first call that gets an answer decides, once per client: v1's
// Unimplemented without a ZITADEL error id (a server that dropped the
// management API, or a gateway that knows no such route) switches to v2
// and repeats the call there, unless v2 is missing too; success or an
// error of ZITADEL's own (with its error id) settles v1. Anything else
// (unreachable, timeouts, a proxy's answer) decides nothing.
type autoAPI struct {
	v1, v2 backend

	mu     sync.Mutex
	chosen backend
}

func (a *autoAPI) current() backend {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.chosen
}

func (a *autoAPI) choose(ctx context.Context, b backend, why string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.chosen == nil {
		a.chosen = b
		tflog.Debug(ctx, "api_version auto: chose the ZITADEL metadata API", map[string]any{"api_version": b.version(), "why": why})
	}
}

func (a *autoAPI) version() string {
	if b := a.current(); b != nil {
		return b.version()
	}
	return APIAuto
}

// autoCall runs op on the chosen backend, or decides one with it.
func autoCall[T any](ctx context.Context, a *autoAPI, op func(backend) (T, error)) (T, error) {
	if b := a.current(); b != nil {
		out, err := op(b)
		return out, a.mark(b, err)
	}
	out, err := op(a.v1)
	switch {
	case apiMissing(err):
		out, err = op(a.v2)
		if apiMissing(err) {
			// Neither API answers: more likely a wrong address or a proxy
			// than a ZITADEL; decide nothing and say so.
			var e *Error
			if errors.As(err, &e) {
				e.API = APIAuto
			}
			return out, err
		}
		a.choose(ctx, a.v2, "the server does not serve the management API v1")
		err = a.mark(a.v2, err)
	case err == nil || zitadelAnswer(err):
		a.choose(ctx, a.v1, "the server serves the management API v1")
	}
	return out, err
}

// mark notes on an error of v2 that auto chose it.
func (a *autoAPI) mark(b backend, err error) error {
	var e *Error
	if b == a.v2 && errors.As(err, &e) {
		e.AutoChosen = true
	}
	return err
}

// apiMissing tells an Unimplemented that says the server lacks the API
// (no ZITADEL error id) from one ZITADEL raised itself.
func apiMissing(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == KindUnimplemented && e.ID == ""
}

// zitadelAnswer tells an error ZITADEL itself answered (it carries one of
// its error ids) from anything else.
func zitadelAnswer(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.ID != "" && !e.Concluded
}

func (a *autoAPI) writes(owner Owner) (set, remove rpc) {
	if b := a.current(); b != nil {
		return b.writes(owner)
	}
	return a.v1.writes(owner)
}

func (a *autoAPI) getOrg(ctx context.Context, orgID string) (Org, error) {
	return autoCall(ctx, a, func(b backend) (Org, error) { return b.getOrg(ctx, orgID) })
}

func (a *autoAPI) getUser(ctx context.Context, owner Owner) (User, error) {
	return autoCall(ctx, a, func(b backend) (User, error) { return b.getUser(ctx, owner) })
}

type pageResult struct {
	page  []Entry
	total uint64
}

func (a *autoAPI) listPage(ctx context.Context, owner Owner, filters []KeyFilter, offset uint64, limit int) ([]Entry, uint64, error) {
	r, err := autoCall(ctx, a, func(b backend) (pageResult, error) {
		page, total, err := b.listPage(ctx, owner, filters, offset, limit)
		return pageResult{page, total}, err
	})
	return r.page, r.total, err
}

func (a *autoAPI) set(ctx context.Context, owner Owner, entries []KV) error {
	_, err := autoCall(ctx, a, func(b backend) (struct{}, error) { return struct{}{}, b.set(ctx, owner, entries) })
	return err
}

func (a *autoAPI) remove(ctx context.Context, owner Owner, keys []string) error {
	_, err := autoCall(ctx, a, func(b backend) (struct{}, error) { return struct{}{}, b.remove(ctx, owner, keys) })
	return err
}
