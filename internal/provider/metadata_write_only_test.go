package provider

// Write-only values (metadata_write_only.go): they reach ZITADEL and leave
// no trace in plans or states, drift is found and repaired, and they take
// part in ownership like every other key.

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/fakezitadel"
	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/zitadel"
	"google.golang.org/grpc/codes"
)

// traces are the forms a secret must not take anywhere: itself, its
// base64, and its unsalted SHA-256 in hex and base64.
func traces(secrets ...string) []string {
	var out []string
	for _, s := range secrets {
		sum := sha256.Sum256([]byte(s))
		out = append(out, s, base64.StdEncoding.EncodeToString([]byte(s)), hex.EncodeToString(sum[:]), base64.StdEncoding.EncodeToString(sum[:]))
	}
	return out
}

// noTrace checks plans (plancheck) and states (statecheck, from terraform
// show -json) for the traces of secrets.
type noTrace struct{ forbidden []string }

func (c noTrace) find(v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	for _, f := range c.forbidden {
		if strings.Contains(string(raw), f) {
			return fmt.Errorf("a write-only value shows (as %q)", truncate(f))
		}
	}
	return nil
}

func (c noTrace) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = c.find(req.Plan)
}

func (c noTrace) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = c.find(req.State)
}

// ephemeralVariable declares an ephemeral string variable: its value, set
// with ConfigVariables, is kept out of plans and states.
func ephemeralVariable(name string) string {
	return fmt.Sprintf("variable %q {\n  type      = string\n  ephemeral = true\n  sensitive = true\n}\n", name)
}

// writeOnlyCLI skips below the CLIs that have write-only attributes.
var writeOnlyCLI = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)}

