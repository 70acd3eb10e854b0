// params:
CREATE CONSTRAINT commit_key IF NOT EXISTS FOR (c:Commit) REQUIRE c.key IS UNIQUE
