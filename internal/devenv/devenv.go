// Package devenv sets up what the demo and the benchmark both run in: the
// provider and the standalone fake built from this checkout, the fake
// started, and a Terraform CLI configuration whose dev_overrides point at a
// folder of provider binaries.
package devenv

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// ProviderBinary is the provider's file name in a dev_overrides folder.
const ProviderBinary = "terraform-provider-zitadelmeta"

// Build compiles the package pkg (relative to the module root, the working
// directory) into out.
func Build(out, pkg string) error {
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	return cmd.Run()
}

// Fake is a running standalone fake ZITADEL, as its ready line describes it.
type Fake struct {
	Endpoint    string `json:"endpoint"`
	OrgID       string `json:"org_id"`
	AccessToken string `json:"access_token"`
	// UserID is a machine user of OrgID.
	UserID string `json:"user_id"`

	cmd *exec.Cmd
}

// StartFake builds the standalone fake into dir, starts it on 127.0.0.1 and
// waits for its ready line.
func StartFake(dir string) (*Fake, error) {
	bin := filepath.Join(dir, "fakezitadel")
	if err := Build(bin, "./internal/cmd/fakezitadel"); err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "-listen", "127.0.0.1:0")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	f := &Fake{cmd: cmd}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err == nil {
		err = json.Unmarshal([]byte(line), f)
	}
	if err != nil {
		f.Stop()
		return nil, fmt.Errorf("reading the fake's ready line %q: %w", line, err)
	}
	return f, nil
}

// Stop interrupts the fake and waits for it to exit.
func (f *Fake) Stop() {
	_ = f.cmd.Process.Signal(os.Interrupt)
	_ = f.cmd.Wait()
}

// HostPort splits the endpoint.
func (f *Fake) HostPort() (host, port string) {
	host, port, _ = strings.Cut(f.Endpoint, ":")
	return host, port
}

// TerraformEnv is the environment for Terraform commands against the fake:
// the caller's environment without any ZITADEL_* or TF_* variable (a
// credential or TF_CLI_ARGS of the user's must not leak in), then the CLI
// configuration at rc, the provider's ZITADEL_* settings and the
// organization as TF_VAR_org_id.
func (f *Fake) TerraformEnv(rc string) []string {
	host, port := f.HostPort()
	return append(CLIEnv(rc),
		"ZITADEL_DOMAIN="+host, "ZITADEL_PORT="+port, "ZITADEL_INSECURE=true",
		"ZITADEL_ACCESS_TOKEN="+f.AccessToken, "TF_VAR_org_id="+f.OrgID,
	)
}

// WriteCLIConfig writes a Terraform (or OpenTofu) CLI configuration to
// path whose dev_overrides use the provider binary in providerDir: no
// registry, and no terraform init.
func WriteCLIConfig(path, providerDir string) error {
	// Terraform and OpenTofu each resolve the provider to their own
	// registry's address.
	text := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"registry.terraform.io/zitadelmeta/zitadelmeta\" = %q\n    \"registry.opentofu.org/zitadelmeta/zitadelmeta\" = %q\n  }\n  direct {}\n}\n", providerDir, providerDir)
	return os.WriteFile(path, []byte(text), 0o644)
}

// CLIEnv is this process's environment for running the Terraform CLI with
// the CLI configuration at rc: without the caller's ZITADEL_* and TF_*
// variables, and without the update check.
func CLIEnv(rc string) []string {
	return append(cleanEnv(os.Environ()), "TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
}

// cleanEnv drops ZITADEL_* and TF_* variables from env.
func cleanEnv(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		if !strings.HasPrefix(kv, "ZITADEL_") && !strings.HasPrefix(kv, "TF_") {
			out = append(out, kv)
		}
	}
	return out
}

// ResetCalls zeroes the fake's call counts.
func (f *Fake) ResetCalls() error {
	resp, err := http.Post("http://"+f.Endpoint+"/fake/calls/reset", "", nil)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// Calls returns the fake's call counts by method since the last reset.
func (f *Fake) Calls() (map[string]int, error) {
	resp, err := http.Get("http://" + f.Endpoint + "/fake/calls")
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	var calls map[string]int
	return calls, json.NewDecoder(resp.Body).Decode(&calls)
}

// FormatCalls renders call counts as "BulkSet 1, List 10", methods sorted,
// the organization calls' names shortened.
func FormatCalls(calls map[string]int) string {
	return FormatCallsAs(calls, func(k string) string { return strings.TrimSuffix(strings.TrimSuffix(k, "OrgMetadata"), "Org") })
}

// FormatCallsAs renders call counts as "<name> <count>, ...", methods
// sorted, each named by name; "none" without calls.
func FormatCallsAs(calls map[string]int, name func(method string) string) string {
	if len(calls) == 0 {
		return "none"
	}
	names := make([]string, 0, len(calls))
	for k := range calls {
		names = append(names, k)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = fmt.Sprintf("%s %d", name(k), calls[k])
	}
	return strings.Join(parts, ", ")
}
