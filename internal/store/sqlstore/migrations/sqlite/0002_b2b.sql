-- B2B: organizations, their members, member sessions and intermediate
-- sessions. Its twin is migrations/postgres/0002_b2b.sql (migrate_test.go
-- checks that both end with the same tables and columns).
--
-- Representation as in 0001: times are INTEGER microseconds (UTC), booleans
-- INTEGER 0/1, JSON TEXT, hashes BLOB. Lists and maps that are only read
-- back whole are JSON; the lists a query must look inside (allowed domains,
-- member roles) are also kept as rows of a side table maintained by the
-- store, so no query needs a JSON operator.

CREATE TABLE organizations (
	project_id                               TEXT NOT NULL REFERENCES projects (project_id) ON DELETE CASCADE,
	organization_id                          TEXT NOT NULL,
	name                                     TEXT NOT NULL,
	slug                                     TEXT NOT NULL,
	logo_url                                 TEXT NOT NULL,
	external_id                              TEXT NOT NULL, -- '' when unset
	trusted_metadata                         TEXT NOT NULL,
	email_allowed_domains                    TEXT NOT NULL,
	email_jit_provisioning                   TEXT NOT NULL,
	email_invites                            TEXT NOT NULL,
	auth_methods                             TEXT NOT NULL,
	allowed_auth_methods                     TEXT NOT NULL,
	mfa_policy                               TEXT NOT NULL,
	mfa_methods                              TEXT NOT NULL,
	allowed_mfa_methods                      TEXT NOT NULL,
	sso_jit_provisioning                     TEXT NOT NULL,
	sso_jit_provisioning_allowed_connections TEXT NOT NULL,
	sso_default_connection_id                TEXT NOT NULL,
	oauth_tenant_jit_provisioning            TEXT NOT NULL,
	allowed_oauth_tenants                    TEXT NOT NULL,
	claimed_email_domains                    TEXT NOT NULL,
	rbac_email_implicit_role_assignments     TEXT NOT NULL,
	first_party_connected_apps_allowed_type  TEXT NOT NULL,
	allowed_first_party_connected_apps       TEXT NOT NULL,
	third_party_connected_apps_allowed_type  TEXT NOT NULL,
	allowed_third_party_connected_apps       TEXT NOT NULL,
	-- name and slug lowercased by the store (in Go, so both dialects fold
	-- Unicode alike) for the case-insensitive fuzzy searches.
	name_lower                               TEXT NOT NULL,
	slug_lower                               TEXT NOT NULL,
	created_at                               INTEGER NOT NULL,
	updated_at                               INTEGER NOT NULL,
	PRIMARY KEY (project_id, organization_id)
) STRICT;
CREATE UNIQUE INDEX organizations_slug ON organizations (project_id, slug);
CREATE UNIQUE INDEX organizations_external_id ON organizations (project_id, external_id) WHERE external_id <> '';
-- SearchOrganizations pages in (created_at, organization_id) order.
CREATE INDEX organizations_created ON organizations (project_id, created_at, organization_id);

-- One row per (lowercased) domain of organizations.email_allowed_domains.
CREATE TABLE organization_domains (
	project_id      TEXT NOT NULL,
	organization_id TEXT NOT NULL,
	domain          TEXT NOT NULL,
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL,
	PRIMARY KEY (project_id, organization_id, domain),
	FOREIGN KEY (project_id, organization_id) REFERENCES organizations (project_id, organization_id) ON DELETE CASCADE
) STRICT;
CREATE INDEX organization_domains_domain ON organization_domains (project_id, domain);

