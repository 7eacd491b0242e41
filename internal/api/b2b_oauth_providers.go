package api

import (
	"net/http"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/oauth"
)

// The organization members oauth_providers endpoints return the provider
// tokens Latch keeps for a member's linked accounts, as stytch-go's
// b2b/organizations/members/oauthproviders types say: Google and Microsoft
// answer with one account's tokens, GitHub with a list of accounts.
//
// The SDKs send no member session headers to them (their methods take no
// authorization options), so, like recovery_codes get, they are
// authorized by the project's credentials alone.

// memberOAuthProviderResponse is a GoogleResponse or MicrosoftResponse:
// every field present, "" and 0 rather than null, for the Python SDK.
type memberOAuthProviderResponse struct {
	envelope
	ProviderType         string   `json:"provider_type"`
	ProviderSubject      string   `json:"provider_subject"`
	AccessToken          string   `json:"access_token"`
	AccessTokenExpiresIn int64    `json:"access_token_expires_in"`
	IDToken              string   `json:"id_token"`
	RefreshToken         string   `json:"refresh_token"`
	Scopes               []string `json:"scopes"`
}

// githubProviderInfoJSON is stytch-go's b2b/organizations.GithubProviderInfo.
type githubProviderInfoJSON struct {
	ProviderSubject   string   `json:"provider_subject"`
	ProviderTenantIDs []string `json:"provider_tenant_ids"`
	AccessToken       string   `json:"access_token"`
	Scopes            []string `json:"scopes"`
}

// memberGithubProviderResponse is a GithubResponse.
type memberGithubProviderResponse struct {
	envelope
	ProviderType  string                   `json:"provider_type"`
	Registrations []githubProviderInfoJSON `json:"registrations"`
}

// membersOAuthProviders serves GET …/members/{member_id}/oauth_providers/
// {google,microsoft} for provider type t. The member's most recently used
// account of that type answers; a member with none is
// oauth_user_registration_not_found. The refresh token is sent only with
// include_refresh_token=true.
func (h *handler) membersOAuthProviders(t auth.OAuthProviderType) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		tokens, err := h.memberProviderTokens(r, t)
		if err != nil {
			return err
		}
		if len(tokens) == 0 {
			return auth.ErrOAuthUserRegistrationNotFound.WithMessage("The member has no %s account linked with tokens.", providerTypeNames[t])
		}
		mt := tokens[0]
		res := &memberOAuthProviderResponse{
			ProviderType: providerTypeNames[t], ProviderSubject: mt.Registration.Subject,
			AccessToken: mt.AccessToken, AccessTokenExpiresIn: mt.ExpiresIn, IDToken: mt.IDToken,
			Scopes: orEmptyList(mt.Scopes),
		}
		if r.URL.Query().Get("include_refresh_token") == "true" {
			res.RefreshToken = mt.RefreshToken
		}
		return encode(w, r, http.StatusOK, res)
	}
}

// membersOAuthProvidersGithub serves GET …/oauth_providers/github: every
// GitHub account linked to the member, most recently used first. GitHub
// issues no refresh tokens, so include_refresh_token changes nothing.
func (h *handler) membersOAuthProvidersGithub(w http.ResponseWriter, r *http.Request) error {
	tokens, err := h.memberProviderTokens(r, auth.OAuthGitHub)
	if err != nil {
		return err
	}
	regs := make([]githubProviderInfoJSON, 0, len(tokens))
	for _, mt := range tokens {
		regs = append(regs, githubProviderInfoJSON{
			ProviderSubject: mt.Registration.Subject, ProviderTenantIDs: tenantIDs(mt.Registration.TenantID),
			AccessToken: mt.AccessToken, Scopes: orEmptyList(mt.Scopes),
		})
	}
	return encode(w, r, http.StatusOK, &memberGithubProviderResponse{ProviderType: providerTypeNames[auth.OAuthGitHub], Registrations: regs})
}

func (h *handler) memberProviderTokens(r *http.Request, t auth.OAuthProviderType) ([]oauth.MemberTokens, error) {
	return h.OAuth.MemberProviderTokens(r.Context(), projectOf(r), r.PathValue("organization_id"), r.PathValue("member_id"), t)
}
