package server

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	gqlcomplexity "github.com/99designs/gqlgen/complexity"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"dangbo/internal/org"
)

// What the fields that walk a subtree cost on top of gqlgen's complexity (one
// per field, lists by their page size; see complexity()). A unit is about
// what writing one node of a chart costs.
const (
	// walkCost is the least a subtree read costs: the scope check, the
	// reading of the tree and of the residence links, the resolver's
	// answer; 500 aliases of the smallest district's chart exceed every
	// role's limit.
	walkCost = 100
	// chartNodeCost is what each node of a chart costs: walking and writing
	// it, and its share of the residence links, for every chartFieldsPerUnit
	// fields the chart's selection holds (under nodes, links and the
	// columns alike, each alias counted). A whole province (about 5,800
	// nodes) with every field fits a viewer's limit, eight of them an
	// admin's; its nodes' name under 3,500 aliases (about 1 GB) fit no one.
	chartNodeCost      = 1
	chartFieldsPerUnit = 32
	// membersPerUnit is how many members the member rules of violations
	// read for one unit.
	membersPerUnit = 50
	// entriesPerUnit is how many names (organisations and members in
	// scope) a search weighs for one unit.
	entriesPerUnit = 1000
	// orgRulesCost is what Org.violations costs: the rules of one
	// organisation and of its own members.
	orgRulesCost = 10
	// unknownOrgs and unknownMembers are what a subtree the caller may not
	// see, or that does not exist, is counted as: a large district, so that
	// an id the caller cannot see costs the same whether it exists or not,
	// and an organisation a scenario creates is not free.
	unknownOrgs    = 1_000
	unknownMembers = 20_000
	// datedCost is what each date other than today that an operation reads
	// as of costs, once per date: the first read as of a date builds the
	// whole structure on it (20–60 ms of CPU on the demo, whatever the
	// field), so that 60 aliases of one organisation on 60 dates (3.6 s of
	// CPU) fit no one and nine dates fit a viewer.
	datedCost = 1_000
	// costedDates is how many dates other than today the cost itself looks
	// subtrees up on; past them a subtree counts as unknown, so that costing
	// an operation never builds more structures than that.
	costedDates = 8
	// subjectsCost is what Change.subjects costs for each change: each is
	// read as of its change's date, so a page spans as many structures as
	// its changes have dates.
	subjectsCost = 20
)

// costLimit refuses, before anything runs, an operation whose cost exceeds
// the caller's limit. The cost is gqlgen's complexity over a schema whose
// charts, violations and searches also cost by the size of the subtree they
// walk, read from the counts the store keeps.
type costLimit struct {
	svc   *org.Service
	limit func(context.Context) int
	es    graphql.ExecutableSchema
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
	graphql.ResponseInterceptor
} = (*costLimit)(nil)

func (*costLimit) ExtensionName() string { return "CostLimit" }

func (c *costLimit) Validate(es graphql.ExecutableSchema) error {
	c.es = costedSchema{ExecutableSchema: es, svc: c.svc}
	return nil
}

func (c *costLimit) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	ctx = context.WithValue(ctx, subtreesKey{}, newCostMemo())
	limit := c.limit(ctx)
	cost := gqlcomplexity.Calculate(ctx, c.es, oc.Operation, oc.Variables, gqlcomplexity.WithIgnoreFields(introspectionFields))
	introspection, cut := introspectionCost(c.es.Schema(), oc.Doc, oc.Operation.SelectionSet, limit-cost)
	cost += introspection
	oc.Stats.SetExtension(costStats, cost)
	if cost <= limit {
		oc.Stats.SetExtension(budgetStats, c.dateBudget(ctx, oc, limit-cost))
		return nil
	}
	what := strconv.Itoa(cost)
	if cut { // counted only as far as the limit
		what = "trên " + strconv.Itoa(limit)
	}
	err := gqlerror.Errorf("Truy vấn có độ phức tạp %s, vượt mức tối đa %d của vai trò: hãy bớt bí danh, "+
		"giảm first hoặc depth, hoặc chia thành nhiều truy vấn.", what, limit)
	err.Extensions = map[string]any{"code": errComplexityLimit}
	return err
}