func TestAccWriteOnly_valuesNeverTouchState(t *testing.T) {
	forEachSubject(t, func(t *testing.T, s *subject) {
		e := s.testEnv
		secret, plain := e.K("secret"), e.K("plain")
		v1, v2 := "wo-first-"+e.K("XyZ"), "wo-second-"+e.K("QwE")
		hidden := noTrace{traces(v1, v2)}
		// The value comes as users pass secrets: an ephemeral variable
		// (a literal would show in the plan's copy of the configuration).
		cfg := func(version int) string {
			lines := []string{attrMap("values", map[string]string{plain: "p"}), "sensitive_values_wo = { " + hclString(secret) + " = var.secret }"}
			if version > 0 {
				lines = append(lines, fmt.Sprintf("sensitive_values_wo_version = %d", version))
			}
			return e.Provider() + ephemeralVariable("secret") + s.resource("test", s.id, lines...)
		}
		secretIs := func(v string) config.Variables { return config.Variables{"secret": config.StringVariable(v)} }
		status := func(want string) statecheck.StateCheck {
			return statecheck.ExpectKnownValue(s.addr, tfjsonpath.New("sensitive_values_wo_keys"), knownvalue.MapExact(map[string]knownvalue.Check{secret: knownvalue.StringExact(want)}))
		}
		planned := func(action plancheck.ResourceActionType, checks ...plancheck.PlanCheck) resource.ConfigPlanChecks {
			return resource.ConfigPlanChecks{PreApply: append([]plancheck.PlanCheck{plancheck.ExpectResourceAction(s.addr, action), hidden}, checks...)}
		}
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: e.factories(),
			TerraformVersionChecks:   writeOnlyCLI,
			Steps: []resource.TestStep{
				{
					Config: cfg(0), ConfigVariables: secretIs(v1),
					ConfigPlanChecks: planned(plancheck.ResourceActionCreate),
					ConfigStateChecks: []statecheck.StateCheck{
						s.holds(s.id, map[string]string{secret: v1, plain: "p"}),
						status(woWritten), hidden,
						statecheck.ExpectKnownValue(s.addr, tfjsonpath.New("sensitive_values_wo"), knownvalue.Null()),
					},
				},
				{Config: cfg(0), ConfigVariables: secretIs(v1), ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
				{
					// Changed outside Terraform: refresh says so, without the value,
					// and the apply writes it back.
					PreConfig: func() { s.set(s.id, secret, []byte("edited by hand")) },
					Config:    cfg(0), ConfigVariables: secretIs(v1),
					ConfigPlanChecks: planned(plancheck.ResourceActionUpdate,
						expectRefreshed(s.addr, map[string]any{"sensitive_values_wo_keys": map[string]any{secret: woChanged}}),
						plancheck.ExpectUnknownValue(s.addr, tfjsonpath.New("sensitive_values_wo_keys"))),
					ConfigStateChecks: []statecheck.StateCheck{s.holds(s.id, map[string]string{secret: v1, plain: "p"}), status(woWritten), hidden},
				},
				{
					PreConfig: func() { s.del(s.id, secret) },
					Config:    cfg(0), ConfigVariables: secretIs(v1),
					ConfigPlanChecks: planned(plancheck.ResourceActionUpdate,
						expectRefreshed(s.addr, map[string]any{"sensitive_values_wo_keys": map[string]any{secret: woRemoved}})),
					ConfigStateChecks: []statecheck.StateCheck{s.holds(s.id, map[string]string{secret: v1, plain: "p"}), status(woWritten), hidden},
				},
				{
					// A new value alone writes nothing (a source that changes on
					// every run must not rotate the secret on every apply)...
					Config: cfg(0), ConfigVariables: secretIs(v2),
					ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan(), hidden}},
					ConfigStateChecks: []statecheck.StateCheck{s.holds(s.id, map[string]string{secret: v1}), hidden},
				},
				{
					// ...nor does an update of another key...
					PreConfig:         e.resetCalls,
					Config:            e.Provider() + ephemeralVariable("secret") + s.resource("test", s.id, attrMap("values", map[string]string{plain: "p2"}), "sensitive_values_wo = { "+hclString(secret)+" = var.secret }"),
					ConfigVariables:   secretIs(v2),
					ConfigPlanChecks:  planned(plancheck.ResourceActionUpdate),
					ConfigStateChecks: []statecheck.StateCheck{s.holds(s.id, map[string]string{secret: v1, plain: "p2"}), s.writes(1, 0), status(woWritten), hidden},
				},
				{
					// ...while a new version writes it.
					Config: cfg(1), ConfigVariables: secretIs(v2),
					ConfigPlanChecks:  planned(plancheck.ResourceActionUpdate),
					ConfigStateChecks: []statecheck.StateCheck{s.holds(s.id, map[string]string{secret: v2, plain: "p"}), status(woWritten), hidden},
				},
				{
					// A new version writes the values again, even unchanged.
					PreConfig: e.resetCalls,
					Config:    cfg(2), ConfigVariables: secretIs(v2),
					ConfigPlanChecks:  planned(plancheck.ResourceActionUpdate),
					ConfigStateChecks: []statecheck.StateCheck{s.holds(s.id, map[string]string{secret: v2}), s.writes(1, 0), status(woWritten), hidden},
				},
				{Config: cfg(2), ConfigVariables: secretIs(v2), ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
				{
					// Dropping the key removes it, like any key.
					Config:            e.Provider() + ephemeralVariable("secret") + s.resource("test", s.id, attrMap("values", map[string]string{plain: "p"})),
					ConfigVariables:   secretIs(v2),
					ConfigPlanChecks:  planned(plancheck.ResourceActionUpdate),
					ConfigStateChecks: []statecheck.StateCheck{s.holds(s.id, map[string]string{plain: "p"}, secret), hidden},
				},
			},
		})
	})
}

