package internal_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLayering enforces the dependency direction of STYLE.md §3.2: the
// domain imports only the standard library, primitives stay below the
// services, services import neither net/http nor the SQL implementation,
// and only cmd/latch wires the SQL store in. It is a negative test in the manner of tailscale's deptest.
func TestLayering(t *testing.T) {
	t.Parallel()
	const mod = "github.com/latchauth/latch/internal/"
	rules := []struct {
		pkg string
		bad map[string]string // import path (prefix) => why it is banned
	}{
		{"auth", map[string]string{"github.com/": "the domain imports only the standard library", "golang.org/": "the domain imports only the standard library"}},
		{"store", map[string]string{mod + "store/sqlstore": "the interface must not know its implementation", mod + "api": "storage knows nothing of HTTP"}},
		{"token", map[string]string{mod + "store": "primitives stay below storage", mod + "api": "primitives know nothing of HTTP"}},
		{"jwt", map[string]string{mod + "store": "jwt reaches keys through its own KeyStore interface", mod + "api": "primitives know nothing of HTTP"}},
		{"user", map[string]string{mod + "store/sqlstore": "services use the store interface", mod + "api": "services know nothing of the wire format", "net/http": "services never see HTTP"}},
		{"session", map[string]string{mod + "store/sqlstore": "services use the store interface", mod + "api": "services know nothing of the wire format", "net/http": "services never see HTTP"}},
		{"magiclink", map[string]string{mod + "store/sqlstore": "services use the store interface", mod + "api": "services know nothing of the wire format", "net/http": "services never see HTTP", mod + "delivery": "flows reach delivery through their Mail interface"}},
		{"project", map[string]string{mod + "store/sqlstore": "services use the store interface", mod + "api": "services know nothing of the wire format", "net/http": "services never see HTTP"}},
		{"organization", map[string]string{mod + "store/sqlstore": "services use the store interface", mod + "api": "services know nothing of the wire format", "net/http": "services never see HTTP", mod + "session": "policy sits below the flows that apply it"}},
		{"member", map[string]string{mod + "store/sqlstore": "services use the store interface", mod + "api": "services know nothing of the wire format", "net/http": "services never see HTTP"}},
		{"discovery", map[string]string{mod + "store/sqlstore": "services use the store interface", mod + "api": "services know nothing of the wire format", "net/http": "services never see HTTP", mod + "magiclink": "discovery serves every primary factor, not one"}},
		{"otp", map[string]string{mod + "store/sqlstore": "services use the store interface", mod + "api": "services know nothing of the wire format", "net/http": "services never see HTTP", mod + "delivery": "flows reach delivery through their Mail interface"}},
		{"passwords", map[string]string{mod + "store/sqlstore": "services use the store interface", mod + "api": "services know nothing of the wire format", "net/http": "services never see HTTP"}},
		{"passhash", map[string]string{mod + "store": "primitives stay below storage", mod + "api": "primitives know nothing of HTTP", "net/http": "a hash function has no network"}},
		{"password", map[string]string{mod + "store": "primitives stay below storage", mod + "api": "primitives know nothing of HTTP"}},
		{"secretbox", map[string]string{"github.com/": "a primitive over the standard library's AES-GCM", mod + "store": "primitives stay below storage", mod + "api": "primitives know nothing of HTTP", "net/http": "sealing has no network"}},
		{"phone", map[string]string{mod + "store": "primitives stay below storage", mod + "api": "primitives know nothing of HTTP", "net/http": "parsing numbers has no network"}},
		{"delivery", map[string]string{mod + "store/sqlstore": "delivery uses the store interface", mod + "api": "delivery knows nothing of the wire format", mod + "magiclink": "delivery is below the flows"}},
		{"totp", map[string]string{mod + "store/sqlstore": "services use the store interface", mod + "api": "services know nothing of the wire format", "net/http": "services never see HTTP"}},
		{"oauth", map[string]string{mod + "store/sqlstore": "services use the store interface", mod + "api": "services know nothing of the wire format"}},
		{"api", map[string]string{mod + "store/sqlstore": "handlers call services, never the SQL store"}},
	}
	for _, r := range rules {
		t.Run(r.pkg, func(t *testing.T) {
			t.Parallel()
			deps, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", mod+r.pkg).Output()
			if err != nil {
				t.Fatalf("go list: %v", err)
			}
			direct, err := exec.Command("go", "list", "-f", `{{join .Imports "\n"}}`, mod+r.pkg).Output()
			if err != nil {
				t.Fatalf("go list: %v", err)
			}
			for bad, why := range r.bad {
				// net/http is checked among direct imports only: the
				// domain's error catalog names HTTP status constants, so
				// every package reaches net/http transitively.
				list := deps
				if bad == "net/http" {
					list = direct
				}
				for _, dep := range strings.Fields(string(list)) {
					if dep == mod+r.pkg {
						continue
					}
					if dep == bad || strings.HasPrefix(dep, strings.TrimSuffix(bad, "/")+"/") {
						t.Errorf("%s depends on %s: %s", r.pkg, dep, why)
					}
				}
			}
		})
	}
}
