// Command demo shows the provider's whole story against the standalone fake
// ZITADEL: apply, a change made by hand outside Terraform, the drift in the
// plan, and the apply that repairs it, for an organization's metadata and a
// user's. `make demo` runs it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/devenv"
	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/zitadel"
)

func main() {
	terraform := flag.String("terraform", "terraform", "path of the Terraform CLI")
	dir := flag.String("dir", ".demo", "scratch folder")
	flag.Parse()
	if err := run(*terraform, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "demo failed:", err)
		os.Exit(1)
	}
}

func step(format string, args ...any) {
	fmt.Printf("\n==> "+format+"\n\n", args...)
}

func run(terraform, dir string) error {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	bin, work := filepath.Join(dir, "bin"), filepath.Join(dir, "work")
	_ = os.RemoveAll(work)
	for _, d := range []string{bin, work} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}

	step("Building the provider and starting the fake ZITADEL (plaintext gRPC on 127.0.0.1)")
	if err := devenv.Build(filepath.Join(bin, devenv.ProviderBinary), "."); err != nil {
		return err
	}
	info, err := devenv.StartFake(bin)
	if err != nil {
		return err
	}
	defer func() {
		step("Stopping the fake ZITADEL")
		info.Stop()
	}()
	host, port := info.HostPort()
	fmt.Printf("fake ZITADEL at %s, organization %s, its machine user %s\n", info.Endpoint, info.OrgID, info.UserID)

	// dev_overrides points Terraform at the binary just built; no init needed.
	rc := filepath.Join(dir, "terraformrc")
	if err := devenv.WriteCLIConfig(rc, bin); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(work, "logo.bin"), []byte(logo), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(work, "main.tf"), []byte(demoConfig), 0o644); err != nil {
		return err
	}
	env := append(info.TerraformEnv(rc), "TF_VAR_user_id="+info.UserID)
	tf := func(args ...string) error {
		fmt.Printf("$ terraform %s\n", strings.Join(args, " "))
		cmd := exec.Command(terraform, args...)
		cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = work, env, os.Stdout, os.Stderr
		return cmd.Run()
	}

	step("Applying a configuration: organization branding managed as one exclusive resource, with text, binary and sensitive values; a user's metadata without its org_id")
	fmt.Print(demoConfig)
	if err := tf("apply", "-auto-approve", "-no-color"); err != nil {
		return err
	}

	step("The user's organization, looked up when planning, is recorded in org_id")
	fmt.Println("$ terraform output -raw bot_org_id")
	cmd := exec.Command(terraform, "output", "-raw", "bot_org_id")
	cmd.Dir, cmd.Env, cmd.Stderr = work, env, os.Stderr
	recorded, err := cmd.Output()
	if err != nil {
		return err
	}
	fmt.Printf("%s\n", recorded)
	if string(recorded) != info.OrgID {
		return fmt.Errorf("zitadelmeta_user_metadata.bot recorded org_id %q, want the user's organization %s", recorded, info.OrgID)
	}

	step("Someone edits by hand: changes the organization's theme, adds a key Terraform does not know, and changes the user's team")
	client, err := zitadel.New(zitadel.Config{Domain: host, Port: atoi(port), Insecure: true, AccessToken: info.AccessToken, Retry: zitadel.DefaultRetryPolicy(), UserAgent: "demo-admin"})
	if err != nil {
		return err
	}
	defer func() { _ = client.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := client.SetMetadata(ctx, zitadel.OrgOwner(info.OrgID), []zitadel.KV{{Key: "theme", Value: []byte("hot-pink")}, {Key: "added_by_hand", Value: []byte("surprise")}}); err != nil {
		return err
	}
	fmt.Println(`BulkSetOrgMetadata: theme = "hot-pink", added_by_hand = "surprise"`)
	if _, err := client.SetMetadata(ctx, zitadel.UserOwner(info.OrgID, info.UserID), []zitadel.KV{{Key: "team", Value: []byte("marketing")}}); err != nil {
		return err
	}
	fmt.Println(`BulkSetUserMetadata: team = "marketing"`)

	step("terraform plan shows the drift: the edited values, and the unmanaged key an exclusive resource removes (exit code 2: changes pending)")
	err = tf("plan", "-no-color", "-detailed-exitcode")
	var exit *exec.ExitError
	if err == nil {
		return errors.New("the plan showed no drift")
	}
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		return err
	}

	step("Applying again puts both back as configured: for the organization one bulk write and one bulk removal, for the user one bulk write")
	if err := info.ResetCalls(); err != nil {
		return err
	}
	if err := tf("apply", "-auto-approve", "-no-color"); err != nil {
		return err
	}
	if calls, err := info.Calls(); err == nil {
		fmt.Printf("\nZITADEL calls of that apply (refresh, plan-time checks and writes): %s\n", devenv.FormatCalls(calls))
	}
	fmt.Println("The organization now holds (ListOrgMetadata):")
	if err := expectMetadata(ctx, client, zitadel.OrgOwner(info.OrgID), map[string]string{
		"theme": "midnight", "support_mail": "help@example.com", "logo": logo, "webhook_secret": "s3cr3t",
	}); err != nil {
		return err
	}
	fmt.Println("The user now holds (ListUserMetadata):")
	if err := expectMetadata(ctx, client, zitadel.UserOwner(info.OrgID, info.UserID), map[string]string{
		"team": "platform", "role": "build bot", "avatar": logo,
	}); err != nil {
		return err
	}

	step("A last plan is empty")
	if err := tf("plan", "-no-color", "-detailed-exitcode"); err != nil {
		return err
	}

	step("Ownership is checked at plan time: a second resource for the same organization fails the plan, before anything is written")
	extra := filepath.Join(work, "extra.tf")
	if err := os.WriteFile(extra, []byte(extraConfig), 0o644); err != nil {
		return err
	}
	fmt.Print(extraConfig)
	err = tf("plan", "-no-color")
	_ = os.Remove(extra)
	if err == nil {
		return errors.New("the plan accepted a second resource beside an exclusive one")
	}
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		return err
	}
	fmt.Println("\n(As expected: the configuration is left as it was.)")
	return nil
}

