// params: key, id, now, last
// Every transaction of an import starts here: it notes that import $id is
// alive, and mine says whether the claim is still its own (another instance
// takes over a claim that stopped writing). With $last the import is over and
// its claim released: the data is whole, and served.
MATCH (meta:Meta {key: $key})
WHERE meta.importing = $id
SET meta.importBeat = CASE WHEN $last THEN null ELSE $now END,
    meta.importing = CASE WHEN $last THEN null ELSE $id END
RETURN count(meta) AS mine
