package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/devenv"
)

// needsNewCLI matches what only Terraform 1.11 and OpenTofu 1.11 or later
// read: ephemeral blocks and variables, and write-only attributes.
var needsNewCLI = regexp.MustCompile(`(?m)^\s*(ephemeral\s+"|ephemeral\s*=\s*true|\w+_wo(_version)?\s*=)`)

// cliVersion is the CLI's version as major and minor, from its first line
// ("Terraform v1.11.4", "OpenTofu v1.12.6").
func cliVersion(t *testing.T, cli string) (major, minor int) {
	t.Helper()
	cmd := exec.Command(cli, "version")
	// make test's TF_CLI_ARGS (a flag no command takes) would fail it.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TF_CLI_ARGS") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s version: %v", cli, err)
	}
	first, _, _ := strings.Cut(string(out), "\n")
	if _, err := fmt.Sscanf(first[strings.LastIndex(first, " v")+2:], "%d.%d", &major, &minor); err != nil {
		t.Fatalf("%s version: %q: %v", cli, first, err)
	}
	return major, minor
}

// fileCall matches file("...") and filebase64("...") with a literal path,
// or one under ${path.module}.
var fileCall = regexp.MustCompile(`\bfile(?:base64)?\("(?:\$\{path\.module\}/)?([^"$]+)"\)`)

// TestExamples checks that every example the documentation shows is a valid
// configuration on its own: each .tf file under examples/ is validated by the
// real CLI in a folder of its own (the files of one folder are alternatives,
// not one configuration), with the provider built from this tree. Files the
// example reads with file() or filebase64() are stood in for, and the
// snippets without a required_providers block get the one provider.tf shows.
func TestExamples(t *testing.T) {
	terraform := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if os.Getenv("TF_ACC") == "" || terraform == "" {
		t.Skip("needs TF_ACC=1 and TF_ACC_TERRAFORM_PATH (make test sets both)")
	}
	examples, err := filepath.Glob("examples/*/*/*.tf")
	if err != nil {
		t.Fatal(err)
	}
	provider, err := filepath.Glob("examples/provider/*.tf")
	if err != nil {
		t.Fatal(err)
	}
	examples = append(provider, examples...)
	if len(examples) < 8 {
		t.Fatalf("found only %d examples: %v", len(examples), examples)
	}
	bin := t.TempDir()
	if err := devenv.Build(filepath.Join(bin, devenv.ProviderBinary), "."); err != nil {
		t.Fatal(err)
	}
	rc := filepath.Join(t.TempDir(), "terraformrc")
	if err := devenv.WriteCLIConfig(rc, bin); err != nil {
		t.Fatal(err)
	}
	major, minor := cliVersion(t, terraform)
	for _, example := range examples {
		t.Run(filepath.ToSlash(example), func(t *testing.T) {
			text, err := os.ReadFile(example)
			if err != nil {
				t.Fatal(err)
			}
			if needsNewCLI.Match(text) && major == 1 && minor < 11 {
				t.Skipf("needs Terraform or OpenTofu 1.11 or later; %s is %d.%d", terraform, major, minor)
			}
			// As in a user's configuration, which examples/provider/provider.tf
			// shows: the snippets of the other pages leave it out.
			if !strings.Contains(string(text), "required_providers") {
				text = append([]byte("terraform {\n  required_providers {\n    zitadelmeta = { source = \"zitadelmeta/zitadelmeta\" }\n  }\n}\n\n"), text...)
			}
			work := t.TempDir()
			if err := os.WriteFile(filepath.Join(work, "main.tf"), text, 0o644); err != nil {
				t.Fatal(err)
			}
			for _, m := range fileCall.FindAllStringSubmatch(string(text), -1) {
				if !filepath.IsLocal(m[1]) {
					t.Fatalf("the example reads %q, outside its own folder", m[1])
				}
				stand := filepath.Join(work, m[1])
				if err := os.MkdirAll(filepath.Dir(stand), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(stand, []byte("stand-in"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			cmd := exec.Command(terraform, "validate", "-no-color")
			cmd.Dir, cmd.Env = work, devenv.CLIEnv(rc)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("terraform validate: %v\n%s", err, out)
			}
		})
	}
}
