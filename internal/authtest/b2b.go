package authtest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/latchauth/latch/internal/auth"
)

// NewOrganization inserts an organization of p with Stytch's default
// settings, changed by mutate when it is not nil.
func (s *Services) NewOrganization(tb testing.TB, p *auth.Project, name string, mutate func(o *auth.Organization)) *auth.Organization {
	tb.Helper()
	o := auth.NewOrganizationDefaults()
	now := s.Clock.Now().UTC().Truncate(time.Microsecond)
	o.ID, o.ProjectID, o.Name = auth.NewID(auth.KindOrganization, p.Env), p.ID, name
	o.Slug = strings.ToLower(strings.ReplaceAll(name, " ", "-"))
	o.CreatedAt, o.UpdatedAt = now, now
	if mutate != nil {
		mutate(&o)
	}
	if err := s.Store.CreateOrganization(context.Background(), p.ID, &o); err != nil {
		tb.Fatalf("create organization %s: %v", name, err)
	}
	// Each record gets its own instant, so lists ordered by creation are
	// in the order the test made them.
	s.Clock.Advance(time.Millisecond)
	return &o
}

// NewMember inserts a member of o with the given address and status.
func (s *Services) NewMember(tb testing.TB, o *auth.Organization, address string, status auth.MemberStatus, roles ...string) *auth.Member {
	tb.Helper()
	now := s.Clock.Now().UTC().Truncate(time.Microsecond)
	env := auth.EnvTest
	if strings.HasPrefix(o.ID, "organization-live-") {
		env = auth.EnvLive
	}
	if roles == nil {
		roles = []string{}
	}
	m := &auth.Member{
		ID: auth.NewID(auth.KindMember, env), ProjectID: o.ProjectID, OrganizationID: o.ID,
		EmailAddress: address, EmailVerified: status == auth.MemberActive, Status: status,
		TrustedMetadata: map[string]any{}, UntrustedMetadata: map[string]any{}, Roles: roles,
		CreatedAt: now, UpdatedAt: now,
	}
	if err := s.Store.CreateMember(context.Background(), o.ProjectID, m); err != nil {
		tb.Fatalf("create member %s: %v", address, err)
	}
	s.Clock.Advance(time.Millisecond)
	return m
}
