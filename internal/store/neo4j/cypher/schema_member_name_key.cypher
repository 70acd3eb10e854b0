// params:
CREATE INDEX member_name_key IF NOT EXISTS FOR (m:Member) ON (m.nameKey)
