package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/config"
	"github.com/latchauth/latch/internal/password"
)

// quietLogger is for one-shot commands, whose output is their result.
func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func projectCmd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("project: want a subcommand: create or list")
	}
	switch args[0] {
	case "create":
		var (
			name       string
			live, asJS bool
		)
		cfg, rest, err := config.Load(getenv, "latch project create", args[1:], func(fs *flag.FlagSet) {
			fs.StringVar(&name, "name", "", "project name")
			fs.BoolVar(&live, "live", false, "create a live project instead of a test one")
			fs.BoolVar(&asJS, "json", false, "print the credentials as JSON")
		})
		if err != nil {
			return err
		}
		if len(rest) > 0 {
			return fmt.Errorf("project create: unexpected argument %q", rest[0])
		}
		a, err := openApp(ctx, cfg, quietLogger())
		if err != nil {
			return err
		}
		defer a.close()
		env := auth.EnvTest
		if live {
			env = auth.EnvLive
		}
		creds, err := a.projects.Create(ctx, name, env)
		if err != nil {
			return err
		}
		if asJS {
			return json.NewEncoder(stdout).Encode(map[string]string{
				"project_id": creds.Project.ID, "secret": creds.Secret,
				"public_token": creds.Project.PublicToken, "environment": string(creds.Project.Env),
			})
		}
		printCredentials(stdout, creds.Project, creds.Secret)
		return nil
	case "list":
		cfg, _, err := config.Load(getenv, "latch project list", args[1:], nil)
		if err != nil {
			return err
		}
		a, err := openApp(ctx, cfg, quietLogger())
		if err != nil {
			return err
		}
		defer a.close()
		ps, err := a.projects.List(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "PROJECT ID\tENV\tPUBLIC TOKEN\tNAME\tCREATED")
		for _, p := range ps {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", p.ID, p.Env, p.PublicToken, p.Name, p.CreatedAt.Format(time.RFC3339))
		}
		return tw.Flush()
	case "password-policy":
		return passwordPolicyCmd(ctx, args[1:], getenv, stdout)
	default:
		return fmt.Errorf("project: unknown subcommand %q (want create, list or password-policy)", args[0])
	}
}

// passwordPolicyCmd shows a project's password strength policy, or sets
// it when --policy names one (zxcvbn or luds).
func passwordPolicyCmd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	var (
		projectID string
		pol       auth.PasswordPolicy
	)
	cfg, rest, err := config.Load(getenv, "latch project password-policy", args, func(fs *flag.FlagSet) {
		fs.StringVar(&projectID, "project", "", "project ID")
		fs.StringVar(&pol.Kind, "policy", "", "set the policy: zxcvbn or luds (empty: show it)")
		fs.IntVar(&pol.LUDSMinLength, "luds-min-length", 0, "luds: minimum length, 8 to 32 (default 8)")
		fs.IntVar(&pol.LUDSMinCharTypes, "luds-min-char-types", 0, "luds: how many of lowercase, uppercase, digits and symbols, 1 to 4 (default 3)")
	})
	if err != nil {
		return err
	}
	if projectID == "" {
		return errors.New("project password-policy: --project is required")
	}
	if len(rest) > 0 {
		return fmt.Errorf("project password-policy: unexpected argument %q", rest[0])
	}
	a, err := openApp(ctx, cfg, quietLogger())
	if err != nil {
		return err
	}
	defer a.close()
	var p *auth.Project
	if pol.Kind != "" {
		p, err = a.projects.SetPasswordPolicy(ctx, projectID, pol)
	} else {
		p, err = a.projects.Get(ctx, projectID)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %s\n", p.ID, describePolicy(p.PasswordPolicy))
	return nil
}

