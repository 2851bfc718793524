package provider

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

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
	if o.IsUser() {
		return "user " + o.UserID
	}
	if o.OrgID == "" {
		return "the caller's own organization"
	}
	return "organization " + o.OrgID
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
// exists. An empty search is no proof of that (ZITADEL answers a removed
// organization's or user's search with an empty list), so an empty result
// is checked against the owner's state.
func (d *providerData) readOwner(ctx context.Context, owner zitadel.Owner, filters ...zitadel.KeyFilter) (map[string][]byte, bool, error) {
	entries, err := d.api.ListMetadata(ctx, owner, filters)
	if zitadel.IsKind(err, zitadel.KindOrgNotFound) && !owner.IsUser() {
		return nil, true, nil
	}
	if err != nil {
		return nil, false, err
	}
	if len(entries) > 0 {
		return entriesByKey(entries), false, nil
	}
	gone, err := d.ownerRemoved(ctx, owner)
	return map[string][]byte{}, gone, err
}

// ownerRemoved tells whether an owner whose search came back empty is
// gone: a removed organization or user answers searches with an empty
// list, so only its lookup tells. A user found in another organization
// than the one asked for is an error that names its own.
func (d *providerData) ownerRemoved(ctx context.Context, owner zitadel.Owner) (bool, error) {
	if d.seenAlive(owner) {
		return false, nil
	}
	gone, err := d.lookupRemoved(ctx, owner)
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

// lookupRemoved asks ZITADEL whether an owner is gone; see ownerRemoved.
func (d *providerData) lookupRemoved(ctx context.Context, owner zitadel.Owner) (bool, error) {
	if owner.IsUser() {
		// The user service v2 finds the user in any organization, so one
		// of another organization is told apart from a removed one.
		u, err := d.api.GetUser(ctx, owner)
		if zitadel.IsKind(err, zitadel.KindUserNotFound) {
			return true, nil
		}
		if err != nil {
			return false, err
		}
		if u.Removed {
			return true, nil
		}
		if owner.OrgID != "" && u.OrgID != "" && u.OrgID != owner.OrgID {
			return false, &wrongOrgError{user: owner.UserID, given: owner.OrgID, actual: u.OrgID}
		}
		return false, nil
	}
	org, err := d.api.GetOrg(ctx, owner.OrgID)
	if zitadel.IsKind(err, zitadel.KindOrgNotFound) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return !org.Exists(), nil
}

// wrongOrgError is a user looked up in an organization it does not belong
// to.
type wrongOrgError struct{ user, given, actual string }

func (e *wrongOrgError) Error() string {
	return fmt.Sprintf("user %s belongs to organization %s, not to organization %s", e.user, e.actual, e.given)
}

// wrongOrgDetail explains a wrong org_id next to a user_id.
func wrongOrgDetail(e *wrongOrgError) string {
	return fmt.Sprintf("User %s belongs to organization %s, but org_id says %s. Set org_id = %q, or omit it: the provider then looks the user's organization up.", e.user, e.actual, e.given, e.actual)
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
// literally, cut at a character boundary; "" without keys.
func sharedPrefix(keys []string) string {
	if len(keys) == 0 {
		return ""
	}
	prefix := keys[0]
	for _, k := range keys[1:] {
		n := 0
		for n < len(prefix) && n < len(k) && prefix[n] == k[n] {
			n++
		}
		prefix = prefix[:n]
	}
	// ZITADEL escapes % and _ for its LIKE, but not the backslash, which is
	// LIKE's escape character in PostgreSQL: a prefix stops before one.
	if i := strings.IndexByte(prefix, '\\'); i >= 0 {
		prefix = prefix[:i]
	}
	for len(prefix) > 0 && !utf8.ValidString(prefix) {
		prefix = prefix[:len(prefix)-1]
	}
	return prefix
}
