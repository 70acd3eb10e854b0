package org

// enumNames is the wire name of each value of a small enumeration, so that
// every enum type reads and writes its names the same way.
type enumNames[E ~uint8] struct {
	what  string // what the enum is, in Vietnamese, for error messages
	names []string
}

func (n enumNames[E]) String(e E) string {
	if int(e) < len(n.names) {
		return n.names[e]
	}
	return "UNKNOWN"
}

func (n enumNames[E]) Parse(s string) (E, error) {
	for i, name := range n.names {
		if name == s {
			return E(i), nil
		}
	}
	return 0, Errorf(EInvalid, "%s không hợp lệ: %q", n.what, s)
}

func (n enumNames[E]) Marshal(e E) ([]byte, error) {
	if int(e) >= len(n.names) {
		return nil, Errorf(EInvalid, "%s không hợp lệ: %d", n.what, e)
	}
	return []byte(n.names[e]), nil
}

func (n enumNames[E]) Unmarshal(e *E, b []byte) error {
	for i, name := range n.names {
		if name == string(b) { // compared without a copy: imports read millions
			*e = E(i)
			return nil
		}
	}
	_, err := n.Parse(string(b))
	return err
}
