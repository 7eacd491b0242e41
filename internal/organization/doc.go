// Package organization manages B2B organizations and their members, and
// holds the organization policy rules (allowed email domains, JIT
// provisioning, invites, auth methods) that every B2B login flow applies.
package organization
