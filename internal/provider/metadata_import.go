package provider

// Import: an import ID names the owner and the keys (import_id.go); the
// keys are read from ZITADEL once.

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"golang.org/x/text/unicode/norm"
)

// normalizationHint names the keys of server that equal a missing key in
// Unicode NFC but not byte for byte, as a key written in NFD does: ZITADEL
// compares bytes, and Terraform turns the text of a configuration into NFC.
func normalizationHint(missing []string, server map[string][]byte) string {
	byNFC := map[string][]string{}
	for k := range server {
		if n := norm.NFC.String(k); n != k {
			byNFC[n] = append(byNFC[n], k)
		}
	}
	var found []string
	for _, k := range missing {
		for _, held := range byNFC[norm.NFC.String(k)] {
			found = append(found, fmt.Sprintf("%q as %q", k, held))
		}
	}
	if len(found) == 0 {
		return ""
	}
	slices.Sort(found)
	return fmt.Sprintf(" ZITADEL holds %s: the same text in another Unicode normalization (NFD, not NFC). ZITADEL compares keys byte for byte, and Terraform turns the text of a configuration into NFC, so no configuration can name such a key: rename it in ZITADEL to its NFC form (write it under the new key and remove the old one), then import it.", strings.Join(found, ", "))
}

func (r *metadataResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	summary := "Unable to Import " + r.title()
	// Import has no timeouts block of its own: it gets a read's default.
	ctx, cancel := context.WithTimeout(ctx, defaultTimeouts["read"])
	defer cancel()
	help := importIDHelp(r.e.names().noun)
	id, err := parseImportID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid Import ID", fmt.Sprintf("The import ID %q is not valid: %s. %s", req.ID, err, help))
		return
	}
	owner, err := r.e.importOwner(ctx, r.data, id.Owner)
	if err != nil {
		addOwnerError(&resp.Diagnostics, summary, owner, manageAccess, err)
		return
	}
	server, gone, err := r.data.readOwner(ctx, owner)
	if err != nil {
		addAPIError(&resp.Diagnostics, summary, "searching the metadata", owner, manageAccess, err)
		return
	}
	if gone {
		resp.Diagnostics.AddError(summary, fmt.Sprintf("%s does not exist or was removed. Check the %s id in the import ID.", capital(ownerName(owner)), r.e.names().noun))
		return
	}
	keys := id.Keys
	if keys == nil {
		keys = sortedKeys(server)
	}
	var missing []string
	for _, k := range keys {
		if _, ok := server[k]; !ok {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		resp.Diagnostics.AddError(summary, fmt.Sprintf("%s has no metadata with the keys %s. Check the spelling (keys are case-sensitive) and the escapes in the import ID.%s %s", capital(ownerName(owner)), listKeys(missing), normalizationHint(missing, server), help))
		return
	}
	var m metadataObject
	m.Exclusive = types.BoolValue(false)
	m.Timeouts = nullTimeouts()
	r.e.record(&m, owner)
	null := types.MapNull(types.StringType)
	m.SensitiveValuesWO = null
	m.setKeys(adopt(server, keys), metadataModel{Values: null, BinaryValues: null, SensitiveValues: null})
	r.set(ctx, &resp.State, m, &resp.Diagnostics)
}