// dateBudget is what the operation may still spend, as it runs, on dates
// whose whole structure a read builds (org.DateBudget): the dates its
// arguments name and today are paid for; the rest of its limit buys one date
// per datedCost. A subscription's stream earns one back every
// streamDateEvery, since it may run for days.
func (c *costLimit) dateBudget(ctx context.Context, oc *graphql.OperationContext, left int) *org.DateBudget {
	memo, _ := ctx.Value(subtreesKey{}).(*costMemo)
	paid := []org.Date{c.svc.Today()}
	for d := range memo.dates {
		paid = append(paid, d)
	}
	var every time.Duration
	if oc.Operation.Operation == ast.Subscription {
		every = streamDateEvery
	}
	return org.NewDateBudget(paid, left/datedCost, every)
}

// streamDateEvery is how often a stream earns back a date to build.
const streamDateEvery = 5 * time.Second

// InterceptResponse runs the operation, or a stream's next event, with the
// operation's date budget.
func (c *costLimit) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if graphql.HasOperationContext(ctx) { // none for a request refused before its operation
		if b, ok := graphql.GetOperationContext(ctx).Stats.GetExtension(budgetStats).(*org.DateBudget); ok {
			ctx = org.WithDateBudget(ctx, b)
		}
	}
	return next(ctx)
}

// costStats and budgetStats name an operation's cost and date budget among
// its statistics.
const (
	costStats   = "Cost"
	budgetStats = "DateBudget"
)

// operationCost is the cost of the operation running in ctx.
func operationCost(ctx context.Context) int {
	if oc := graphql.GetOperationContext(ctx); oc != nil {
		cost, _ := oc.Stats.GetExtension(costStats).(int)
		return cost
	}
	return 0
}

// errComplexityLimit is gqlgen's code for an operation over its complexity limit.
const errComplexityLimit = "COMPLEXITY_LIMIT_EXCEEDED"

// costedSchema adds to a field's complexity what it walks.
type costedSchema struct {
	graphql.ExecutableSchema
	svc *org.Service
}

func (s costedSchema) Complexity(ctx context.Context, typeName, field string, child int, args map[string]any) (int, bool) {
	c, ok := s.ExecutableSchema.Complexity(ctx, typeName, field, child, args)
	walk := s.walk(ctx, typeName+"."+field, child, args) + s.dated(ctx, args)
	if walk == 0 {
		return c, ok
	}
	if !ok || c < 1 {
		c = 1 + child // gqlgen's default for an object or list
	}
	return c + walk, true
}

// walk is what field costs by the subtree it reads, given its raw arguments
// and the cost of its selection.
func (s costedSchema) walk(ctx context.Context, field string, child int, args map[string]any) int {
	switch field {
	case "Query.orgChart":
		q := org.ChartQuery{Depth: -1, Kinds: kindsArg(args["kinds"])}
		if d, ok := intArg(args["depth"]); ok && d >= 0 {
			q.Depth = d
		}
		n := unknownOrgs
		if t := s.subtree(ctx, args["rootId"], s.dateArg(args)); t.known {
			n = q.EstimateNodes(t.counts)
		}
		// A chart over the limit fails once it has walked that many.
		// gqlgen saturates a selection's cost at the largest int.
		perNode := chartNodeCost * (1 + min(max(child-1, 0), 1<<30)/chartFieldsPerUnit)
		return walkCost + perNode*min(n, s.svc.ChartLimit())
	case "Query.violations":
		t := s.subtree(ctx, args["within"], s.dateArg(args))
		return walkCost + t.orgs() + t.members()/membersPerUnit
	case "Query.search":
		t := s.subtree(ctx, args["within"], s.dateArg(args)) // everything the caller sees without one
		return walkCost + (t.orgs()+t.members())/entriesPerUnit
	case "Change.subjects":
		return subjectsCost
	case "Query.changes", "Query.changeSummary":
		// The history is scanned for the subtree's changes whatever the page.
		return walkCost
	case "Org.violations":
		return orgRulesCost
	case "Org.members":
		// A subtree's or a filtered list reads every member of the
		// subtree, whose root the arguments do not name: a large district.
		if sub, _ := args["subtree"].(bool); sub || args["filter"] != nil {
			return walkCost + unknownOrgs + unknownMembers/membersPerUnit
		}
	case "Scenario.violations", "Scenario.existingViolations":
		// The rules over the scenario's subtree as it is and as it would
		// be, whose root the arguments do not name: twice a large district.
		return 2 * (walkCost + unknownOrgs + unknownMembers/membersPerUnit)
	case "OrgStatistics.breakdown":
		return walkCost + unknownOrgs + unknownMembers/membersPerUnit
	case "Query.scenarioDiff":
		// The subtree replayed, drawn as it is and as it would be, and
		// checked against the rules: about what its violations cost.
		t := s.scenarioSubtree(ctx, args)
		return walkCost + t.orgs() + t.members()/membersPerUnit
	}
	return 0
}

