package sqlstore

import (
	"context"
	"time"

	"github.com/latchauth/latch/internal/auth"
)

const projectColumns = `project_id, name, env, secret_hash, public_token, created_at, updated_at,
	password_strength_policy, luds_min_length, luds_min_char_types`

// qGetProject is prepared at Open: every API request authenticates its project.
const qGetProject = `SELECT ` + projectColumns + ` FROM projects WHERE project_id = $1`

func scanProject(row rowScanner) (auth.Project, error) {
	var p auth.Project
	err := row.Scan(&p.ID, &p.Name, &p.Env, &p.SecretHash, &p.PublicToken, timeCol{&p.CreatedAt}, timeCol{&p.UpdatedAt},
		&p.PasswordPolicy.Kind, &p.PasswordPolicy.LUDSMinLength, &p.PasswordPolicy.LUDSMinCharTypes)
	return p, err
}

// CreateProject implements store.Projects.
func (db *DB) CreateProject(ctx context.Context, p *auth.Project) error {
	pol := p.PasswordPolicy
	err := db.insert(ctx, `INSERT INTO projects (`+projectColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`,
		p.ID, p.Name, p.Env, p.SecretHash, p.PublicToken, db.ts(p.CreatedAt), db.ts(p.UpdatedAt),
		pol.Kind, pol.LUDSMinLength, pol.LUDSMinCharTypes)
	if err != nil {
		return db.fail(err, "create project %s", p.ID)
	}
	return nil
}

// GetProject implements store.Projects.
func (db *DB) GetProject(ctx context.Context, projectID string) (*auth.Project, error) {
	p, err := scanProject(db.stmt(ctx, hotGetProject).QueryRowContext(ctx, projectID))
	if err != nil {
		return nil, db.fail(err, "get project %s", projectID)
	}
	return &p, nil
}

// GetProjectByPublicToken implements store.Projects.
func (db *DB) GetProjectByPublicToken(ctx context.Context, publicToken string) (*auth.Project, error) {
	p, err := scanProject(db.queryRow(ctx, `SELECT `+projectColumns+` FROM projects WHERE public_token = $1`, publicToken))
	if err != nil {
		return nil, db.fail(err, "get project by public token")
	}
	return &p, nil
}

// ListProjects implements store.Projects. It is operator-level: it spans
// projects, so it has no project filter.
func (db *DB) ListProjects(ctx context.Context) ([]auth.Project, error) {
	rows, err := db.query(ctx, `SELECT `+projectColumns+` FROM projects ORDER BY created_at, project_id`)
	ps, err := collect(rows, err, scanProject)
	if err != nil {
		return nil, db.fail(err, "list projects")
	}
	return ps, nil
}

// SetProjectPasswordPolicy implements store.Projects.
func (db *DB) SetProjectPasswordPolicy(ctx context.Context, projectID string, pol auth.PasswordPolicy, now time.Time) error {
	err := db.execOne(ctx, `UPDATE projects SET password_strength_policy = $2, luds_min_length = $3, luds_min_char_types = $4,
		updated_at = $5 WHERE project_id = $1`, projectID, pol.Kind, pol.LUDSMinLength, pol.LUDSMinCharTypes, db.ts(now))
	if err != nil {
		return db.fail(err, "set password policy of project %s", projectID)
	}
	return nil
}
