// Package organization manages B2B organizations: creating them with
// validated settings, reading them by ID or slug, updating, deleting and
// searching them (Service). It also holds the rules every B2B flow applies
// to an organization: its email policy (allowed domains, JIT provisioning,
// invites, auth methods; policy.go) and Stytch's default RBAC policy, which
// decides what a member acting through a member session may do (rbac.go).
//
// Members of organizations live in package member, which builds on this
// one.
package organization
