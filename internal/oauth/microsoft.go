package oauth

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/latchauth/latch/internal/auth"
)

// Microsoft's multi-tenant endpoints (tenant common, organizations or
// consumers) have no one issuer: the discovery document at
// https://login.microsoftonline.com/common/v2.0 says its issuer is
// https://login.microsoftonline.com/{tenantid}/v2.0, a template, and each
// ID token's iss is that template filled with the user's tenant, the
// token's tid. go-oidc's checks, which compare both with the configured
// issuer, would refuse every login; so for these tenants discovery accepts
// the template, and the issuer check of the ID token is replaced by an
// explicit one: iss must be the template filled with the token's own tid.
// A specific tenant (a GUID or domain) keeps go-oidc's strict checks.

// tenantIDPlaceholder is the tenant in a multi-tenant issuer template, as
// Microsoft writes it.
const tenantIDPlaceholder = "{tenantid}"

// tidRE is a tenant ID as a token's tid claim carries it: a GUID.
var tidRE = regexp.MustCompile(`^[0-9A-Za-z-]{1,64}$`)

// issuerTemplate returns the issuer template of a Microsoft provider
// whose tenant is multi-tenant, "" for any other provider: the issuer
// with its tenant path segment replaced by {tenantid}. A Microsoft
// provider whose issuer has no such segment (overridden to some other
// URL) is checked strictly.
func issuerTemplate(cfg *Config) string {
	if cfg.Type != auth.OAuthMicrosoft {
		return ""
	}
	switch cfg.Tenant {
	case "common", "organizations", "consumers":
	default:
		return ""
	}
	u, err := url.Parse(cfg.Issuer)
	if err != nil {
		return ""
	}
	segs := strings.Split(u.Path, "/")
	for i, s := range segs {
		if s == cfg.Tenant {
			segs[i] = tenantIDPlaceholder
			// Not u.String(): it would escape the braces.
			return u.Scheme + "://" + u.Host + strings.Join(segs, "/")
		}
	}
	return ""
}

// multiTenantContext is ctx for discovering a provider with issuer
// template tmpl: go-oidc then accepts a document whose issuer differs
// from the discovery URL.
func multiTenantContext(ctx context.Context, tmpl string) context.Context {
	return oidc.InsecureIssuerURLContext(ctx, tmpl)
}

// checkDiscoveredIssuer checks what a multi-tenant discovery document
// says its issuer is, since go-oidc no longer does: the template itself
// (common, organizations) or the template filled with one tenant
// (consumers, whose accounts all live in one tenant).
func checkDiscoveredIssuer(prov *oidc.Provider, tmpl string) error {
	var doc struct {
		Issuer string `json:"issuer"`
	}
	if err := prov.Claims(&doc); err != nil {
		return fmt.Errorf("oauth: read discovery document: %w", err)
	}
	if doc.Issuer == tmpl || fillsTemplate(tmpl, doc.Issuer) {
		return nil
	}
	return fmt.Errorf("oauth: discovery document's issuer %q does not fit %q", doc.Issuer, tmpl)
}

// fillsTemplate reports whether iss is tmpl with a tenant ID in place of
// {tenantid}.
func fillsTemplate(tmpl, iss string) bool {
	prefix, suffix, ok := strings.Cut(tmpl, tenantIDPlaceholder)
	if !ok || !strings.HasPrefix(iss, prefix) || !strings.HasSuffix(iss, suffix) || len(iss) < len(prefix)+len(suffix) {
		return false
	}
	return tidRE.MatchString(iss[len(prefix) : len(iss)-len(suffix)])
}

// checkTenantIssuer is the issuer check of a multi-tenant ID token, whose
// signature, audience and expiry go-oidc checked: iss must be the
// template filled with the token's own tid.
func checkTenantIssuer(idt *oidc.IDToken, tmpl string) error {
	var c struct {
		TenantID string `json:"tid"`
	}
	if err := idt.Claims(&c); err != nil {
		return auth.ErrOAuthCallbackFailed.WithMessage("The ID token's claims could not be read.").Wrap(err)
	}
	if !tidRE.MatchString(c.TenantID) {
		return auth.ErrOAuthCallbackFailed.WithMessage("The ID token names no tenant (tid).")
	}
	if want := strings.Replace(tmpl, tenantIDPlaceholder, c.TenantID, 1); idt.Issuer != want {
		return auth.ErrOAuthCallbackFailed.WithMessage("The ID token was issued by %s, not by its tenant's issuer %s.", idt.Issuer, want)
	}
	return nil
}