// extraConfig is a second resource that names a key the exclusive
// branding resource already owns.
const extraConfig = `resource "zitadelmeta_org_metadata" "marketing" {
  org_id = var.org_id
  values = {
    theme = "summer"
  }
}
`

// logo is logo.bin, the binary value of both resources.
const logo = "\x89PNG\r\n\x1a\n\x00\xff"

// expectMetadata prints the owner's keys and fails unless they are exactly
// want, value for value.
func expectMetadata(ctx context.Context, client *zitadel.Client, owner zitadel.Owner, want map[string]string) error {
	entries, err := client.ListMetadata(ctx, owner, nil)
	if err != nil {
		return err
	}
	got := make(map[string]string, len(entries))
	for _, e := range entries {
		fmt.Printf("  %-14s %d bytes\n", e.Key, len(e.Value))
		got[e.Key] = string(e.Value)
	}
	if !maps.Equal(got, want) {
		return fmt.Errorf("%+v holds %q, want %q", owner, got, want)
	}
	return nil
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

const demoConfig = `terraform {
  required_providers {
    zitadelmeta = {
      source = "zitadelmeta/zitadelmeta"
    }
  }
}

# Connection and credentials come from ZITADEL_DOMAIN, ZITADEL_PORT,
# ZITADEL_INSECURE and ZITADEL_ACCESS_TOKEN.
provider "zitadelmeta" {}

variable "org_id" {
  type = string
}

resource "zitadelmeta_org_metadata" "branding" {
  org_id    = var.org_id
  exclusive = true

  values = {
    theme        = "midnight"
    support_mail = "help@example.com"
  }
  binary_values = {
    logo = filebase64("${path.module}/logo.bin")
  }
  sensitive_values = {
    webhook_secret = "s3cr3t"
  }
}

data "zitadelmeta_org_metadata" "theme" {
  org_id = zitadelmeta_org_metadata.branding.org_id
  filter {
    key    = "the"
    method = "starts_with"
  }
}

output "theme" {
  value = data.zitadelmeta_org_metadata.theme.values
}

variable "user_id" {
  type = string
}

# A machine user's metadata. org_id is left out: the provider looks up the
# user's organization and records it.
resource "zitadelmeta_user_metadata" "bot" {
  user_id = var.user_id

  values = {
    team = "platform"
    role = "build bot"
  }
  binary_values = {
    avatar = filebase64("${path.module}/logo.bin")
  }
}

output "bot_org_id" {
  value = zitadelmeta_user_metadata.bot.org_id
}
`