CREATE TABLE members (
	project_id         TEXT NOT NULL,
	member_id          TEXT NOT NULL,
	organization_id    TEXT NOT NULL,
	email_address      TEXT NOT NULL, -- lowercased by the store
	email_verified     INTEGER NOT NULL,
	name               TEXT NOT NULL,
	status             TEXT NOT NULL,
	is_breakglass      INTEGER NOT NULL,
	external_id        TEXT NOT NULL, -- '' when unset
	trusted_metadata   TEXT NOT NULL,
	untrusted_metadata TEXT NOT NULL,
	roles              TEXT NOT NULL,
	mfa_enrolled       INTEGER NOT NULL,
	mfa_phone_number   TEXT NOT NULL,
	mfa_phone_verified INTEGER NOT NULL,
	default_mfa_method TEXT NOT NULL,
	created_at         INTEGER NOT NULL,
	updated_at         INTEGER NOT NULL,
	PRIMARY KEY (project_id, member_id),
	FOREIGN KEY (project_id, organization_id) REFERENCES organizations (project_id, organization_id) ON DELETE CASCADE
) STRICT;
-- A deleted member keeps its row and its address.
CREATE UNIQUE INDEX members_email ON members (project_id, organization_id, email_address);
CREATE UNIQUE INDEX members_external_id ON members (project_id, organization_id, external_id) WHERE external_id <> '';
-- The target of member_sessions' reference, which pins a session's
-- organization to its member's.
CREATE UNIQUE INDEX members_organization ON members (project_id, organization_id, member_id);
-- SearchMembers pages in (created_at, member_id) order within organizations.
CREATE INDEX members_created ON members (project_id, organization_id, created_at, member_id);
-- ListMembersByEmail: one address across the project's organizations.
CREATE INDEX members_address ON members (project_id, email_address);

-- One row per role of members.roles, for the role search filter.
CREATE TABLE member_roles (
	project_id TEXT NOT NULL,
	member_id  TEXT NOT NULL,
	role       TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (project_id, member_id, role),
	FOREIGN KEY (project_id, member_id) REFERENCES members (project_id, member_id) ON DELETE CASCADE
) STRICT;
CREATE INDEX member_roles_role ON member_roles (project_id, role);

CREATE TABLE member_sessions (
	project_id             TEXT NOT NULL,
	session_id             TEXT NOT NULL,
	member_id              TEXT NOT NULL,
	organization_id        TEXT NOT NULL,
	token_hash             BLOB NOT NULL UNIQUE,
	started_at             INTEGER NOT NULL,
	last_accessed_at       INTEGER NOT NULL,
	expires_at             INTEGER NOT NULL,
	ip_address             TEXT NOT NULL,
	user_agent             TEXT NOT NULL,
	authentication_factors TEXT NOT NULL,
	custom_claims          TEXT NOT NULL,
	created_at             INTEGER NOT NULL,
	updated_at             INTEGER NOT NULL,
	PRIMARY KEY (project_id, session_id),
	FOREIGN KEY (project_id, organization_id, member_id) REFERENCES members (project_id, organization_id, member_id) ON DELETE CASCADE
) STRICT;
CREATE INDEX member_sessions_member ON member_sessions (project_id, member_id, expires_at);

CREATE TABLE intermediate_sessions (
	project_id              TEXT NOT NULL REFERENCES projects (project_id) ON DELETE CASCADE,
	intermediate_session_id TEXT NOT NULL,
	token_hash              BLOB NOT NULL UNIQUE,
	email_address           TEXT NOT NULL,
	authentication_factors  TEXT NOT NULL,
	organization_id         TEXT, -- NULL unless the session waits on a second factor
	member_id               TEXT, -- in this organization, for this member
	expires_at              INTEGER NOT NULL,
	consumed_at             INTEGER,
	created_at              INTEGER NOT NULL,
	updated_at              INTEGER NOT NULL,
	PRIMARY KEY (project_id, intermediate_session_id),
	FOREIGN KEY (project_id, organization_id) REFERENCES organizations (project_id, organization_id) ON DELETE CASCADE,
	FOREIGN KEY (project_id, member_id) REFERENCES members (project_id, member_id) ON DELETE CASCADE
) STRICT;
CREATE INDEX intermediate_sessions_organization ON intermediate_sessions (project_id, organization_id);
CREATE INDEX intermediate_sessions_member ON intermediate_sessions (project_id, member_id);

-- B2B links name an organization and a member. No reference: SQLite
-- cannot add a composite foreign key to an existing table, so
-- DeleteOrganization deletes the organization's tokens itself.
ALTER TABLE tokens ADD COLUMN organization_id TEXT; -- NULL for consumer tokens
ALTER TABLE tokens ADD COLUMN member_id TEXT;       -- NULL when the token names no member
CREATE INDEX tokens_organization ON tokens (project_id, organization_id);
CREATE INDEX tokens_member ON tokens (project_id, member_id);
