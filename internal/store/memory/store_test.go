package memory

import (
	"testing"

	"dangbo/internal/org"
	"dangbo/internal/store/storetest"
)

func TestStoreSuite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) org.Store {
		s, err := Open(t.TempDir(), nil)
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
	storetest.RunTwoInstances(t, func(t *testing.T) (org.Store, org.Store) {
		s, err := Open(t.TempDir(), nil)
		if err != nil {
			t.Fatal(err)
		}
		return s, s
	})
}
