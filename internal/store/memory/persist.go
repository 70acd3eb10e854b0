package memory

import (
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"dangbo/internal/org"
)

// One bucket per record type, keyed by id; a record is stored whole, so a
// write replaces whole records and a crash leaves either the old or the new.
var (
	orgBucket    = []byte("orgs")
	memberBucket = []byte("members")
)

func encode(v any) ([]byte, error) { return json.Marshal(v) }

// load reads every record into a new graph.
func load(db *bolt.DB) (*graph, error) {
	g := newGraph()
	err := db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{orgBucket, memberBucket} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		if err := tx.Bucket(orgBucket).ForEach(func(k, v []byte) error {
			var r org.OrgRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("organisation %s: %w", k, err)
			}
			g.putOrg(r)
			return nil
		}); err != nil {
			return err
		}
		return tx.Bucket(memberBucket).ForEach(func(k, v []byte) error {
			var r org.MemberRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("member %s: %w", k, err)
			}
			g.putMember(r)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("memory: load: %w", err)
	}
	return g, nil
}

// staged is what one transaction writes.
type staged struct {
	orgs    map[string]*org.OrgRecord
	members map[string]*org.MemberRecord
}

// persist writes the staged records in one bbolt transaction, durable (fsync)
// when it returns.
func persist(db *bolt.DB, st *staged) error {
	return db.Update(func(tx *bolt.Tx) error {
		ob, mb := tx.Bucket(orgBucket), tx.Bucket(memberBucket)
		for id, r := range st.orgs {
			v, err := encode(r)
			if err != nil {
				return err
			}
			if err := ob.Put([]byte(id), v); err != nil {
				return err
			}
		}
		for id, r := range st.members {
			v, err := encode(r)
			if err != nil {
				return err
			}
			if err := mb.Put([]byte(id), v); err != nil {
				return err
			}
		}
		return nil
	})
}
