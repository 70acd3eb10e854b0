// params:
CREATE INDEX org_kind IF NOT EXISTS FOR (o:Org) ON (o.kind)
