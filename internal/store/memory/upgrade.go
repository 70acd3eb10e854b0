package memory

import (
	"bytes"
	"fmt"
	"runtime/debug"

	bolt "go.etcd.io/bbolt"

	"dangbo/internal/org"
)

// upgradeBatch is how many records one transaction of the upgrade looks at:
// the checkpoints of writes wait for it, a few tens of milliseconds.
const upgradeBatch = 20_000

// upgrade rewrites the member and organisation records that a file written
// before the binary form holds as JSON, in the background once the store is
// loaded, so that the next restart decodes them in the faster form. Each
// record is converted from what the file holds in the transaction that
// rewrites it, the same values in another form: a write meanwhile, or an
// import, is never undone. It stops early when the store closes, and lets go
// of the pages it read and the memory it used when done.
func (s *Store) upgrade(stop <-chan struct{}) {
	defer close(s.upgraded)
	n := 0
	for _, b := range []struct {
		bucket  []byte
		convert func([]byte) ([]byte, error)
	}{
		{orgBucket, func(v []byte) ([]byte, error) {
			var r org.OrgRecord
			err := decodeOrg(v, &r)
			return encodeOrg(nil, &r), err
		}},
		{memberBucket, func(v []byte) ([]byte, error) {
			var r org.MemberRecord
			err := decodeMember(v, &r)
			return encodeMember(nil, &r), err
		}},
	} {
		var from []byte
		for done := false; !done; {
			select {
			case <-stop:
				return
			default:
			}
			err := s.db.Update(func(tx *bolt.Tx) error {
				bk := tx.Bucket(b.bucket)
				var puts []kv
				c := bk.Cursor()
				k, v := c.Seek(from)
				for i := 0; k != nil && i < upgradeBatch; k, v = c.Next() {
					i++
					if isOlder(v) {
						nv, err := b.convert(v)
						if err != nil {
							return fmt.Errorf("%s: %w", k, err)
						}
						puts = append(puts, kv{bytes.Clone(k), nv})
					}
				}
				done, from = k == nil, bytes.Clone(k)
				for _, p := range puts {
					if err := bk.Put(p.k, p.v); err != nil {
						return err
					}
				}
				n += len(puts)
				return nil
			})
			if err != nil {
				s.log.Error("could not rewrite the records of the older form", "err", err)
				return
			}
		}
	}
	s.dropMapped()
	// The rewrite's garbage, bbolt's copies of the pages it wrote, is as
	// large as the file: give it back now rather than at the runtime's pace.
	debug.FreeOSMemory()
	s.log.Info("rewrote the records of older forms in the current one", "records", n)
}
