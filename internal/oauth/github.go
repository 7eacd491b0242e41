package oauth

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/user"
)

// maxGitHubResponse bounds what is read of a GitHub API answer; a user or
// an email list is a few kilobytes.
const maxGitHubResponse = 1 << 20

// githubUser is what Latch reads of GET /user.
type githubUser struct {
	ID        int64  `json:"id"`
	Login     string `json:"login"`
	Name      string `json:"name"`
	AvatarURL string `json:"avatar_url"`
}

// githubEmail is one entry of GET /user/emails.
type githubEmail struct {
	Email    string `json:"email"`
	Primary  bool   `json:"primary"`
	Verified bool   `json:"verified"`
}

// githubIdentity reads who a GitHub access token belongs to. GitHub is
// OAuth 2.0 without ID tokens: the user comes from its REST API, the
// subject is the numeric user ID (logins can be renamed), and only a
// verified address is trusted, the primary one first.
func (s *Service) githubIdentity(ctx context.Context, cfg *Config, accessToken string, id *identity) (*identity, error) {
	var u githubUser
	if err := s.githubGet(ctx, cfg, accessToken, "/user", &u); err != nil {
		return nil, err
	}
	if u.ID == 0 {
		return nil, auth.ErrOAuthCallbackFailed.WithMessage("GitHub returned no user.")
	}
	var emails []githubEmail
	if err := s.githubGet(ctx, cfg, accessToken, "/user/emails", &emails); err != nil {
		return nil, err
	}
	for _, primaryFirst := range []bool{true, false} {
		for _, e := range emails {
			if e.Verified && e.Primary == primaryFirst && id.Email == "" {
				if addr, err := user.NormalizeEmail(e.Email); err == nil {
					id.Email = addr
				}
			}
		}
	}
	id.Subject = strconv.FormatInt(u.ID, 10)
	id.Picture = u.AvatarURL
	id.GivenName, id.FamilyName, _ = strings.Cut(strings.TrimSpace(u.Name), " ")
	return id, nil
}

// githubGet reads one GitHub API resource into v.
func (s *Service) githubGet(ctx context.Context, cfg *Config, accessToken, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(cfg.APIURL, "/")+path, nil)
	if err != nil {
		return fmt.Errorf("oauth: github %s: %w", path, err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	resp, err := s.client.Do(req)
	if err != nil {
		return auth.ErrOAuthCallbackFailed.WithMessage("GitHub could not be reached.").Wrap(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxGitHubResponse))
	if err != nil {
		return auth.ErrOAuthCallbackFailed.WithMessage("GitHub's answer could not be read.").Wrap(err)
	}
	if resp.StatusCode != http.StatusOK {
		return auth.ErrOAuthCallbackFailed.WithMessage("GitHub refused %s (HTTP %d).", path, resp.StatusCode)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return auth.ErrOAuthCallbackFailed.WithMessage("GitHub's answer to %s could not be read.", path).Wrap(err)
	}
	return nil
}
