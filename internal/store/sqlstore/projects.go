package sqlstore

import (
	"context"

	"github.com/latchauth/latch/internal/auth"
)

const projectColumns = `project_id, name, env, secret_hash, public_token, created_at, updated_at`

// qGetProject is prepared at Open: every API request authenticates its project.
const qGetProject = `SELECT ` + projectColumns + ` FROM projects WHERE project_id = $1`

func scanProject(row rowScanner) (auth.Project, error) {
	var p auth.Project
	err := row.Scan(&p.ID, &p.Name, &p.Env, &p.SecretHash, &p.PublicToken, timeCol{&p.CreatedAt}, timeCol{&p.UpdatedAt})
	return p, err
}

// CreateProject implements store.Projects.
func (db *DB) CreateProject(ctx context.Context, p *auth.Project) error {
	err := db.insert(ctx, `INSERT INTO projects (`+projectColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
		p.ID, p.Name, p.Env, p.SecretHash, p.PublicToken, db.ts(p.CreatedAt), db.ts(p.UpdatedAt))
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