func describePolicy(pol auth.PasswordPolicy) string {
	switch pol.Kind {
	case password.PolicyLUDS:
		n, k := pol.LUDSMinLength, pol.LUDSMinCharTypes
		if n == 0 {
			n = password.DefaultLUDSMinLength
		}
		if k == 0 {
			k = password.DefaultLUDSMinCharTypes
		}
		return fmt.Sprintf("luds: at least %d characters of %d kinds (lowercase, uppercase, digits, symbols)", n, k)
	case password.PolicyZXCVBN:
		return "zxcvbn: a score of at least 3"
	}
	return "zxcvbn (the default): a score of at least 3"
}

func printCredentials(w io.Writer, p *auth.Project, secret string) {
	fmt.Fprintf(w, "Created %s project %q. Point a Stytch SDK at this server with:\n", p.Env, p.Name)
	fmt.Fprintf(w, "  project_id:   %s\n", p.ID)
	fmt.Fprintf(w, "  secret:       %s\n", secret)
	fmt.Fprintf(w, "  public_token: %s\n", p.PublicToken)
	fmt.Fprintln(w, "The secret is shown only once; Latch stores a hash of it.")
}

func redirectURLsCmd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("redirect-urls: want a subcommand: add or list")
	}
	var (
		projectID, types string
		isDefault        bool
	)
	cfg, rest, err := config.Load(getenv, "latch redirect-urls "+args[0], args[1:], func(fs *flag.FlagSet) {
		fs.StringVar(&projectID, "project", "", "project ID")
		if args[0] == "add" {
			fs.StringVar(&types, "type", "login,signup", "comma-separated types: login, signup, invite, reset_password, discovery")
			fs.BoolVar(&isDefault, "default", false, "make it the default URL of these types")
		}
	})
	if err != nil {
		return err
	}
	if projectID == "" {
		return errors.New("redirect-urls: --project is required")
	}
	a, err := openApp(ctx, cfg, quietLogger())
	if err != nil {
		return err
	}
	defer a.close()
	switch args[0] {
	case "add":
		if len(rest) != 1 {
			return errors.New("redirect-urls add: want exactly one URL")
		}
		var ts []auth.RedirectType
		for _, t := range strings.Split(types, ",") {
			ts = append(ts, auth.RedirectType(strings.TrimSpace(t)))
		}
		if err := a.projects.AddRedirectURL(ctx, projectID, rest[0], ts, isDefault); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Allowlisted %s for %s in %s.\n", rest[0], types, projectID)
		return nil
	case "list":
		us, err := a.projects.RedirectURLs(ctx, projectID)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "URL\tTYPE\tDEFAULT")
		for _, u := range us {
			fmt.Fprintf(tw, "%s\t%s\t%v\n", u.URL, u.Type, u.IsDefault)
		}
		return tw.Flush()
	default:
		return fmt.Errorf("redirect-urls: unknown subcommand %q (want add or list)", args[0])
	}
}

func keysCmd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "rotate" {
		return errors.New("keys: want a subcommand: rotate")
	}
	var (
		projectID string
		lead      time.Duration
	)
	cfg, _, err := config.Load(getenv, "latch keys rotate", args[1:], func(fs *flag.FlagSet) {
		fs.StringVar(&projectID, "project", "", "project ID")
		fs.DurationVar(&lead, "publish-lead", -1, "how long the new key is published before it signs (default: LATCH_JWT_PUBLISH_LEAD)")
	})
	if err != nil {
		return err
	}
	if lead < 0 {
		lead = cfg.JWTPublishLead
	}
	a, err := openApp(ctx, cfg, quietLogger())
	if err != nil {
		return err
	}
	defer a.close()
	p, err := a.projects.Get(ctx, projectID)
	if err != nil {
		return err
	}
	k, err := a.keys.Rotate(ctx, p.ID, p.Env, lead)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "New signing key %s is published now and signs from %s.\n", k.KeyID, k.ActiveAt.Format(time.RFC3339))
	return nil
}

func migrateCmd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	cfg, _, err := config.Load(getenv, "latch migrate", args, nil)
	if err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, quietLogger())
	if err != nil {
		return err
	}
	defer a.close()
	driver, _ := cfg.Database()
	fmt.Fprintf(stdout, "The %s database is up to date.\n", driver)
	return nil
}
