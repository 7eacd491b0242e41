package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/config"
	"github.com/latchauth/latch/internal/oauth"
)

// providerFile is one provider in an `oauth-providers apply` file. Secrets
// may be given inline or, better, as paths to files holding them; relative
// paths are read from the file's directory.
type providerFile struct {
	Name                string   `json:"name"`
	Type                string   `json:"type"`
	ClientID            string   `json:"client_id"`
	ClientSecret        string   `json:"client_secret"`
	ClientSecretFile    string   `json:"client_secret_file"`
	Scopes              []string `json:"scopes"`
	IssuerURL           string   `json:"issuer_url"`
	AuthURL             string   `json:"auth_url"`
	TokenURL            string   `json:"token_url"`
	UserInfoURL         string   `json:"userinfo_url"`
	APIURL              string   `json:"api_url"`
	Tenant              string   `json:"tenant"`
	AppleTeamID         string   `json:"apple_team_id"`
	AppleKeyID          string   `json:"apple_key_id"`
	ApplePrivateKeyFile string   `json:"apple_private_key_file"`
}

// input reads the secrets a providerFile points at, relative to dir.
func (f providerFile) input(dir string) (oauth.ProviderInput, error) {
	in := oauth.ProviderInput{
		Name: f.Name, Type: auth.OAuthProviderType(f.Type), ClientID: f.ClientID, ClientSecret: f.ClientSecret,
		Scopes: f.Scopes, IssuerURL: f.IssuerURL, AuthURL: f.AuthURL, TokenURL: f.TokenURL, UserInfoURL: f.UserInfoURL,
		APIURL: f.APIURL, Tenant: f.Tenant, AppleTeamID: f.AppleTeamID, AppleKeyID: f.AppleKeyID,
	}
	read := func(path string) (string, error) {
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		b, err := os.ReadFile(path)
		return strings.TrimSpace(string(b)), err
	}
	if f.ClientSecretFile != "" {
		if f.ClientSecret != "" {
			return in, errors.New("give client_secret or client_secret_file, not both")
		}
		s, err := read(f.ClientSecretFile)
		if err != nil {
			return in, fmt.Errorf("client secret: %w", err)
		}
		in.ClientSecret = s
	}
	if f.ApplePrivateKeyFile != "" {
		s, err := read(f.ApplePrivateKeyFile)
		if err != nil {
			return in, fmt.Errorf("Apple private key: %w", err)
		}
		in.ApplePrivateKey = s
	}
	return in, nil
}

// oauthProvidersCmd configures a project's identity providers: set one
// from flags, apply a JSON file of them, list or remove them.
func oauthProvidersCmd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("oauth-providers: want a subcommand: set, apply, list or remove")
	}
	var (
		projectID, file, scopes string
		pf                      providerFile
	)
	cfg, rest, err := config.Load(getenv, "latch oauth-providers "+args[0], args[1:], func(fs *flag.FlagSet) {
		fs.StringVar(&projectID, "project", "", "project ID")
		switch args[0] {
		case "set":
			fs.StringVar(&pf.Type, "type", "", "google, microsoft, apple, github or oidc")
			fs.StringVar(&pf.Name, "name", "", "the {provider} of the start URL (default: the type; required for oidc)")
			fs.StringVar(&pf.ClientID, "client-id", "", "client ID issued by the provider")
			fs.StringVar(&pf.ClientSecretFile, "client-secret-file", "", "file holding the client secret")
			fs.StringVar(&scopes, "scopes", "", "extra scopes to request, space-separated")
			fs.StringVar(&pf.IssuerURL, "issuer", "", "OpenID Connect issuer URL (required for oidc; overrides the built-in one)")
			fs.StringVar(&pf.AuthURL, "auth-url", "", "authorization endpoint override")
			fs.StringVar(&pf.TokenURL, "token-url", "", "token endpoint override")
			fs.StringVar(&pf.UserInfoURL, "userinfo-url", "", "userinfo endpoint override")
			fs.StringVar(&pf.APIURL, "api-url", "", "GitHub API base override")
			fs.StringVar(&pf.Tenant, "tenant", "", "Microsoft tenant (default common)")
			fs.StringVar(&pf.AppleTeamID, "apple-team-id", "", "Apple developer team ID")
			fs.StringVar(&pf.AppleKeyID, "apple-key-id", "", "ID of the Sign in with Apple key")
			fs.StringVar(&pf.ApplePrivateKeyFile, "apple-private-key-file", "", "the key's .p8 file")
		case "apply":
			fs.StringVar(&file, "file", "", "JSON file: an array of providers")
		}
	})
	if err != nil {
		return err
	}
	if projectID == "" {
		return errors.New("oauth-providers: --project is required")
	}
	var inputs []oauth.ProviderInput
	switch args[0] {
	case "set":
		pf.Scopes = strings.Fields(scopes)
		in, err := pf.input("")
		if err != nil {
			return fmt.Errorf("oauth-providers set: %w", err)
		}
		inputs = append(inputs, in)
	case "apply":
		if file == "" {
			return errors.New("oauth-providers apply: --file is required")
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return fmt.Errorf("oauth-providers apply: %w", err)
		}
		var pfs []providerFile
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&pfs); err != nil {
			return fmt.Errorf("oauth-providers apply: %s: %w", file, err)
		}
		for i, f := range pfs {
			in, err := f.input(filepath.Dir(file))
			if err != nil {
				return fmt.Errorf("oauth-providers apply: %s: provider %d: %w", file, i+1, err)
			}
			inputs = append(inputs, in)
		}
	case "remove":
		if len(rest) != 1 {
			return errors.New("oauth-providers remove: want exactly one provider name")
		}
	case "list":
	default:
		return fmt.Errorf("oauth-providers: unknown subcommand %q (want set, apply, list or remove)", args[0])
	}

	a, err := openApp(ctx, cfg, quietLogger())
	if err != nil {
		return err
	}
	defer a.close()
	if _, err := a.projects.Get(ctx, projectID); err != nil {
		return fmt.Errorf("oauth-providers: project %s: %w", projectID, err)
	}
	switch args[0] {
	case "set", "apply":
		// Checked all before any is written, so a bad file changes nothing.
		for _, in := range inputs {
			if err := oauth.Check(in); err != nil {
				return err
			}
		}
		for _, in := range inputs {
			p, err := a.oauthProviders.Set(ctx, projectID, in)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "Configured %s (%s) for %s.\n", p.Name, p.Type, projectID)
		}
		return nil
	case "remove":
		if err := a.oauthProviders.Remove(ctx, projectID, rest[0]); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Removed %s from %s.\n", rest[0], projectID)
		return nil
	}
	ps, err := a.oauthProviders.List(ctx, projectID)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tTYPE\tCLIENT ID\tISSUER\tSCOPES")
	for _, p := range ps {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", p.Name, p.Type, p.ClientID, p.IssuerURL, strings.Join(p.Scopes, " "))
	}
	return tw.Flush()
}
