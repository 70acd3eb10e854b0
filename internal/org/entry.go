package org

import "context"

// NewOrg describes an organisation to create under an existing parent (or a
// province, without one).
type NewOrg struct {
	ParentID string
	Name     string
	Code     string
	Kind     Kind
	Sector   Sector
}

// CreateOrg creates an organisation in force from today under a parent in
// the caller's scope; only a caller who works everywhere creates a province.
func (s *Service) CreateOrg(ctx context.Context, in NewOrg) (Org, error) {
	today, id := s.today(), NewID("o")
	var name, code string
	err := s.Mutate(ctx, "createOrg", []string{id, in.ParentID}, func() error {
		p, err := Require(ctx, WriteStructure)
		if err != nil {
			return err
		}
		switch {
		case in.ParentID == "" && !p.Everywhere():
			return Errorf(EForbidden, "chỉ quản trị viên được tạo đảng bộ tỉnh")
		case in.ParentID != "":
			if err := s.SeeOrg(ctx, p, View{At: today}, in.ParentID); err != nil {
				return notFoundAs(err, "tổ chức cấp trên", in.ParentID)
			}
		}
		if name, err = CleanName("tên tổ chức", in.Name); err != nil {
			return err
		}
		if code, err = cleanText("mã tổ chức", in.Code); err != nil {
			return err
		}
		if int(in.Kind) >= NumKinds || int(in.Sector) >= NumSectors {
			return Errorf(EInvalid, "loại tổ chức hoặc lĩnh vực không hợp lệ")
		}
		return nil
	}, func(tx Tx) error {
		var parent *Org
		if in.ParentID != "" {
			p, err := orgOn(ctx, tx, in.ParentID, today, "tổ chức cấp trên")
			if err != nil {
				return err
			}
			parent = &p
		}
		if err := checkPlacement(in.Kind, parent); err != nil {
			return err
		}
		return tx.PutOrg(ctx, OrgRecord{ID: id, Code: code, Versions: []Version{{
			Span: Span{today, Forever}, ParentID: in.ParentID, Name: name, Kind: in.Kind, Sector: in.Sector}}})
	})
	if err != nil {
		return Org{}, err
	}
	return s.Org(ctx, View{At: today}, id)
}

// orgOn reads organisation id as it stands on date d, NOT_FOUND if it does not exist then.
func orgOn(ctx context.Context, tx Tx, id string, d Date, what string) (Org, error) {
	rec, err := tx.Org(ctx, id)
	if err != nil {
		return Org{}, notFoundAs(err, what, id)
	}
	o, ok := rec.OrgAt(d)
	if !ok {
		return Org{}, NotFound(what, id)
	}
	return o, nil
}

// notFoundAs rewords a store's NOT_FOUND for what the caller was looking for.
func notFoundAs(err error, what, id string) error {
	if ErrorCode(err) == ENotFound {
		return NotFound(what, id)
	}
	return err
}

// NewMember describes a member to record in a cell: a newly registered member
// or one moved in from elsewhere, in force from today.
type NewMember struct {
	CellID     string
	FullName   string
	Gender     Gender
	Status     MemberStatus
	AdmittedOn Date `json:",omitzero"` // zero: today
	OfficialOn Date `json:",omitzero"` // OFFICIAL only; zero: a year after admission
	Theory     Theory
	Personal   Personal
}

// minAdmissionAge is the youngest a person may be admitted (Điều lệ Đảng, Điều 1).
const minAdmissionAge = 18

func (s *Service) checkNewMember(in *NewMember, today Date) error {
	var err error
	if in.FullName, err = CleanName("họ và tên", in.FullName); err != nil {
		return err
	}
	if in.Personal, err = CleanPersonal(in.Personal); err != nil {
		return err
	}
	if in.AdmittedOn == 0 {
		in.AdmittedOn = today
	}
	if in.AdmittedOn > today {
		return Errorf(EInvalid, "ngày kết nạp %s ở tương lai", in.AdmittedOn)
	}
	if b := in.Personal.BirthDate; b != nil && b.AddYears(minAdmissionAge) > in.AdmittedOn {
		return Errorf(EInvalid, "đảng viên phải đủ %d tuổi khi kết nạp (sinh %s, kết nạp %s)", minAdmissionAge, b, in.AdmittedOn)
	}
	switch in.Status {
	case Probationary:
		if in.OfficialOn != 0 {
			return Errorf(EInvalid, "đảng viên dự bị chưa có ngày chuyển chính thức")
		}
	case Official:
		if in.OfficialOn == 0 {
			in.OfficialOn = in.AdmittedOn.AddYears(1)
		}
		if in.OfficialOn < in.AdmittedOn || in.OfficialOn > today {
			return Errorf(EInvalid, "ngày chuyển chính thức %s phải sau ngày kết nạp %s và không ở tương lai", in.OfficialOn, in.AdmittedOn)
		}
	default:
		return Errorf(EInvalid, "trạng thái đảng viên không hợp lệ")
	}
	if int(in.Gender) > int(Female) || int(in.Theory) > int(TheoryAdvanced) {
		return Errorf(EInvalid, "giới tính hoặc trình độ lý luận không hợp lệ")
	}
	return nil
}

// CleanPersonal trims and bounds the free-text personal fields of a member.
func CleanPersonal(p Personal) (Personal, error) {
	var err error
	if p.Ethnicity, err = cleanText("dân tộc", p.Ethnicity); err != nil {
		return p, err
	}
	if p.Phone, err = cleanText("số điện thoại", p.Phone); err != nil {
		return p, err
	}
	if p.Email, err = cleanText("thư điện tử", p.Email); err != nil {
		return p, err
	}
	p.Address, err = cleanText("địa chỉ", p.Address)
	return p, err
}

// dateOrNil is nil for the zero Date, which is no date.
func dateOrNil(d Date) *Date {
	if d == 0 {
		return nil
	}
	return &d
}

// CreateMember records a member in a cell of the caller's scope, in force from today.
func (s *Service) CreateMember(ctx context.Context, in NewMember) (Member, error) {
	today, id := s.today(), NewID("m")
	err := s.Mutate(ctx, "createMember", []string{id, in.CellID}, func() error {
		p, err := Require(ctx, WriteMembers)
		if err != nil {
			return err
		}
		if err := s.SeeOrg(ctx, p, View{At: today}, in.CellID); err != nil {
			return notFoundAs(err, "chi bộ", in.CellID)
		}
		return s.checkNewMember(&in, today)
	}, func(tx Tx) error {
		cell, err := orgOn(ctx, tx, in.CellID, today, "chi bộ")
		if err != nil {
			return err
		}
		if err := checkMemberCell(&cell); err != nil {
			return err
		}
		return tx.PutMember(ctx, MemberRecord{
			ID: id, FullName: in.FullName, Gender: in.Gender, AdmittedOn: in.AdmittedOn, OfficialOn: dateOrNil(in.OfficialOn),
			Theory: in.Theory, Personal: in.Personal,
			Stints: []Stint{{Span: Span{today, Forever}, CellID: in.CellID}},
		})
	})
	if err != nil {
		return Member{}, err
	}
	return s.Member(ctx, View{At: today}, id)
}
