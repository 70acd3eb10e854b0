// params:
CREATE CONSTRAINT meta_key IF NOT EXISTS FOR (meta:Meta) REQUIRE meta.key IS UNIQUE
