// params:
RETURN NOT EXISTS { MATCH (:Org) } AS empty
