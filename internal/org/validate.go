package org

import (
	"fmt"
	"sort"
)

// Dataset checks the records of a whole dataset as they are imported:
// organisations first, all of them, then members one by one against them. It
// applies the rules that every write applies (R5, R6) to every date of the
// history, so an import cannot load what the API would refuse.
type Dataset struct {
	orgs map[string]*OrgRecord
}

// NewDataset starts checking a dataset.
func NewDataset() *Dataset { return &Dataset{orgs: map[string]*OrgRecord{}} }

// AddOrg takes an organisation record; its shape is checked by CheckOrgs once all are in.
func (d *Dataset) AddOrg(r *OrgRecord) error {
	if r.ID == "" {
		return Errorf(EInvalid, "tổ chức thiếu id")
	}
	if d.orgs[r.ID] != nil {
		return Errorf(EInvalid, "tổ chức %q xuất hiện hai lần", r.ID)
	}
	if len(r.Versions) == 0 {
		return Errorf(EInvalid, "tổ chức %q không có phiên bản nào", r.ID)
	}
	for i := range r.Versions {
		v := &r.Versions[i]
		name, err := CleanName("tên tổ chức", v.Name)
		if err != nil {
			return fmt.Errorf("tổ chức %q: %w", r.ID, err)
		}
		v.Name = name
		if !v.valid() || (i > 0 && v.Since < r.Versions[i-1].Until) {
			return Errorf(EInvalid, "tổ chức %q: các phiên bản phải theo thứ tự ngày và không chồng lấn", r.ID)
		}
		if int(v.Kind) >= NumKinds || int(v.Sector) >= NumSectors {
			return Errorf(EInvalid, "tổ chức %q: loại hoặc lĩnh vực không hợp lệ", r.ID)
		}
	}
	d.orgs[r.ID] = r
	return nil
}

// Orgs is the number of organisations taken.
func (d *Dataset) Orgs() int { return len(d.orgs) }

// CheckOrgs checks that every version of every organisation sits, for all of
// its span, under a parent that exists and may contain it (R5).
func (d *Dataset) CheckOrgs() error {
	ids := make([]string, 0, len(d.orgs))
	for id := range d.orgs {
		ids = append(ids, id)
	}
	sort.Strings(ids) // the first error reported does not depend on map order
	for _, id := range ids {
		r := d.orgs[id]
		for _, v := range r.Versions {
			if v.ParentID == "" {
				if v.Kind != Province {
					return RuleShape.Violation("tổ chức %q (%s) không có cấp trên", r.ID, v.Kind.Vietnamese())
				}
				continue
			}
			p := d.orgs[v.ParentID]
			if p == nil || !p.throughout(v.Span, func(pv Version) bool { return CanContain(pv.Kind, v.Kind) }) {
				return RuleShape.Violation("tổ chức %q (%s) không đặt dưới một cấp trên hợp lệ %q trong suốt %s–%s",
					r.ID, v.Kind.Vietnamese(), v.ParentID, v.Since, v.Until)
			}
		}
	}
	return nil
}

// CheckMember checks a member against the organisations: cells that hold
// members over each stint, one official cell at a time, residence links to
// other, residential cells (R5, R6). It cleans the member's names in place.
func (d *Dataset) CheckMember(m *MemberRecord) error {
	if m.ID == "" {
		return Errorf(EInvalid, "đảng viên thiếu id")
	}
	fail := func(err error) error { return fmt.Errorf("đảng viên %q: %w", m.ID, err) }
	var err error
	if m.FullName, err = CleanName("họ và tên", m.FullName); err != nil {
		return fail(err)
	}
	if m.Personal, err = cleanPersonal(m.Personal); err != nil {
		return fail(err)
	}
	if m.OfficialOn != 0 && m.OfficialOn < m.AdmittedOn {
		return fail(Errorf(EInvalid, "ngày chính thức trước ngày kết nạp"))
	}
	if len(m.Stints) == 0 {
		return fail(Errorf(EInvalid, "không sinh hoạt ở chi bộ nào"))
	}
	var lastOfficial Date
	for i, s := range m.Stints {
		if !s.valid() || (i > 0 && s.Since < m.Stints[i-1].Since) {
			return fail(Errorf(EInvalid, "các đợt sinh hoạt phải theo thứ tự ngày"))
		}
		if !s.Temporary {
			if s.Since < lastOfficial {
				return fail(RuleMembership.Violation("sinh hoạt chính thức ở hai chi bộ cùng lúc"))
			}
			lastOfficial = s.Until
		}
		if c := d.orgs[s.CellID]; c == nil || !c.throughout(s.Span, func(v Version) bool { return v.Kind.HoldsMembers() }) {
			return fail(RuleShape.Violation("chi bộ %q không tồn tại hoặc không phải chi bộ trong suốt %s–%s", s.CellID, s.Since, s.Until))
		}
	}
	for i, r := range m.Residences {
		if !r.valid() || (i > 0 && r.Since < m.Residences[i-1].Until) {
			return fail(Errorf(EInvalid, "các liên hệ nơi cư trú phải theo thứ tự ngày và không chồng lấn"))
		}
		c := d.orgs[r.CellID]
		if c == nil || !c.throughout(r.Span, func(v Version) bool { return v.Kind.HoldsMembers() && v.Sector.IsResidential() }) {
			return fail(RuleMembership.Violation("nơi cư trú %q phải là chi bộ thôn hoặc tổ dân phố", r.CellID))
		}
		if own := m.CellOn(r.Since); own == r.CellID {
			return fail(RuleMembership.Violation("chi bộ nơi cư trú trùng với chi bộ đang sinh hoạt"))
		}
	}
	for _, t := range m.Roles {
		if o := d.orgs[t.OrgID]; !t.valid() || o == nil || !o.throughout(t.Span, func(Version) bool { return true }) {
			return fail(Errorf(EInvalid, "chức vụ ở tổ chức %q không tồn tại trong suốt nhiệm kỳ", t.OrgID))
		}
	}
	return nil
}

// throughout reports whether the organisation exists through all of span and
// every version in force during it satisfies ok.
func (r *OrgRecord) throughout(s Span, ok func(Version) bool) bool {
	next := s.Since
	for _, v := range r.Versions {
		if v.Until <= next {
			continue
		}
		if v.Since > next || !ok(v) {
			return false
		}
		if next = v.Until; next >= s.Until {
			return true
		}
	}
	return false
}
