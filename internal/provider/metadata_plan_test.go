package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/fakezitadel"
	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/zitadel"
)

// diagText joins summaries and details of one severity.
func diagText(diags diag.Diagnostics, sev diag.Severity) string {
	var b strings.Builder
	for _, d := range diags {
		if d.Severity() == sev {
			b.WriteString(d.Summary() + ": " + d.Detail() + "\n")
		}
	}
	return b.String()
}

func TestPlanChecksReadTheServerOnce(t *testing.T) {
	forEachWire(t, planChecksReadTheServerOnce)
}

func planChecksReadTheServerOnce(t *testing.T, api, transport string) {
	srv, fx := fakezitadel.StartTest(t, fakezitadel.Options{})
	org := fx.OrgID
	srv.SetMetadata(org, "same", []byte("1"))
	srv.SetMetadata(org, "other", []byte("theirs"))
	srv.SetMetadata(org, "foreign", []byte("x"))
	client := testClient(t, srv, fx.OwnerToken, func(c *zitadel.Config) { c.APIVersion, c.Transport = api, transport })
	r := &metadataResource{data: &providerData{api: client}, e: orgEntity{}}
	ctx := t.Context()
	srv.ResetCalls()

	use := func(exclusive bool, ks keySet) *plannedUse {
		u := &plannedUse{create: true, exclusive: exclusive, keeps: map[string]string{}}
		for k, v := range ks {
			u.keeps[k] = mapAttr[v.in]
		}
		return u
	}
	t.Run("adopts equal keys with a warning", func(t *testing.T) {
		var d diag.Diagnostics
		desired := keySet{"same": textValue("1"), "new": textValue("n")}
		r.checkCreate(ctx, zitadel.OrgOwner(org), use(false, desired), desired, true, nil, &d)
		if d.HasError() || !strings.Contains(diagText(d, diag.SeverityWarning), `Existing Metadata Adopted: Organization `+org+` already holds "same"`) {
			t.Fatalf("diagnostics: %v", d)
		}
	})
	t.Run("another value is an error", func(t *testing.T) {
		var d diag.Diagnostics
		desired := keySet{"other": textValue("mine")}
		r.checkCreate(ctx, zitadel.OrgOwner(org), use(false, desired), desired, true, nil, &d)
		if !strings.Contains(diagText(d, diag.SeverityError), `Keys that exist with a different value: "other"`) {
			t.Fatalf("diagnostics: %v", d)
		}
	})
	t.Run("an exclusive resource names what it would remove", func(t *testing.T) {
		var d diag.Diagnostics
		desired := keySet{"same": textValue("1"), "other": textValue("theirs")}
		r.checkCreate(ctx, zitadel.OrgOwner(org), use(true, desired), desired, true, nil, &d)
		if !strings.Contains(diagText(d, diag.SeverityError), `an exclusive resource would remove: "foreign"`) {
			t.Fatalf("diagnostics: %v", d)
		}
	})
	t.Run("a replacement's own keys are no conflict", func(t *testing.T) {
		var d diag.Diagnostics
		desired := keySet{"other": textValue("theirs")}
		pred := &plannedUse{held: map[string]bool{"other": true}}
		r.checkCreate(ctx, zitadel.OrgOwner(org), use(false, desired), desired, true, pred, &d)
		if len(d) != 0 {
			t.Fatalf("diagnostics: %v", d)
		}
	})
	t.Run("a replacement that changes its own keys fails", func(t *testing.T) {
		var d diag.Diagnostics
		desired := keySet{"other": textValue("mine")}
		pred := &plannedUse{held: map[string]bool{"other": true}}
		r.checkCreate(ctx, zitadel.OrgOwner(org), use(false, desired), desired, true, pred, &d)
		if !strings.Contains(diagText(d, diag.SeverityError), `Replacement Changes Its Own Keys`) {
			t.Fatalf("diagnostics: %v", d)
		}
	})
	t.Run("an update fails on the keys it would overwrite", func(t *testing.T) {
		var d diag.Diagnostics
		null := types.MapNull(types.StringType)
		state := metadataModel{Exclusive: types.BoolValue(false), Values: stringMap(map[string]string{"same": "1"}), BinaryValues: null, SensitiveValues: null}
		prior := keySet{"same": textValue("1")}
		desired := keySet{"same": textValue("1"), "other": textValue("mine")}
		r.checkUpdate(ctx, zitadel.OrgOwner(org), metadataObject{metadataModel: state}, metadataObject{metadataModel: state}, prior, desired, &d)
		if !strings.Contains(diagText(d, diag.SeverityError), `Organization `+org+` already holds "other", which this resource does not manage yet, with another value`) {
			t.Fatalf("diagnostics: %v", d)
		}
	})
	t.Run("an update names the keys it takes in", func(t *testing.T) {
		var d diag.Diagnostics
		null := types.MapNull(types.StringType)
		state := metadataModel{Exclusive: types.BoolValue(false), Values: stringMap(map[string]string{"same": "1"}), BinaryValues: null, SensitiveValues: null}
		plan := state
		plan.Exclusive = types.BoolValue(true)
		prior := keySet{"same": textValue("1")}
		desired := keySet{"same": textValue("1"), "other": textValue("theirs")}
		r.checkUpdate(ctx, zitadel.OrgOwner(org), metadataObject{metadataModel: state}, metadataObject{metadataModel: plan}, prior, desired, &d)
		w := diagText(d, diag.SeverityWarning)
		if d.HasError() || !strings.Contains(w, `Exclusive Takes In Existing Keys`) || !strings.Contains(w, `holds "foreign", which the configuration lacks`) {
			t.Fatalf("diagnostics: %v", d)
		}
	})
	t.Run("keys the state holds are not taken in: this apply removes them", func(t *testing.T) {
		var d diag.Diagnostics
		null := types.MapNull(types.StringType)
		state := metadataModel{Exclusive: types.BoolValue(false), Values: stringMap(map[string]string{"same": "1", "other": "theirs"}), BinaryValues: null, SensitiveValues: null}
		plan := state
		plan.Exclusive, plan.Values = types.BoolValue(true), stringMap(map[string]string{"same": "1"})
		prior := keySet{"same": textValue("1"), "other": textValue("theirs")}
		desired := keySet{"same": textValue("1")}
		r.checkUpdate(ctx, zitadel.OrgOwner(org), metadataObject{metadataModel: state}, metadataObject{metadataModel: plan}, prior, desired, &d)
		w := diagText(d, diag.SeverityWarning)
		if d.HasError() || !strings.Contains(w, `holds "foreign", which the configuration lacks`) || strings.Contains(w, `"other"`) {
			t.Fatalf("diagnostics: %v", d)
		}
	})
	// One search served every check of the walk.
	if n := srv.Calls(methodsOf[api].List); n != 1 {
		t.Fatalf("%d searches for the plans of one organization, want 1", n)
	}
}

