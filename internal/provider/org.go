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

// readOrg returns the metadata entries of an organization that match the
// filters (all of them without), by key, or gone
// when the organization no longer exists. An empty search is no proof of
// that (ZITADEL answers a removed organization's search with an empty
// list), so an empty result is checked against the organization's state.
func (d *providerData) readOrg(ctx context.Context, orgID string, filters ...zitadel.KeyFilter) (map[string][]byte, bool, error) {
	entries, err := d.api.ListMetadata(ctx, zitadel.OrgOwner(orgID), filters)
	if zitadel.IsKind(err, zitadel.KindOrgNotFound) {
		return nil, true, nil
	}
	if err != nil {
		return nil, false, err
	}
	if len(entries) > 0 {
		return entriesByKey(entries), false, nil
	}
	gone, err := d.orgRemoved(ctx, orgID)
	return map[string][]byte{}, gone, err
}

// orgRemoved tells whether an organization whose search came back empty is
// gone: a removed organization answers searches with an empty list, so only
// its state (or its absence) tells.
func (d *providerData) orgRemoved(ctx context.Context, orgID string) (bool, error) {
	org, err := d.api.GetOrg(ctx, orgID)
	if zitadel.IsKind(err, zitadel.KindOrgNotFound) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return !org.Exists(), nil
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