// scenarioSubtree is the subtree of the scenario the argument id names, on
// its base date.
func (s costedSchema) scenarioSubtree(ctx context.Context, args map[string]any) subtree {
	id, _ := args["id"].(string)
	sc, err := s.svc.Scenario(ctx, id)
	if err != nil {
		return subtree{}
	}
	return s.subtree(ctx, sc.Within, sc.BaseAsOf)
}

// dateArg is the date a field's asOf argument names, today without one.
func (s costedSchema) dateArg(args map[string]any) org.Date {
	if asOf, ok := args["asOf"].(string); ok {
		if d, err := org.ParseDate(asOf); err == nil {
			return d
		}
	}
	return s.svc.Today()
}

// dated is datedCost the first time the operation names a date other than
// today in an asOf argument.
func (s costedSchema) dated(ctx context.Context, args map[string]any) int {
	memo, _ := ctx.Value(subtreesKey{}).(*costMemo)
	if _, ok := args["asOf"].(string); !ok || memo == nil {
		return 0
	}
	d := s.dateArg(args)
	if d == s.svc.Today() || memo.dates[d] {
		return 0
	}
	memo.dates[d] = true
	return datedCost
}

// subtree is what the caller sees on date at of the subtree organisation id
// (an ID argument, nil for everything they see) roots, looked up once per
// operation, on at most costedDates dates other than today.
func (s costedSchema) subtree(ctx context.Context, id any, at org.Date) subtree {
	root, _ := id.(string)
	memo, _ := ctx.Value(subtreesKey{}).(*costMemo)
	key := subtreeKey{root, at}
	if memo == nil {
		memo = newCostMemo()
	}
	if t, ok := memo.subtrees[key]; ok {
		return t
	}
	if at != s.svc.Today() && !memo.lookedUp[at] {
		if len(memo.lookedUp) >= costedDates {
			return subtree{}
		}
		memo.lookedUp[at] = true
	}
	var t subtree
	t.counts, t.known = s.svc.SubtreeCounts(ctx, org.View{At: at}, root)
	memo.subtrees[key] = t
	return t
}

type subtreesKey struct{}

// costMemo is what costing one operation has looked up and charged.
type costMemo struct {
	subtrees map[subtreeKey]subtree
	dates    map[org.Date]bool // charged datedCost
	lookedUp map[org.Date]bool // dates other than today subtrees were looked up on
}

func newCostMemo() *costMemo {
	return &costMemo{subtrees: map[subtreeKey]subtree{}, dates: map[org.Date]bool{}, lookedUp: map[org.Date]bool{}}
}

type subtreeKey struct {
	id string
	at org.Date
}

type subtree struct {
	counts org.Counts
	known  bool
}

// orgs is the number of organisations in the subtree, its root included.
func (t subtree) orgs() int {
	if !t.known {
		return unknownOrgs
	}
	return 1 + int(t.counts.Orgs())
}

func (t subtree) members() int {
	if !t.known {
		return unknownMembers
	}
	return int(t.counts.Members())
}

// intArg is an Int argument as gqlgen hands it over: int64 from a literal,
// json.Number from a variable.
func intArg(v any) (int, bool) {
	switch n := v.(type) {
	case int64:
		return int(n), true
	case int:
		return n, true
	case json.Number:
		i, err := n.Int64()
		return int(i), err == nil
	}
	return 0, false
}

// kindsArg is a [OrgKind!] argument; unknown kinds are left out (validation
// refuses them anyway). A single value stands for a list of one.
func kindsArg(v any) []org.Kind {
	var raw []any
	switch k := v.(type) {
	case []any:
		raw = k
	case string:
		raw = []any{k}
	}
	var kinds []org.Kind
	for _, r := range raw {
		if s, ok := r.(string); ok {
			if k, err := org.ParseKind(s); err == nil {
				kinds = append(kinds, k)
			}
		}
	}
	return kinds
}
