// params:
CREATE INDEX org_name_key IF NOT EXISTS FOR (o:Org) ON (o.nameKey)
