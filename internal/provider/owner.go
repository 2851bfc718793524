package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/zitadel"
)

// configuredData is what Configure handed to resources and data sources;
// nil before the provider is configured (e.g. during validation).
func configuredData(pd any, diags *diag.Diagnostics) *providerData {
	if pd == nil {
		return nil
	}
	data, ok := pd.(*providerData)
	if !ok {
		diags.AddError("Unexpected Provider Data", fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider.", pd))
	}
	return data
}

// resolveOrg returns the organization a resource or data source acts on:
// its own org_id, else the provider's, else the caller's own organization as
// ZITADEL resolves it.
func (d *providerData) resolveOrg(ctx context.Context, configured types.String) (string, error) {
	if id := configuredOrg(configured); id != "" {
		return id, nil
	}
	if d.defaultOrgID != "" {
		return d.defaultOrgID, nil
	}
	return d.callerOrg(ctx)
}

// configuredOrg is an org_id attribute as an organization id: trimmed, and
// "" when null, unknown or blank, which all mean "not set".
func configuredOrg(v types.String) string {
	return strings.TrimSpace(v.ValueString())
}

// callerOrg asks ZITADEL once per provider which organization the
// credentials belong to.
func (d *providerData) callerOrg(ctx context.Context) (string, error) {
	d.callerMu.Lock()
	defer d.callerMu.Unlock()
	if d.callerID != "" {
		return d.callerID, nil
	}
	org, err := d.api.GetOrg(ctx, "")
	if err != nil {
		return "", err
	}
	d.callerID = org.ID
	return org.ID, nil
}

// ownerName names an owner in messages: "organization <id>" or "user <id>".
func ownerName(o zitadel.Owner) string {
	if o.ID() == "" {
		return "the caller's own organization"
	}
	return o.Noun() + " " + o.ID()
}

// capital upper-cases the first letter of a message fragment.
func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// readOwner returns the metadata entries of an owner that match the
// filters (all of them without), by key, or gone when the owner no longer
// exists; see readEntries.
func (d *providerData) readOwner(ctx context.Context, owner zitadel.Owner, filters ...zitadel.KeyFilter) (map[string][]byte, bool, error) {
	entries, gone, err := d.readEntries(ctx, owner, filters)
	if err != nil || gone {
		return nil, gone, err
	}
	return entriesByKey(entries), false, nil
}

// readEntries searches an owner's metadata, sorted by key, or tells that
// the owner is gone. Neither an empty search nor a missing membership
// proves that (ZITADEL answers a removed organization's or user's search
// with an empty list, and every call of a caller whose membership went with
// a removed organization with AUTHZ-cdgFk), so both are checked against
// the owner's lookup; when the owner is there after all, the search's own
// answer stands. An organization the management API says does not exist
// (AUTH-Bs7Ds) is gone without asking again.
func (d *providerData) readEntries(ctx context.Context, owner zitadel.Owner, filters []zitadel.KeyFilter) ([]zitadel.Entry, bool, error) {
	return d.searchOwner(ctx, owner, filters, false)
}

// searchOwner is readEntries; with lookAhead, an owner this walk has not
// found in place yet is looked up beside the search rather than after an
// empty answer, so that answer costs no second round trip. The lookup is
// dropped when the search finds keys.
func (d *providerData) searchOwner(ctx context.Context, owner zitadel.Owner, filters []zitadel.KeyFilter, lookAhead bool) ([]zitadel.Entry, bool, error) {
	removed := func() (bool, error) { return d.ownerRemoved(ctx, owner) }
	if lookAhead && !d.seenAlive(owner) {
		lctx, cancel := context.WithCancel(ctx)
		defer cancel()
		type answer struct {
			gone bool
			err  error
		}
		ahead := make(chan answer, 1)
		go func() {
			gone, err := d.ownerRemoved(lctx, owner)
			ahead <- answer{gone, err}
		}()
		removed = func() (bool, error) {
			a := <-ahead
			return a.gone, a.err
		}
	}
	entries, err := d.api.ListMetadata(ctx, owner, filters)
	switch {
	case zitadel.IsKind(err, zitadel.KindOrgNotFound) && !owner.IsUser():
		return nil, true, nil
	case err == nil && len(entries) > 0:
		return entries, false, nil
	case err != nil && !zitadel.IsKind(err, zitadel.KindNoMembership):
		return nil, false, err
	}
	gone, gerr := removed()
	switch {
	case gerr == nil && gone:
		return nil, true, nil
	case err != nil:
		return nil, false, err
	}
	return entries, false, gerr
}

// ownerRemoved tells whether an owner is gone (zitadel.Client.OwnerGone),
// asking at most once per walk for an owner found in place.
func (d *providerData) ownerRemoved(ctx context.Context, owner zitadel.Owner) (bool, error) {
	if d.seenAlive(owner) {
		return false, nil
	}
	gone, err := d.api.OwnerGone(ctx, owner)
	if err == nil && !gone {
		d.markAlive(owner)
	}
	return gone, err
}

// seenAlive tells whether this walk has already found the owner in place
// (a plan looks a new resource's user up, then its empty search would
// again): only "it exists" is remembered, never "it is gone", so a
// forgotten removal can only fail a write, never drop a key from state.
func (d *providerData) seenAlive(owner zitadel.Owner) bool {
	_, ok := d.alive.Load(owner)
	return ok
}

// markAlive records that the owner was found in place in this walk.
func (d *providerData) markAlive(owner zitadel.Owner) { d.alive.Store(owner, true) }

// wrongOrgDetail explains a wrong org_id next to a user_id.
func wrongOrgDetail(e *zitadel.WrongOrgError) string {
	return fmt.Sprintf("User %s belongs to organization %s, but org_id says %s. Set org_id = %q, or omit it: the provider then looks the user's organization up.", e.UserID, e.Actual, e.Given, e.Actual)
}

// searchPrefix is the prefix a search for a resource's keys is narrowed to:
// none for an exclusive resource, which meets every key, else the prefix
// its keys share.
func searchPrefix(exclusive bool, keys []string) string {
	if exclusive {
		return ""
	}
	return sharedPrefix(keys)
}

// prefixFilter narrows a search to the keys starting with prefix; "" is no
// filter: every key is read.
func prefixFilter(prefix string) []zitadel.KeyFilter {
	if prefix == "" {
		return nil
	}
	return []zitadel.KeyFilter{{Key: prefix, Method: zitadel.StartsWith}}
}

// sharedPrefix is the longest prefix all keys share that a search can use
// literally, cut at a character boundary; "" without keys. ZITADEL escapes
// % and _ for its LIKE, but not the backslash, which is LIKE's escape
// character in PostgreSQL: a prefix stops before one.
func sharedPrefix(keys []string) string {
	prefix := zitadel.CommonPrefix(keys)
	if i := strings.IndexByte(prefix, '\\'); i >= 0 {
		prefix = prefix[:i]
	}
	return prefix
}
