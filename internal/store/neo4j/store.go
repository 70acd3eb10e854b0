// Package neo4j is the Neo4j 5 store: the structure as a property graph, read
// and written through the official Go driver in managed transactions, with
// every statement in an embedded .cypher file (see model.go for the graph).
//
// Several service instances may share one database, so nothing that must stay
// consistent lives in an instance: each organisation's counts are maintained in
// the graph by the transaction that changes them, writers lock the provinces
// they read (so that writers of different provinces run in parallel) and the
// Meta node from their first change to their commit, and search uses Neo4j's
// full-text indexes. Statements use the
// variable-scope CALL () {} subquery syntax, so the server must be Neo4j 5.23
// or later (5.26 LTS, Aura).
package neo4j

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	n4j "github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/config"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace"

	"dangbo/internal/org"
)

// Config says where the database is and how to reach it.
type Config struct {
	// URI is bolt://, bolt+s://, neo4j:// (cluster routing) or neo4j+s://.
	URI      string
	User     string // empty: no authentication
	Password string
	Database string // empty: the server's default database
	// MaxRetryTime bounds how long a transaction is retried on transient
	// errors, such as a leader switch or a lost connection (default 15 s).
	MaxRetryTime time.Duration
	// MaxConnections bounds the connection pool per server (default: the driver's, 100).
	MaxConnections int
	// Log hears when a start migrates the database (default: nowhere).
	Log *slog.Logger
}

const (
	defaultRetryTime = 15 * time.Second
	// defaultBatchSize is the number of rows one UNWIND statement writes.
	defaultBatchSize = 2000
	// indexWaitSeconds bounds the wait at start for indexes to come online.
	indexWaitSeconds = 300
	// metaKey identifies the one Meta node.
	metaKey = "dangbo"
)

// Store is an org.Store over a Neo4j database.
type Store struct {
	db        transactor
	log       *slog.Logger
	tracer    trace.Tracer // of each statement (traced)
	batchSize int
	// how long an import may go without writing before another instance
	// takes it for dead, and how often one waiting for it looks again
	importStale, importPoll time.Duration
}

var _ org.Store = (*Store)(nil)