// Write-only keys are keys like any other: two resources cannot share one,
// a new resource meets an existing one by its value (adopted when equal,
// an error otherwise), and an exclusive resource keeps its own.
func TestAccWriteOnly_ownership(t *testing.T) {
	forEachSubject(t, func(t *testing.T, s *subject) {
		e := s.testEnv
		k, other := e.K("wo"), e.K("other")
		wo := func(v string) string { return attrMap("sensitive_values_wo", map[string]string{k: v}) }
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: e.factories(),
			TerraformVersionChecks:   writeOnlyCLI,
			Steps: []resource.TestStep{
				{
					Config:      e.Provider() + s.resource("a", s.id, wo("x")) + s.resource("b", s.id, attrMap("values", map[string]string{k: "y"})),
					PlanOnly:    true,
					ExpectError: errorText("Metadata Key Managed by Two Resources", fmt.Sprintf("%q", k)),
				},
				{
					PreConfig:   func() { s.set(s.id, k, []byte("theirs")) },
					Config:      e.Provider() + s.resource("test", s.id, wo("mine")),
					PlanOnly:    true,
					ExpectError: errorText("Keys that exist with a different value: "+fmt.Sprintf("%q", k), fmt.Sprintf("The key %q is in sensitive_values_wo: do not import it", k), "together with sensitive_values_wo_version"),
				},
				{
					// Equal bytes are adopted.
					PreConfig:         func() { s.set(s.id, k, []byte("mine")) },
					Config:            e.Provider() + s.resource("test", s.id, wo("mine")),
					ConfigStateChecks: []statecheck.StateCheck{s.holds(s.id, map[string]string{k: "mine"})},
				},
				{
					// Exclusive: the other key goes, the write-only one stays.
					PreConfig:         func() { s.set(s.id, other, []byte("foreign")) },
					Config:            e.Provider() + s.resource("test", s.spare, "exclusive = true", wo("mine")),
					ConfigStateChecks: []statecheck.StateCheck{s.holds(s.spare, map[string]string{k: "mine"})},
				},
				{
					PreConfig: func() { s.set(s.spare, other, []byte("foreign")) },
					Config:    e.Provider() + s.resource("test", s.spare, "exclusive = true", wo("mine")),
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(s.addr, plancheck.ResourceActionUpdate),
						expectRefreshed(s.addr, map[string]any{"values": map[string]any{other: "foreign"}, "sensitive_values_wo_keys": map[string]any{k: woWritten}}),
					}},
					ConfigStateChecks: []statecheck.StateCheck{s.holds(s.spare, map[string]string{k: "mine"}, other)},
				},
			},
		})
	})
}

// A CLI without write-only attributes fails the plan, naming the version.
func TestAccWriteOnly_olderCLIFails(t *testing.T) {
	e := newTestEnv(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBetween(tfversion.Version1_11_0, tfversion.Version2_0_0)},
		Steps: []resource.TestStep{{
			Config:      e.Provider() + orgMetadata("test", "org_id = "+hclString(e.OrgID), attrMap("sensitive_values_wo", map[string]string{e.K("k"): "v"})),
			PlanOnly:    true,
			ExpectError: errorText("Write-only attributes are only supported in Terraform 1.11 and later"),
		}},
	})
}

// The private state keeps a salted digest: neither the value, its base64,
// nor its unsalted digest, and another salt gives another digest.
func TestWriteOnlyDigestsHideTheValue(t *testing.T) {
	ctx := context.Background()
	var d1, d2 woDigestsSaver
	var diags diag.Diagnostics
	a := loadDigests(ctx, nil, &diags)
	b := loadDigests(ctx, nil, &diags)
	secret := []byte("hunter2-hunter2")
	ks := keySet{"k": {in: inWriteOnly, raw: secret, text: woWritten, digest: a.sum(secret)}}
	a.save(ctx, &d1, ks, &diags)
	ks["k"] = value{in: inWriteOnly, raw: secret, text: woWritten, digest: b.sum(secret)}
	b.save(ctx, &d2, ks, &diags)
	if err := (noTrace{traces(string(secret))}).find(string(d1.raw) + string(d2.raw)); err != nil {
		t.Fatal(err)
	}
	if a.sum(secret) == b.sum(secret) || string(d1.raw) == string(d2.raw) {
		t.Fatal("two salts gave the same digest")
	}
	back := loadDigests(ctx, d1, &diags)
	back.attach(ks)
	if diags.HasError() {
		t.Fatal(diags)
	}
	if ks["k"].digest != a.sum(secret) || back.sum(secret) != a.sum(secret) {
		t.Fatal("the saved digests do not read back")
	}
}

