package org

import (
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// DecisionKey is what identifies a decision's number among its issuer's
// decisions: the number case-folded, in NFC, so that "12-QĐ/TU" and
// "12-qđ/tu" name one decision. Unicode's full case folding is right for
// Vietnamese (no language of it has special rules, as Turkish has); the
// diacritics stay, for they tell numbers apart ("QĐ" is not "QD").
func DecisionKey(number string) string {
	return norm.NFC.String(cases.Fold().String(norm.NFC.String(number)))
}