func TestExclusiveOffWarning(t *testing.T) {
	exclusiveOffWarning := func(ctx context.Context, state, plan metadataModel) string {
		prior, d1 := state.keys()
		desired, complete := plan.knownKeys()
		if d1.HasError() {
			t.Fatal(d1)
		}
		return exclusiveOffWarning(state, plan, prior, desired, complete)
	}
	null := types.MapNull(types.StringType)
	state := metadataModel{Exclusive: types.BoolValue(true), Values: stringMap(map[string]string{"mine": "1", "foreign": "x"}), BinaryValues: null, SensitiveValues: null}
	plan := metadataModel{Exclusive: types.BoolValue(false), Values: stringMap(map[string]string{"mine": "1"}), BinaryValues: null, SensitiveValues: null}
	if w := exclusiveOffWarning(context.Background(), state, plan); !strings.Contains(w, `"foreign"`) || strings.Contains(w, `"mine"`) {
		t.Fatalf("warning %q", w)
	}
	plan.Exclusive = types.BoolValue(true)
	if w := exclusiveOffWarning(context.Background(), state, plan); w != "" {
		t.Fatalf("still exclusive, but warned %q", w)
	}
	plan.Exclusive = types.BoolValue(false)
	plan.Values = stringMap(map[string]string{"mine": "1", "foreign": "x"})
	if w := exclusiveOffWarning(context.Background(), state, plan); w != "" {
		t.Fatalf("nothing removed, but warned %q", w)
	}
}