// woDigestsSaver is a private state in memory.
type woDigestsSaver struct{ raw []byte }

func (s *woDigestsSaver) SetKey(_ context.Context, _ string, v []byte) diag.Diagnostics {
	s.raw = v
	return nil
}

func (s woDigestsSaver) GetKey(context.Context, string) ([]byte, diag.Diagnostics) { return s.raw, nil }

// The ephemeral resource reads a secret that a write-only value carries to
// another owner: it reaches ZITADEL and leaves no trace in plan or state.
func TestAccEphemeral_copiesASecretWithoutATrace(t *testing.T) {
	forEachSubject(t, func(t *testing.T, s *subject) {
		e := s.testEnv
		src, dst := e.K("api-key"), e.K("copied")
		secret := "eph-" + e.K("Zz9")
		s.set(s.id, src, []byte(secret))
		s.set(s.id, e.K("not-matched"), []byte("x"))
		hidden := noTrace{traces(secret)}
		cfg := e.Provider() +
			fmt.Sprintf("ephemeral %q \"src\" {\n  %s = %s\n  sensitive_keys = [%s]\n  filter {\n    key = %s\n  }\n}\n", s.typ, s.attr(), hclString(s.id), hclString(src), hclString(src)) +
			s.resource("test", s.spare, fmt.Sprintf("sensitive_values_wo = { %s = ephemeral.%s.src.sensitive_values[%s] }", hclString(dst), s.typ, hclString(src)))
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: e.factories(),
			TerraformVersionChecks:   writeOnlyCLI,
			Steps: []resource.TestStep{
				{
					Config:            cfg,
					ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(s.addr, plancheck.ResourceActionCreate), hidden}},
					ConfigStateChecks: []statecheck.StateCheck{s.holds(s.spare, map[string]string{dst: secret}), hidden},
				},
				{Config: cfg, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan(), hidden}}},
				{
					// The source changes: the copy stays until the version says.
					PreConfig:         func() { s.set(s.id, src, []byte(secret+"-rotated")) },
					Config:            cfg,
					ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan(), hidden}},
					ConfigStateChecks: []statecheck.StateCheck{s.holds(s.spare, map[string]string{dst: secret})},
				},
				{
					Config:            strings.Replace(cfg, "sensitive_values_wo = {", "sensitive_values_wo_version = 2\n  sensitive_values_wo = {", 1),
					ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(s.addr, plancheck.ResourceActionUpdate), hidden}},
					ConfigStateChecks: []statecheck.StateCheck{s.holds(s.spare, map[string]string{dst: secret + "-rotated"})},
				},
			},
		})
	})
}

// An ephemeral resource of an owner that does not exist fails, naming the
// attribute to check.
func TestAccEphemeral_missingOwner(t *testing.T) {
	e := newTestEnv(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		TerraformVersionChecks:   writeOnlyCLI,
		Steps: []resource.TestStep{{
			Config:      e.Provider() + "ephemeral \"zitadelmeta_org_metadata\" \"x\" {\n  org_id = \"999999999999999999\"\n}\n",
			ExpectError: errorText("does not exist in ZITADEL", "Check org_id on the ephemeral resource"),
		}},
	})
}

// preApply runs f between a step's plan and its apply.
type preApply func()

func (f preApply) CheckPlan(context.Context, plancheck.CheckPlanRequest, *plancheck.CheckPlanResponse) {
	f()
}

