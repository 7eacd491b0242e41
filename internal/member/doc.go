// Package member manages the members of B2B organizations: creating them
// (by API, invite or just-in-time provisioning), reading them by ID or
// email address, updating, deleting and reactivating them, and searching
// them across organizations. Organizations themselves, the policy rules
// and the RBAC policy live in package organization.
package member
