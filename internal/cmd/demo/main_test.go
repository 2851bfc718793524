package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestDemo runs the whole demo, as make demo does, so it keeps working.
func TestDemo(t *testing.T) {
	terraform := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if os.Getenv("TF_ACC") == "" || terraform == "" {
		t.Skip("needs TF_ACC=1 and TF_ACC_TERRAFORM_PATH (make test sets both)")
	}
	dir := t.TempDir()
	// A user's own ZITADEL and Terraform settings must not leak in.
	t.Setenv("ZITADEL_JWT_PROFILE_FILE", filepath.Join(dir, "no-such-key.json"))
	t.Setenv("ZITADEL_DOMAIN", "elsewhere.invalid")
	t.Setenv("TF_CLI_ARGS", "-no-such-flag")
	t.Setenv("TF_WORKSPACE", "not-there")
	t.Chdir(filepath.Join("..", "..", ".."))
	if err := run(terraform, dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "work", "terraform.tfstate")); err != nil {
		t.Fatalf("the demo left no state: %v", err)
	}
}