// Open connects to the database, checks that it answers, creates the
// constraints and indexes the store needs if they do not exist yet, and
// brings data an earlier version wrote to this version's layout (migrate.go),
// or waits while another instance does.
func Open(ctx context.Context, c Config) (*Store, error) {
	auth := n4j.NoAuth()
	if c.User != "" {
		auth = n4j.BasicAuth(c.User, c.Password, "")
	}
	driver, err := n4j.NewDriverWithContext(c.URI, auth, func(cfg *config.Config) {
		cfg.MaxTransactionRetryTime = orDefault(c.MaxRetryTime, defaultRetryTime)
		cfg.MaxConnectionPoolSize = orDefault(c.MaxConnections, cfg.MaxConnectionPoolSize)
	})
	if err != nil {
		return nil, fmt.Errorf("neo4j: %w", err)
	}
	s := newStore(&driverTransactor{
		driver:    driver,
		database:  c.Database,
		bookmarks: n4j.NewBookmarkManager(n4j.BookmarkManagerConfig{}),
	})
	if err := s.Ping(ctx); err != nil {
		s.Close()
		return nil, err
	}
	s.log = orDefault(c.Log, s.log)
	if err := s.createSchema(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.upgrade(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// orDefault is v, or def when v is zero.
func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

func newStore(db transactor) *Store {
	// The global provider: a no-op unless telemetry.FromEnv set one.
	return &Store{db: db, log: slog.New(slog.DiscardHandler), tracer: otel.Tracer("dangbo/internal/store/neo4j"), batchSize: defaultBatchSize,
		importStale: defaultImportStale, importPoll: defaultImportPoll}
}

// createSchema runs every schema_*.cypher statement, each in its own
// transaction as Neo4j requires, then waits for the indexes to be online.
func (s *Store) createSchema(ctx context.Context) error {
	var names []string
	for name := range statements {
		if strings.HasPrefix(name, "schema_") {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		if err := s.write(ctx, func(q querier) error {
			_, err := run(ctx, q, name, nil)
			return err
		}); err != nil {
			return err
		}
	}
	return s.read(ctx, func(q querier) error {
		_, err := run(ctx, q, "await_indexes", map[string]any{"seconds": indexWaitSeconds})
		return err
	})
}

// Ping fails when the database cannot be reached. The driver reconnects by
// itself, so a later Ping succeeds as soon as the database is back.
func (s *Store) Ping(ctx context.Context) error { return storeError(s.db.verify(ctx)) }

// Close releases the driver's connections.
func (s *Store) Close() error { return storeError(s.db.close(context.Background())) }

// read runs work in a managed read transaction, retried on transient errors.
func (s *Store) read(ctx context.Context, work func(querier) error) error {
	return storeError(s.db.execute(ctx, n4j.AccessModeRead, s.traced(work)))
}

// write runs work in a managed write transaction, retried on transient errors:
// work may run more than once and must start from scratch each time.
func (s *Store) write(ctx context.Context, work func(querier) error) error {
	return storeError(s.db.execute(ctx, n4j.AccessModeWrite, s.traced(work)))
}

func (s *Store) traced(work func(querier) error) func(querier) error {
	return func(q querier) error { return work(traced{q, s.tracer}) }
}

// transactor runs work in transactions: the driver's managed transactions in
// production, a fake in unit tests.
type transactor interface {
	execute(ctx context.Context, mode n4j.AccessMode, work func(querier) error) error
	verify(ctx context.Context) error
	close(ctx context.Context) error
}

// driverTransactor runs each transaction in a session of its own. Sessions
// share one bookmark manager, so that a read sees the writes this instance
// committed before it, even on a cluster follower; a request's bookmarks
// (org.Bookmarks) add the writes another instance committed for its client,
// and collect those of its own writes for the client.
type driverTransactor struct {
	driver    n4j.DriverWithContext
	database  string
	bookmarks n4j.BookmarkManager
}

func (d *driverTransactor) execute(ctx context.Context, mode n4j.AccessMode, work func(querier) error) error {
	config := n4j.SessionConfig{AccessMode: mode, DatabaseName: d.database, BookmarkManager: d.bookmarks}
	request := org.BookmarksFrom(ctx)
	if request != nil {
		config.Bookmarks = n4j.BookmarksFromRawValues(request.After()...)
	}
	session := d.driver.NewSession(ctx, config)
	defer session.Close(ctx)
	txWork := func(tx n4j.ManagedTransaction) (any, error) { return nil, work(managedQuerier{tx}) }
	var err error
	if mode == n4j.AccessModeRead {
		_, err = session.ExecuteRead(ctx, txWork)
	} else if _, err = session.ExecuteWrite(ctx, txWork); err == nil && request != nil {
		request.Committed(n4j.BookmarksToRawValues(session.LastBookmarks()))
	}
	return err
}

func (d *driverTransactor) verify(ctx context.Context) error { return d.driver.VerifyConnectivity(ctx) }

func (d *driverTransactor) close(ctx context.Context) error { return d.driver.Close(ctx) }

// managedQuerier runs statements in a driver-managed transaction.
type managedQuerier struct{ tx n4j.ManagedTransaction }

func (m managedQuerier) query(ctx context.Context, st *statement, params map[string]any) ([]*n4j.Record, error) {
	result, err := m.tx.Run(ctx, st.text, params)
	if err != nil {
		return nil, err
	}
	return result.Collect(ctx)
}

// Codes of the Neo4j errors the store reports as something other than INTERNAL.
const (
	codeConstraintViolation = "Neo.ClientError.Schema.ConstraintValidationFailed"
	codeDatabaseNotFound    = "Neo.ClientError.Database.DatabaseNotFound"
)

// storeError turns what the driver returned into what a caller may act on: a
// domain error passes through; an unreachable or overloaded database is
// UNAVAILABLE, a broken uniqueness constraint CONFLICT, anything else INTERNAL.
// The driver's own message stays in the error chain for the logs and out of
// the user-facing message.
func storeError(err error) error {
	var domain *org.Error
	var neoErr *n4j.Neo4jError
	var limit *n4j.TransactionExecutionLimit
	var connectivity *n4j.ConnectivityError
	var auth *n4j.InvalidAuthenticationError
	switch {
	case err == nil, errors.As(err, &domain), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.As(err, &neoErr) && neoErr.Code == codeConstraintViolation:
		return fmt.Errorf("%w: %w", org.Errorf(org.EConflict, "Dữ liệu trùng với dữ liệu đã có; hãy tải lại và thử lại."), err)
	case errors.As(err, &limit), errors.As(err, &connectivity), errors.As(err, &auth),
		errors.As(err, &neoErr) && (neoErr.IsRetriable() || neoErr.HasSecurityCode() || neoErr.Code == codeDatabaseNotFound):
		return fmt.Errorf("%w: %w", org.Errorf(org.EUnavailable, "Cơ sở dữ liệu Neo4j không sẵn sàng; hãy thử lại sau."), err)
	}
	return fmt.Errorf("neo4j: %w", err)
}