// The ephemeral source changes between the plan and the apply of an update
// made for another reason: Terraform opens the source again for the apply,
// and the provider's two plans agree (no "inconsistent final plan"); the
// written value stays until a new version asks for the new one.
func TestAccWriteOnly_sourceChangesBetweenPlanAndApply(t *testing.T) {
	forEachSubject(t, func(t *testing.T, s *subject) {
		e := s.testEnv
		src, dst, plain := e.K("src"), e.K("dst"), e.K("plain")
		s.set(s.id, src, []byte("secret-one"))
		cfg := func(p string) string {
			return e.Provider() +
				fmt.Sprintf("ephemeral %q \"src\" {\n  %s = %s\n  sensitive_keys = [%s]\n  filter {\n    key = %s\n  }\n}\n", s.typ, s.attr(), hclString(s.id), hclString(src), hclString(src)) +
				s.resource("test", s.spare, attrMap("values", map[string]string{plain: p}), fmt.Sprintf("sensitive_values_wo = { %s = ephemeral.%s.src.sensitive_values[%s] }", hclString(dst), s.typ, hclString(src)))
		}
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: e.factories(),
			TerraformVersionChecks:   writeOnlyCLI,
			Steps: []resource.TestStep{
				{Config: cfg("p1")},
				{
					Config: cfg("p2"),
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(s.addr, plancheck.ResourceActionUpdate),
						preApply(func() { s.set(s.id, src, []byte("secret-two")) }),
					}},
					ConfigStateChecks: []statecheck.StateCheck{s.holds(s.spare, map[string]string{dst: "secret-one", plain: "p2"})},
				},
			},
		})
	})
}

// An update that fails part way records each write-only key as it is:
// those it removed leave the state, those whose removal failed stay
// written. Long keys of three-byte characters make two remove calls on
// every transport (ChunkBytes for bodies, the query limit for v2's REST
// deletes); the second fails.
func TestAccWriteOnly_failedUpdateRecordsWhatHappened(t *testing.T) {
	forEachSubject(t, func(t *testing.T, s *subject) {
		e := s.testEnv
		front := e.withFront(fakezitadel.Options{})
		e.tune = func(c *zitadel.Config) { c.Retry.InitialBackoff = 5 * time.Millisecond; c.ChunkBytes = 1200 }
		keep := e.K("keep")
		all := map[string]string{keep: "k"}
		var gone []string
		for i := range 4 {
			k := e.K(fmt.Sprintf("%d-", i)) + strings.Repeat("\u20ac", 180)
			all[k] = "v"
			gone = append(gone, k)
		}
		cfg := func(m map[string]string) string {
			return e.Provider() + s.resource("test", s.id, attrMap("sensitive_values_wo", m))
		}
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: e.factories(),
			TerraformVersionChecks:   writeOnlyCLI,
			Steps: []resource.TestStep{
				{Config: cfg(all)},
				{
					PreConfig: func() {
						front.InjectFault(s.m.Remove, 1, fakezitadel.Fault{Code: codes.Internal, Message: "disk full", Skip: 1})
					},
					Config:      cfg(map[string]string{keep: "k"}),
					ExpectError: errorText("disk full"),
				},
				{
					Config: cfg(map[string]string{keep: "k"}),
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						recordedAsOnServer{s: s, addr: s.addr, keys: gone},
					}},
					ConfigStateChecks: []statecheck.StateCheck{s.holds(s.id, map[string]string{keep: "k"}, gone...)},
				},
			},
		})
	})
}

// recordedAsOnServer checks the refreshed state's write-only keys among
// keys against the server: each one the server holds is recorded as
// written (and at least one is: the failure came after a first call), and
// none it lacks is recorded.
type recordedAsOnServer struct {
	s    *subject
	addr string
	keys []string
}

func (c recordedAsOnServer) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	server := c.s.metadata(c.s.id)
	for _, r := range req.Plan.PriorState.Values.RootModule.Resources {
		if r.Address != c.addr {
			continue
		}
		statuses, _ := r.AttributeValues["sensitive_values_wo_keys"].(map[string]any)
		held := 0
		for _, k := range c.keys {
			_, on := server[k]
			status, recorded := statuses[k]
			if on {
				held++
			}
			if on != recorded || (on && status != woWritten) {
				resp.Error = fmt.Errorf("key %q: on the server %v, recorded %v (%v)", truncate(k), on, recorded, status)
				return
			}
		}
		if held == 0 || held == len(c.keys) {
			resp.Error = fmt.Errorf("%d of %d keys left on the server: the failure did not come part way", held, len(c.keys))
		}
		return
	}
	resp.Error = fmt.Errorf("%s is not in the refreshed state", c.addr)
}
